"""``smallcode evidence search QUERY``: what was tried, what worked and what failed, across the
project's sessions (FTS5 over the evidence log, store/evidence.py). ``/evidence`` in the REPL
shows the same lines.

    smallcode evidence search "pytest import error" [--failures] [-n 20] [--json] [-C DIR]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from smallcode.cliparser import Parser
from smallcode.errors import EXIT_NOT_DONE, EXIT_OK, EXIT_USAGE
from smallcode.store.evidence import Evidence, EvidenceStore


def describe(ev: Evidence) -> str:
    """One line for a row: when, which session, what happened."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(ev.ts))
    if ev.kind == "outcome":
        state = {True: "done", False: "not done", None: "done, unverified"}[ev.ok]
        what = f"task {ev.task[:80]!r}: {state}" + (f" ({ev.error[:120]})" if ev.error else "")
    elif ev.kind == "repair":
        what = f"{ev.tool}: the call needed repair ({ev.repairs[:120]})"
    else:
        args = f"({ev.args_summary[:100]})" if ev.args_summary else "()"
        state = "ok" if ev.ok else f"failed: {' '.join(ev.error.split())[:140]}"
        what = f"{ev.tool}{args} {state}"
    return f"{when}  {ev.session_id}  {what}"


def search_lines(store: EvidenceStore, query: str, limit: int, failures: bool) -> list[str]:
    return [describe(ev) for ev in store.search(query, limit=limit, failures_only=failures)]


def _open(root: Path) -> EvidenceStore | None:
    """The project's store, or None when this project has none yet (never creates one)."""
    from smallcode.store.db import PROJECT_DB, PROJECT_DIR

    if not (root / PROJECT_DIR / PROJECT_DB).is_file():
        return None
    return EvidenceStore.open(root)


def main(argv: list[str]) -> int:
    p = Parser(prog="smallcode evidence", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="action", required=True)
    s = sub.add_parser("search", help="search the evidence log")
    s.add_argument("query", nargs="+", help="words to look for (task, tool, arguments, errors)")
    s.add_argument("--failures", action="store_true", help="only failed calls and repairs")
    s.add_argument("-n", type=int, default=20, metavar="N", help="rows at most (default 20)")
    s.add_argument("--json", action="store_true", help="print a JSON list")
    s.add_argument("-C", "--cwd", help="project directory (default: the current one)")
    args = p.parse_args(argv)
    if args.n < 1:
        sys.stderr.write("smallcode evidence: -n must be at least 1\n")
        return EXIT_USAGE
    root = Path(args.cwd or ".").resolve()
    if not root.is_dir():
        sys.stderr.write(f"smallcode evidence: {args.cwd}: no such folder\n")
        return EXIT_USAGE
    query = " ".join(args.query).strip()
    from smallcode.store.db import StoreError

    try:
        store = _open(root)
    except (StoreError, OSError) as exc:
        sys.stderr.write(f"smallcode evidence: {exc}\n")
        return EXIT_NOT_DONE
    if store is None:
        sys.stderr.write("smallcode evidence: nothing recorded in this project yet\n")
        return EXIT_NOT_DONE
    try:
        rows = store.search(query, limit=args.n, failures_only=args.failures)
    finally:
        store.close()
    if args.json:
        sys.stdout.write(json.dumps([r.to_dict() for r in rows], indent=2) + "\n")
        return EXIT_OK
    if not rows:
        sys.stdout.write("No matches.\n")
        return EXIT_NOT_DONE
    for r in rows:
        sys.stdout.write(describe(r) + "\n")
    return EXIT_OK
