"""Fake OpenAI-compatible servers with each real server's own info routes (127.0.0.1, port 0).

``FlavoredServer(kind, models=..., loaded=..., n_ctx=...)`` answers like:
- ``lmstudio``: ``/v1/models`` + ``/api/v0/models`` (state, max/loaded_context_length);
- ``llamacpp``: ``/v1/models`` (meta.n_ctx_train) + ``/props`` (default_generation_settings.n_ctx);
- ``vllm``: ``/v1/models`` with ``max_model_len``;
- ``openrouter``: ``/api/v1/models`` with ``context_length`` (base URL ``.../api/v1``);
- ``llama-cpp-python``: ``/v1/models`` with ``owned_by: me`` and nothing else; a prompt
  longer than ``n_ctx`` (2 chars a token) is refused with 400 "maximum context length is N".

``POST .../chat/completions`` answers a short text (streamed when asked), checks the API key
when one is set (401), the model name (404 "model not found") and tools support (400).
``delay`` makes every answer wait (a hung server for probe deadlines).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http import FakeHandler, FakeHTTPServer, QuietServer


@dataclass
class FlavoredServer(FakeHTTPServer):
    kind: str = "lmstudio"
    models: list[str] = field(default_factory=lambda: ["qwen2.5-coder-7b-instruct"])
    loaded: list[str] = field(default_factory=list)
    n_ctx: int = 16384
    trained: int = 32768
    api_key: str = ""
    tools: bool = True
    delay: float = 0.0
    reply: str = "OK"
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _server: QuietServer | None = None

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/v1" if self.kind == "openrouter" else f"{self.url}/v1"

    def routes(self) -> dict[str, Any]:
        def entry(m: str) -> dict[str, Any]:
            return {"id": m, "object": "model", "owned_by": "organization_owner"}

        if self.kind == "lmstudio":
            return {
                "/v1/models": {"object": "list", "data": [entry(m) for m in self.models]},
                "/api/v0/models": {
                    "object": "list",
                    "data": [
                        {
                            "id": m,
                            "type": "llm",
                            "state": "loaded" if m in self.loaded else "not-loaded",
                            "max_context_length": self.trained,
                            **({"loaded_context_length": self.n_ctx} if m in self.loaded else {}),
                        }
                        for m in self.models
                    ]
                    + [{"id": "text-embedding-nomic", "type": "embeddings", "state": "loaded"}],
                },
            }
        if self.kind == "llamacpp":
            meta = {"n_ctx_train": self.trained, "n_params": 494032768}
            return {
                "/v1/models": {
                    "object": "list",
                    "data": [{**entry(m), "meta": meta} for m in self.models],
                },
                "/props": {
                    "default_generation_settings": {"n_ctx": self.n_ctx},
                    "total_slots": 1,
                    "model_path": f"/models/{self.models[0]}.gguf",
                },
            }
        if self.kind == "vllm":
            return {
                "/v1/models": {
                    "object": "list",
                    "data": [{**entry(m), "max_model_len": self.n_ctx} for m in self.models],
                }
            }
        if self.kind == "openrouter":
            return {
                "/api/v1/models": {
                    "data": [{"id": m, "context_length": self.n_ctx} for m in self.models]
                }
            }
        return {  # llama-cpp-python and other plain servers
            "/v1/models": {
                "object": "list",
                "data": [{"id": m, "object": "model", "owned_by": "me"} for m in self.models],
            }
        }

    def handler_class(self) -> type[FakeHandler]:
        fake = self

        class Handler(FakeHandler):
            def do_GET(self) -> None:
                if fake.delay:
                    time.sleep(fake.delay)
                routes = fake.routes()
                path = self.path.split("?")[0].rstrip("/")
                if path in routes:
                    self.send_json(200, routes[path])
                else:
                    self.send_json(404, {"error": {"message": f"Unexpected endpoint {path}"}})

            def do_POST(self) -> None:
                body = self.read_json()
                if not self.path.endswith("/chat/completions"):
                    self.send_json(404, {"error": {"message": f"Unexpected endpoint {self.path}"}})
                    return
                fake.requests.append(body)
                if fake.api_key and self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    self.send_json(401, {"error": {"message": "Invalid API key", "code": 401}})
                    return
                if body.get("model") not in fake.models:
                    msg = f"The model `{body.get('model')}` does not exist."
                    self.send_json(404, {"error": {"message": msg, "code": "model_not_found"}})
                    return
                prompt = sum(len(m.get("content") or "") for m in body.get("messages") or [])
                if fake.kind == "llama-cpp-python" and prompt // 2 >= fake.n_ctx:
                    msg = (
                        f"This model's maximum context length is {fake.n_ctx} tokens. However, "
                        f"you requested {prompt // 2} tokens ({prompt // 2} in the messages, "
                        "None in the completion). Please reduce the length of the messages."
                    )
                    err = {"message": msg, "type": "invalid_request_error"}
                    self.send_json(400, {"error": {**err, "code": "context_length_exceeded"}})
                    return
                if body.get("tools") and not fake.tools:
                    msg = "This model does not support tools."
                    self.send_json(400, {"error": {"message": msg}})
                    return
                usage = {"prompt_tokens": 12, "completion_tokens": 1, "total_tokens": 13}
                if not body.get("stream"):
                    self.send_json(
                        200,
                        {
                            "id": "c1",
                            "object": "chat.completion",
                            "model": body["model"],
                            "choices": [
                                {
                                    "index": 0,
                                    "message": {"role": "assistant", "content": fake.reply},
                                    "finish_reason": "stop",
                                }
                            ],
                            "usage": usage,
                        },
                    )
                    return
                self.start_sse()
                for piece, finish in ((fake.reply, None), ("", "stop")):
                    chunk = {
                        "id": "c1",
                        "object": "chat.completion.chunk",
                        "choices": [
                            {"index": 0, "delta": {"content": piece}, "finish_reason": finish}
                        ],
                    }
                    self.send_sse(chunk)
                self.send_sse({"id": "c1", "choices": [], "usage": usage})
                self.send_sse_done()

        return Handler
