"""Traces: what a session writes, masking and rotation, view/export, and regression tests
generated from a trace that replay the real loop offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from smallcode import SmallCode
from smallcode.store.traces import list_traces, load_trace
from smallcode.testing import ScriptedModel, replay, text, tool
from smallcode.traces.render import to_traj
from tests.conftest import make_git_repo, run_cli
from tests.fakes.openai_server import script
from tests.fakes.openai_server import text as fake_text
from tests.fakes.openai_server import tool as fake_tool

SECRET = "sk-abcdefghijklmnopqrstuvwx1234"


def session(root: Path, server: Any, task: str, **settings: Any) -> Any:
    with SmallCode(model="fake-model", base_url=server.base_url, cwd=root, **settings) as agent:
        return agent.run(task)


def test_a_session_writes_a_trace(project: Path, fake_server: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("MY_SERVICE_TOKEN", "tok-0123456789abcdef")
    (project / "app.py").write_text("def f():\n    return 1\n")
    server = fake_server(
        script(
            [
                fake_tool("read_file", path="app.py"),
                fake_tool("write_file", path="hello.py", content=f"KEY = '{SECRET}'\n"),
                fake_text("Done, token tok-0123456789abcdef stays here."),
            ]
        )
    )
    result = session(project, server, f"create hello.py with KEY set to {SECRET}")
    assert result.success
    [path] = list_traces(project)
    trace = load_trace(path)
    assert trace.header["format"] == "smallcode-trace-1"
    assert trace.header["model"] == "fake-model" and trace.header["window"] == 8192
    assert trace.header["system_prompt"]
    kinds = [r["type"] for r in trace.records]
    for kind in (
        "task",
        "file",
        "turn_start",
        "model_reply",
        "parsed",
        "tool_start",
        "tool_end",
        "usage",
        "done",
    ):
        assert kind in kinds, kind
    assert "text" not in kinds  # streamed pieces are not repeated
    replies = trace.of("model_reply")
    assert len(replies) == 3 and replies[0]["tool_calls"][0]["name"] == "read_file"
    assert replies[0]["tool_calls"][0]["arguments"] == '{"path": "app.py"}'  # raw text
    files = {r["path"]: r for r in trace.of("file")}
    assert files["app.py"]["content"] == "def f():\n    return 1\n"
    assert files["hello.py"].get("missing") is True
    done = trace.of("done")[0]
    assert done["result"]["exit_code"] == 0 and set(done["files"]) == {"app.py", "hello.py"}
    raw = path.read_text()
    assert SECRET not in raw and "tok-0123456789abcdef" not in raw and "***" in raw


def test_rotation_and_off_switch(project: Path, fake_server: Any) -> None:
    server = fake_server(script([fake_text("Hi.")]))
    for _ in range(3):
        session(project, server, "say hi", trace_keep=2)
    assert len(list_traces(project)) == 2
    other = make_git_repo(project.parent / "other")
    session(other, server, "say hi", trace_keep=0)
    assert list_traces(other) == []


def test_view_and_exports(project: Path, fake_server: Any) -> None:
    server = fake_server(
        script([fake_tool("write_file", path="a.txt", content="x\n"), fake_text("Wrote a.txt.")])
    )
    session(project, server, "write a.txt")
    trace = load_trace(list_traces(project)[0])
    traj = to_traj(trace)
    assert traj["trajectory_format"] == "mini-swe-agent-1.1"
    assert traj["info"]["model_stats"]["api_calls"] == 2
    assert traj["info"]["exit_status"] == "done" and traj["info"]["submission"] == "Wrote a.txt."
    assert {"agent", "agent_type", "model", "model_type", "environment", "environment_type"} <= set(
        traj["info"]["config"]
    )
    roles = [m["role"] for m in traj["messages"]]
    assert roles[:3] == ["system", "user", "assistant"] and "tool" in roles
    assert all("extra" in m for m in traj["messages"])

    r = run_cli(["trace", "list", "-C", str(project)], cwd=project)
    assert r.returncode == 0 and trace.id in r.stdout and "write a.txt" in r.stdout
    r = run_cli(["trace", "view", trace.id[-4:], "-C", str(project)], cwd=project)
    assert r.returncode == 0 and "## Task: write a.txt" in r.stdout and "write_file" in r.stdout
    out = project / "t.traj.json"
    r = run_cli(["trace", "export", "last", "--format", "traj", "--out", str(out)], cwd=project)
    assert r.returncode == 0 and json.loads(out.read_text())["messages"]
    r = run_cli(["trace", "export", "last", "-f", "jsonl"], cwd=project)
    assert r.stdout == trace.path.read_text()
    r = run_cli(["trace", "export", "last", "-f", "md"], cwd=project)
    assert r.stdout.startswith(f"# Trace {trace.id}")
    for args in (["view", "nope"], ["export", "last", "-f", "pdf"], ["frobnicate"]):
        r = run_cli(["trace", *args], cwd=project)
        assert r.returncode == 2 and "Traceback" not in r.stderr, args
        assert len(r.stderr.strip().splitlines()) == 1


def test_scripted_model_and_replay_of_a_trace_file(project: Path) -> None:
    model = ScriptedModel(
        [tool("write_file", path="n.py", content="N = 1\n"), text("Done.")], model="tiny-model"
    )
    with SmallCode(cwd=project, llm=model) as agent:
        result = agent.run("create n.py")
    assert result.success and model.exhausted and model.overrun == 0
    assert model.requests[0]["tools"][:2] == ["read_file", "write_file"]
    path = list_traces(project)[0]
    run = replay(path, project.parent / "replayed")
    assert run.exit_codes == [0] and run.call_names == ["write_file"] and run.requests == 2
    assert (project.parent / "replayed" / "n.py").read_text() == "N = 1\n"
    expected = {"exit_codes": [1], "calls": [list(c) for c in run.calls]}
    assert run.differences(expected) == ["exit codes [0] != [1]"]


def _pytest(test: Path, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("SMALLCODE_")}
    full.update({"SMALLCODE_CONFIG_DIR": str(cwd / ".cfg"), **env})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
    )


def test_generated_regression_test_passes_then_catches_a_change(
    project: Path, fake_server: Any
) -> None:
    (project / "greet.py").write_text("def greet():\n    return 'hi'\n")
    server = fake_server(
        script(
            [
                fake_tool("read_file", path="greet.py"),
                # the model writes the new file as a fenced block instead of a call
                fake_text("hello.py\n```python\nfrom greet import greet\n\nprint(greet())\n```"),
                fake_text("Created hello.py."),
            ]
        )
    )
    result = session(project, server, "create hello.py that prints greet() from greet.py")
    assert result.success and (project / "hello.py").is_file()

    r = run_cli(["trace", "test", "last"], cwd=project, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Warning" not in r.stderr  # the replay matched the recording
    [test] = list((project / "tests" / "smallcode_traces").glob("test_trace_*.py"))
    source = test.read_text()
    assert (
        "EXPECTED_CALLS" in source
        and "'write_file'" in source
        and "run.exit_codes == [0]" in source
    )
    data = json.loads(next(test.parent.glob("trace_*.json")).read_text())
    assert data["files"]["greet.py"]["content"].startswith("def greet")

    passing = _pytest(test, project)
    assert passing.returncode == 0, passing.stdout[-2000:]
    assert "1 passed" in passing.stdout

    # A behaviour change: edits written as text are no longer applied.
    failing = _pytest(test, project, SMALLCODE_TEXT_EDITS="false")
    assert failing.returncode == 1, failing.stdout[-2000:]
    assert "1 failed" in failing.stdout


def test_masking_keeps_code_and_hides_keys() -> None:
    from smallcode.store.traces import Masker

    m = Masker(["my-configured-key-123"])
    assert m.text("api_key=supersecretvalue123") == "api_key=***"
    assert m.text('password = "hunter2hunter2"') == 'password = "***"'
    assert m.text("OPENAI_API_KEY=sk-abcdefghijklmnopqrstu") == "OPENAI_API_KEY=***"
    assert m.text("Authorization: Bearer abcdefghijklmnop1234") == "Authorization: Bearer ***"
    assert m.text("use my-configured-key-123 here") == "use *** here"
    for code in ("token = tokens[0]", "password = get_password()", "max_tokens = 4096"):
        assert m.text(code) == code
    assert m({"a": ["ghp_abcdefghijklmnopqrstuvwxyz12", 3]}) == {"a": ["***", 3]}


def test_replay_keeps_the_optional_tools_offered(project: Path) -> None:
    from smallcode.testing import replay_data

    model = ScriptedModel([text("Nothing to test yet.")])
    with SmallCode(cwd=project, llm=model) as agent:
        agent.run("run the pytest tests")
    assert "run_tests" in model.requests[0]["tools"]
    data = replay_data(load_trace(list_traces(project)[0]))
    assert data["settings"]["tools"] == "run_tests"
    run = replay(data, project.parent / "again")
    assert run.exit_codes == [0] and run.requests == 1
