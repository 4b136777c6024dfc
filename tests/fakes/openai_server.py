"""A fake OpenAI-compatible model server for tests: real HTTP on 127.0.0.1 (port 0).

It plays a *policy*: a function from the request (and the server's request count) to a
FakeReply. Policies can be scripted (a list of replies in order) or reactive (look at the last
tool result, like a model would). Replies stream as SSE (content in small pieces, tool-call
arguments split across chunks) or come back as one JSON document when stream is false.

Faults: a FakeReply with ``fault="500"`` answers HTTP 500, ``fault="cut"`` ends the stream
without [DONE] or finish_reason, ``fault="drop"`` closes the connection before any byte.
``fault="stall"`` reads the request and sends nothing (for ``stall_s`` seconds at most, or until
the client hangs up); ``fault="stall_mid"`` sends half the reply, then stalls the same way.
``retry_after`` adds a ``Retry-After`` header to an error answer (e.g. ``fault="429"``).
``server.hangups`` counts stalls the client ended by closing the connection.

    with FakeOpenAIServer(script([tool("write_file", path="a.py", content="x"), text("done")])) as srv:
        ... srv.base_url ... srv.requests ...
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http import FakeHandler, FakeHTTPServer


@dataclass
class FakeCall:
    name: str
    arguments: dict[str, Any] | str  # a str is sent verbatim (e.g. broken JSON)


@dataclass
class FakeReply:
    content: str = ""
    calls: list[FakeCall] = field(default_factory=list)
    reasoning: str = ""
    finish_reason: str | None = None  # default: tool_calls when there are calls, else stop
    fault: str | None = None  # "500" | "cut" | "drop" | "400" | "404" | "401" | "429" | "stall"
    retry_after: str | None = None  # Retry-After header value of an error answer
    stall_s: float = 30.0  # how long "stall" / "stall_mid" wait at most
    prompt_tokens: int | None = None
    completion_tokens: int = 10


Policy = Callable[[dict[str, Any], int], FakeReply]


def text(content: str, **kw: Any) -> FakeReply:
    return FakeReply(content=content, **kw)


def tool(name: str, _content: str = "", **arguments: Any) -> FakeReply:
    return FakeReply(content=_content, calls=[FakeCall(name, arguments)])


def calls(*pairs: tuple[str, dict[str, Any]], content: str = "") -> FakeReply:
    return FakeReply(content=content, calls=[FakeCall(n, a) for n, a in pairs])


def script(replies: list[FakeReply], repeat_last: bool = True) -> Policy:
    """Replies in order; faulted replies consume a step too."""

    def policy(body: dict[str, Any], n: int) -> FakeReply:
        if n < len(replies):
            return replies[n]
        return replies[-1] if repeat_last else text("(script exhausted)")

    return policy


def last_tool_result(body: dict[str, Any]) -> str:
    """The content of the last tool (or tool-results) message in a request."""
    for m in reversed(body.get("messages", [])):
        if m.get("role") == "tool":
            return m.get("content") or ""
        if m.get("role") == "user":
            c = m.get("content") or ""
            return c if "result]" in c else ""
    return ""


class FakeOpenAIServer(FakeHTTPServer):
    def __init__(self, policy: Policy, *, n_ctx: int = 8192, model: str = "fake-model") -> None:
        self.policy = policy
        self.n_ctx = n_ctx
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.hangups = 0
        self._stopping = threading.Event()
        self.bind()

    def stop(self) -> None:
        self._stopping.set()
        super().stop()

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    # ------------------------------------------------------------------ HTTP

    def handler_class(self) -> type[FakeHandler]:
        server = self

        class Handler(FakeHandler):
            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self.send_json(
                        200,
                        {
                            "object": "list",
                            "data": [
                                {
                                    "id": server.model,
                                    "object": "model",
                                    "max_model_len": server.n_ctx,
                                }
                            ],
                        },
                    )
                elif self.path.startswith("/props"):
                    self.send_json(
                        200,
                        {
                            "default_generation_settings": {"n_ctx": server.n_ctx},
                            "n_ctx": server.n_ctx,
                        },
                    )
                else:
                    self.send_json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                body = self.read_json()
                if not self.path.endswith("/chat/completions"):
                    self.send_json(404, {"error": {"message": f"unknown path {self.path}"}})
                    return
                with server.lock:
                    n = len(server.requests)
                    server.requests.append(body)
                reply = server.policy(body, n)
                if reply.fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if reply.fault == "stall":
                    self._stall(reply.stall_s)
                    return
                if reply.fault and reply.fault.isdigit():
                    code = int(reply.fault)
                    msg = {
                        404: f"model '{body.get('model')}' not found",
                        401: "invalid api key",
                        429: "rate limit reached, slow down",
                    }.get(code, "internal error")
                    data = json.dumps({"error": {"message": msg}}).encode()
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    if reply.retry_after is not None:
                        self.send_header("Retry-After", reply.retry_after)
                    self.end_headers()
                    self.wfile.write(data)
                    return
                prompt_tokens = reply.prompt_tokens or max(1, len(json.dumps(body)) // 4)
                if body.get("stream"):
                    self._stream(reply, prompt_tokens)
                else:
                    self.send_json(200, _completion(reply, server.model, prompt_tokens))

            def _stream(self, reply: FakeReply, prompt_tokens: int) -> None:
                self.start_sse()
                chunks = _sse_chunks(reply, server.model, prompt_tokens)
                if reply.fault == "stall_mid":
                    for chunk in chunks[: max(2, len(chunks) // 2)]:
                        self.send_sse(chunk)
                    self._stall(reply.stall_s)
                    return
                for chunk in chunks:
                    if chunk is None:  # "cut": stop mid-stream
                        self.wfile.flush()
                        return
                    self.send_sse(chunk)
                self.send_sse_done()

            def _stall(self, seconds: float) -> None:
                """Send nothing until ``seconds`` pass, the server stops or the client hangs up."""
                import select
                import time

                end = time.monotonic() + seconds
                while time.monotonic() < end and not server._stopping.is_set():
                    ready, _, _ = select.select([self.connection], [], [], 0.05)
                    if ready and not self.connection.recv(1, socket.MSG_PEEK):
                        with server.lock:
                            server.hangups += 1
                        break
                self.close_connection = True

        return Handler


def _args_text(call: FakeCall) -> str:
    return call.arguments if isinstance(call.arguments, str) else json.dumps(call.arguments)


def _finish(reply: FakeReply) -> str:
    return reply.finish_reason or ("tool_calls" if reply.calls else "stop")


def _completion(reply: FakeReply, model: str, prompt_tokens: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content or None}
    if reply.reasoning:
        message["reasoning_content"] = reply.reasoning
    if reply.calls:
        message["tool_calls"] = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": c.name, "arguments": _args_text(c)},
            }
            for i, c in enumerate(reply.calls)
        ]
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": _finish(reply)}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": prompt_tokens + reply.completion_tokens,
        },
    }


def _sse_chunks(reply: FakeReply, model: str, prompt_tokens: int) -> list[dict[str, Any] | None]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    out: list[dict[str, Any] | None] = [chunk({"role": "assistant"})]
    for i in range(0, len(reply.reasoning), 7):
        out.append(chunk({"reasoning_content": reply.reasoning[i : i + 7]}))
    for i in range(0, len(reply.content), 5):
        out.append(chunk({"content": reply.content[i : i + 5]}))
    for idx, c in enumerate(reply.calls):
        args = _args_text(c)
        out.append(
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": idx,
                            "id": f"call_{idx}",
                            "type": "function",
                            "function": {"name": c.name, "arguments": ""},
                        }
                    ]
                }
            )
        )
        for j in range(0, len(args), 9):
            out.append(
                chunk({"tool_calls": [{"index": idx, "function": {"arguments": args[j : j + 9]}}]})
            )
    if reply.fault == "cut":
        return [*out[: max(2, len(out) // 2)], None]
    out.append(chunk({}, _finish(reply)))
    out.append(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "model": model,
            "choices": [],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "total_tokens": prompt_tokens + reply.completion_tokens,
            },
        }
    )
    return out
