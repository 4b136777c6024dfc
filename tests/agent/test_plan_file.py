"""The plan's data without a model: call shapes, the plan file, when a task gets a plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from smallcode.agent.plan_file import (
    Step,
    apply_items,
    list_text,
    merge_file_steps,
    parse_markdown,
    read_items,
    render_markdown,
    unfinished_text,
)
from smallcode.agent.plan_mode import needs_plan, task_parts
from smallcode.agent.plan_verify import StepChecker
from smallcode.config import Settings
from smallcode.tools.registry import ToolContext


def test_claude_qwen_codex_and_strings_read_alike() -> None:
    claude = [
        {"content": "Add a", "status": "completed", "activeForm": "Adding a"},
        {"content": "Add b", "status": "in_progress", "activeForm": "Adding b"},
    ]
    qwen = [
        {"id": "1", "content": "Add a", "status": "completed"},
        {"id": "2", "content": "Add b", "status": "in_progress"},
    ]
    codex = {
        "plan": [
            {"step": "Add a", "status": "completed"},
            {"step": "Add b", "status": "in_progress"},
        ]
    }
    strings = ["[x] Add a", "Add b (in progress)"]
    want = [("Add a", "completed"), ("Add b", "in_progress")]
    for payload in (claude, qwen, codex):
        assert [(i.content, i.status) for i in read_items(payload)] == want
    assert [(i.content, i.status) for i in read_items(strings)] == [
        ("Add a", "completed"),
        ("Add b", None),
    ]
    assert [i.id for i in read_items(qwen)] == ["1", "2"]


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("done", "completed"),
        ("In Progress", "in_progress"),
        ("in-progress", "in_progress"),
        ("TODO", "pending"),
        ("cancelled", "cancelled"),
        (True, "completed"),
        ("whatever", None),
    ],
)
def test_status_words(word: object, status: str | None) -> None:
    items = read_items([{"content": "x", "status": word}])
    assert items[0].status == status


def test_markdown_round_trip() -> None:
    steps = [
        Step("1", "Create calc.py", "completed", ["calc.py"]),
        Step("2", "Write tests", "in_progress", ["test_calc.py"]),
        Step("3", "Update the README"),
    ]
    text = render_markdown(steps, "add a calculator")
    assert "- [x] Create calc.py\n  - files: calc.py\n" in text
    assert "- [ ] Write tests (in progress)\n" in text
    task, parsed = parse_markdown(text)
    assert task == "add a calculator"
    assert [(s.content, s.status, s.files) for s in parsed] == [
        (s.content, s.status, s.files) for s in steps
    ]


def test_hand_written_plan_file_is_read() -> None:
    text = "My plan\n\n* [X] one\n1. [ ] two (in progress)\n- [ ] three\nnot a step\n- [~] four\n"
    _, steps = parse_markdown(text)
    assert [(s.content, s.status) for s in steps] == [
        ("one", "completed"),
        ("two", "in_progress"),
        ("three", "pending"),
        ("four", "cancelled"),
    ]


def test_texts_for_the_model_are_bounded() -> None:
    steps = [Step(str(i), f"step number {i} " + "x" * 80) for i in range(1, 41)]
    assert len(unfinished_text(steps, 800)) <= 800
    assert "more" in unfinished_text(steps, 800)
    assert "more steps" in list_text(steps)


@pytest.mark.parametrize(
    ("task", "plan"),
    [
        ("Create hello.py that prints hello", False),
        ("fix the bug in app.py", False),
        ("Create hello.py and then run it", False),
        ("What does app.py do? Explain how the parts fit and how it is tested.", False),
        ("Fix the failing test. It crashes on empty input.", False),
        ("Create calc.py with add and sub, write tests for it, and update the README", True),
        ("Refactor the parser, then add tests, then update the docs", True),
        ("Please do this:\n1. add a --verbose flag\n2. add a test for it\n", True),
        ("Changes:\n- rename foo to bar\n- delete old.py\n", True),
        ("Fix this:\n```\n- a\n- b\n```", False),
        # constraints, headings, inline code and references back are not parts (aider's
        # benchmark prompt around a one-function exercise)
        (
            "# Add Numbers\n\nWrite `add(a, b)` so that it returns the sum.\n\n####\n\n"
            "Use the above instructions to modify the supplied files: add.py\n"
            "Don't change the names of existing functions or classes.\n"
            "Only use standard libraries, don't suggest installing any packages.\n"
            "The tests are in add_test.py. Don't change the tests.",
            False,
        ),
        ("Add a flag to cli.py, don't change the tests, and never edit setup.py", False),
        (
            "Collection error (pytest, 1.4 s): the tests could not be loaded (an import, syntax"
            " or build error, not a test failure); no test ran.\nt_test.py\n  ImportError: x\n"
            "\n####\n\nThe tests are correct, don't try and change them.\nFix the code in t.py.",
            False,
        ),
        (
            "1 failed, 0 passed\nt_test.py::test_add\n  assert None == 5\n"
            "   +  where None = add(2, 3)\n  at t_test.py:5\n"
            "t_test.py::test_neg\n  assert None == -3\n   +  where None = add(-4, 1)\n"
            "Rerun one: python -m pytest t_test.py::test_add\n\n####\n\n"
            "The tests are correct, don't try and change them.\nFix the code in t.py.",
            False,
        ),
    ],
)
def test_when_a_task_gets_a_plan(task: str, plan: bool) -> None:
    assert needs_plan(task) is plan, task_parts(task)


def test_changed_files_come_from_writes_and_from_commands(tmp_path: Path) -> None:
    settings = Settings.load(tmp_path)
    ctx = ToolContext(root=tmp_path, settings=settings)
    checker = StepChecker(ctx, settings)
    (tmp_path / "old.py").write_text("x = 1\n")
    mark = checker.mark()
    (tmp_path / "made_by_command.py").write_text("y = (\n")
    (tmp_path / ".smallcode").mkdir()
    (tmp_path / ".smallcode" / "plan.md").write_text("- [ ] x\n")
    assert checker.changed_since(mark) == ["made_by_command.py"]
    check = checker.check(mark, "write the module")
    assert not check.ok and "made_by_command.py:1" in check.evidence
    assert checker.check(checker.mark(), "nothing").ok


def _steps(*pairs: tuple[str, str]) -> list[Step]:
    return [Step(str(i), c, st) for i, (c, st) in enumerate(pairs, start=1)]


def test_items_match_by_position_never_by_wording() -> None:
    old = _steps(("Create a.py", "in_progress"), ("Create b.py", "pending"))
    old[0].files = ["a.py"]
    items = read_items(
        [
            {"content": "create A.py (first)", "status": "completed"},
            {"content": "b", "status": "pending"},
        ]
    )
    steps, claims = apply_items(old, items)
    assert steps[0] is old[0] and steps[0].content == "create A.py (first)"
    assert claims == [old[0]] and old[0].status == "in_progress"  # not applied before the check
    assert [s.id for s in steps] == ["1", "2"]


def test_items_match_by_id_and_reopened_steps_start_again() -> None:
    old = _steps(("one", "completed"), ("two", "in_progress"), ("three", "pending"))
    old[0].files = ["a.py"]
    items = read_items(
        [
            {"id": "3", "content": "three", "status": "pending"},
            {"id": "1", "content": "one", "status": "pending"},
            {"id": "9", "content": "new", "status": "pending"},
        ]
    )
    steps, claims = apply_items(old, items)
    assert [s.content for s in steps] == ["three", "one", "new"]
    assert steps[1] is old[0] and steps[1].status == "pending" and steps[1].files == []
    assert claims == [] and steps[2].id == "9"


def test_user_edits_keep_records_by_words_then_position() -> None:
    old = _steps(("one", "completed"), ("two", "in_progress"), ("three", "pending"))
    old[1].error = "a.py:1: SyntaxError"
    _, parsed = parse_markdown("- [x] one\n- [ ] inserted\n- [x] two\n- [ ] three, reworded\n")
    merged = merge_file_steps(old, parsed)
    assert [(s.content, s.status) for s in merged] == [
        ("one", "completed"),
        ("inserted", "pending"),
        ("two", "completed"),
        ("three, reworded", "pending"),
    ]
    assert merged[2] is old[1] and merged[2].error == ""
    assert len({s.id for s in merged}) == 4
