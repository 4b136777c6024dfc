"""Serve a GGUF model over HTTP as an OpenAI-compatible server with llama.cpp's ``/props``.

``python -m smallcode.llm.serve [--model NAME|PATH] [--port 8080] [--n-ctx N]`` (also
``smallcode models serve``) runs the packaged model (or any GGUF) as a local server that
SmallCode's probe finds on :8080 like a llama.cpp server.

With xllamacpp (``pip install 'smallcode[embedded]'``, prebuilt) this is llama.cpp's own
server, run in-process. With llama-cpp-python (``pip install 'smallcode[e2e]'``) it is that
package's server, which does not report its context window: this module adds ``GET /props``
(``default_generation_settings.n_ctx``) so clients learn the real window instead of guessing.
``--backend`` (or ``SMALLCODE_EMBEDDED_BACKEND``) picks one; auto prefers llama-cpp-python
when both are installed, as the embedded provider does.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from smallcode.errors import ConfigError

DEFAULT_CTX_CAP = 8192


def resolve_model(name_or_path: str, models_dir: str = "") -> Path:
    from smallcode.llm import packaged_models as models

    if name_or_path.lower().endswith(".gguf") or os.sep in name_or_path:
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise ConfigError(f"model file not found: {path}")
        return path
    model = models.lookup(name_or_path or models.DEFAULT_MODEL)
    path = models.model_path(model, models.models_dir(models_dir))
    if not path.is_file():
        raise ConfigError(
            f"{model.name} is not installed: run `smallcode models fetch {model.name}`"
        )
    return path


def build_app(path: Path, *, n_ctx: int = 0, alias: str = "", threads: int = 0) -> tuple[Any, int]:
    """The FastAPI app (model loaded) and its context window."""
    try:
        from llama_cpp.server.app import create_app
        from llama_cpp.server.settings import ModelSettings, ServerSettings
    except ImportError:
        raise ConfigError(
            "serving needs llama-cpp-python's server: pip install 'smallcode[e2e]'"
        ) from None
    from smallcode.llm.gguf import context_length, read_metadata

    meta = read_metadata(path)
    trained = context_length(meta) or DEFAULT_CTX_CAP
    n_ctx = min(n_ctx, trained) if n_ctx else min(trained, DEFAULT_CTX_CAP)
    threads = threads or os.cpu_count() or 2
    alias = alias or path.stem
    settings = ModelSettings(
        model=str(path),
        model_alias=alias,
        n_ctx=n_ctx,
        n_threads=threads,
        n_threads_batch=threads,
        verbose=False,
    )
    app = create_app(server_settings=ServerSettings(), model_settings=[settings])
    props = {
        "default_generation_settings": {"n_ctx": n_ctx, "model": alias},
        "n_ctx": n_ctx,
        "n_ctx_train": trained,
        "total_slots": 1,
        "model_path": str(path),
        "model_alias": alias,
        "build_info": "llama-cpp-python (smallcode.llm.serve)",
    }

    @app.get("/props")
    def _props() -> dict[str, Any]:
        return props

    return app, n_ctx


def serve_native(path: Path, args: argparse.Namespace) -> int:
    """llama.cpp's own server (xllamacpp) until Ctrl-C or SIGTERM."""
    import signal
    import threading

    from smallcode.llm.gguf import context_length, read_metadata
    from smallcode.llm.xllama import XLlamaEngine

    trained = context_length(read_metadata(path)) or DEFAULT_CTX_CAP
    n_ctx = min(args.n_ctx, trained) if args.n_ctx else min(trained, DEFAULT_CTX_CAP)
    sys.stderr.write(f"loading {path.name} (n_ctx {n_ctx})...\n")
    engine = XLlamaEngine(
        path,
        n_ctx=n_ctx,
        threads=args.threads or os.cpu_count() or 2,
        port=args.port,
        host=args.host,
        alias=args.alias or path.stem,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sys.stderr.write(f"serving {path.name} on {engine.address}/v1 (n_ctx {n_ctx}, llama.cpp)\n")
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    engine.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="smallcode models serve", description=__doc__.splitlines()[0])
    p.add_argument("--model", default="", help="packaged model name or a .gguf path")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument(
        "--n-ctx", type=int, default=0, help="context window (default: trained, max 8192)"
    )
    p.add_argument("--alias", default="", help="model name clients use (default: file stem)")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument(
        "--backend",
        default=os.environ.get("SMALLCODE_EMBEDDED_BACKEND", "auto"),
        help="auto, xllamacpp or llama-cpp-python (auto: llama-cpp-python when installed)",
    )
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    from smallcode.errors import SmallCodeError
    from smallcode.llm.embedded import backend_for

    try:
        path = resolve_model(args.model)
        if backend_for(args.backend) == "xllamacpp":
            return serve_native(path, args)
        app, n_ctx = build_app(path, n_ctx=args.n_ctx, alias=args.alias, threads=args.threads)
    except SmallCodeError as exc:
        sys.stderr.write(f"smallcode: error: {exc}\n")
        return exc.exit_code
    import uvicorn

    sys.stderr.write(f"serving {path.name} on http://{args.host}:{args.port}/v1 (n_ctx {n_ctx})\n")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
