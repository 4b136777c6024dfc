"""SmallCode: a coding agent for local language models.

Public API: ``SmallCode``, ``RunResult``, ``ToolCallRecord``, ``Event``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smallcode._version import __version__

if TYPE_CHECKING:
    from smallcode.api import RunResult, SmallCode, ToolCallRecord
    from smallcode.events import Event

__all__ = ["Event", "RunResult", "SmallCode", "ToolCallRecord", "__version__"]


def __getattr__(name: str) -> Any:
    # Lazy: `smallcode --version` must not import the whole agent.
    if name in ("SmallCode", "RunResult", "ToolCallRecord"):
        from smallcode import api

        return getattr(api, name)
    if name == "Event":
        from smallcode.events import Event

        return Event
    raise AttributeError(name)
