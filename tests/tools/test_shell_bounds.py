"""The shell, bounded and clean: capped output, capped timeouts, no pagers or terminal waits,
nothing left running, default SIGINT, no secrets (issue 17's shell section and issue 11)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest

from smallcode.tools.registry import ToolContext
from smallcode.tools.shell import bash
from smallcode.tools.shellproc import alive, descendants


def test_50_mb_of_output_is_streamed_into_head_and_tail(ctx: ToolContext) -> None:
    started = time.monotonic()
    out = bash(ctx, "head -c 50000000 /dev/zero | tr '\\0' 'a' | fold -w 100; echo END", 60)
    took = time.monotonic() - started
    assert out.splitlines()[0] == "a" * 100
    assert "MB, " in out and "lines of output left out" in out
    assert out.endswith("END\n[exit code: 0]")
    assert len(out) < 400_000
    print(f"50 MB of output: {took:.2f}s in all")  # a benchmark figure, not an assertion


def test_the_models_timeout_is_capped(ctx: ToolContext) -> None:
    capped = replace(ctx, settings=replace(ctx.settings, bash_timeout_max=1.0))
    started = time.monotonic()
    out = bash(capped, "sleep 20", timeout=100000)
    assert time.monotonic() - started < 10
    assert "timed out after 1s" in out and "SMALLCODE_BASH_TIMEOUT_MAX" in out
    ctx.run_deadline = time.monotonic() + 1.5  # the task's time is nearly up
    out = bash(ctx, "sleep 20", timeout=300)
    assert "timed out" in out and "the time left for the task" in out


def test_pagers_and_editors_never_wait(ctx: ToolContext) -> None:
    for i in range(3):
        (ctx.root / f"f{i}.txt").write_text(str(i))
        subprocess.run(["git", "add", "-A"], cwd=ctx.root, check=True)
        subprocess.run(["git", "commit", "-qm", f"c{i}"], cwd=ctx.root, check=True)
    out = bash(ctx, "echo $PAGER $GIT_PAGER $EDITOR; git log --oneline | wc -l", 20)
    assert out.splitlines()[:2] == ["cat cat true", "3"]
    (ctx.root / "f0.txt").write_text("changed")
    started = time.monotonic()
    out = bash(ctx, "git commit -a", 30)  # the editor is `true`: an empty message aborts
    assert time.monotonic() - started < 15 and "timed out" not in out


def test_a_command_reading_the_terminal_is_stopped(ctx: ToolContext) -> None:
    bash(ctx, "export KEEP=still-here")
    started = time.monotonic()
    out = bash(ctx, "read -r -p 'Password: ' pw < /dev/tty; echo got:$pw", 60)
    assert time.monotonic() - started < 15
    assert "waiting for input from the terminal" in out and "Password:" in out
    assert "still-here" in bash(ctx, "echo $KEEP")


def test_background_processes_end_with_the_session(ctx: ToolContext) -> None:
    notices: list[str] = []
    ctx.events.on("notice", lambda e: notices.append(e.data["message"]))
    bash(
        ctx,
        "nohup sleep 300 >/dev/null 2>&1 & (setsid sleep 301 >/dev/null 2>&1 &); "
        "( sleep 302 & ); yes >/dev/null & echo started",
    )
    shell = ctx.shell
    started: list[int] = []
    for _ in range(100):
        started = [p for p in descendants(shell.pid) if _comm(p) in ("sleep", "yes")]
        if len(started) == 4:
            break
        time.sleep(0.02)
    assert len(started) == 4
    shell.close()
    assert not any(alive(p) for p in started)
    assert notices and "ended 4 processes" in notices[0] and "sleep" in notices[0]


def test_sigint_ignored_by_the_parent_does_not_reach_the_shell(tmp_path: Path) -> None:
    """Under nohup or some CI runners SIGINT is ignored; a timeout must still stop only the
    command, and the session must keep its state."""
    script = textwrap.dedent(
        f"""
        import signal, sys
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        from pathlib import Path
        from smallcode.tools.shellsession import PersistentShell
        sh = PersistentShell(Path({str(tmp_path)!r}))
        sh.run("export KEEP=1", 10)
        r = sh.run("sleep 30", 1)
        after = sh.run("echo kept:$KEEP", 10)
        sh.close()
        print(r.timed_out, after.output)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert proc.stdout.split() == ["True", "kept:1"], proc.stderr


def test_secrets_stay_out_of_the_shell(ctx: ToolContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-live-0123456789abcdefXYZ")
    monkeypatch.setenv("DEPLOY_TOKEN", "tok_9f8e7d6c5b4a3210")
    monkeypatch.setenv("DB_PASSWORD", "correct-horse-battery")
    monkeypatch.setenv("HARMLESS", "visible")
    keep = replace(ctx, settings=replace(ctx.settings, shell_env_keep="DEPLOY_TOKEN"))
    out = bash(keep, "env | sort | grep -E 'KEY|TOKEN|PASSWORD|HARMLESS'")
    assert "OPENAI_API_KEY" not in out and "DB_PASSWORD" not in out
    assert "HARMLESS=visible" in out and "DEPLOY_TOKEN=[masked DEPLOY_TOKEN]" in out
    (ctx.root / "leak.txt").write_text("key=sk-live-0123456789abcdefXYZ\n")
    shown = bash(ctx, "cat leak.txt")
    assert "sk-live" not in shown and "[masked OPENAI_API_KEY]" in shown


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""
