"""The session's MCP servers: started in parallel, waited for once, their tools offered.

``start()`` launches every declared server in its own thread as the session is built (the
provider is detected meanwhile). ``wait()``, before the first request, gives each server what
is left of its ``startup_timeout_sec``; a server not ready by then is left out with a notice.
From then on the tool list is fixed for the session (a stable prompt prefix).

Tools are offered as ``mcp__<server>__<tool>`` with grammar-safe schemas (mcp_schema.py) while
those schemas fit in ``SMALLCODE_MCP_BUDGET`` (5 %) of the context window; beyond that two
fixed tools stand in for all of them: ``mcp_search(query)`` and ``mcp_call(server, tool,
arguments)`` (mcp_tools.py).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smallcode.plugins.mcp_client import McpConnection, McpError, McpTimeout, make_connection
from smallcode.plugins.mcp_config import McpConfig, ServerSpec
from smallcode.plugins.mcp_schema import MAX_TOOL_DESCRIPTION, project_tool_schema, short
from smallcode.plugins.names import mcp_tool_name

if TYPE_CHECKING:
    from smallcode.events import EventBus

MAX_RESULT_CHARS = 200_000  # before the loop's own cap (SMALLCODE_MAX_TOOL_RESULT_CHARS)


@dataclass
class McpTool:
    server: str
    name: str  # the server's name for it
    full: str  # mcp__server__tool
    description: str
    parameters: dict[str, Any]  # projected
    read_only: bool = False

    def schema(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.full,
                "description": self.description,
                "parameters": self.parameters,
            },
        }

    @property
    def tokens(self) -> int:
        return len(json.dumps(self.schema())) // 4 + 1


@dataclass
class ServerState:
    spec: ServerSpec
    state: str = "starting"  # starting | ready | failed | timeout | closed
    conn: McpConnection | None = None
    tools: list[McpTool] = field(default_factory=list)
    error: str = ""
    ms: float = 0.0
    thread: threading.Thread | None = None
    started: float = 0.0


class McpHub:
    def __init__(
        self,
        config: McpConfig,
        root: Path,
        *,
        client: str = "auto",
        events: EventBus | None = None,
    ) -> None:
        self.config = config
        self.root = Path(root)
        self.client = client
        self.events = events
        self.servers = [ServerState(s) for s in config.servers]
        self.mode = ""  # direct | search, once decided
        self.budget_tokens = 0
        self._waited = False

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        for st in self.servers:
            st.started = time.monotonic()
            st.thread = threading.Thread(
                target=self._start_one, args=(st,), daemon=True, name=f"mcp-start-{st.spec.name}"
            )
            st.thread.start()

    def _start_one(self, st: ServerState) -> None:
        spec = st.spec
        try:
            conn = make_connection(spec, self.root, self.client)
            st.conn = conn
            conn.start(spec.startup_timeout)
            raw = conn.list_tools(spec.startup_timeout)
            st.tools = [t for t in (_tool(spec.name, r) for r in raw) if t and spec.wants(t.name)]
            if st.state == "starting":
                st.state = "ready"
        except McpTimeout:
            st.error = f"not ready within {spec.startup_timeout:g}s (startup_timeout_sec)"
            st.state = "timeout" if st.state == "starting" else st.state
        except McpError as exc:
            st.error = str(exc)
            st.state = "failed" if st.state == "starting" else st.state
        except Exception as exc:  # a broken server must never break the session
            st.error = f"{type(exc).__name__}: {exc}"
            st.state = "failed" if st.state == "starting" else st.state
        st.ms = (time.monotonic() - st.started) * 1000
        if st.state != "ready" and st.conn is not None:
            diag = st.conn.diagnostics().strip().splitlines()
            if diag and st.state == "failed" and diag[-1] not in st.error:
                st.error = f"{st.error} ({diag[-1][:200]})"
            st.conn.close()

    def wait(self) -> None:
        """Before the first request: each server gets the rest of its startup timeout."""
        if self._waited:
            return
        self._waited = True
        for st in self.servers:
            if st.thread is None:
                continue
            left = st.started + st.spec.startup_timeout + 0.5 - time.monotonic()
            st.thread.join(max(0.0, left))
            if st.state == "starting":
                st.state = "timeout"
                st.error = f"not ready within {st.spec.startup_timeout:g}s (startup_timeout_sec)"
                conn = st.conn
                if conn is not None:
                    threading.Thread(target=conn.close, daemon=True).start()
            if st.state != "ready":
                self._notice(f"MCP server {st.spec.name} left out: {st.error}")

    def close(self) -> None:
        """Stop every server, also one still starting (a session closed before its first
        task): its start-up thread then finds it closed and leaves it so."""
        for st in self.servers:
            was = st.state
            if was in ("ready", "starting"):
                st.state = "closed"
            if st.conn is not None and was in ("ready", "starting"):
                st.conn.close()

    def _notice(self, text: str) -> None:
        if self.events is not None:
            self.events.emit("notice", message=text)

    # ------------------------------------------------------------------ tools

    def ready(self) -> list[ServerState]:
        return [s for s in self.servers if s.state in ("ready", "closed") and s.conn is not None]

    def tools(self) -> list[McpTool]:
        return [t for s in self.ready() for t in s.tools]

    def choose_mode(self, window: int, share: float) -> str:
        """direct (each tool offered) when the schemas fit in ``share`` of the window, else
        search (mcp_search + mcp_call). Decided once."""
        if not self.mode:
            self.budget_tokens = int(window * share)
            cost = sum(t.tokens for t in self.tools())
            self.mode = "direct" if cost <= self.budget_tokens else "search"
        return self.mode

    def find(self, server: str, tool: str) -> McpTool | None:
        """A tool by server and name (also by its full mcp__ name, case-insensitive)."""
        want = tool.strip()
        for t in self.tools():
            if want in (t.full, t.name) and (not server or t.server == server):
                return t
        low = want.lower()
        for t in self.tools():
            if low in (t.full.lower(), t.name.lower()) and (
                not server or t.server.lower() == server.lower()
            ):
                return t
        return None

    def call(self, tool: McpTool, arguments: dict[str, Any]) -> tuple[bool, str]:
        """(ok, text) of one call; the server validates the arguments."""
        st = next((s for s in self.servers if s.spec.name == tool.server), None)
        if st is None or st.conn is None or st.state != "ready":
            return False, f"the MCP server {tool.server} is not running"
        try:
            result = st.conn.call_tool(tool.name, arguments, st.spec.tool_timeout)
        except McpError as exc:
            return False, f"{tool.full}: {exc}"
        return format_result(result)

    def status(self) -> list[dict[str, Any]]:
        rows = []
        for st in self.servers:
            rows.append(
                {
                    "name": st.spec.name,
                    "state": st.state,
                    "transport": st.spec.transport,
                    "scope": st.spec.scope,
                    "source": st.spec.source,
                    "tools": [t.full for t in st.tools],
                    "tokens": sum(t.tokens for t in st.tools),
                    "ms": round(st.ms),
                    "error": st.error,
                }
            )
        for spec in self.config.skipped:
            why = spec.problem or ("not trusted" if not spec.trusted else "disabled")
            rows.append(
                {
                    "name": spec.name,
                    "state": "skipped",
                    "transport": spec.transport,
                    "scope": spec.scope,
                    "source": spec.source,
                    "tools": [],
                    "tokens": 0,
                    "ms": 0,
                    "error": why,
                }
            )
        return rows


def _tool(server: str, raw: dict[str, Any]) -> McpTool | None:
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        return None
    ann = raw.get("annotations")
    annotations = ann if isinstance(ann, dict) else {}
    description = short(raw.get("description") or raw.get("title") or name, MAX_TOOL_DESCRIPTION)
    return McpTool(
        server=server,
        name=name,
        full=mcp_tool_name(server, name),
        description=description,
        parameters=project_tool_schema(raw.get("inputSchema")),
        read_only=annotations.get("readOnlyHint") is True,
    )


def format_result(result: dict[str, Any]) -> tuple[bool, str]:
    """A ``tools/call`` result as text: images and audio described, not sent."""
    parts: list[str] = []
    for item in result.get("content") or []:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind == "text":
            parts.append(str(item.get("text") or ""))
        elif kind in ("image", "audio"):
            size = len(str(item.get("data") or "")) * 3 // 4
            mime = item.get("mimeType") or kind
            parts.append(f"[{kind} {mime}, {size:,} bytes: not shown to a text model]")
        elif kind == "resource":
            resource = item.get("resource")
            res = resource if isinstance(resource, dict) else {}
            uri = res.get("uri", "")
            if isinstance(res.get("text"), str):
                parts.append(f"[resource {uri}]\n{res['text']}")
            else:
                parts.append(f"[resource {uri} ({res.get('mimeType', 'binary')}): not shown]")
        elif kind == "resource_link":
            parts.append(f"[link {item.get('uri', '')} {item.get('name', '')}]".rstrip())
        else:
            parts.append(f"[{kind} content: not shown]")
    if not any(p.strip() for p in parts) and "structuredContent" in result:
        parts = [json.dumps(result["structuredContent"], ensure_ascii=False)]
    text = "\n".join(parts).strip() or "(no output)"
    if len(text) > MAX_RESULT_CHARS:
        text = text[:MAX_RESULT_CHARS] + f"\n[... {len(text) - MAX_RESULT_CHARS:,} characters cut]"
    return result.get("isError") is not True, text
