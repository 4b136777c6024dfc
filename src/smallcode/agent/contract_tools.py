"""The contract_* tools the model calls (the logic is in ContractSession, agent/contracts.py).

Descriptions are short on purpose: the five schemas together stay near 330 tokens so the prompt
floor with contracts on stays under 1,200 (benchmarks/bench_context.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smallcode.agent.contract_store import normalize_assertions
from smallcode.errors import ToolError
from smallcode.tools.registry import ToolContext, ToolRegistry, tool

if TYPE_CHECKING:
    from smallcode.agent.contracts import ContractSession


def _session(ctx: ToolContext) -> ContractSession:
    session = ctx.contracts
    if session is None:
        raise ToolError("contracts are off in this session (SMALLCODE_CONTRACT=false)")
    return session


# Every word of these schemas is sent with every request while contracts are on: parameters
# carry no descriptions (their names say it) and only contract_create and contract_assert_pass
# mark required ones; elsewhere a missing value gets a clear error instead. contract_assert_fail takes no command (a model that
# has a check to run calls contract_assert_pass with it: the harness records the real result).


@tool
def contract_create(ctx: ToolContext, title: str, assertions: list[dict], brief: str = "") -> str:
    """Start a contract: checks to pass before you finish.

    Args:
        assertions: [{description, command}]
    """
    s = _session(ctx)
    active = s.active
    if active is not None and active.owner == "user":
        s.store.log(active.id, "refused", action="create", title=title)
        raise ToolError(
            f'the user\'s contract "{active.title}" is active and cannot be replaced; work '
            f"toward it (contract_status shows it).\n{s.line()}"
        )
    if active is not None and active.unmet():
        raise ToolError(
            f'contract "{active.title}" is active with unmet assertions: make them pass (or '
            f"skip yours with a reason) before starting another.\n{s.line()}"
        )
    items = normalize_assertions(assertions)
    if not items:
        raise ToolError(
            'give at least one assertion, e.g. [{"description": "tests pass", '
            '"command": "pytest -q"}]'
        )
    c = s.create(title, items, brief)
    listed = "\n".join(
        f"- {a.id} {a.description}" + (f": `{a.command}`" if a.command else " (no command)")
        for a in c.assertions
    )
    return (
        f'Contract "{c.title}" created:\n{listed}\nThe harness runs each command itself when you '
        "call contract_assert_pass and before you finish."
    )


@tool(read_only=True)
def contract_status(ctx: ToolContext) -> str:
    """Show the contract."""
    return _session(ctx).status_text()


@tool
def contract_assert_pass(
    ctx: ToolContext, assertion_id: str, evidence: str = "", command: str = ""
) -> str:
    """Mark a check passed; the harness runs its command."""
    return _session(ctx).claim_pass(assertion_id, evidence, command)


@tool
def contract_assert_fail(ctx: ToolContext, assertion_id: str = "", evidence: str = "") -> str:
    """Mark a check failed."""
    return _session(ctx).claim_fail(_need(assertion_id), evidence, "")


@tool
def contract_assert_skip(ctx: ToolContext, assertion_id: str = "", reason: str = "") -> str:
    """Skip a check (say why)."""
    return _session(ctx).skip(_need(assertion_id), reason)


def _need(assertion_id: str) -> str:
    if not str(assertion_id or "").strip():
        raise ToolError(
            "assertion_id is missing: give the id, e.g. a01 (contract_status lists them)"
        )
    return assertion_id


TOOLS = (
    contract_create,
    contract_status,
    contract_assert_pass,
    contract_assert_fail,
    contract_assert_skip,
)
TOOL_NAMES = tuple(f.__tool__.name for f in TOOLS)


def add_tools(registry: ToolRegistry) -> list[str]:
    """Add the contract tools that are missing; returns the names added."""
    added = []
    for f in TOOLS:
        t = f.__tool__
        if t.name not in registry:
            registry.add(t)
            added.append(t.name)
    return added
