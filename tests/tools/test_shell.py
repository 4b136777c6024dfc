from __future__ import annotations

import time
from dataclasses import replace

from smallcode.tools.registry import ToolContext
from smallcode.tools.shell import bash


def test_persistent_state_survives_calls(ctx: ToolContext) -> None:
    (ctx.root / "sub").mkdir()
    assert "[exit code: 0]" in bash(ctx, "cd sub && export GREETING=hi && COUNT=3")
    out = bash(ctx, "pwd; echo $GREETING $COUNT")
    assert out.splitlines()[0].endswith("/sub")
    assert "hi 3" in out


def test_exit_code_and_stderr(ctx: ToolContext) -> None:
    out = bash(ctx, "echo to-err >&2; exit_code() { return 7; }; exit_code")
    assert "to-err" in out
    assert out.endswith("[exit code: 7]")


def test_timeout_kills_command_not_session(ctx: ToolContext) -> None:
    bash(ctx, "export KEEP=yes")
    start = time.monotonic()
    out = bash(ctx, "sleep 30", timeout=1)
    assert "timed out after 1s" in out
    assert time.monotonic() - start < 10
    assert "yes" in bash(ctx, "echo $KEEP")


def test_commands_cannot_wait_for_input(ctx: ToolContext) -> None:
    out = bash(ctx, "read -r line; echo got:$line; cat", timeout=5)
    assert "got:" in out and "timed out" not in out


def test_multiline_and_heredoc(ctx: ToolContext) -> None:
    out = bash(ctx, "cat > f.txt <<'EOF'\nalpha\nbeta\nEOF\nwc -l < f.txt")
    assert "2" in out
    assert (ctx.root / "f.txt").read_text() == "alpha\nbeta\n"


def test_shell_restarts_after_exit(ctx: ToolContext) -> None:
    out = bash(ctx, "exit 4")
    assert "the shell exited" in out
    assert "back" in bash(ctx, "echo back")


def test_fresh_shell_mode(ctx: ToolContext) -> None:
    fresh = replace(ctx, settings=replace(ctx.settings, shell_persist=False))
    bash(fresh, "export GONE=1; cd /")
    out = bash(fresh, "echo [$GONE]; pwd")
    assert "[]" in out and str(ctx.root) in out
    assert "timed out" in bash(fresh, "sleep 20", timeout=1)
