"""Serve a GGUF model over HTTP: llama-cpp-python's OpenAI-compatible server plus ``/props``.

``python -m smallcode.llm.serve [--model NAME|PATH] [--port 8080] [--n-ctx N]`` (also
``smallcode models serve``) runs the packaged model (or any GGUF) as a local server that
SmallCode's probe finds on :8080 like a llama.cpp server. llama-cpp-python's own server does
not report its context window; this one adds llama.cpp's ``GET /props``
(``default_generation_settings.n_ctx``) so clients learn the real window instead of guessing.
Needs ``pip install 'smallcode[e2e]'`` (llama-cpp-python with its server extra).
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
    from smallcode.llm import models

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
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        path = resolve_model(args.model)
        app, n_ctx = build_app(path, n_ctx=args.n_ctx, alias=args.alias, threads=args.threads)
    except ConfigError as exc:
        sys.stderr.write(f"smallcode: error: {exc}\n")
        return exc.exit_code
    import uvicorn

    sys.stderr.write(f"serving {path.name} on http://{args.host}:{args.port}/v1 (n_ctx {n_ctx})\n")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
