"""The installed CLI as a subprocess, in a temp git repo, against the fake server over HTTP."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from tests.fakes.openai_server import (
    FakeReply,
    calls,
    last_tool_result,
    script,
    text,
    tool,
)


def args_for(srv, *extra: str) -> list[str]:  # type: ignore[no-untyped-def]
    return ["--base-url", srv.base_url, "-m", "fake-model", "--non-interactive", *extra]


def test_create_file(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(
        script(
            [
                tool("write_file", path="hello.py", content="print('hello')\n"),
                text("Created hello.py, which prints hello."),
            ]
        )
    )
    r = cli([*args_for(srv), "-P", "create hello.py that prints hello"], project)
    assert r.returncode == 0, r.stderr
    assert (project / "hello.py").read_text() == "print('hello')\n"
    assert r.stdout.strip() == "Created hello.py, which prints hello."
    assert "write_file path=hello.py" in r.stderr  # progress goes to stderr
    assert len(srv.requests) == 2


def test_patch_file_after_reading(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    (project / "calc.py").write_text("def add(a, b):\n    return a - b\n")

    def policy(body: dict[str, Any], n: int) -> FakeReply:
        last = last_tool_result(body)
        if n == 0:
            return tool("read_file", path="calc.py")
        if "return a - b" in last:
            return tool("patch", path="calc.py", old_str="return a - b", new_str="return a + b")
        if "Patched calc.py" in last:
            return text("Fixed the sign in add().")
        return text(f"unexpected: {last[:100]}")

    srv = fake_server(policy)
    r = cli([*args_for(srv), "fix add in calc.py"], project)  # positional task words
    assert r.returncode == 0, r.stderr
    assert (project / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"
    assert "Fixed the sign" in r.stdout


def test_multi_step_with_persistent_bash(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    def policy(body: dict[str, Any], n: int) -> FakeReply:
        last = last_tool_result(body)
        steps = [
            tool("bash", command="mkdir -p out && cd out && export MARK=persisted"),
            tool("bash", command="pwd; echo $MARK > mark.txt; cat mark.txt"),
        ]
        if n < len(steps):
            return steps[n]
        return text(f"final: {last.splitlines()[1] if 'persisted' in last else 'lost'}")

    srv = fake_server(policy)
    r = cli([*args_for(srv), "-P", "do it"], project)
    assert r.returncode == 0, r.stderr
    assert (project / "out" / "mark.txt").read_text().strip() == "persisted"
    assert "final: persisted" in r.stdout


def test_parallel_tool_calls(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(
        script(
            [
                calls(
                    ("write_file", {"path": "a.txt", "content": "A"}),
                    ("write_file", {"path": "b.txt", "content": "B"}),
                ),
                text("done"),
            ]
        )
    )
    r = cli([*args_for(srv, "--json"), "-P", "two files"], project)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["files_created"] == ["a.txt", "b.txt"]
    assert [c["name"] for c in result["tool_calls"]] == ["write_file", "write_file"]
    tool_msgs = [m for m in srv.requests[1]["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tool_msgs] == ["call_0", "call_1"]
    assert result["success"] is True and result["stop_reason"] == "done"
    assert result["usage"]["prompt_tokens"] > 0 and result["turns"] == 2


def test_fault_recovery(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(
        script(
            [
                FakeReply(fault="500"),
                FakeReply(fault="cut", content="I will now write the file for you"),
                FakeReply(fault="drop"),
                tool("write_file", path="ok.txt", content="ok"),
                text("written"),
            ]
        )
    )
    r = cli(
        [*args_for(srv), "--max-turns", "5", "-P", "write ok.txt"],
        project,
        env={"SMALLCODE_MAX_RETRIES": "4"},
    )
    assert r.returncode == 0, r.stderr
    assert (project / "ok.txt").read_text() == "ok"
    assert r.stderr.count("retry") == 3


def test_server_down_exits_3_with_one_line(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = cli(["--base-url", f"http://127.0.0.1:{port}/v1", "-m", "x", "-P", "hi"], project)
    assert r.returncode == 3
    assert "Traceback" not in r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("smallcode: ") and f"127.0.0.1:{port}" in last
    assert "connection refused" in last


def test_path_escape_refused(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(
        script([tool("write_file", path="../escaped.txt", content="x"), text("could not")])
    )
    r = cli([*args_for(srv), "-P", "escape"], project)
    assert not (project.parent / "escaped.txt").exists()
    tool_msg = next(m for m in srv.requests[1]["messages"] if m["role"] == "tool")
    assert "outside the project root" in tool_msg["content"]
    assert r.returncode == 0


def test_no_model_configured_exits_2(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    r = cli(["-P", "hi"], project)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "SMALLCODE_MODEL" in r.stderr or "SMALLCODE_BASE_URL" in r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("smallcode: ")]
    assert len(errors) == 1 and r.stderr.strip().splitlines()[-1] == errors[0]


def test_task_from_stdin_and_dotenv(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([text("answer from stdin task")]))
    (project / ".env").write_text(f"SMALLCODE_BASE_URL={srv.base_url}\nSMALLCODE_MODEL=envmodel\n")
    # A project .env's endpoint applies once the user trusted the file (issue 11).
    assert cli(["trust", "--yes"], project).returncode == 0
    r = cli(["--non-interactive"], project, input="what is this project?\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "answer from stdin task"
    assert srv.requests[0]["model"] == "envmodel"
    assert srv.requests[0]["messages"][-1]["content"] == "what is this project?"


def test_max_turns_exits_1(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    def policy(body: dict[str, Any], n: int) -> FakeReply:
        return tool("bash", command=f"echo step {n}")

    srv = fake_server(policy)
    r = cli([*args_for(srv, "--json"), "--max-turns", "3", "-P", "never ends"], project)
    assert r.returncode == 1
    result = json.loads(r.stdout)
    assert result["stop_reason"] == "max_turns" and result["turns"] == 3
    assert len(srv.requests) == 3


def test_unknown_tool_gets_list_of_valid_tools(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([tool("delete_everything", path="."), text("ok, sorry")]))
    r = cli([*args_for(srv), "-P", "x"], project)
    assert r.returncode == 0
    note = srv.requests[1]["messages"][-1]["content"]
    assert "unknown tool" in note and "read_file" in note


def test_model_not_found_exits_3(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([FakeReply(fault="404")]))
    r = cli([*args_for(srv), "-P", "x"], project)
    assert r.returncode == 3
    assert "not found" in r.stderr and "Traceback" not in r.stderr


def test_usage_errors_exit_2(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    r = cli(["--max-turns", "abc"], project)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = cli(["--non-interactive"], project, input="")
    assert r.returncode == 2 and "no task given" in r.stderr
    r = cli(
        ["-P", "x", "-m", "m", "--base-url", "http://127.0.0.1:9/v1"],
        project,
        env={"SMALLCODE_MAX_TURNS": "lots"},
    )
    assert r.returncode == 2 and "SMALLCODE_MAX_TURNS" in r.stderr


def test_version(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    from smallcode import __version__

    for flag in ("--version", "-v"):
        r = cli([flag], project)
        assert r.returncode == 0 and r.stdout.strip() == f"smallcode {__version__}"


def test_invented_tool_in_text_gets_the_valid_tools(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    invented = FakeReply(
        content='```json\n{"name": "create_hello.py", "arguments": {"path": "hello.py"}}\n```'
    )
    srv = fake_server(
        script(
            [
                invented,
                FakeReply(
                    content='```json\n{"name": "write_file", "arguments": '
                    '{"path": "hello.py", "content": "print(1)"}}\n```'
                ),
                text("Created hello.py."),
            ]
        )
    )
    r = cli([*args_for(srv), "-P", "create hello.py"], project)
    assert r.returncode == 0, r.stderr
    note = srv.requests[1]["messages"][-1]["content"]
    assert "unknown tool(s) create_hello.py" in note and "write_file" in note
    assert (project / "hello.py").read_text() == "print(1)"
    assert r.stdout.strip() == "Created hello.py."


def test_invented_tool_corrections_are_bounded(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([FakeReply(content='{"name": "teleport", "arguments": {}}')]))
    r = cli([*args_for(srv), "-P", "go"], project)
    assert len(srv.requests) == 3  # two corrections, then the reply stands
    assert r.returncode in (0, 1)
