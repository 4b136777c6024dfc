"""Temp files of atomic writes: in .smallcode/tmp, recognisable, cleaned after a kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from smallcode.fsio import TEMP_PREFIX, atomic_write, clean_temp, temp_dir_for
from smallcode.store.db import project_store_dir

CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from smallcode import fsio

    real_fsync = os.fsync
    def stuck(fd):  # the write is done, the rename not yet: the moment a kill hurts
        real_fsync(fd)
        print("writing", flush=True)
        time.sleep(60)
    os.fsync = stuck
    fsio.atomic_write(Path(sys.argv[1]) / "data.bin", b"x" * (8 * 1024 * 1024))
    """
)


def test_a_kill_during_a_write_leaves_nothing_in_the_project(project: Path) -> None:
    project_store_dir(project)  # a project SmallCode has worked in
    (project / "data.bin").write_bytes(b"old")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(project)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "writing"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert (project / "data.bin").read_bytes() == b"old"
    assert not [p for p in project.iterdir() if p.name.endswith(".tmp")]
    left = list((project / ".smallcode" / "tmp").iterdir())
    assert len(left) == 1 and left[0].name.startswith(f"{TEMP_PREFIX}{child.pid}-data.bin.")
    assert left[0].stat().st_size == 8 * 1024 * 1024
    assert clean_temp(project) == [left[0].name]
    assert not list((project / ".smallcode" / "tmp").iterdir())


def test_temp_files_of_running_processes_are_kept(project: Path) -> None:
    tmp = project_store_dir(project) / "tmp"
    tmp.mkdir()
    mine = tmp / f"{TEMP_PREFIX}{os.getpid()}-a.txt.x1.tmp"
    mine.write_text("in progress")
    gone = tmp / f"{TEMP_PREFIX}999999999-b.txt.x2.tmp"
    gone.write_text("left by a dead process")
    old = tmp / f"{TEMP_PREFIX}{os.getppid()}-c.txt.x3.tmp"
    old.write_text("very old")
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (day_ago, day_ago))
    other = tmp / "unrelated.txt"
    other.write_text("not ours")
    assert sorted(clean_temp(project)) == sorted([gone.name, old.name])
    assert mine.exists() and other.exists()


def test_temp_dir_falls_back_to_the_targets_folder(tmp_path: Path, project: Path) -> None:
    assert temp_dir_for(tmp_path / "x.txt", None) == tmp_path  # no project state dir above
    project_store_dir(project)
    (project / "src").mkdir()
    assert temp_dir_for(project / "src" / "x.py", project) == project / ".smallcode" / "tmp"
    atomic_write(project / "src" / "x.py", "x = 1\n", root=project)
    assert (project / "src" / "x.py").read_text() == "x = 1\n"
    assert not list((project / ".smallcode" / "tmp").iterdir())


def test_a_session_start_cleans_leftovers(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    from smallcode.agent.session import build_agent, close_agent
    from smallcode.config import Settings
    from tests.fakes.openai_server import script, text

    srv = fake_server(script([text("hi")]))

    tmp = project_store_dir(project) / "tmp"
    tmp.mkdir()
    left = tmp / f"{TEMP_PREFIX}999999999-big.bin.abc.tmp"
    left.write_bytes(b"x" * 1024)
    settings = Settings.load(project, {"base_url": srv.base_url, "model": "fake"})
    agent = build_agent(settings)
    close_agent(agent)
    assert not left.exists()
