"""Extensions users already have: hooks, MCP servers, skills and plugins.

- ``hook_config``, ``hooks``   Claude Code's command hooks: configuration, running, decisions
- ``mcp_config``               ``.mcp.json``, ``.smallcode/mcp.json``, the user's ``mcp.json``
- ``mcp_client``               the connection interface; ``mcp_stdio`` / ``mcp_http`` (built in)
                               and ``mcp_sdk`` (the ``mcp`` SDK, ``smallcode[mcp]``)
- ``mcp_schema``               tool schemas projected to a grammar-safe subset
- ``mcp_hub``, ``mcp_tools``   a session's servers and their tools (direct, or search + call)
- ``skills``, ``skill_catalog`` SKILL.md discovery; the ranked catalog and the ``skill`` tool
- ``manifest``                 directory plugins (Claude's layout, SmallCode's manifest)
- ``specs``, ``host``          pluggy hookspecs; global (entry point) and in-process plugins
- ``providers``                providers plugins register (``-p NAME``)
- ``entrypoints``              the ``smallcode`` entry points, cached
- ``trustlist``                project extension files waiting for the user's trust
- ``extensions``               what one session loads (agent/extensions.py installs it)

Below the agent: imports config, events, errors, trust, store, tools and permissions only.
Plugin authors import ``hookimpl`` and ``ToolDecision`` from here.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ToolDecision", "hookimpl"]


def __getattr__(name: str) -> Any:
    # Lazy: pluggy is imported only when a plugin is actually loaded.
    if name == "hookimpl":
        from smallcode.plugins.specs import hookimpl

        return hookimpl
    if name == "ToolDecision":
        from smallcode.plugins.host import ToolDecision

        return ToolDecision
    raise AttributeError(name)
