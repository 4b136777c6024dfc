"""HTTP plumbing shared by the fake servers: a quiet threading server on 127.0.0.1 (port 0),
its start/stop/with lifecycle, and handler helpers for JSON bodies, JSON answers, SSE events
and chunked streams (NDJSON or SSE).

A fake subclasses ``FakeHTTPServer`` and returns its request handler (a ``FakeHandler``
subclass) from ``handler_class()``; ``url`` is ``http://127.0.0.1:<port>`` once bound.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class QuietServer(ThreadingHTTPServer):
    """A threading server that does not print a traceback when a client hangs up."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class FakeHTTPServer:
    """Lifecycle of a fake server: ``bind()``, ``start()``, ``stop()`` and ``with``."""

    url: str = ""
    _server: QuietServer | None = None

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def bind(self) -> QuietServer:
        """Open the listening socket (once); ``url`` and ``port`` are known from then on."""
        if self._server is None:
            self._server = QuietServer(("127.0.0.1", 0), self.handler_class())
            self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self._server

    @property
    def port(self) -> int:
        return self.bind().server_address[1]

    def start(self) -> Self:
        server = self.bind()
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class FakeHandler(BaseHTTPRequestHandler):
    """HTTP/1.1, no access log, and helpers to read and answer JSON and to stream."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length)

    def read_json(self) -> Any:
        """The request body as JSON (``{}`` when empty); raises ValueError when it is not."""
        return json.loads(self.read_body() or b"{}")

    def send_text(self, status: int, text: str, ctype: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status: int, obj: Any) -> None:
        self.send_text(status, json.dumps(obj), "application/json")

    # SSE until the connection closes (OpenAI style: ``data: {...}`` lines, then [DONE])

    def start_sse(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def send_sse(self, obj: Any) -> None:
        self.wfile.write(f"data: {json.dumps(obj)}\n\n".encode())
        self.wfile.flush()

    def send_sse_done(self) -> None:
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    # chunked transfer (Ollama NDJSON, Anthropic SSE events)

    def start_chunked(self, ctype: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def send_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def end_chunked(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
