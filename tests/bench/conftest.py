"""A scripted "model" for the benchmark suites: it reads which exercise the prompt is about and
writes the reference solution (right), a broken one (wrong), or a broken one first and the
reference once it is shown the failing tests (wrong-then-right)."""

from __future__ import annotations

from typing import Any

from smallcode.bench.tasks import BenchTask
from tests.fakes.openai_server import FakeReply, Policy, calls, text

FIX_MARK = "See the testing errors above"


def _user_text(body: dict[str, Any]) -> str:
    return "\n".join(
        str(m.get("content") or "") for m in body.get("messages", []) if m.get("role") == "user"
    )


def _task_for(body: dict[str, Any], tasks: list[BenchTask]) -> BenchTask | None:
    prompt = _user_text(body)
    for task in tasks:
        files = " ".join(task.solution)
        if files and f"modify the supplied files: {files}" in prompt:
            return task
    return None


def solver(tasks: list[BenchTask], mode: str) -> Policy:
    def policy(body: dict[str, Any], n: int) -> FakeReply:
        messages = body.get("messages", [])
        if messages and messages[-1].get("role") == "tool":
            return text("Done.")
        task = _task_for(body, tasks)
        if task is None:
            return text("I do not know this task.")
        fixing = FIX_MARK in _user_text(body)
        right = mode == "right" or (mode == "wrong-then-right" and fixing)
        writes = []
        for example, target in task.example_targets():
            if right:
                content = (task.dir / example).read_text()
            else:
                content = (task.dir / target).read_text() + "\n// wrong\n".replace(
                    "//", "#" if target.endswith(".py") else "//"
                )
            writes.append(("write_file", {"path": target, "content": content}))
        return calls(*writes)

    return policy
