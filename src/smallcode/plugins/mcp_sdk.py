"""The official ``mcp`` SDK behind the same interface (the optional extra ``smallcode[mcp]``).

Imported only when a server uses it (``SMALLCODE_MCP_CLIENT=sdk``, or an HTTP server with
the SDK installed): the import costs about half a second. The SDK is asynchronous, so each
connection gets a thread with its own event loop; the agent's calls are handed to it and
waited for. The server's stderr goes to a temporary file (its last lines explain a failure),
never to the terminal.
"""

from __future__ import annotations

import concurrent.futures
import tempfile
import threading
from pathlib import Path
from typing import Any

from smallcode.plugins.mcp_client import CLIENT_INFO, INHERITED_ENV, McpError, McpTimeout


class SdkClient:
    def __init__(self, spec: Any, root: Path) -> None:
        self.name: str = spec.name
        self.spec = spec
        self.root = Path(root)
        self._loop: Any = None
        self._queue: Any = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()  # closed while starting: end once connected
        self._errlog = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115  (lives with the connection)

    # ------------------------------------------------------------------ lifecycle

    def start(self, timeout: float) -> dict[str, Any]:
        import asyncio

        self._loop = asyncio.new_event_loop()
        ready: concurrent.futures.Future[dict[str, Any]] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), daemon=True, name=f"mcp-sdk-{self.name}"
        )
        self._thread.start()
        try:
            return ready.result(timeout)
        except concurrent.futures.TimeoutError:
            self.close()
            raise McpTimeout(f"not ready within {timeout:g}s") from None
        except McpError:
            raise
        except Exception as exc:
            raise McpError(_reason(exc)) from None

    def close(self) -> None:
        self._stop.set()
        loop, queue = self._loop, self._queue
        if loop is not None and queue is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(queue.put_nowait, None)
            except RuntimeError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=3.0)
        self._queue = None

    def diagnostics(self) -> str:
        try:
            self._errlog.seek(0)
            lines = [x.rstrip() for x in self._errlog.read().splitlines() if x.strip()]
        except (OSError, ValueError):
            return ""
        return "\n".join(lines[-20:])

    # ------------------------------------------------------------------ requests

    def list_tools(self, timeout: float) -> list[dict[str, Any]]:
        async def go(client: Any) -> list[dict[str, Any]]:
            tools: list[dict[str, Any]] = []
            cursor = None
            for _ in range(100):
                page = await client.list_tools(cursor=cursor)
                tools += [t.model_dump(by_alias=True, exclude_none=True) for t in page.tools]
                cursor = page.next_cursor
                if not cursor:
                    break
            return tools

        return self._submit(go, timeout)

    def call_tool(self, name: str, arguments: dict[str, Any], timeout: float) -> dict[str, Any]:
        async def go(client: Any) -> dict[str, Any]:
            result = await client.call_tool(name, arguments, read_timeout_seconds=timeout)
            return result.model_dump(by_alias=True, exclude_none=True)

        return self._submit(go, timeout + 1.0)

    def _submit(self, fn: Any, timeout: float) -> Any:
        if self._queue is None or self._loop is None:
            raise McpError("the connection is closed")
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._loop.call_soon_threadsafe(self._queue.put_nowait, (fn, fut))
        try:
            return fut.result(timeout)
        except concurrent.futures.TimeoutError:
            raise McpTimeout(f"no answer within {timeout:g}s") from None
        except McpError:
            raise
        except Exception as exc:
            raise McpError(_reason(exc)) from None

    # ------------------------------------------------------------------ the loop thread

    def _run(self, ready: concurrent.futures.Future[dict[str, Any]]) -> None:
        import asyncio

        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main(ready))
        except BaseException as exc:  # the thread must end quietly, whatever happened
            if not ready.done():
                ready.set_exception(McpError(_reason(exc)))
        finally:
            self._loop.close()

    def _transport(self) -> Any:
        import os

        spec = self.spec
        if spec.transport == "stdio":
            from mcp.client.stdio import StdioServerParameters, stdio_client

            env = {k: v for k, v in os.environ.items() if k in INHERITED_ENV}
            env.update(spec.env)
            cwd = Path(spec.cwd).expanduser() if spec.cwd else self.root
            params = StdioServerParameters(
                command=spec.command,
                args=list(spec.args),
                env=env,
                cwd=str(cwd if cwd.is_absolute() else self.root / cwd),
            )
            return stdio_client(params, errlog=self._errlog)
        import httpx2
        from mcp.client.streamable_http import streamable_http_client

        http = httpx2.AsyncClient(headers=dict(spec.headers), timeout=spec.tool_timeout)
        return streamable_http_client(spec.url, http_client=http)

    async def _main(self, ready: concurrent.futures.Future[dict[str, Any]]) -> None:
        import asyncio

        from mcp import Client
        from mcp.types import Implementation

        self._queue = asyncio.Queue()
        info = Implementation(name=CLIENT_INFO["name"], version=CLIENT_INFO["version"])
        async with Client(self._transport(), client_info=info, mode="legacy") as client:
            server = client.server_info
            ready.set_result(
                {
                    "protocolVersion": client.protocol_version,
                    "serverInfo": server.model_dump(exclude_none=True) if server else {},
                }
            )
            while not self._stop.is_set():
                try:
                    item = await asyncio.wait_for(self._queue.get(), 0.5)
                except TimeoutError:
                    continue
                if item is None:
                    return
                fn, fut = item
                try:
                    fut.set_result(await fn(client))
                except Exception as exc:
                    fut.set_exception(exc)


def _reason(exc: BaseException) -> str:
    """One line from an SDK exception (exception groups unwrapped)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
