"""`smallcode bench --suite smoke` against the packaged model served by `smallcode models
serve`: the harness works end to end with a real model. Nothing is asserted about the score
(it goes in the closing note of issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(1800)
def test_smoke_suite_with_the_packaged_model(props_server: Server, tmp_path: Path) -> None:
    out = tmp_path / "smoke.json"
    r = run_cli(
        [
            "bench",
            "--suite",
            "smoke",
            "--base-url",
            props_server.base_url,
            "-m",
            props_server.model,
            "--tries",
            "1",
            "--max-turns",
            "4",
            "--timeout",
            "240",
            "--out",
            str(out),
            "-C",
            str(tmp_path),
        ],
        cwd=tmp_path,
        env={"SMALLCODE_TEMPERATURE": "0"},
        timeout=1700,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    data = json.loads(out.read_text())
    assert data["test_cases"] == 5 and len(data["results"]) == 5
    assert data["window"] == props_server.n_ctx
    for res in data["results"]:
        assert res["tests"]  # the tests were run and summarised, whatever the model did
        assert res["requests"] >= 1 or res["timed_out"], res
    print(
        f"\nsmoke with {props_server.model}: pass_rate_1 {data['pass_rate_1']}, "
        f"pass_rate_2 {data['pass_rate_2']}, {data['seconds_per_case']} s per case"
    )
