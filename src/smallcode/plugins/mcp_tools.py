"""MCP tools as registry tools: one per server tool, or the two fixed stand-ins.

``direct_tools``: ``mcp__<server>__<tool>`` each, with the projected schema. ``search_tools``:
``mcp_search(query)`` finds tools by BM25 over names and descriptions and shows how to call
them; ``mcp_call(server, tool, arguments)`` calls one. A call through ``mcp_call`` passes the
permission check under the tool's own ``mcp__`` name, so rules and prompts apply as if it
had been offered directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from smallcode.errors import ToolError
from smallcode.plugins.mcp_hub import McpHub, McpTool
from smallcode.plugins.ranking import bm25_rank
from smallcode.tools.registry import Tool, ToolContext

SEARCH_RESULTS = 5


def direct_tools(hub: McpHub) -> list[Tool]:
    return [_direct(hub, t) for t in hub.tools()]


def _direct(hub: McpHub, t: McpTool) -> Tool:
    def run(ctx: ToolContext, **arguments: Any) -> str:
        ok, text = hub.call(t, arguments)
        if not ok:
            raise ToolError(text)
        return text

    return Tool(t.full, run, t.description, t.parameters, read_only=t.read_only)


def search_tools(hub: McpHub) -> list[Tool]:
    servers = sorted({t.server for t in hub.tools()})
    search = Tool(
        "mcp_search",
        lambda ctx, query="": search_text(hub, str(query)),
        "Find tools of the MCP servers (" + ", ".join(servers) + ") by what they do; shows "
        "how to call them with mcp_call.",
        {
            "type": "object",
            "properties": {"query": {"type": "string", "description": "What the tool should do."}},
            "required": ["query"],
        },
        read_only=True,
    )
    call = Tool(
        "mcp_call",
        _call_func(hub),
        "Call a tool of an MCP server (find it first with mcp_search).",
        {
            "type": "object",
            "properties": {
                "server": {"type": "string", "description": "The server's name."},
                "tool": {"type": "string", "description": "The tool's name."},
                "arguments": {"type": "object", "description": "The tool's arguments."},
            },
            "required": ["server", "tool"],
        },
    )
    return [search, call]


def search_text(hub: McpHub, query: str) -> str:
    tools = hub.tools()
    if not tools:
        return "No MCP tools are available."
    docs = [(f"{t.name} {t.server}", f"{t.description} {' '.join(_props(t))}") for t in tools]
    ranked = [i for i, _ in bm25_rank(docs, query)][:SEARCH_RESULTS]
    if not ranked:
        names = ", ".join(f"{t.server}/{t.name}" for t in tools[:40])
        return f"No tool matches {query!r}. The tools are: {names}"
    return "\n\n".join(describe(tools[i]) for i in ranked)


def _props(t: McpTool) -> list[str]:
    return list((t.parameters.get("properties") or {}).keys())


def describe(t: McpTool) -> str:
    """A found tool and how to call it, in a few lines."""
    props = t.parameters.get("properties") or {}
    required = set(t.parameters.get("required") or [])
    args = []
    for name, schema in props.items():
        kind = schema.get("type") or ("enum" if "enum" in schema else "any")
        if "enum" in schema:
            kind = "|".join(json.dumps(v) for v in schema["enum"][:8])
        args.append(f"{name}: {kind}" + ("" if name in required else " (optional)"))
    example = {n: f"<{n}>" for n in props if n in required}
    return (
        f"server {t.server!r}, tool {t.name!r}: {t.description}\n"
        f"  arguments: {{{', '.join(args)}}}\n"
        f"  call: mcp_call(server={json.dumps(t.server)}, tool={json.dumps(t.name)}, "
        f"arguments={json.dumps(example)})"
    )


def _call_func(hub: McpHub) -> Callable[..., str]:
    def run(ctx: ToolContext, server: str = "", tool: str = "", arguments: Any = None) -> str:
        t = hub.find(str(server or ""), str(tool or ""))
        if t is None:
            servers = sorted({x.server for x in hub.tools()})
            raise ToolError(
                f"no MCP tool {tool!r} on server {server!r} (servers: {', '.join(servers)}); "
                "find the right one with mcp_search"
            )
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments or "{}")
            except ValueError:
                raise ToolError("arguments must be a JSON object") from None
        if arguments is None:
            arguments = {}
        if not isinstance(arguments, dict):
            raise ToolError("arguments must be a JSON object")
        manager = ctx.permissions
        if manager is not None:
            d = manager.check(t.full, arguments, "", t.read_only)
            if d.action != "allow":
                raise ToolError(f"not run: {t.full}: {d.reason}. Do not retry it.")
        ok, text = hub.call(t, arguments)
        if not ok:
            raise ToolError(text)
        return text

    return run
