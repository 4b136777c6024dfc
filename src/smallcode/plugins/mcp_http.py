"""A small MCP client over streamable HTTP (httpx2, already a dependency).

Each JSON-RPC message is a POST to the server's URL with ``Accept: application/json,
text/event-stream``; the answer is a JSON body or a server-sent-event stream holding it. The
``Mcp-Session-Id`` the server gives at ``initialize`` goes with every later request, and the
session is ended with a DELETE on close. The declared ``headers`` (an ``Authorization``
token, ...) go with every request. OAuth flows are left to the SDK (``smallcode[mcp]``).
"""

from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path
from typing import Any

from smallcode.plugins.mcp_client import (
    PROTOCOL_VERSION,
    McpError,
    McpTimeout,
    ToolMethods,
    answer_server_request,
    error_text,
    initialize_params,
)


class HttpClient(ToolMethods):
    def __init__(self, spec: Any, root: Path) -> None:
        self.name: str = spec.name
        self.spec = spec
        self.root = Path(root)
        self.client: Any = None
        self.session_id = ""
        self.protocol = PROTOCOL_VERSION
        self._lock = threading.Lock()
        self._next = 0
        self._last_error = ""

    def start(self, timeout: float) -> dict[str, Any]:
        from smallcode.llm.httpcommon import make_client

        self.client = make_client(dict(self.spec.headers), timeout, url=self.spec.url)
        result = self.request("initialize", initialize_params(), timeout)
        self.protocol = str(result.get("protocolVersion") or PROTOCOL_VERSION)
        self._post({"jsonrpc": "2.0", "method": "notifications/initialized"}, timeout, None)
        return result

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        if self.session_id:
            try:
                client.delete(self.spec.url, headers=self._headers(), timeout=2.0)
            except Exception:  # the server may be gone already
                pass
        client.close()

    def diagnostics(self) -> str:
        return self._last_error

    def request(self, method: str, params: dict[str, Any], timeout: float) -> dict[str, Any]:
        with self._lock:
            self._next += 1
            rid = self._next
        msg = self._post(
            {"jsonrpc": "2.0", "id": rid, "method": method, "params": params}, timeout, rid
        )
        if msg is None:
            raise McpError(f"{method}: the server sent no answer")
        if "error" in msg:
            raise McpError(f"{method}: {error_text(msg['error'])}")
        result = msg.get("result")
        return result if isinstance(result, dict) else {}

    # ------------------------------------------------------------------ HTTP

    def _headers(self) -> dict[str, str]:
        h = {
            "Accept": "application/json, text/event-stream",
            "Content-Type": "application/json",
            "MCP-Protocol-Version": self.protocol,
        }
        if self.session_id:
            h["Mcp-Session-Id"] = self.session_id
        return h

    def _post(self, msg: dict[str, Any], timeout: float, rid: int | None) -> dict[str, Any] | None:
        if self.client is None:
            raise McpError("the connection is closed")
        import httpx2

        body = json.dumps(msg).encode()
        try:
            with self.client.stream(
                "POST", self.spec.url, content=body, headers=self._headers(), timeout=timeout
            ) as r:
                sid = r.headers.get("mcp-session-id")
                if sid:
                    self.session_id = sid
                if r.status_code == 202 or rid is None:
                    return None
                if r.status_code >= 400:
                    text = r.read().decode("utf-8", "replace")[:300]
                    self._last_error = f"HTTP {r.status_code}: {text}"
                    raise McpError(f"HTTP {r.status_code} from {self.spec.url}: {text.strip()}")
                if "text/event-stream" in r.headers.get("content-type", ""):
                    return self._from_events(r.iter_lines(), rid, timeout)
                data = json.loads(r.read() or b"{}")
        except httpx2.TimeoutException:
            raise McpTimeout(f"{msg.get('method')} got no answer within {timeout:g}s") from None
        except httpx2.HTTPError as exc:
            self._last_error = str(exc)
            raise McpError(f"cannot reach {self.spec.url}: {exc}") from None
        except ValueError:
            raise McpError(f"{self.spec.url} answered with something that is not JSON") from None
        if isinstance(data, list):  # a batch
            data = next((m for m in data if isinstance(m, dict) and m.get("id") == rid), None)
        return data if isinstance(data, dict) else None

    def _from_events(self, lines: Any, rid: int, timeout: float) -> dict[str, Any] | None:
        data: list[str] = []
        for line in itertools.chain(
            lines, [""]
        ):  # a stream may end without the blank line after its event
            if line.startswith("data:"):
                data.append(line[5:].lstrip())
                continue
            if line.strip() or not data:
                continue
            text, data = "\n".join(data), []
            try:
                msg = json.loads(text)
            except ValueError:
                continue
            if not isinstance(msg, dict):
                continue
            if msg.get("id") == rid and ("result" in msg or "error" in msg):
                return msg
            if "method" in msg and "id" in msg:  # a request from the server (ping, roots)
                self._answer(msg, timeout)
        return None

    def _answer(self, msg: dict[str, Any], timeout: float) -> None:
        result, err = answer_server_request(str(msg["method"]), self.root.as_uri())
        reply: dict[str, Any] = {"jsonrpc": "2.0", "id": msg["id"]}
        if result is not None:
            reply["result"] = result
        else:
            reply["error"] = {"code": -32601, "message": err}
        threading.Thread(target=self._reply, args=(reply, timeout), daemon=True).start()

    def _reply(self, reply: dict[str, Any], timeout: float) -> None:
        try:
            self._post(reply, timeout, None)
        except McpError:
            pass
