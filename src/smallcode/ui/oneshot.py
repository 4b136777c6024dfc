"""Non-interactive runs: one task, progress on stderr, the answer (or JSON) on stdout."""

from __future__ import annotations

import json
import sys
from typing import Any

from smallcode.config import Settings
from smallcode.events import EventBus
from smallcode.ui.progress import ProgressPrinter


def run_once(
    task: str,
    overrides: dict[str, Any],
    cwd: str | None = None,
    as_json: bool = False,
    resume: bool = False,
) -> int:
    from smallcode.agent.session import build_agent, close_agent

    settings = Settings.load(cwd, overrides)
    for warning in settings.warnings:
        sys.stderr.write(f"smallcode: warning: {warning}\n")
    events = EventBus()
    ProgressPrinter(sys.stderr).attach(events)
    agent = build_agent(settings, events)
    try:
        if resume:
            from smallcode.agent.session import resume_latest

            sys.stderr.write(f"  {resume_latest(agent)}\n")
        result = agent.run(task)
    finally:
        close_agent(agent)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    elif result.response:
        sys.stdout.write(result.response.rstrip() + "\n")
    if not result.success:
        reason = result.error or result.stop_reason
        sys.stderr.write(f"smallcode: {reason}\n")
    sys.stdout.flush()
    return result.exit_code
