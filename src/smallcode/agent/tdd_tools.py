"""The TDD tools. Descriptions stay one line each: with TDD on, the prompt floor (system
prompt + every tool schema) must stay under 1,200 tokens for 4-8K-window models.

Each result gives the phase, what is allowed next and the last test summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smallcode.errors import ToolError
from smallcode.tools.registry import ToolContext, tool

if TYPE_CHECKING:
    from smallcode.agent.loop import Agent
    from smallcode.agent.tdd import TddHarness


def _harness(ctx: ToolContext) -> TddHarness:
    harness = ctx.tdd
    if harness is None or not harness.active:
        raise ToolError("TDD mode is off (turn it on with --tdd, /tdd on or SMALLCODE_TDD=true)")
    return harness


@tool(core=False)
def tdd_begin_cycle(ctx: ToolContext, goal: str, test_path: str | None = None) -> str:
    """Start a TDD cycle (failing test first).

    Args:
        goal: What the code must do.
        test_path: Test file.
    """
    return _harness(ctx).begin(goal, test_path)


@tool(read_only=True, core=False)
def tdd_status(ctx: ToolContext) -> str:
    """Show the TDD phase and next step."""
    return _harness(ctx).describe()


@tool(core=False)
def tdd_advance(ctx: ToolContext, note: str | None = None) -> str:
    """Run the tests; go to the next TDD phase if they allow."""
    return _harness(ctx).advance(note)


@tool(core=False)
def tdd_loop(ctx: ToolContext, goal: str) -> str:
    """Start a TDD cycle run by the harness (tests run after writes).

    Args:
        goal: What the code must do.
    """
    return _harness(ctx).begin(goal, None, loop=True)


TDD_TOOLS = (tdd_begin_cycle, tdd_status, tdd_advance, tdd_loop)


def set_tools(agent: Agent, on: bool) -> None:
    """Add the TDD tools and run_tests to the session's tools, or take the TDD tools away."""
    from smallcode.agent.testing import offer_run_tests

    if on:
        offer_run_tests(agent)
    for func in TDD_TOOLS:
        t = func.__tool__
        if on:
            agent.registry.add(t)
        else:
            agent.registry.remove(t.name)
