"""SMALLCODE_SHOW_THINKING: thinking is shown as a dim block set apart from the answer, whether
the server sends it apart (reasoning) or inline between <think> tags."""

from __future__ import annotations

import io

from rich.console import Console

from smallcode.events import EventBus
from smallcode.ui.activity import TurnView
from smallcode.ui.thinking import ThinkSplitter


def test_splitter_handles_tags_cut_across_pieces():
    s = ThinkSplitter()
    out = []
    for piece in ["<thi", "nk>plan: read", " the file</th", "ink>The answer", " is 4."]:
        out += s.feed(piece)
    out += s.flush()
    thinking = "".join(t for k, t in out if k == "thinking")
    answer = "".join(t for k, t in out if k == "answer")
    assert thinking == "plan: read the file"
    assert answer == "The answer is 4."


def test_a_lone_angle_bracket_is_not_lost():
    s = ThinkSplitter()
    out = s.feed("a < b and x <") + s.feed("= y") + s.flush()
    assert "".join(t for _, t in out) == "a < b and x <= y"


def run_view(show: bool, events: list[tuple[str, str]]) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=80, force_terminal=False, color_system=None)
    bus = EventBus()
    view = TurnView(console, show_thinking=show)
    view.attach(bus)
    view.begin()
    for kind, value in events:
        bus.emit(kind, text=value)
    view.end()
    return buf.getvalue()


def test_reasoning_is_a_block_apart_from_the_answer():
    out = run_view(True, [("reasoning", "The user wants 2+2."), ("text", "The answer is **4**.")])
    lines = [ln.rstrip() for ln in out.splitlines() if ln.strip()]
    i = next(n for n, ln in enumerate(lines) if "thinking" in ln and "─" in ln)
    assert "The user wants 2+2." in lines[i + 1]
    assert set(lines[i + 2]) == {"─"}  # a separator line before the answer
    assert "The answer is 4." in lines[i + 3]


def test_inline_think_tags_are_shown_apart_or_hidden():
    events = [("text", "<think>check the"), ("text", " numbers</think>The answer is 4.")]
    shown = run_view(True, events)
    assert "check the numbers" in shown and "<think>" not in shown
    assert shown.index("check the numbers") < shown.index("The answer is 4.")
    hidden = run_view(False, events)
    assert "check the numbers" not in hidden and "The answer is 4." in hidden
