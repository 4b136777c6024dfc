"""Where commands run: a retry outside the sandbox after it blocked one, git writes through
allowed git commands, harness test runs in the sandbox, and the doctor and trust commands."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from smallcode import trust
from smallcode.config import Settings
from smallcode.permissions import sandbox as sb
from smallcode.permissions.manager import ApprovalRequest, PermissionManager
from smallcode.tools.registry import ToolContext
from smallcode.tools.shell import bash
from smallcode.verify.testrun import run_tests

BWRAP_OK, BWRAP_WHY = sb.bwrap_works()
needs_bwrap = pytest.mark.skipif(not BWRAP_OK, reason=BWRAP_WHY)


@pytest.fixture
def listener() -> Iterator[int]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    srv.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
                conn.sendall(b"pong\n")
                conn.close()
            except OSError:
                continue

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield srv.getsockname()[1]
    stop.set()
    t.join(1)
    srv.close()


def session(project: Path, answers: list[str] | None, **overrides: object) -> ToolContext:
    """A tool context with a real PermissionManager, as build_agent wires it."""
    asked: list[ApprovalRequest] = []
    replies = iter(answers or [])

    def ask(req: ApprovalRequest) -> str:
        asked.append(req)
        return next(replies, "no")

    settings = Settings.load(project, overrides)
    manager = PermissionManager(settings, ask=ask if answers is not None else None)
    ctx = ToolContext(root=project.resolve(), settings=settings)
    ctx.permissions, ctx.sandbox = manager, manager.sandbox
    ctx.extras["asked"] = asked
    sb.register(manager.sandbox)
    return ctx


def run(ctx: ToolContext, command: str) -> str:
    """What the guard and the loop do for one bash call."""
    d = ctx.permissions.check("bash", {"command": command})
    if d.action != "allow":
        return f"refused: {d.reason}"
    return bash(ctx, command, 30)


@pytest.fixture(autouse=True)
def _close(project: Path) -> Iterator[None]:
    yield
    box = sb.for_root(project)
    if box is not None:
        sb.unregister(box)


@needs_bwrap
def test_a_blocked_command_may_run_again_outside_once_the_user_says_so(
    project: Path, listener: int
) -> None:
    probe = f"python3 -c \"import socket; print(socket.create_connection(('127.0.0.1', {listener}), timeout=3).recv(9))\""
    ctx = session(project, ["always"], sandbox="bwrap")
    out = run(ctx, probe)
    assert "b'pong" in out and "run again outside it" in out
    asked = ctx.extras["asked"]
    assert len(asked) == 1 and asked[0].kind == "sandbox" and "network is off" in asked[0].reason
    local = json.loads((project / ".smallcode" / "settings.local.json").read_text())
    assert local["sandbox"]["excludedCommands"] == [f"{probe.replace(chr(34), '')}:*"]
    again = run(ctx, probe)  # remembered: straight outside, no question
    assert "b'pong" in again and len(asked) == 1
    ctx.shell.close(quiet=True)

    quiet = session(project, None, sandbox="bwrap")  # non-interactive: no retry, a denial
    out = run(quiet, probe.replace("print(", "print('x', "))
    assert "pong" not in out and "cannot ask to run it outside" in out
    assert quiet.permissions.denials[0]["reason"].startswith("failed in the sandbox")
    quiet.shell.close(quiet=True)


@needs_bwrap
def test_git_writes_go_through_git_commands_the_rules_allow(project: Path) -> None:
    (project / "a.txt").write_text("a\n")
    settings = project / ".smallcode" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(
        json.dumps({"permissions": {"allow": ["Bash(git add:*)", "Bash(git commit:*)"]}})
    )
    trust.trust(settings)
    ctx = session(project, None, sandbox="bwrap")
    blocked = run(ctx, "python3 -c \"open('.git/planted', 'w')\"")  # unseen by the rules
    assert "Read-only file system" in blocked and not (project / ".git" / "planted").exists()
    out = run(ctx, "git add a.txt && git commit -qm 'add a' && git log --oneline | head -1")
    assert "add a" in out, out
    log = subprocess.run(["git", "log", "--oneline"], cwd=project, capture_output=True, text=True)
    assert "add a" in log.stdout
    ctx.shell.close(quiet=True)


@needs_bwrap
def test_harness_test_runs_use_the_sandbox(project: Path, tmp_path: Path) -> None:
    outside = Path("/var/tmp") / f"smallcode-test-{project.parent.name}.txt"
    (project / "test_it.py").write_text(
        "from pathlib import Path\n\n"
        "def test_ok():\n    assert 1 + 1 == 2\n\n"
        f"def test_escape():\n    Path({str(outside)!r}).write_text('x')\n"
    )
    session(project, None, sandbox="bwrap")
    try:
        report = run_tests(project, "python -m pytest -q", timeout=120)
        assert report.framework == "pytest" and report.passed == 1 and report.failed == 1
        assert not outside.exists()
    finally:
        outside.unlink(missing_ok=True)


def test_doctor_and_trust_commands(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    r = cli(["doctor", "--json"], project)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["sandbox"] in ("bwrap", "landlock", "off") and report["mode"] == "default"
    assert report["bash_parser"] == "tree-sitter-bash"
    (project / ".env").write_text("SMALLCODE_BASE_URL=http://127.0.0.1:9/v1\n")
    r = cli(["doctor"], project)
    assert "sandbox:" in r.stdout and "not trusted" in r.stdout
    r = cli(["trust"], project)  # no terminal, no --yes: lists and says how
    assert r.returncode == 1 and "SMALLCODE_BASE_URL" in r.stdout and "--yes" in r.stdout
    assert cli(["trust", "--yes"], project).returncode == 0
    assert "Nothing to trust" in cli(["trust"], project).stdout
    r = cli(["doctor", "--bogus"], project)
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_yes_runs_everything_and_says_so(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes.openai_server import script, text, tool

    def args() -> list[str]:
        srv = fake_server(
            script([tool("bash", command="make -v >/dev/null; echo ran"), text("ok")])
        )
        return ["--base-url", srv.base_url, "-m", "fake", "--json", "--sandbox", "off"]

    r = cli([*args(), "--yes", "-P", "go"], project)
    assert "bypassPermissions" in r.stderr
    assert json.loads(r.stdout)["permission_denials"] == []
    r = cli([*args(), "--approval", "never", "-P", "go"], project)  # Codex's name: dontAsk
    assert json.loads(r.stdout)["permission_denials"][0]["tool_name"] == "bash"
    r = cli([*args(), "--approval", "sometimes", "-P", "go"], project)
    assert r.returncode == 2 and "permission mode 'sometimes'" in r.stderr
