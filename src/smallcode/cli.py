"""Command line: argument parsing and dispatch.

    smallcode                         interactive terminal UI
    smallcode -P TASK --non-interactive   run one task and exit (also: positional words, stdin)
    smallcode SUBCOMMAND ...          see SUBCOMMANDS

Kept import-light: `smallcode --version` must not import the agent.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import import_module

from smallcode._version import __version__
from smallcode.cliparser import Parser
from smallcode.errors import EXIT_NOT_DONE, EXIT_OK, EXIT_USAGE, SmallCodeError

# name -> "module:function"; function(argv: list[str]) -> int. Each module parses its own args.
SUBCOMMANDS: dict[str, str] = {
    "summary": "smallcode.project.commands:summary_main",
    "search": "smallcode.project.commands:search_main",
    "parse-tools": "smallcode.toolcalls.cli:main",
    "provider": "smallcode.ui.provider_wizard:main",
    "models": "smallcode.llm.packaged_models_cli:main",
    "bench": "smallcode.bench.cli:main",
    "trace": "smallcode.traces.cli:main",
    "eval": "smallcode.evals.cli:main",
    "doctor": "smallcode.permissions.cli:doctor_main",
    "trust": "smallcode.permissions.cli:trust_main",
    "evidence": "smallcode.store.evidence_cli:main",
}

USAGE_EXAMPLES = """\
examples:
  smallcode                                   start the interactive UI
  smallcode -P "add a --verbose flag" --non-interactive
  echo "fix the failing test" | smallcode --non-interactive
  smallcode -m qwen2.5-coder-7b --base-url http://localhost:1234/v1 -P "explain main.py"

configuration: SMALLCODE_MODEL, SMALLCODE_BASE_URL, SMALLCODE_API_KEY ... in the environment or
a .env file in the project root (see the README for every variable).
"""


def build_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="smallcode",
        description="A coding agent for local language models.",
        epilog=USAGE_EXAMPLES
        + ("\nsubcommands: " + ", ".join(sorted(SUBCOMMANDS)) if SUBCOMMANDS else ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("task", nargs="*", help="the task to run (non-interactive)")
    p.add_argument("-P", "--prompt", help="run this task and exit")
    p.add_argument(
        "--non-interactive",
        action="store_true",
        help="run one task (from --prompt, the arguments or stdin) and exit",
    )
    p.add_argument("-m", "--model", help="model name (SMALLCODE_MODEL)")
    p.add_argument("--base-url", help="OpenAI-compatible endpoint URL (SMALLCODE_BASE_URL)")
    p.add_argument("-p", "--provider", help="provider kind (SMALLCODE_PROVIDER)")
    p.add_argument("--api-key", help="API key (SMALLCODE_API_KEY)")
    p.add_argument("--max-turns", type=int, help="model requests per task at most (default 40)")
    p.add_argument("-r", "--resume", action="store_true", help="continue the latest session")
    p.add_argument("-C", "--cwd", help="project directory (default: the current directory)")
    p.add_argument("--json", action="store_true", help="print the run result as JSON")
    p.add_argument("--tdd", action="store_true", help="TDD harness: red, green, refactor")
    p.add_argument(
        "--contract", action="store_true", help="offer Definition-of-Done contract tools"
    )
    p.add_argument("--plan", action="store_true", help="plan the task as TODO steps first")
    p.add_argument(
        "--approval",
        metavar="MODE",
        help="permission mode: default, acceptEdits, plan, dontAsk, bypassPermissions "
        "(or untrusted, on-request, never)",
    )
    p.add_argument(
        "--yes",
        "--dangerously-skip-permissions",
        dest="skip_permissions",
        action="store_true",
        help="run every tool call without asking (bypassPermissions)",
    )
    p.add_argument("--sandbox", metavar="MODE", help="auto, bwrap, landlock or off")
    p.add_argument("-v", "--version", action="version", version=f"smallcode {__version__}")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _exit_on_sigterm()
    try:
        if argv and argv[0] in SUBCOMMANDS:
            module_name, func_name = SUBCOMMANDS[argv[0]].split(":")
            func = getattr(import_module(module_name), func_name)
            return int(func(argv[1:]) or 0)
        _refuse_typo(argv)
        return _run(build_parser().parse_args(argv))
    except SmallCodeError as exc:
        _debug_traceback(argv)
        sys.stderr.write(f"smallcode: error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("smallcode: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # last resort: still one line, no traceback
        _debug_traceback(argv)
        sys.stderr.write(
            f"smallcode: internal error: {type(exc).__name__}: {exc} "
            "(set SMALLCODE_DEBUG=1 for details)\n"
        )
        return EXIT_NOT_DONE


def _refuse_typo(argv: list[str]) -> None:
    """``smallcode model list`` is a mistyped command, not a task for the model: exit 2."""
    from smallcode.clityping import suggestion

    meant = suggestion(argv, SUBCOMMANDS)
    if meant:
        words = " ".join(argv)
        sys.stderr.write(
            f"smallcode: error: unknown command '{argv[0]}': did you mean `{meant}`? "
            f'(to give it to the model as a task: smallcode -P "{words}")\n'
        )
        raise SystemExit(EXIT_USAGE)


def _exit_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so the session still ends what its shell started."""
    import signal
    import threading

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        try:
            signal.signal(signal.SIGTERM, stop)
        except (ValueError, OSError):
            pass


def _debug_traceback(argv: list[str] | None = None) -> None:
    if _debug_enabled(argv or []):
        import traceback

        traceback.print_exc()


def _debug_enabled(argv: list[str]) -> bool:
    """SMALLCODE_DEBUG from the environment, else from the project's or the user's .env."""
    from smallcode.config import TRUE_WORDS as on

    if "SMALLCODE_DEBUG" in os.environ:
        return os.environ["SMALLCODE_DEBUG"].strip().lower() in on
    from pathlib import Path

    folder = "."
    for i, arg in enumerate(argv):
        if arg in ("-C", "--cwd") and i + 1 < len(argv):
            folder = argv[i + 1]
        elif arg.startswith("--cwd="):
            folder = arg.split("=", 1)[1]
    try:
        from smallcode.config import read_env_file, user_config_dir

        for env_file in (Path(folder) / ".env", user_config_dir() / ".env"):
            value = read_env_file(env_file).get("SMALLCODE_DEBUG")
            if value is not None:
                return value.strip().lower() in on
    except Exception:  # the error being reported may be this very file
        return False
    return False


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    return {
        "model": args.model,
        "base_url": args.base_url,
        "provider": args.provider,
        "api_key": args.api_key,
        "max_turns": args.max_turns,
        "tdd": True if args.tdd else None,
        "contract": "true" if args.contract else None,
        "plan": "true" if args.plan else None,
        "approval": "bypassPermissions" if args.skip_permissions else args.approval,
        "sandbox": args.sandbox,
    }


def _run(args: argparse.Namespace) -> int:
    from smallcode.errors import ConfigError

    if args.max_turns is not None and args.max_turns < 1:
        raise ConfigError("--max-turns must be at least 1")
    if args.cwd is not None and not os.path.isdir(args.cwd):
        what = "is not a folder" if os.path.exists(args.cwd) else "does not exist"
        raise ConfigError(f"-C {args.cwd}: the folder {what}")
    task = args.prompt or " ".join(args.task).strip()
    interactive_terminal = sys.stdin.isatty() and sys.stdout.isatty()
    if not task and (args.non_interactive or args.json or not sys.stdin.isatty()):
        task = "" if sys.stdin.isatty() else sys.stdin.read().strip()
        if not task:
            raise ConfigError("no task given: use --prompt TASK, positional words, or stdin")
    if task:
        from smallcode.ui.oneshot import run_once

        return run_once(task, _overrides(args), cwd=args.cwd, as_json=args.json, resume=args.resume)
    if not interactive_terminal:
        raise ConfigError("the interactive UI needs a terminal: pass a task with --prompt")
    from smallcode.ui.repl import run_repl

    return run_repl(_overrides(args), cwd=args.cwd, resume=args.resume)


if __name__ == "__main__":
    raise SystemExit(main())
