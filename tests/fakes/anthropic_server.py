"""A fake Anthropic Messages API on 127.0.0.1 (port 0): SSE streaming, tools, error shapes.

``POST /v1/messages`` checks what the real API checks and answers with its error shape
``{"type": "error", "error": {"type": ..., "message": ...}}``:
- missing or wrong ``x-api-key`` -> 401 authentication_error;
- missing ``anthropic-version`` or ``max_tokens``, a first turn that is not ``user``,
  two turns of one role in a row, a ``tool_result`` whose id was not in the previous
  assistant turn -> 400 invalid_request_error;
- unknown model -> 404 not_found_error.

Replies come from ``script`` (dicts with ``content``, ``thinking``, ``tool_calls``,
``stop_reason``, or ``status``/``error_type``/``message`` for an HTTP error, or
``stream_error`` for an SSE ``error`` event mid-stream). Empty script: echo the last user text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http import FakeHandler, FakeHTTPServer, QuietServer


def _err(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


@dataclass
class FakeAnthropic(FakeHTTPServer):
    api_key: str = "sk-ant-test-0123456789"
    models: tuple[str, ...] = ("claude-sonnet-4-5", "claude-haiku-4-5")
    script: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _server: QuietServer | None = None

    def handler_class(self) -> type[FakeHandler]:
        fake = self

        class Handler(FakeHandler):
            def do_POST(self) -> None:
                raw = self.read_body()
                if self.path != "/v1/messages":
                    self.send_json(404, _err("not_found_error", "Not Found"))
                    return
                if self.headers.get("x-api-key") != fake.api_key:
                    self.send_json(401, _err("authentication_error", "invalid x-api-key"))
                    return
                try:
                    body = json.loads(raw)
                except ValueError:
                    self.send_json(400, _err("invalid_request_error", "invalid JSON body"))
                    return
                fake.requests.append(body)
                problem = fake.validate(body, self.headers)
                if problem:
                    self.send_json(*problem)
                    return
                fake.reply(self, body)

        return Handler

    def validate(self, body: dict[str, Any], headers: Any) -> tuple[int, dict[str, Any]] | None:
        bad = "invalid_request_error"
        if not headers.get("anthropic-version"):
            return 400, _err(bad, "anthropic-version: header is required")
        if body.get("model") not in self.models:
            return 404, _err("not_found_error", f"model: {body.get('model')}")
        if not isinstance(body.get("max_tokens"), int):
            return 400, _err(bad, "max_tokens: Field required")
        msgs = body.get("messages") or []
        if not msgs or msgs[0]["role"] != "user":
            return 400, _err(bad, "messages: first message must use the 'user' role")
        prev_ids: set[str] = set()
        for i, m in enumerate(msgs):
            if i and msgs[i - 1]["role"] == m["role"]:
                return 400, _err(bad, f"messages.{i}: roles must alternate")
            blocks = m["content"] if isinstance(m["content"], list) else []
            for b in blocks:
                if b.get("type") == "tool_result" and b.get("tool_use_id") not in prev_ids:
                    return 400, _err(bad, f"messages.{i}: unexpected tool_use_id")
            prev_ids = {b["id"] for b in blocks if b.get("type") == "tool_use"}
        return None

    def reply(self, h: FakeHandler, body: dict[str, Any]) -> None:
        reply = self.script.pop(0) if self.script else {}
        if "status" in reply:
            h.send_json(
                reply["status"],
                _err(reply.get("error_type", "api_error"), reply.get("message", "error")),
            )
            return
        if not reply:
            last = body["messages"][-1]["content"]
            text = next((b["text"] for b in last if b.get("type") == "text"), "")
            reply = {"content": f"echo: {text}"}
        h.start_chunked("text/event-stream")

        def send(event: str, data: dict[str, Any]) -> None:
            h.send_chunk(
                f"event: {event}\ndata: {json.dumps({'type': event, **data})}\n\n".encode()
            )

        usage = {"input_tokens": 25, "output_tokens": 1, "cache_read_input_tokens": 5}
        send("message_start", {"message": {"id": "msg_1", "role": "assistant", "usage": usage}})
        send("ping", {})
        index = 0
        if reply.get("thinking"):
            send("content_block_start", {"index": index, "content_block": {"type": "thinking"}})
            delta = {"type": "thinking_delta", "thinking": reply["thinking"]}
            send("content_block_delta", {"index": index, "delta": delta})
            send("content_block_stop", {"index": index})
            index += 1
        if reply.get("content"):
            text = reply["content"]
            send(
                "content_block_start",
                {"index": index, "content_block": {"type": "text", "text": ""}},
            )
            for i in range(0, len(text), 6):
                delta = {"type": "text_delta", "text": text[i : i + 6]}
                send("content_block_delta", {"index": index, "delta": delta})
            send("content_block_stop", {"index": index})
            index += 1
        if reply.get("stream_error"):
            send("error", {"error": {"type": "overloaded_error", "message": reply["stream_error"]}})
            h.end_chunked()
            return
        for n, call in enumerate(reply.get("tool_calls") or []):
            block = {"type": "tool_use", "id": f"toolu_{n}", "name": call["name"], "input": {}}
            send("content_block_start", {"index": index, "content_block": block})
            args = json.dumps(call.get("arguments", {}))
            half = len(args) // 2
            for piece in (args[:half], args[half:]):
                delta = {"type": "input_json_delta", "partial_json": piece}
                send("content_block_delta", {"index": index, "delta": delta})
            send("content_block_stop", {"index": index})
            index += 1
        stop = reply.get("stop_reason") or ("tool_use" if reply.get("tool_calls") else "end_turn")
        send("message_delta", {"delta": {"stop_reason": stop}, "usage": {"output_tokens": 12}})
        send("message_stop", {})
        h.end_chunked()
