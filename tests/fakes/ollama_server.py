"""A fake Ollama server on 127.0.0.1 (port 0) that speaks the native API over real HTTP.

Routes: ``GET /`` ("Ollama is running"), ``GET /api/version``, ``GET /api/tags``,
``GET /api/ps``, ``POST /api/show``, ``POST /api/chat`` (NDJSON streaming or one JSON object).

It behaves like Ollama where it matters to SmallCode:
- unknown model -> 404 ``{"error": "model \"x\" not found, try pulling it first"}``;
- tools sent to a model without the "tools" capability -> 400 ``... does not support tools``;
- a prompt longer than ``num_ctx`` is cut from the front silently: ``prompt_eval_count``
  reports what was kept (tokens are counted as chars/4, like the client's estimate);
- a changed ``options.num_ctx`` between requests counts as a model reload (``reloads``).

Replies come from a script: a list of dicts (``{"content": ...}``, ``{"tool_calls": [...]}``,
``{"thinking": ...}``, ``{"status": 500, "error": "..."}``, ``{"stream_error": "..."}``) or
callables ``f(request_body) -> dict``. When the script is empty the server echoes the last
user message.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http import FakeHandler, FakeHTTPServer, QuietServer

__all__ = ["FakeModel", "FakeOllama", "QuietServer", "Reply"]

Reply = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class FakeModel:
    name: str
    context_length: int = 32768
    arch: str = "qwen2"
    tools: bool = True
    parameters: str = ""
    block_count: int = 24
    head_count: int = 14
    head_count_kv: int = 2
    embedding_length: int = 896

    def show(self) -> dict[str, Any]:
        caps = ["completion"] + (["tools"] if self.tools else [])
        return {
            "modelfile": f"FROM {self.name}",
            "parameters": self.parameters,
            "template": "{{ .Prompt }}",
            "details": {"family": self.arch, "parameter_size": "0.5B"},
            "model_info": {
                "general.architecture": self.arch,
                f"{self.arch}.context_length": self.context_length,
                f"{self.arch}.block_count": self.block_count,
                f"{self.arch}.attention.head_count": self.head_count,
                f"{self.arch}.attention.head_count_kv": self.head_count_kv,
                f"{self.arch}.embedding_length": self.embedding_length,
            },
            "capabilities": caps,
        }


@dataclass
class FakeOllama(FakeHTTPServer):
    models: dict[str, FakeModel] = field(default_factory=dict)
    script: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    reloads: int = 0
    loaded: dict[str, int] = field(default_factory=dict)  # model -> num_ctx it is loaded with
    fail_next: int = 0  # answer this many chat requests with HTTP 503 first
    url: str = ""
    _server: QuietServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_model(self, name: str, **kw: Any) -> FakeModel:
        self.models[name] = FakeModel(name, **kw)
        return self.models[name]

    # ------------------------------------------------------------------ HTTP

    def handler_class(self) -> type[FakeHandler]:
        fake = self

        class Handler(FakeHandler):
            def do_GET(self) -> None:
                fake.paths.append(f"GET {self.path}")
                if self.path == "/":
                    self.send_text(200, "Ollama is running", "text/plain")
                elif self.path == "/api/version":
                    self.send_json(200, {"version": "0.9.0"})
                elif self.path == "/api/tags":
                    self.send_json(200, {"models": [{"name": n, "model": n} for n in fake.models]})
                elif self.path == "/api/ps":
                    models = [
                        {"name": n, "model": n, "context_length": c} for n, c in fake.loaded.items()
                    ]
                    self.send_json(200, {"models": models})
                else:
                    self.send_text(404, "404 page not found", "text/plain")

            def do_POST(self) -> None:
                fake.paths.append(f"POST {self.path}")
                try:
                    body = self.read_json()
                except ValueError:
                    self.send_json(400, {"error": "invalid JSON"})
                    return
                if self.path == "/api/show":
                    model = fake.models.get(body.get("model") or body.get("name", ""))
                    if model is None:
                        self.send_json(404, {"error": f"model '{body.get('model')}' not found"})
                    else:
                        self.send_json(200, model.show())
                elif self.path == "/api/chat":
                    fake._chat(self, body)
                else:
                    self.send_text(404, "404 page not found", "text/plain")

        return Handler

    # ------------------------------------------------------------------ chat

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        return self.requests

    def _chat(self, h: FakeHandler, body: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(body)
            name = body.get("model", "")
            model = self.models.get(name)
            if model is None:
                h.send_json(404, {"error": f'model "{name}" not found, try pulling it first'})
                return
            if self.fail_next > 0:
                self.fail_next -= 1
                h.send_json(503, {"error": "server busy"})
                return
            if body.get("tools") and not model.tools:
                h.send_json(
                    400, {"error": f"registry.ollama.ai/library/{name} does not support tools"}
                )
                return
            num_ctx = int((body.get("options") or {}).get("num_ctx") or 4096)
            if self.loaded.get(name) != num_ctx:
                if name in self.loaded:
                    self.reloads += 1
                self.loaded[name] = num_ctx
            reply: Reply = self.script.pop(0) if self.script else {}
        if callable(reply):
            reply = reply(body)
        if "status" in reply:
            h.send_json(reply["status"], {"error": reply.get("error", "error")})
            return
        messages = body.get("messages") or []
        sent = sum(len(m.get("content") or "") + 16 for m in messages)
        sent += len(json.dumps(body["tools"])) if body.get("tools") else 0
        tokens = sent // 4
        evaluated = min(tokens, num_ctx - 64) if tokens > num_ctx else tokens
        if tokens > num_ctx and reply.get("lose_user"):
            h.send_json(500, {"error": "no user query found in messages"})
            return
        if not reply:
            last_user = next(
                (m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), ""
            )
            reply = {"content": f"echo: {last_user}"}
        final = {
            "model": name,
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": reply.get("done_reason", "stop"),
            "prompt_eval_count": evaluated,
            "eval_count": 7,
        }
        parts: list[dict[str, Any]] = []
        if reply.get("thinking"):
            parts.append(
                {"message": {"role": "assistant", "content": "", "thinking": reply["thinking"]}}
            )
        content = reply.get("content", "")
        for i in range(0, len(content), 5):
            parts.append({"message": {"role": "assistant", "content": content[i : i + 5]}})
        if reply.get("tool_calls"):
            calls = [
                {"function": {"name": c["name"], "arguments": c.get("arguments", {})}}
                for c in reply["tool_calls"]
            ]
            parts.append({"message": {"role": "assistant", "content": "", "tool_calls": calls}})
        if body.get("stream", True) is False:
            merged = dict(final)
            merged["message"] = {
                "role": "assistant",
                "content": content,
                **(
                    {"tool_calls": parts[-1]["message"]["tool_calls"]}
                    if reply.get("tool_calls")
                    else {}
                ),
            }
            h.send_json(200, merged)
            return
        h.start_chunked("application/x-ndjson")

        def write(obj: dict[str, Any]) -> None:
            h.send_chunk((json.dumps({"model": name, "done": False, **obj}) + "\n").encode())

        for part in parts:
            write(part)
        if reply.get("stream_error"):
            write({"error": reply["stream_error"]})
        else:
            write(final)
        h.end_chunked()
