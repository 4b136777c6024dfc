"""The run_tests workflow: when the tool is offered, and the last report in RunResult.

``run_tests`` (tools/testing.py) is an optional tool: the ``testing`` group of agent/toolset.py
offers it when the task is about tests (or ``SMALLCODE_TOOLS`` names it), and the TDD harness
always offers it. ``SMALLCODE_TEST_DISABLE=true`` removes it. The last test report of each run,
whole, goes into ``RunResult.workflows["tests"]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smallcode.tools.testing import last_run, run_tests

if TYPE_CHECKING:
    from smallcode.agent.loop import Agent
    from smallcode.agent.result import RunResult

TOOL = "run_tests"


class TestsRecord:
    """Task and end hooks: keep the tool off when tests are disabled; record the last run."""

    __test__ = False

    def __init__(self) -> None:
        self.seq_at_start = 0

    def on_task(self, agent: Agent, task: str) -> None:
        # runs after the session services chose the optional tools for this task
        if agent.settings.test_disable:
            agent.registry.remove(TOOL)
        run = last_run(agent.ctx)
        self.seq_at_start = run.seq if run is not None else 0

    def on_end(self, agent: Agent, result: RunResult) -> None:
        run = last_run(agent.ctx)
        if run is not None and run.seq > self.seq_at_start:
            result.workflows["tests"] = run.to_dict()


def offer_run_tests(agent: Agent) -> bool:
    """Add run_tests to the session's tools (unless tests are disabled); True when offered."""
    if agent.settings.test_disable:
        return False
    if TOOL not in agent.registry:
        agent.registry.add(run_tests.__tool__)
    return True


def install(agent: Agent) -> None:
    record = TestsRecord()
    agent.task_hooks.append(record.on_task)
    agent.end_hooks.append(record.on_end)
