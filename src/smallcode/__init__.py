"""SmallCode: a coding agent for local language models.

Public API: ``SmallCode``, ``RunResult``, ``ToolCallRecord``, ``Event``; for extending it
without a plugin: ``Provider`` (the protocol ``llm=`` implements), ``tool`` and
``ToolContext`` (tools for ``tools=``), ``Intervention`` and ``GuardEvent`` (guards for
``guards=``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from smallcode._version import __version__

# Silent unless configured (SMALLCODE_DEBUG=1: smallcode/logs.py): never Python's last resort.
logging.getLogger("smallcode").addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from smallcode.agent.guards import GuardEvent, Intervention
    from smallcode.api import RunResult, SmallCode, ToolCallRecord
    from smallcode.events import Event
    from smallcode.llm.base import Provider
    from smallcode.tools.registry import ToolContext, tool

__all__ = [
    "Event",
    "GuardEvent",
    "Intervention",
    "Provider",
    "RunResult",
    "SmallCode",
    "ToolCallRecord",
    "ToolContext",
    "__version__",
    "tool",
]

_EXTENSION_API = {
    "Provider": "smallcode.llm.base",
    "tool": "smallcode.tools.registry",
    "ToolContext": "smallcode.tools.registry",
    "Intervention": "smallcode.agent.guards",
    "GuardEvent": "smallcode.agent.guards",
}


def __getattr__(name: str) -> Any:
    # Lazy: `smallcode --version` must not import the whole agent.
    if name in ("SmallCode", "RunResult", "ToolCallRecord"):
        from smallcode import api

        return getattr(api, name)
    if name == "Event":
        from smallcode.events import Event

        return Event
    if name in _EXTENSION_API:
        from importlib import import_module

        return getattr(import_module(_EXTENSION_API[name]), name)
    raise AttributeError(name)
