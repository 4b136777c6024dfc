"""Verified workflows: run_tests, the TDD harness, Definition-of-Done contracts and the TODO
plan. Each lives in its own module with an ``install(agent)`` that adds its tools (only while
its mode is on, so the default prompt stays small) and its FinishCheck (agent/finish.py).

Installed once per session by ``build_agent``, before the first request, so the tool list is
part of the stable prefix. A mode turned on later (``/tdd on``) joins at the next task.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smallcode.agent.loop import Agent

# Module paths with an ``install(agent) -> None`` each, in the order they are installed.
WORKFLOWS = (
    "smallcode.agent.testing",
    "smallcode.agent.tdd",
    "smallcode.agent.contracts",
    "smallcode.agent.plan",
)


def install_workflows(agent: Agent) -> None:
    for name in WORKFLOWS:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.install(agent)
