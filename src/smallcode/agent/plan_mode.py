"""When plan mode applies to a task, and the ``todo_write`` tool it offers.

Auto mode plans a change with several parts: a list of two or more items, or three or more
clauses that each ask for a change ("Create calc.py. Then add tests, and then update the
README."). A one-part task ("fix the bug in app.py") gets no plan and no extra tool.
"""

from __future__ import annotations

import re
from typing import Any

from smallcode.errors import ToolError
from smallcode.tools.registry import ToolContext, tool

TOOL_NAME = "todo_write"

# ---------------------------------------------------------------------- the tool


@tool(core=False)
def todo_write(ctx: ToolContext, todos: list[dict[str, Any]]) -> str:
    """Write the plan of a task with several parts, then update it as you work: send the whole
    list each time. A step marked completed is checked by the harness (its files must parse,
    its tests pass); if the check fails it stays in_progress. Returns the plan and the next step.
    """
    workflow = ctx.plan
    if workflow is None:
        raise ToolError("plan mode is off in this session (SMALLCODE_PLAN=false)")
    return str(workflow.write(todos))


_STATUS = {"type": "string", "enum": ["pending", "in_progress", "completed"]}
todo_write.__tool__.parameters = {
    "type": "object",
    "properties": {
        "todos": {
            "type": "array",
            "description": "All steps, in order.",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "content": {"type": "string"},
                    "status": _STATUS,
                },
                "required": ["content", "status"],
            },
        }
    },
    "required": ["todos"],
}


# ---------------------------------------------------------------------- when to plan

_FENCE = re.compile(r"```.*?(?:```|$)", re.S)
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*+•]|\[[ xX]?\])\s+\S", re.M)
_CLAUSE_SPLIT = re.compile(
    r"(?<=[.!?;])\s+|\n+|,|\s*\b(?:and|then|after that|afterwards|finally|next)\b\s*",
    re.I,
)
CONTINUE = re.compile(r"\b(?:plan|todo|continue|resume|go on|next step|carry on)\b", re.I)


_INLINE_CODE = re.compile(r"`[^`\n]*`")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s.*$", re.M)
# Clauses that constrain the work or point back at it are not parts of it: "Don't change the
# tests", "never edit X", "Use the above instructions to modify the supplied files".
_NOT_A_PART = re.compile(
    r"^\W*(?:don'?t|do not|never|no need|without|avoid|only use)\b|\b(?:the )?above\b"
    r"|\b(?:is|are|was|were)\s+(?:correct|fixed|right|changed|updated)\b",
    re.I,
)


# "don't try and change them", "never edit setup.py": the rest of the clause is a constraint.
_NEGATED = re.compile(r"\b(?:don'?t|do not|never)\b[^.;,\n]*(?:,[^.;\n]*)?", re.I)
# Test-runner output pasted into a task (failures, tracebacks): not parts of the work.
_OUTPUT_LINE = re.compile(
    r"^(?:\s*[+>]\s|E\s|\s+at\s\S+:\d+|.*(?:::|\bassert\b|\b\w+Error\b|Traceback)"
    r"|\s*\d+ (?:failed|passed)|Rerun\b|.*\b(?:Collection error|no tests? ran)\b).*$",
    re.M,
)


def _work_text(task: str) -> str:
    """The task without code blocks and pasted test output (neither is a part of the work)."""
    return _OUTPUT_LINE.sub(" ", _FENCE.sub(" ", task))


def task_parts(task: str) -> int:
    """How many parts a task has: list items, or clauses that each ask for a change
    (headings, inline code, constraints and references to the instructions left out)."""
    from smallcode.agent.intent import wants_change

    text = _work_text(task)
    items = _LIST_ITEM.findall(text)
    if len(items) >= 2:
        return len(items)
    text = _NEGATED.sub(" ", _HEADING.sub(" ", _INLINE_CODE.sub("CODE", text)))
    return sum(
        1
        for c in _CLAUSE_SPLIT.split(text)
        if c and c.strip() and not _NOT_A_PART.search(c) and wants_change(c)
    )


def needs_plan(task: str) -> bool:
    """Auto mode: a change with several parts (a list, or three or more clauses that each ask
    for a change) gets a plan; a one-part task does not."""
    from smallcode.agent.intent import wants_change

    if not wants_change(task):
        return False
    if len(_LIST_ITEM.findall(_work_text(task))) >= 2:
        return True
    return task_parts(task) >= 3
