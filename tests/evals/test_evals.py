"""`smallcode eval FILE.yaml`: a promptfoo-style suite of 3 cases against the fake server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smallcode.evals.spec import load_suite
from tests.conftest import run_cli
from tests.fakes.openai_server import FakeReply, text, tool

SUITE = """
description: basics
evaluateOptions:
  repeat: 3
defaultTest:
  assert:
    - type: exit-code
      value: 0
tests:
  - description: greets
    vars: {task: "Say hello to the user"}
    assert:
      - {type: icontains, value: HELLO}
      - {type: not-contains, value: goodbye}
      - {type: max-requests, value: 1}
  - description: writes hello.py
    vars:
      task: "create hello.py that prints hello"
      files: {README.md: "# demo\\n"}
    assert:
      - {type: tool-call, value: {name: write_file, arguments: {path: hello.py}}}
      - {type: file-contains, value: {path: hello.py, contains: "print("}}
      - {type: regex, value: "^Created"}
      - {type: max-requests, value: 2}
  - description: answers in JSON
    vars: {task: "Give me the settings as JSON"}
    assert:
      - {type: is-json}
"""


def policy(body: dict[str, Any], n: int) -> FakeReply:
    messages = body["messages"]
    task = next(
        m["content"] for m in messages if m["role"] == "user" and "Context" not in m["content"]
    )
    if messages[-1]["role"] == "tool":
        return text("Created hello.py.")
    if "hello.py" in task:
        return tool("write_file", path="hello.py", content="print('hello')\n")
    if "JSON" in task:
        return text("Here they are: {debug: true}")  # not JSON: this case fails
    return text("Hello there!")


def test_three_cases_counts_and_pass_hat_k(tmp_path: Path, fake_server: Any) -> None:
    server = fake_server(policy)
    (tmp_path / "basics.yaml").write_text(SUITE)
    r = run_cli(
        ["eval", "basics.yaml", "--base-url", server.base_url, "-m", "fake-model", "--json"],
        cwd=tmp_path,
        timeout=120,
    )
    assert r.returncode == 1, r.stderr  # one case fails
    data = json.loads(r.stdout)
    assert data["cases"] == 3 and data["runs"] == 9
    assert data["passed_cases"] == 2 and data["passed_runs"] == 6
    assert data["pass_hat_k"] == {"1": 0.6667, "2": 0.6667, "3": 0.6667}
    failed = [x for x in data["results"] if not x["passed"]]
    assert {x["case"] for x in failed} == {"answers in JSON"}
    assert "is-json" in failed[0]["failures"][0]


def test_the_text_report_and_exit_0(tmp_path: Path, fake_server: Any) -> None:
    server = fake_server(policy)
    suite = SUITE.split("  - description: answers in JSON")[0].replace("repeat: 3", "repeat: 1")
    (tmp_path / "ok.yaml").write_text(suite)
    r = run_cli(
        ["eval", "ok.yaml", "--base-url", server.base_url, "-m", "fake-model"], cwd=tmp_path
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "PASS  greets  (1/1)" in r.stdout and "2/2 cases passed" in r.stdout


@pytest.mark.parametrize(
    "content, message",
    [
        ("tests: [", "not valid YAML"),
        ("description: x", "non-empty `tests:`"),
        ("tests: [{vars: {task: x}, assert: [{type: smells-nice}]}]", "unknown assertion type"),
        ("tests: [{vars: {other: x}}]", "no task"),
        ("tests: [{vars: {task: x}, assert: [{type: regex, value: '('}]}]", "bad regex"),
        ("settings: {nonsense: 1}\ntests: [{vars: {task: x}}]", "unknown setting"),
    ],
)
def test_bad_suites_are_one_line_and_exit_2(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.yaml").write_text(content)
    r = run_cli(["eval", "bad.yaml"], cwd=tmp_path)
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_prompts_template_and_providers(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "prompts: ['Fix {{ file }} please']\n"
        "providers: [{id: 'openai:chat:qwen-7b', config: {apiBaseUrl: 'http://127.0.0.1:1/v1'}}]\n"
        "tests: [{vars: {file: a.py}}]\n"
    )
    suite = load_suite(tmp_path / "p.yaml")
    assert suite.cases[0].task == "Fix a.py please"
    assert (suite.model, suite.base_url) == ("qwen-7b", "http://127.0.0.1:1/v1")
