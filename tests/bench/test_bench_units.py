"""pass^k, the BFCL checker, bench diff and the report keys, without a model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smallcode.bench.bfcl import _fix_types, check_calls
from smallcode.bench.diff import compare
from smallcode.bench.runner import TaskResult
from smallcode.bench.stats import pass_hat_k, pass_hat_table
from tests.conftest import run_cli


def test_pass_hat_k() -> None:
    outcomes = [(3, 3), (3, 1)]
    assert pass_hat_k(outcomes, 1) == pytest.approx((1 + 1 / 3) / 2, abs=1e-4)
    assert pass_hat_k(outcomes, 2) == 0.5
    assert pass_hat_k(outcomes, 3) == 0.5
    assert pass_hat_table(outcomes) == {"1": 0.6667, "2": 0.5, "3": 0.5}
    assert pass_hat_k([(2, 1)], 3) == 0.0


def test_bfcl_checker() -> None:
    truth = [{"get_weather": {"city": ["Paris", "Paris, France"], "unit": ["celsius", ""]}}]
    assert check_calls([("get_weather", {"city": "paris"})], truth) == ""
    assert check_calls([("get_weather", {"city": "Paris", "unit": "celsius"})], truth) == ""
    assert "unit" in check_calls([("get_weather", {"city": "Paris", "unit": "kelvin"})], truth)
    assert "unknown parameter" in check_calls([("get_weather", {"city": "Paris", "x": 1})], truth)
    assert "missing" in check_calls([("get_weather", {"unit": "celsius"})], truth)
    assert "1 calls, expected 2" in check_calls([("f", {})], truth * 2)
    assert check_calls([], []) == ""
    assert "should not call" in check_calls([("get_weather", {"city": "x"})], [])
    numbers = [{"area": {"base": [10]}}]
    assert check_calls([("area", {"base": 10.0})], numbers) == ""
    assert _fix_types({"type": "dict", "properties": {"n": {"type": "float"}}}) == {
        "type": "object",
        "properties": {"n": {"type": "number"}},
    }


def _result(passed: list[int], suite: str = "smoke") -> dict[str, Any]:
    from smallcode.bench.report import summarize

    runs = [TaskResult(f"python/t{i}", "python", passed_try=p) for i, p in enumerate(passed)]
    return summarize(runs, {"suite": suite, "model": "m", "tries": 2}, [])


def test_summary_keys_and_rates() -> None:
    data = _result([1, 2, 0, 0])
    assert data["pass_rate_1"] == 25.0 and data["pass_rate_2"] == 50.0
    assert data["test_cases"] == 4 and data["pass_hat_k"] == {"1": 0.5}
    assert data["percent_cases_well_formed"] == 100.0


def test_diff_verdicts(tmp_path: Path) -> None:
    a, b = _result([1, 0, 0, 0]), _result([1, 1, 0, 0])
    assert compare(a, b, 0.02)[0] == 0
    assert compare(b, a, 0.02)[0] == 1
    assert compare(a, a, 0.02)[0] == 2
    code, lines = compare(a, b, 0.5)
    assert code == 2 and "noise" in lines[-1]
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_text(json.dumps(a))
    pb.write_text(json.dumps(b))
    r = run_cli(["bench", "diff", str(pa), str(pb)], cwd=tmp_path)
    assert r.returncode == 0 and "improved" in r.stdout and "python/t1: 0% -> 100%" in r.stdout
    r = run_cli(["bench", "diff", str(pb), str(pa), "--threshold", "0.02"], cwd=tmp_path)
    assert r.returncode == 1 and "regressed" in r.stdout
    (tmp_path / "bad.json").write_text("{}")
    for args in ([str(pa), str(tmp_path / "bad.json")], [str(pa)], [str(pa), "/no/such.json"]):
        r = run_cli(["bench", "diff", *args], cwd=tmp_path)
        assert r.returncode == 3 and "Traceback" not in r.stderr
