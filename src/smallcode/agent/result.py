"""RunResult: what one task run produced (returned by the API, printed by --json)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from smallcode.types import Usage


@dataclass
class ToolCallRecord:
    name: str
    arguments: dict[str, Any]
    ok: bool
    ms: float


@dataclass
class RunResult:
    response: str = ""
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    files_created: list[str] = field(default_factory=list)
    files_edited: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    duration_s: float = 0.0
    turns: int = 0
    success: bool = False
    # done | unverified | max_turns | time_limit | interrupted | guard:<name> | error
    stop_reason: str = ""
    error: str = ""
    # The process exit code this result maps to: 0 done, 1 not done, 2 config, 3 endpoint.
    exit_code: int = 1
    # Share of each request's prompt that repeats the previous request (0..1), averaged.
    prefix_reuse: float = 0.0
    requests: int = 0
    # The completion check (agent/completion.py): status passed | failed | skipped | off, each
    # check with its outcome and evidence (command, exit code), the re-asks, the test report.
    verification: dict[str, Any] = field(default_factory=dict)
    # The state of each workflow that ran (contract, plan, tdd), keyed by its name.
    workflows: dict[str, Any] = field(default_factory=dict)
    # Calls the permission check refused (or that would have asked with nobody to ask):
    # {tool_name, tool_use_id, tool_input, reason}, as in Claude Code's -p result.
    permission_denials: list[dict[str, Any]] = field(default_factory=list)
    # The permission mode, the sandbox in use and the approval prompts shown in this run.
    permissions: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["usage"] = self.usage.to_dict()
        return d
