"""`smallcode bench` end to end against the fake model server: real smallcode processes per
task, real test runs (pytest, node --test, cargo) in real git workspaces."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from smallcode.bench.tasks import load_suite, suites_root
from tests.bench.conftest import solver
from tests.conftest import run_cli

TASK_KEYS = {
    "id",
    "lang",
    "passed_try",
    "requests",
    "prompt_tokens",
    "completion_tokens",
    "tool_calls",
    "malformed_calls",
    "repairs",
    "guard_interventions",
    "seconds",
    "exit_code",
    "timed_out",
}
AIDER_KEYS = {
    "test_cases",
    "model",
    "edit_format",
    "commit_hash",
    "pass_rate_1",
    "pass_rate_2",
    "percent_cases_well_formed",
    "error_outputs",
    "num_malformed_responses",
    "num_with_malformed_responses",
    "user_asks",
    "lazy_comments",
    "syntax_errors",
    "indentation_errors",
    "exhausted_context_windows",
    "test_timeouts",
    "seconds_per_case",
    "total_cost",
    "versions",
    "date",
}


def bench(tmp_path: Path, server: Any, *args: str, timeout: float = 300) -> dict[str, Any]:
    r = run_cli(
        [
            "bench",
            "--base-url",
            server.base_url,
            "-m",
            "fake-model",
            "--json",
            "-C",
            str(tmp_path),
            *args,
        ],
        cwd=tmp_path,
        timeout=timeout,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    return json.loads(r.stdout)


@pytest.mark.timeout(300)
def test_a_correct_model_passes_smoke(tmp_path: Path, fake_server: Any) -> None:
    server = fake_server(solver(load_suite("smoke"), "right"))
    data = bench(tmp_path, server, "--suite", "smoke")
    assert set(data) >= AIDER_KEYS
    assert data["test_cases"] == 5 and data["passed"] == 5
    assert data["pass_rate_1"] == 100.0 and data["pass_rate_2"] == 100.0
    assert data["pass_hat_k"] == {"1": 1.0}
    assert data["model"] == "fake-model" and data["window"] == 8192
    for r in data["results"]:
        assert set(r) >= TASK_KEYS
        assert r["passed_try"] == 1 and r["exit_code"] == 0 and not r["timed_out"]
        assert r["requests"] >= 2 and r["tool_calls"] >= 1 and r["prompt_tokens"] > 0
    langs = {r["id"]: r["tests"] for r in data["results"]}
    assert "(node" in langs["javascript/greeting"] and "(pytest" in langs["python/hello-world"]
    saved = list((tmp_path / ".smallcode" / "benchmarks").glob("*-smoke.json"))
    assert len(saved) == 1 and json.loads(saved[0].read_text())["passed"] == 5


@pytest.mark.timeout(300)
def test_a_wrong_model_fails_smoke(tmp_path: Path, fake_server: Any) -> None:
    server = fake_server(solver(load_suite("smoke"), "wrong"))
    data = bench(tmp_path, server, "--suite", "smoke", "--tries", "1")
    assert data["passed"] == 0 and data["pass_rate_1"] == 0.0
    assert data["pass_rate_2"] is None  # one try: no second rate
    assert all(r["passed_try"] == 0 and r["tries"] == 1 for r in data["results"])
    assert all("failed" in r["tests"] or "error" in r["tests"] for r in data["results"])


@pytest.mark.timeout(300)
def test_wrong_then_right_passes_on_the_second_try(tmp_path: Path, fake_server: Any) -> None:
    server = fake_server(solver(load_suite("smoke"), "wrong-then-right"))
    data = bench(
        tmp_path, server, "--suite", "smoke", "--task", "hello-world", "--task", "greeting"
    )
    assert data["pass_rate_1"] == 0.0 and data["pass_rate_2"] == 100.0
    assert [r["passed_try"] for r in data["results"]] == [2, 2]
    # the second try resumed the session with the compact test summary and aider's request
    fix = [
        m
        for body in server.requests
        for m in body["messages"]
        if m["role"] == "user" and "See the testing errors above" in (m.get("content") or "")
    ]
    assert fix and len(fix[0]["content"]) < 1600
    assert "failed" in fix[0]["content"] or "Error" in fix[0]["content"]


def _polyglot_checkout(tmp_path: Path) -> Path:
    """A folder in the Aider polyglot layout: a Python exercise,
    and a JavaScript one (which needs jest, so it is skipped here)."""
    root = tmp_path / "polyglot-benchmark"
    mini = suites_root() / "polyglot-mini"
    src = mini / "python" / "exercises" / "practice" / "isbn-check"
    shutil.copytree(src, root / "python" / "exercises" / "practice" / "isbn-check")
    js = mini / "javascript" / "exercises" / "practice" / "pangram"
    shutil.copytree(js, root / "javascript" / "exercises" / "practice" / "pangram")
    return root


@pytest.mark.timeout(300)
def test_polyglot_layout_tasks_run_their_real_tests(tmp_path: Path, fake_server: Any) -> None:
    mini = load_suite("polyglot-mini")
    picked = ["word-count", "acronym"] + (["luhn"] if shutil.which("cargo") else [])
    server = fake_server(solver(mini, "right"))
    args = ["--suite", "polyglot-mini", "--tries", "1"]
    for slug in picked:
        args += ["--task", slug]
    data = bench(tmp_path, server, *args)
    tests = {r["id"].split("/")[1]: r["tests"] for r in data["results"]}
    assert all(r["passed_try"] == 1 for r in data["results"]), data["results"]
    assert "(pytest" in tests["word-count"] and "(node" in tests["acronym"]
    if "luhn" in tests:
        assert "6 passed (cargo" in tests["luhn"]  # the #[ignore]d cases ran too

    checkout = _polyglot_checkout(tmp_path)
    real = load_suite("polyglot", checkout)
    server2 = fake_server(solver(real, "right"))
    data = bench(tmp_path, server2, "--suite", "polyglot", "--path", str(checkout))
    assert [r["id"] for r in data["results"]] == ["python/isbn-check"]
    assert data["results"][0]["passed_try"] == 1
    assert data["skipped"] and "jest" in data["skipped"][0]["reason"]


@pytest.mark.timeout(120)
def test_bfcl_single_calls(tmp_path: Path, fake_server: Any) -> None:
    from tests.fakes.openai_server import calls, text

    answers = {
        "Paris": calls(("get_weather", {"city": "Paris", "unit": "celsius"})),
        "triangle": calls(("calculate_triangle_area", {"base": 10, "height": 5})),
        "euros": calls(
            ("convert_currency", {"amount": 250, "from_currency": "USD", "to_currency": "EUR"})
        ),
        "Tokyo": calls(("get_weather", {"city": "Berlin"}), ("get_weather", {"city": "Tokyo"})),
        "haiku": text("Leaves drift down slowly"),
        # a wrong answer: calls a tool where none fits
        "Pride": calls(("calculate_triangle_area", {"base": 1, "height": 1})),
    }

    def policy(body: dict[str, Any], n: int) -> Any:
        question = body["messages"][-1]["content"]
        return next(reply for key, reply in answers.items() if key in question)

    server = fake_server(policy)
    data = bench(tmp_path, server, "--suite", "tool-use", "--lang", "bfcl")
    outcome = {r["id"]: r["passed_try"] for r in data["results"]}
    assert outcome.pop("bfcl/irrelevance_author") == 0
    assert set(outcome.values()) == {1}
    assert all(r["requests"] == 1 for r in data["results"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--suite", "nope"], "invalid choice"),
        (["--suite", "smoke", "--task", "missing-task"], "unknown task"),
        (["--suite", "polyglot"], "needs --path"),
        (["--suite", "smoke", "--tries", "3"], "--tries"),
        (["--suite", "smoke", "--path", "x"], "only for --suite polyglot"),
        (["--suite", "polyglot", "--path", "/nonexistent/dir"], "not a folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    r = run_cli(["bench", *args], cwd=tmp_path)
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_an_unreachable_endpoint_stops_with_exit_3(tmp_path: Path) -> None:
    r = run_cli(
        [
            "bench",
            "--suite",
            "smoke",
            "--task",
            "hello-world",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "-m",
            "x",
        ],
        cwd=tmp_path,
        env={"SMALLCODE_MAX_RETRIES": "1"},
        timeout=120,
    )
    assert r.returncode == 3, r.stderr
    assert "Traceback" not in r.stderr and "endpoint" in r.stderr


def test_list(tmp_path: Path) -> None:
    r = run_cli(["bench", "--suite", "polyglot-mini", "--list"], cwd=tmp_path)
    assert r.returncode == 0
    ids = [line.split()[0] for line in r.stdout.splitlines()]
    assert len(ids) == 20 and "python/word-count" in ids and "rust/luhn" in ids


@pytest.mark.timeout(120)
def test_a_try_that_runs_too_long_is_killed_with_its_shell(
    tmp_path: Path, fake_server: Any
) -> None:
    from tests.fakes.openai_server import tool

    server = fake_server(lambda body, n: tool("bash", command="sleep 67 && echo late"))
    data = bench(
        tmp_path,
        server,
        "--suite",
        "smoke",
        "--task",
        "hello-world",
        "--tries",
        "1",
        "--timeout",
        "4",
    )
    [r] = data["results"]
    assert r["timed_out"] is True and r["exit_code"] is None and r["stop_reason"] == "timeout"
    assert r["passed_try"] == 0 and 3.5 < r["seconds"] < 60
    left = subprocess.run(["pgrep", "-f", "sleep 67"], capture_output=True, text=True)
    assert left.stdout.strip() == "", "the agent's shell survived the timeout"
