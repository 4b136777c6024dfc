"""The interface every MCP connection implements, and what the clients share.

Three implementations: ``mcp_stdio.StdioClient`` (stdlib: a subprocess speaking newline
JSON-RPC, no import cost), ``mcp_http.HttpClient`` (streamable HTTP over httpx2) and
``mcp_sdk.SdkClient`` (the official ``mcp`` SDK, the optional extra ``smallcode[mcp]``).
``SMALLCODE_MCP_CLIENT`` chooses: ``auto`` (the stdlib client for stdio servers, the SDK for
HTTP ones when installed, else the built-in HTTP client), ``builtin`` or ``sdk``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Protocol

from smallcode._version import __version__

PROTOCOL_VERSION = "2025-06-18"
CLIENT_INFO = {"name": "smallcode", "version": __version__}
# The environment a stdio server sees besides its declared ``env`` (the SDK's choice): no
# API keys of the user's shell leak to servers.
INHERITED_ENV = ("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "LANG", "LC_ALL", "TMPDIR")


class McpError(Exception):
    """A server that cannot start, answers with an error, or does not answer in time."""


class McpTimeout(McpError):
    """No answer in time."""


class McpConnection(Protocol):
    name: str

    def start(self, timeout: float) -> dict[str, Any]:
        """Spawn or connect and initialize; returns the server's initialize result."""
        ...

    def list_tools(self, timeout: float) -> list[dict[str, Any]]:
        """Every tool (pagination followed): name, description, inputSchema, annotations."""
        ...

    def call_tool(self, name: str, arguments: dict[str, Any], timeout: float) -> dict[str, Any]:
        """The raw result: content, isError, structuredContent."""
        ...

    def close(self) -> None: ...

    def diagnostics(self) -> str:
        """The last lines the server wrote to stderr (or '' )."""
        ...


class ToolMethods(ABC):
    """``tools/list`` (all pages, bounded) and ``tools/call`` over a client's ``request``:
    the same for every transport of the built-in clients."""

    @abstractmethod
    def request(self, method: str, params: dict[str, Any], timeout: float) -> dict[str, Any]:
        """One JSON-RPC request and its ``result`` (each transport sends it its own way)."""

    def list_tools(self, timeout: float) -> list[dict[str, Any]]:
        tools: list[dict[str, Any]] = []
        cursor = None
        for _ in range(100):  # pages, bounded
            params: dict[str, Any] = {"cursor": cursor} if cursor else {}
            page = self.request("tools/list", params, timeout)
            tools += [t for t in page.get("tools") or [] if isinstance(t, dict)]
            cursor = page.get("nextCursor")
            if not cursor:
                break
        return tools

    def call_tool(self, name: str, arguments: dict[str, Any], timeout: float) -> dict[str, Any]:
        return self.request("tools/call", {"name": name, "arguments": arguments}, timeout)


def initialize_params() -> dict[str, Any]:
    return {
        "protocolVersion": PROTOCOL_VERSION,
        "capabilities": {"roots": {"listChanged": False}},
        "clientInfo": dict(CLIENT_INFO),
    }


def answer_server_request(method: str, root_uri: str) -> tuple[dict[str, Any] | None, str]:
    """(result, "") for requests a server may send us, or (None, error message)."""
    if method == "ping":
        return {}, ""
    if method == "roots/list":
        return {"roots": [{"uri": root_uri, "name": "project"}]}, ""
    return None, f"method {method} is not supported by this client"


def error_text(error: Any) -> str:
    if isinstance(error, dict):
        msg = str(error.get("message") or "error")
        code = error.get("code")
        return f"{msg} (code {code})" if code is not None else msg
    return str(error)


def make_connection(spec: Any, root: Any, choice: str = "auto") -> McpConnection:
    """The client for one server spec (mcp_config.ServerSpec). Raises McpError when the
    chosen client cannot be used (the SDK not installed)."""
    choice = (choice or "auto").strip().lower()
    if choice not in ("auto", "builtin", "sdk"):
        raise McpError(
            f"SMALLCODE_MCP_CLIENT={choice!r} is not valid: expected auto, builtin or sdk"
        )
    use_sdk = choice == "sdk" or (choice == "auto" and spec.transport == "http" and sdk_installed())
    if use_sdk:
        if not sdk_installed():
            raise McpError("the mcp SDK is not installed: pip install 'smallcode[mcp]'")
        from smallcode.plugins.mcp_sdk import SdkClient

        return SdkClient(spec, root)
    if spec.transport == "stdio":
        from smallcode.plugins.mcp_stdio import StdioClient

        return StdioClient(spec, root)
    from smallcode.plugins.mcp_http import HttpClient

    return HttpClient(spec, root)


def sdk_installed() -> bool:
    from importlib.util import find_spec

    try:
        return find_spec("mcp") is not None and find_spec("mcp.client.streamable_http") is not None
    except (ImportError, ValueError):
        return False
