"""``smallcode trace list|view|export|test`` and the REPL's ``/trace``.

    smallcode trace list [-C DIR] [--json]
    smallcode trace view ID
    smallcode trace export ID --format traj|jsonl|md [--out FILE]
    smallcode trace test ID [--out-dir DIR] [--no-check]

ID is a trace id, a unique part of one, or ``last``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from smallcode.cliparser import Parser
from smallcode.errors import EXIT_USAGE, SmallCodeError
from smallcode.store.traces import Trace, find_trace, list_traces, load_trace
from smallcode.traces.render import EXPORT_FORMATS, export, list_table, view_text

USAGE = (
    "Usage: `/trace list`, `/trace view ID`, `/trace export ID --format traj|jsonl|md "
    "[--out FILE]`, `/trace test ID` (ID: an id, a unique part of one, or `last`)."
)


def build_parser(
    prog: str = "smallcode trace", usage_error: type[Exception] | None = None
) -> argparse.ArgumentParser:
    """``usage_error``: raise it on a bad argument instead of exiting (the REPL shows it)."""
    p = Parser(
        prog=prog,
        description="Session traces: list, view, export, regression tests.",
        usage_error=usage_error,
    )
    p.add_argument("-C", "--cwd", default=".", help="project folder (default: here)")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-C", "--cwd", default=argparse.SUPPRESS, help="project folder")
    sub = p.add_subparsers(dest="verb", required=True)

    def verb(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[common])

    ls = verb("list", "the project's traces, newest first")
    ls.add_argument("--json", action="store_true")
    ls.add_argument("-n", "--limit", type=int, default=20)
    v = verb("view", "a readable timeline of one session")
    v.add_argument("id")
    e = verb("export", "traj (mini-swe-agent), jsonl or md")
    e.add_argument("id")
    e.add_argument("--format", "-f", choices=EXPORT_FORMATS, default="traj")
    e.add_argument("--out", "-o", default="", help="write here (default: stdout)")
    t = verb("test", "write a pytest regression test under tests/smallcode_traces/")
    t.add_argument("id")
    t.add_argument("--out-dir", default="", help="instead of tests/smallcode_traces/")
    t.add_argument("--no-check", action="store_true", help="do not replay it once now")
    return p


def _load(root: Path, ref: str) -> Trace:
    return load_trace(find_trace(root, ref))


def run(args: argparse.Namespace, root: Path) -> tuple[str, str]:
    """(text for stdout, a note for stderr). Raises SmallCodeError on bad input."""
    if args.verb == "list":
        traces = []
        for path in list_traces(root)[: max(1, args.limit)]:
            try:
                traces.append(load_trace(path))
            except SmallCodeError:
                continue
        if args.json:
            return json.dumps([t.summary() for t in traces], indent=2) + "\n", ""
        if not traces:
            return "", "No traces yet in this project (.smallcode/traces)."
        rows = list_table(traces)
        head = ["id", "started", "model", "req", "exit", "task"]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head) - 1)]
        lines = []
        for r in [head, *rows]:
            lines.append(
                "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1]
            )
        return "\n".join(lines) + "\n", ""
    trace = _load(root, args.id)
    if args.verb == "view":
        return view_text(trace) + "\n", ""
    if args.verb == "export":
        text = export(trace, args.format)
        if args.out:
            out = Path(args.out)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
            return "", f"Wrote {out} ({args.format})."
        return text, ""
    from smallcode.traces.gentest import write_trace_test

    out_dir = Path(args.out_dir) if args.out_dir else None
    generated = write_trace_test(root, trace, out_dir, check=not args.no_check)
    return "", generated.message(root)


def main(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
        root = Path(args.cwd).resolve()
        if not root.is_dir():
            raise SmallCodeError(f"{args.cwd}: not a folder")
        out, note = run(args, root)
    except SmallCodeError as exc:
        sys.stderr.write(f"smallcode trace: {exc}\n")
        return EXIT_USAGE
    if out:
        sys.stdout.write(out)
    if note:
        sys.stderr.write(note + "\n")
    return 0


def repl_text(root: Path, arg: str) -> str:
    """What ``/trace ARGS`` shows in the REPL (markdown)."""
    import shlex

    try:
        words = shlex.split(arg) or ["list"]
        args = build_parser("/trace", SmallCodeError).parse_args(words)
        out, note = run(args, root)
    except (SmallCodeError, ValueError) as exc:
        return f"{exc}\n\n{USAGE}"
    except SystemExit:  # -h
        return USAGE
    if args.verb in ("list",) and out:
        return f"```\n{out}```"
    if args.verb == "export" and out:
        return f"```\n{out[:4000]}\n```" + ("\n(cut; use --out FILE)" if len(out) > 4000 else "")
    return "\n\n".join(p for p in (out.strip(), note) if p)
