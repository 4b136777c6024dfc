"""The real sandboxes: bubblewrap and Landlock (each test skips, saying why, where one fails)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smallcode.permissions import sandbox as sb
from smallcode.permissions.sandbox import Sandbox, probe
from smallcode.tools.shell import run_fresh
from smallcode.tools.shellproc import alive, descendants
from smallcode.tools.shellsession import PersistentShell

BWRAP_OK, BWRAP_WHY = sb.bwrap_works()
LANDLOCK_ABI = sb.landlock_abi()


def kinds() -> list[object]:
    return [
        pytest.param("bwrap", marks=pytest.mark.skipif(not BWRAP_OK, reason=BWRAP_WHY)),
        pytest.param(
            "landlock",
            marks=pytest.mark.skipif(LANDLOCK_ABI < 1, reason="Landlock is not in this kernel"),
        ),
    ]


@pytest.fixture
def home(elsewhere: Path) -> Path:
    """A home outside /tmp (bwrap hides the host's /tmp whole): secrets in .ssh, notes beside."""
    h = elsewhere / "home"
    (h / ".ssh").mkdir(parents=True)
    (h / ".ssh" / "id_rsa").write_text("PRIVATE-KEY-CONTENT\n")
    (h / "notes.txt").write_text("plain notes\n")
    return h


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP server on the host's loopback: what sandboxed commands must not reach."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    port = srv.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
                conn.sendall(b"HOST-SECRET\n")
                conn.close()
            except OSError:
                continue

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield port
    stop.set()
    t.join(1)
    srv.close()


@pytest.fixture
def elsewhere() -> Iterator[Path]:
    """A folder outside the project and outside /tmp (bwrap's /tmp is private anyway)."""
    import shutil
    import tempfile

    try:
        d = Path(tempfile.mkdtemp(prefix="smallcode-test-", dir="/var/tmp"))
    except OSError:
        pytest.skip("no writable /var/tmp for a folder outside the project")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def shells() -> Iterator[list[PersistentShell]]:
    made: list[PersistentShell] = []
    yield made
    for s in made:
        s.close(quiet=True)


@pytest.mark.parametrize("kind", kinds())
def test_persistent_shell_in_the_sandbox(
    kind: str,
    project: Path,
    tmp_path: Path,
    home: Path,
    listener: int,
    shells: list,
    elsewhere: Path,
) -> None:
    box = Sandbox(kind, project.resolve(), network=False, home=home)
    shell = PersistentShell(project, sandbox=box)
    shells.append(shell)
    outside = elsewhere / "outside.txt"

    r = shell.run("mkdir -p sub && cd sub && echo made > inside.txt && export KEEP=1", 20)
    assert r.exit_code == 0, r.output
    assert (project / "sub" / "inside.txt").read_text() == "made\n"
    assert shell.run("pwd; echo $KEEP", 10).output.splitlines() == [str(project / "sub"), "1"]

    r = shell.run(f"echo evil > {outside}", 10)
    assert r.exit_code != 0 and not outside.exists(), r.output
    shell.run(f"echo private > {tmp_path}/beside.txt", 10)  # bwrap: a private /tmp
    assert not (tmp_path / "beside.txt").exists()
    r = shell.run(f"cat {home}/.ssh/id_rsa", 10)
    assert "PRIVATE-KEY-CONTENT" not in r.output and r.exit_code != 0
    assert shell.run(f"cat {home}/notes.txt", 10).output == "plain notes"  # reads stay

    probe_cmd = (
        'python3 -c \'import socket; s=socket.create_connection(("127.0.0.1", '
        f"{listener}), timeout=3); print(s.recv(100))'"
    )
    r = shell.run(probe_cmd, 20)
    assert "HOST-SECRET" not in r.output and r.exit_code != 0, r.output


@pytest.mark.skipif(not BWRAP_OK, reason=BWRAP_WHY)
def test_bwrap_keeps_git_read_only_and_ends_its_processes(project: Path, shells: list) -> None:
    box = Sandbox("bwrap", project.resolve(), home=project.parent / "nohome")
    ended: list[str] = []
    shell = PersistentShell(project, sandbox=box, on_notice=ended.append)
    r = shell.run("echo '#!/bin/sh' > .git/hooks/post-checkout", 10)
    assert "Read-only file system" in r.output
    assert not (project / ".git/hooks/post-checkout").exists()
    assert shell.run("git status --short && echo ok", 20).output.endswith("ok")
    shell.run("(setsid sleep 300 &); nohup sleep 301 >/dev/null 2>&1 &", 10)
    sleepers: list[int] = []
    for _ in range(100):  # setsid execs its sleep a moment after the command returned
        sleepers = [p for p in descendants(shell.pid or 0) if _comm(p) == "sleep"]
        if len(sleepers) == 2:
            break
        time.sleep(0.02)
    assert len(sleepers) == 2
    shell.close()
    assert not any(alive(p) for p in sleepers)
    assert ended and "sleep" in ended[0]


@pytest.mark.parametrize("kind", kinds())
def test_one_shot_runs_are_confined_too(
    kind: str, project: Path, tmp_path: Path, elsewhere: Path
) -> None:
    box = Sandbox(kind, project.resolve(), home=tmp_path / "home")
    out, code, _ = run_fresh(f"echo x > {elsewhere}/escaped.txt", project, 20, sandbox=box)
    assert code != 0 and not (elsewhere / "escaped.txt").exists()
    out, code, _ = run_fresh("echo ok > fine.txt && cat fine.txt", project, 20, sandbox=box)
    assert (code, out) == (0, "ok")


def test_probe_falls_back_in_order() -> None:
    kind, reason = probe("auto")
    if BWRAP_OK:
        assert kind == "bwrap"
    elif LANDLOCK_ABI:
        assert kind == "landlock" and "Landlock ABI" in reason
    else:
        assert kind == "off" and reason
    assert probe("off") == ("off", "turned off in the settings")
    if LANDLOCK_ABI:
        assert probe("landlock")[0] == "landlock"


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


@pytest.mark.skipif(not BWRAP_OK, reason=BWRAP_WHY)
def test_a_python_under_tmp_stays_usable_in_bwrap(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bwrap gives the command a private /tmp; the venv SmallCode runs from may live there (a
    clone under /tmp): its interpreter must still run commands like ``sys.executable -c``."""
    venv = tmp_path / "venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "tool").write_text("#!/bin/sh\necho from-the-venv\n")
    (venv / "tool").chmod(0o755)
    monkeypatch.setattr(sb.sys, "prefix", str(tmp_path / "venv"))
    box = Sandbox("bwrap", project.resolve(), home=tmp_path / "home")
    out, code, _ = run_fresh(f"{venv}/tool", project, 20, sandbox=box)
    assert (code, out) == (0, "from-the-venv")
    out, code, _ = run_fresh(f"echo x > {venv}/written", project, 20, sandbox=box)
    assert code != 0 and not (venv / "written").exists()  # read-only
