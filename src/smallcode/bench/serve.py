"""Which model server the benchmark talks to, and serving a packaged model when there is none.

With ``--base-url`` (or ``-p``, or SMALLCODE_BASE_URL) the tasks use that server. Otherwise a
packaged model (``-m qwen2.5-coder-1.5b``, a ``.gguf`` path, or the default) is served once with
``smallcode models serve`` on a free loopback port, and every task talks to that one warm
server, instead of each ``smallcode`` process loading the model again.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smallcode.errors import ConfigError

START_TIMEOUT = 240.0


@dataclass
class Endpoint:
    kind: str
    base_url: str
    model: str
    api_key: str = ""
    window: int | None = None
    proc: subprocess.Popen[bytes] | None = None  # a server this run started

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_packaged(model: str, n_ctx: int, log: Path, settings: Any) -> Endpoint:
    from smallcode.llm.detect import http_json
    from smallcode.llm.serve import resolve_model

    path = resolve_model(model, getattr(settings, "models_dir", ""))  # ConfigError if missing
    import importlib.util

    if importlib.util.find_spec("llama_cpp") is None:
        raise ConfigError(
            "no model server given and llama-cpp-python is not installed: pass --base-url URL "
            "(and -m MODEL), or pip install 'smallcode[e2e]' to serve a packaged model"
        )
    port = free_port()
    alias = Path(model).stem if model.endswith(".gguf") else model
    cmd = [sys.executable, "-m", "smallcode.llm.serve", "--model", str(path), "--port", str(port)]
    cmd += ["--n-ctx", str(n_ctx), "--alias", alias]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise ConfigError(f"the model server exited: {tail[0][:200]}")
        try:
            status, props = http_json(f"{url}/props", timeout=1.0)
            if status == 200:
                window = None
                if isinstance(props, dict):
                    window = (props.get("default_generation_settings") or {}).get("n_ctx")
                return Endpoint("llamacpp", f"{url}/v1", alias, "", window or n_ctx, proc)
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise ConfigError(f"the model server did not start within {START_TIMEOUT:.0f} s (log: {log})")


def resolve_endpoint(settings: Any, n_ctx: int, log_dir: Path) -> Endpoint:
    """The server for this run (starting one for a packaged model)."""
    from smallcode.llm import detect
    from smallcode.llm.factory import resolve

    resolved = resolve(settings)
    if resolved.kind == "embedded":
        return serve_packaged(
            resolved.model or settings.default_model, n_ctx, log_dir / "server.log", settings
        )
    window = None
    try:
        window = detect.detect_context_window(
            resolved.kind, resolved.base_url, resolved.model, resolved.api_key
        )
    except Exception:  # the window is only reported; a server that hides it is fine
        window = None
    return Endpoint(resolved.kind, resolved.base_url, resolved.model, resolved.api_key, window)
