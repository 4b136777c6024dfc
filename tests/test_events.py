"""The event registry: every event the package emits is declared, with the fields it sends."""

from __future__ import annotations

import ast
import logging
from pathlib import Path
from typing import Any

import pytest

import smallcode
from smallcode import SmallCode
from smallcode.events import EVENT_NAMES, EVENTS, EventBus
from smallcode.testing import ScriptedModel, text, tool

SRC = Path(smallcode.__file__).parent


def _emits() -> list[tuple[str, int, str, list[str | None]]]:
    """Every ``x.emit("name", field=...)`` in the package: (file, line, name, field names)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "emit"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                rel = path.relative_to(SRC).as_posix()
                found.append((rel, node.lineno, node.args[0].value, [k.arg for k in node.keywords]))
    return found


def test_every_emitted_event_is_declared_with_its_fields() -> None:
    emits = _emits()
    assert len(emits) > 30  # the scan sees the package
    problems = []
    for rel, line, name, keys in emits:
        spec = EVENTS.get(name)
        if spec is None:
            problems.append(f"{rel}:{line}: event {name!r} is not in events.EVENTS")
            continue
        named = [k for k in keys if k is not None]  # **data: checked at run time
        if not spec.allows(named):
            extra = sorted(set(named) - {*spec.fields, *spec.optional})
            problems.append(f"{rel}:{line}: {name!r} sends undeclared fields {extra}")
        elif None not in keys and not set(spec.fields) <= set(named):
            missing = sorted(set(spec.fields) - set(named))
            problems.append(f"{rel}:{line}: {name!r} lacks the fields {missing}")
    assert not problems, "\n".join(problems)


def test_every_declared_event_is_emitted_somewhere() -> None:
    emitted = {name for _, _, name, _ in _emits()}
    assert set(EVENT_NAMES) <= emitted


def test_a_run_emits_only_declared_events_and_fields(tmp_path: Path) -> None:
    model = ScriptedModel([tool("write_file", path="a.py", content="x = 1\n"), text("Done.")])
    seen: list[dict[str, Any]] = []
    with SmallCode(cwd=tmp_path, llm=model) as sc:
        sc.on("*", seen.append)
        assert sc.run("create a.py").success
    assert {"turn_start", "tool_start", "tool_end", "usage", "done"} <= {e["type"] for e in seen}
    for e in seen:
        spec = EVENTS[e["type"]]
        data = {k for k in e if k != "type"}
        assert spec.allows(data) and set(spec.fields) <= data, e


def test_an_undeclared_event_is_delivered_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    got: list[str] = []
    bus.on("*", lambda e: got.append(e.type))
    with caplog.at_level(logging.WARNING, logger="smallcode"):
        bus.emit("no_such_event", x=1)
        bus.emit("notice", message="ok")
    assert got == ["no_such_event", "notice"]
    assert "no_such_event" in caplog.text and "notice" not in caplog.text
