"""``smallcode bench``: measure a model (and SmallCode's guardrails) on suites of tasks whose
tests are executed.

    smallcode bench --suite smoke|polyglot-mini|tool-use|polyglot [--path DIR] [-m MODEL]
                    [--base-url URL] [-p PROVIDER] [--repeats K] [--tries 2] [--timeout S]
                    [--task ID]... [--lang L]... [--list] [--json] [--out FILE] [--self-check]
    smallcode bench diff A.json B.json [--threshold 0.02]

Exit codes: 0 the run finished (the score is in the report), 1 ``--self-check`` found a bad
task, 2 usage or configuration, 3 the model endpoint failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from smallcode.cliparser import Parser
from smallcode.errors import (
    EXIT_ENDPOINT,
    EXIT_NOT_DONE,
    EXIT_USAGE,
    EndpointError,
    SmallCodeError,
)


def build_parser() -> argparse.ArgumentParser:
    from smallcode.bench.tasks import SUITES

    p = Parser(
        prog="smallcode bench",
        description="Run a benchmark suite against a model; every task is verified by its tests.",
        epilog="also: smallcode bench diff A.json B.json [--threshold 0.02]",
    )
    p.add_argument(
        "--suite", default="", choices=SUITES, help="default smoke (--self-check: all built-in)"
    )
    p.add_argument("--path", default="", help="a checkout of Aider-AI/polyglot-benchmark")
    p.add_argument("-m", "--model", default="", help="model name (or a packaged model to serve)")
    p.add_argument("--base-url", default="", help="OpenAI-compatible endpoint of your server")
    p.add_argument("-p", "--provider", default="", help="provider kind (see smallcode -h)")
    p.add_argument("--api-key", default="", help="sent to the tasks as SMALLCODE_API_KEY")
    p.add_argument("--repeats", type=int, default=1, help="runs per task (pass^k over them)")
    p.add_argument("--tries", type=int, default=2, help="1, or 2: a second try with the tests")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per try (default 600)")
    p.add_argument("--verify-timeout", type=float, default=120.0, help="seconds per test run")
    p.add_argument("--max-turns", type=int, default=0, help="--max-turns for each try")
    p.add_argument("--n-ctx", type=int, default=8192, help="window of a served packaged model")
    p.add_argument("--task", action="append", default=[], help="only this task (id or slug)")
    p.add_argument("--lang", action="append", default=[], help="only this language")
    p.add_argument("--list", action="store_true", help="list the tasks and exit")
    p.add_argument("--self-check", action="store_true", help="references pass, stubs fail")
    p.add_argument("--json", action="store_true", help="print the JSON summary")
    p.add_argument("--out", default="", help="also write the JSON summary here")
    p.add_argument("--keep", default="", help="keep each workspace (with its traces) here")
    p.add_argument("-C", "--cwd", default=".", help="where .smallcode/benchmarks/ goes")
    return p


def main(argv: list[str]) -> int:
    if argv and argv[0] == "diff":
        from smallcode.bench.diff import main as diff_main

        return diff_main(argv[1:])
    try:
        args = build_parser().parse_args(argv)
        return _run(args)
    except SmallCodeError as exc:
        sys.stderr.write(f"smallcode bench: {exc}\n")
        return exc.exit_code if exc.exit_code != EXIT_NOT_DONE else EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("smallcode bench: interrupted\n")
        return 130


def _validate(args: argparse.Namespace) -> None:
    if args.repeats < 1:
        raise SmallCodeError("--repeats must be at least 1")
    if args.tries not in (1, 2):
        raise SmallCodeError("--tries must be 1 or 2")
    if args.timeout <= 0 or args.verify_timeout <= 0:
        raise SmallCodeError("--timeout and --verify-timeout must be positive")
    if args.max_turns < 0:
        raise SmallCodeError("--max-turns must be positive")


def _run(args: argparse.Namespace) -> int:
    from smallcode.bench.tasks import load_suite, select, toolchain_problem

    _validate(args)
    if args.path and not args.suite:
        args.suite = "polyglot"  # --path names a polyglot checkout
    if args.self_check and not args.suite:
        from smallcode.bench.tasks import BUILTIN_SUITES

        every = [t for suite in BUILTIN_SUITES for t in load_suite(suite)]
        tasks = select(every, args.task, args.lang)
    else:
        args.suite = args.suite or "smoke"
        tasks = select(load_suite(args.suite, args.path or None), args.task, args.lang)
    runnable, skipped = [], []
    for t in tasks:
        why = toolchain_problem(t)
        if why:
            skipped.append({"what": t.id, "reason": why})
        else:
            runnable.append(t)
    skipped = _group_skips(skipped)
    if args.list:
        for t in tasks:
            why = toolchain_problem(t)
            print(f"{t.id:40} {t.lang:10} {'skipped: ' + why if why else ''}".rstrip())
        return 0
    for s in skipped:
        sys.stderr.write(f"skipping {s['what']}: {s['reason']}\n")
    if args.self_check:
        return _self_check(runnable)
    if not runnable:
        raise SmallCodeError("no task can run here (see the skip reasons above)")
    return _bench(args, runnable, skipped)


def _group_skips(skipped: list[dict[str, str]]) -> list[dict[str, str]]:
    """One line per language and reason ("rust (4 tasks): cargo not installed")."""
    groups: dict[tuple[str, str], int] = {}
    for s in skipped:
        key = (s["what"].split("/", 1)[0], s["reason"])
        groups[key] = groups.get(key, 0) + 1
    return [
        {"what": f"{lang} ({n} task{'s' if n != 1 else ''})", "reason": reason}
        for (lang, reason), n in groups.items()
    ]


def _self_check(tasks: list[Any]) -> int:
    from smallcode.bench.selfcheck import run_self_check

    results = run_self_check(tasks, on_result=lambda r: print(r.line(), flush=True))
    bad = [r for r in results if not r.ok]
    print(f"\n{len(results) - len(bad)}/{len(results)} tasks ok")
    return EXIT_NOT_DONE if bad else 0


def _agent_env(args: argparse.Namespace, endpoint: Any) -> tuple[list[str], dict[str, str]]:
    agent_args = ["--base-url", endpoint.base_url, "-m", endpoint.model, "-p", endpoint.kind]
    if args.max_turns:
        agent_args += ["--max-turns", str(args.max_turns)]
    env = {**os.environ, "SMALLCODE_PROBE_URLS": "off", "SMALLCODE_AUTO_FETCH": "false"}
    env.setdefault("SMALLCODE_TRACE_KEEP", "50")
    if env.get("SMALLCODE_TRACE_KEEP", "").strip() in ("", "0"):
        env["SMALLCODE_TRACE_KEEP"] = "50"  # the per-task counts come from the traces
    if endpoint.api_key:
        env["SMALLCODE_API_KEY"] = endpoint.api_key
    return agent_args, env


def _bench(args: argparse.Namespace, tasks: list[Any], skipped: list[dict[str, str]]) -> int:
    from rich.console import Console

    from smallcode.bench.report import print_table, progress_line, save, summarize
    from smallcode.bench.runner import run_bfcl_task, run_task
    from smallcode.bench.serve import resolve_endpoint
    from smallcode.config import Settings

    root = Path(args.cwd).resolve()
    overrides = {
        "model": args.model or None,
        "base_url": args.base_url or None,
        "provider": args.provider or None,
        "api_key": args.api_key or None,
    }
    settings = Settings.load(root, overrides)
    log_dir = Path(tempfile.mkdtemp(prefix="smallcode-bench-server-"))
    endpoint = resolve_endpoint(settings, args.n_ctx, log_dir)
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    sys.stderr.write(
        f"bench {args.suite}: {len(tasks)} tasks x {args.repeats} on {endpoint.model} at "
        f"{endpoint.base_url} (window {endpoint.window or '?'})\n"
    )
    agent_args, env = _agent_env(args, endpoint)
    keep = Path(args.keep).resolve() if args.keep else None
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    results: list[Any] = []
    provider = None
    saved: Path | None = None
    meta = {
        "suite": args.suite,
        "model": endpoint.model,
        "base_url": endpoint.base_url,
        "provider": endpoint.kind,
        "window": endpoint.window,
        "repeats": args.repeats,
        "tries": args.tries,
        "started": started,
        "edit_format": settings.edit_format,
    }
    total = len(tasks) * args.repeats
    tty = sys.stderr.isatty()
    try:
        for repeat in range(1, args.repeats + 1):
            for task in tasks:
                if tty:  # while it runs; the result line replaces it
                    sys.stderr.write(f"[{len(results) + 1}/{total}] {task.id} ...")
                    sys.stderr.flush()
                if task.bfcl is not None:
                    if provider is None:
                        provider = _provider(root, endpoint)
                    r = run_bfcl_task(task, provider, repeat)
                else:
                    r = run_task(
                        task,
                        agent_args,
                        env,
                        tries=args.tries,
                        timeout=args.timeout,
                        verify_timeout=args.verify_timeout,
                        keep=keep,
                        repeat=repeat,
                    )
                results.append(r)
                saved = save(summarize(results, meta, skipped), root, "", saved)
                sys.stderr.write(
                    ("\r\033[K" if tty else "") + progress_line(len(results), total, r) + "\n"
                )
                if len(results) == 1 and r.exit_code == EXIT_ENDPOINT:
                    raise EndpointError(f"the model endpoint failed: {r.error or r.stop_reason}")
    finally:
        endpoint.stop()
        if provider is not None:
            provider.close()
    summary = summarize(results, meta, skipped)
    path = save(summary, root, args.out, saved)
    if args.json:
        import json

        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        print_table(summary, Console(highlight=False))
    sys.stderr.write(f"saved {path}\n")
    return 0


def _provider(root: Path, endpoint: Any) -> Any:
    from smallcode.config import Settings
    from smallcode.llm.factory import make_provider

    s = Settings.load(
        root,
        {
            "base_url": endpoint.base_url,
            "model": endpoint.model,
            "provider": endpoint.kind,
            "api_key": endpoint.api_key or None,
        },
    )
    return make_provider(s)
