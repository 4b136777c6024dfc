"""``smallcode eval FILE.yaml`` and the REPL's ``/eval``: run an eval suite, exit 1 on failure.

smallcode eval evals/files.yaml [-m MODEL] [--base-url URL] [-p PROVIDER] [--repeat K]
                                [--json] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from smallcode.cliparser import Parser
from smallcode.errors import EXIT_NOT_DONE, EXIT_USAGE, SmallCodeError

EVALS_DIR = Path(".smallcode") / "evals"


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="smallcode eval", description="Run a promptfoo-style eval suite (YAML).")
    p.add_argument("file", help="the suite, e.g. .smallcode/evals/basics.yaml")
    p.add_argument("-m", "--model", default="")
    p.add_argument("--base-url", default="")
    p.add_argument("-p", "--provider", default="")
    p.add_argument("--api-key", default="")
    p.add_argument("--repeat", type=int, default=0, help="runs per case (overrides the file)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--out", default="", help="also write the JSON report here")
    return p


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "model": args.model,
        "base_url": args.base_url,
        "provider": args.provider,
        "api_key": args.api_key,
    }


def main(argv: list[str]) -> int:
    from smallcode.config import Settings
    from smallcode.evals.run import run_suite
    from smallcode.evals.spec import load_suite

    try:
        args = build_parser().parse_args(argv)
        suite = load_suite(args.file)
        if args.repeat:
            if args.repeat < 1:
                raise SmallCodeError("--repeat must be at least 1")
            suite.repeat = args.repeat
        overrides = {k: v for k, v in overrides_from(args).items() if v}
        Settings.load(None, {**suite.settings, **overrides})  # bad settings: one line, exit 2
    except SmallCodeError as exc:
        sys.stderr.write(f"smallcode eval: {exc}\n")
        return EXIT_USAGE

    def progress(run: Any) -> None:
        mark = "pass" if run.passed else "FAIL"
        sys.stderr.write(f"  {mark}  {run.case} #{run.attempt} ({run.seconds:.1f} s)\n")

    report = run_suite(suite, overrides, on_run=progress)
    data = report.to_dict()
    if args.out:
        Path(args.out).write_text(json.dumps(data, indent=2) + "\n")
    sys.stdout.write((json.dumps(data, indent=2) if args.json else report.text()) + "\n")
    return 0 if report.ok else EXIT_NOT_DONE


def repl_text(root: Path, arg: str, settings: Any) -> str:
    """``/eval`` lists the suites in .smallcode/evals; ``/eval FILE`` runs one with the
    session's model settings."""
    from smallcode.evals.run import run_suite
    from smallcode.evals.spec import load_suite

    arg = arg.strip()
    if not arg:
        found = sorted((root / EVALS_DIR).glob("*.y*ml")) if (root / EVALS_DIR).is_dir() else []
        if not found:
            return (
                "No eval suites in `.smallcode/evals/`. Write one (promptfoo-style YAML: "
                "`tests: [{vars: {task: ...}, assert: [{type: contains, value: ...}]}]`) and "
                "run `/eval FILE`."
            )
        return "Eval suites:\n\n" + "\n".join(f"- `{p.relative_to(root)}`" for p in found)
    path = Path(arg)
    if not path.is_absolute():
        path = root / path if (root / path).exists() else root / EVALS_DIR / path
    try:
        suite = load_suite(path)
    except SmallCodeError as exc:
        return str(exc)
    overrides = {
        k: getattr(settings, k)
        for k in ("model", "base_url", "provider", "api_key")
        if getattr(settings, k, "")
    }
    report = run_suite(suite, overrides)
    return f"```\n{report.text()}\n```"
