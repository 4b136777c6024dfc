"""llama.cpp in-process through xllamacpp: prebuilt wheels (no C++ build), llama.cpp's own
server engine (its chat templates, tool-call parsing, prompt cache) behind a Python call.

``pip install 'smallcode[embedded]'`` installs it (a 34 MB manylinux wheel, glibc 2.17+).
The engine also listens on 127.0.0.1 (a random port, or the one ``serve`` asks for) with
llama.cpp's HTTP API: ``smallcode models serve`` uses exactly that.

    engine = XLlamaEngine(path, n_ctx=8192, threads=2)
    for chunk in engine.chat({"messages": [...], "stream": True}, cancel):  # OpenAI chunks
        ...
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from smallcode.errors import ConfigError, EndpointError, ModelRequestError

# Prompt tokens per decode step. Smaller steps let a cancel or a progress report through more
# often while the prompt is read (a step of 256 takes ~2 s on 2 CPU cores for a 0.5B model).
BATCH = 256


def available() -> bool:
    import importlib.util

    return importlib.util.find_spec("xllamacpp") is not None


class XLlamaEngine:
    def __init__(
        self,
        path: Path,
        *,
        n_ctx: int,
        threads: int,
        port: int = 0,
        host: str = "127.0.0.1",
        alias: str = "",
    ) -> None:
        try:
            import xllamacpp as xlc
        except ImportError:
            raise ConfigError(
                "the embedded model needs xllamacpp: pip install 'smallcode[embedded]'"
            ) from None
        p = xlc.CommonParams()
        p.model.path = str(path)
        p.n_ctx = n_ctx
        p.n_parallel = 1
        p.n_batch = BATCH
        p.n_ubatch = BATCH
        p.cpuparams.n_threads = threads
        p.cpuparams_batch.n_threads = threads
        p.warmup = False
        p.verbosity = -1  # llama.cpp's logs would cover the terminal
        p.hostnames = [host]
        p.port = port
        p.endpoint_props = True
        if alias:
            p.model_alias = {alias}
        try:
            self.server = xlc.Server(p)
        except Exception as exc:  # a bad GGUF, too little memory
            raise EndpointError(f"llama.cpp could not load {path.name}: {exc}") from None
        self.address = str(self.server.listening_address)
        self.n_ctx = n_ctx

    def chat(self, body: dict[str, Any], cancel: Any = None) -> Iterator[dict[str, Any]]:
        """OpenAI chat completion chunks for ``body`` (streamed). ``cancel.is_set()`` stops the
        generation at the next chunk (a decode step of the prompt, or a token)."""
        q: queue.Queue[Any] = queue.Queue()
        stop = threading.Event()
        done = object()

        def on_chunk(chunk: Any) -> bool:
            q.put(chunk)
            return stop.is_set() or (cancel is not None and cancel.is_set())

        def run() -> None:
            try:
                result = self.server.handle_chat_completions(
                    {**body, "stream": True, "return_progress": True}, on_chunk
                )
                if isinstance(result, dict) and result.get("error"):
                    q.put(result)
            except Exception as exc:
                q.put(EndpointError(f"llama.cpp failed: {exc}"))
            finally:
                q.put(done)

        worker = threading.Thread(target=run, name="smallcode-llama", daemon=True)
        worker.start()
        try:
            while True:
                try:
                    item = q.get(timeout=0.1)
                except queue.Empty:
                    if cancel is not None and cancel.is_set():
                        return
                    continue
                if item is done:
                    return
                if isinstance(item, BaseException):
                    raise item
                if isinstance(item, str):
                    import json

                    item = json.loads(item)
                if isinstance(item, dict) and item.get("error"):
                    raise _error(item["error"])
                yield item
        finally:
            stop.set()

    def close(self) -> None:
        server, self.server = getattr(self, "server", None), None
        del server  # its destructor stops llama.cpp's threads


def _error(err: Any) -> Exception:
    import json

    if not isinstance(err, dict):
        return EndpointError(f"llama.cpp: {err}")
    message = str(err.get("message") or err)
    code = int(err.get("code") or 500)
    if code >= 500:
        return EndpointError(f"llama.cpp: {message}")
    return ModelRequestError(f"embedded model: {message}", code, json.dumps({"error": err}))
