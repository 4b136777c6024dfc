"""What is shown while a turn runs: the REPL's live view and the non-interactive stderr lines."""

from __future__ import annotations

import io
import time

import pytest

from smallcode.events import EventBus
from smallcode.ui import activity, progress
from smallcode.ui.activity import TurnView
from smallcode.ui.progress import ProgressPrinter


def _console(buf: io.StringIO):  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(file=buf, force_terminal=True, width=100, height=30, color_system=None)


def _rendered(view: TurnView) -> str:
    from rich.console import Console

    out = io.StringIO()
    c = Console(file=out, width=100, height=30, color_system=None)
    for r in view.renderables():
        c.print(r)
    return out.getvalue()


def test_turn_view_phases_tool_lines_and_tail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(activity, "TAIL_AFTER_S", 0.0)
    buf = io.StringIO()
    bus = EventBus()
    view = TurnView(_console(buf))
    view.attach(bus)
    view.begin()
    try:
        assert "waiting for the model" in _rendered(view)
        bus.emit("waiting", phase="processing the prompt 40%", progress=True)
        assert "processing the prompt 40%" in _rendered(view)
        bus.emit("text", text="Let me **check** the tests.")
        assert "writing" in _rendered(view) and "check" in _rendered(view)
        bus.emit("tool_start", name="bash", args={"command": "pytest -q"}, id="1")
        bus.emit("tool_output", text="collected 3 items\ntest_a.py ..")
        shown = _rendered(view)
        assert "running bash command=pytest -q" in shown
        assert "│ collected 3 items" in shown and "│ test_a.py .." in shown
        bus.emit("tool_end", name="bash", args={"command": "pytest -q"}, ok=True, ms=2300, id="1")
        assert "waiting for the model" in _rendered(view)
    finally:
        view.end()
    out = buf.getvalue()
    assert "Let me check the tests." in out  # the answer stays on screen
    assert "✓ bash command=pytest -q  2.3 s" in out  # the tool's permanent line


def test_turn_view_pauses_for_a_question() -> None:
    buf = io.StringIO()
    view = TurnView(_console(buf))
    view.attach(EventBus())
    view.begin()
    with activity.paused():
        assert view._suspended
    assert not view._suspended
    view.end()
    with activity.paused():  # no turn running: nothing to pause
        pass


def _wait_for(buf: io.StringIO, needle: str) -> str:
    deadline = time.monotonic() + 5
    while needle not in buf.getvalue() and time.monotonic() < deadline:
        time.sleep(0.02)
    return buf.getvalue()


def test_progress_printer_announces_a_slow_tool_and_tails_its_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(progress, "ANNOUNCE_AFTER_S", 0.05)
    monkeypatch.setattr(progress, "TAIL_AFTER_S", 0.0)
    monkeypatch.setattr(progress, "TAIL_MAX_LINES", 3)
    buf = io.StringIO()
    bus = EventBus()
    ProgressPrinter(buf).attach(bus)
    bus.emit("tool_start", name="bash", args={"command": "make test"}, id="1")
    assert "bash command=make test  [running...]" in _wait_for(buf, "running")
    bus.emit("tool_output", text="step 1\nstep 2\n")
    bus.emit("tool_output", text="step 3\nstep 4\nstep 5\n")
    bus.emit("tool_end", name="bash", args={"command": "make test"}, ok=True, ms=3100, id="1")
    lines = buf.getvalue().splitlines()
    assert lines[1:5] == [
        "    | step 1",
        "    | step 2",
        "    | step 3",
        "    | ... (more output; the result has the head and tail)",
    ]
    assert lines[-1] == "  bash command=make test  [ok, 3100 ms]"


def test_progress_printer_quick_tools_stay_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "ANNOUNCE_AFTER_S", 5.0)
    buf = io.StringIO()
    bus = EventBus()
    ProgressPrinter(buf).attach(bus)
    bus.emit("tool_start", name="read_file", args={"path": "a.py"}, id="1")
    bus.emit("tool_end", name="read_file", args={"path": "a.py"}, ok=True, ms=3, id="1")
    bus.emit("waiting", seconds=30, phase="waiting for the model")
    bus.emit("waiting", phase="processing the prompt 10%", progress=True)
    assert buf.getvalue().splitlines() == [
        "  read_file path=a.py  [ok, 3 ms]",
        "  waiting for the model (30 s)",
    ]


def test_non_interactive_stderr_shows_a_running_command_and_its_output(
    cli, project, fake_server
) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes.openai_server import script, text, tool

    srv = fake_server(
        script(
            [
                tool("bash", command="for i in 1 2 3 4 5; do echo tick $i; sleep 0.8; done"),
                text("ticked"),
            ]
        )
    )
    r = cli(
        ["-P", "count", "--non-interactive"],
        project,
        env={"SMALLCODE_BASE_URL": srv.base_url, "SMALLCODE_MODEL": "m", "SMALLCODE_VERIFY": "0"},
    )
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    running = next(i for i, ln in enumerate(lines) if ln.endswith("[running...]"))
    done = next(i for i, ln in enumerate(lines) if "[ok," in ln)
    assert running < done
    assert any(ln.startswith("    | tick") for ln in lines[running:done])
