"""What the TDD harness tells the model: the phase, what is allowed next, why a write is
refused and what to do instead. Short, concrete lines (small models follow a named file and a
named tool better than a rule)."""

from __future__ import annotations

import re
from pathlib import Path

NEXT_STEP = {
    "idle": "call tdd_loop(goal) or tdd_begin_cycle(goal) before changing code.",
    "red": "write one failing test in {where}; {run}. Code files stay locked until red is "
    "confirmed.",
    "red_confirmed": "write the smallest code that passes the test (tests are frozen); {run}.",
    "green": "tdd_advance to refactor, or answer: the harness runs all tests to close it.",
    "refactor": "tidy the code if useful (tests stay frozen), then tdd_advance or answer: the "
    "cycle closes when all tests pass.",
    "done": "start the next cycle with tdd_begin_cycle, or answer with a summary.",
}
_SMALL_WORDS = {"a", "an", "the", "to", "of", "and", "for", "that", "it", "is"}


def suggest_test_path(root: Path, command: str, goal: str) -> str:
    """A test file name that fits the project's language and layout."""
    words = [w for w in re.findall(r"[a-z0-9]+", goal.lower()) if w not in _SMALL_WORDS]
    slug = "_".join(words[:3])[:30].strip("_") or "feature"
    if "node" in command or "npm" in command or (root / "package.json").is_file():
        return f"test/{slug}.test.mjs" if (root / "test").is_dir() else f"{slug}.test.mjs"
    if "cargo" in command or (root / "Cargo.toml").is_file():
        return f"tests/{slug}.rs"
    if command.startswith("go ") or (root / "go.mod").is_file():
        return f"{slug}_test.go"
    return f"tests/test_{slug}.py" if (root / "tests").is_dir() else f"test_{slug}.py"


def next_step(phase: str, where: str, loop: bool) -> str:
    run = "the harness runs the tests after each write" if loop else "then run_tests"
    return NEXT_STEP.get(phase, NEXT_STEP["idle"]).format(where=where, run=run)


def test_write_refused(phase: str, rel: str) -> str:
    return (
        f"TDD phase {phase}: {rel} is a test file, and tests are frozen since red was "
        "confirmed. Change the code so the test passes, not the test. To test more, finish "
        "this cycle (tdd_advance), then start another."
    )


def code_write_refused(phase: str, rel: str, where: str) -> str:
    if phase == "red":
        return (
            f"TDD phase red: {rel} is a code file, and red is not confirmed yet. Write the "
            f"failing test first ({where}), then run_tests or tdd_advance to confirm red; code "
            "writes open after that."
        )
    return (
        f"TDD phase {phase}: {rel} is a code file and no cycle is open. Call tdd_loop(goal) or "
        "tdd_begin_cycle(goal), write a failing test, then the code."
    )


def first_line(text: str, limit: int = 160) -> str:
    line = next((r.strip() for r in text.splitlines() if r.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."
