"""``smallcode doctor`` (the sandbox and permissions in force) and ``smallcode trust``.

smallcode doctor [-C DIR] [--json]     which sandbox works here and why, the mode, the rules
smallcode trust [-C DIR] [--yes]       trust the project's .env / settings files as they are
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path
from typing import Any

from smallcode.cliparser import Parser
from smallcode.errors import EXIT_USAGE

# ---------------------------------------------------------------------- trust


def pending_files(root: Path) -> list[tuple[Path, list[str]]]:
    """The project's files whose settings wait for trust, with what they would apply."""
    from smallcode import trust
    from smallcode.config import read_env_file
    from smallcode.permissions import settingsfiles

    out: list[tuple[Path, list[str]]] = []
    env_file = root / ".env"
    held = [k for k in read_env_file(env_file) if k in trust.SENSITIVE_ENV]
    if held and not trust.is_trusted(env_file):
        out.append((env_file, held))
    for f in settingsfiles.load(root).untrusted():
        out.append((f.path, f.held))
    from smallcode.plugins.trustlist import pending as extension_files

    out += extension_files(root)  # project MCP servers and plugins
    return out


def trust_main(argv: list[str]) -> int:
    p = Parser(prog="smallcode trust", description="Trust this project's own settings files.")
    p.add_argument("-C", "--cwd", help="project directory (default: the current directory)")
    p.add_argument("--yes", action="store_true", help="trust every file listed, without asking")
    args = p.parse_args(argv)
    from smallcode import trust

    root = Path(args.cwd or ".").resolve()
    files = pending_files(root)
    if not files:
        print("Nothing to trust: no project setting is waiting.")
        return 0
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    trusted = 0
    for path, held in files:
        print(f"{path} would apply: {', '.join(held)}")
        if args.yes:
            ok = True
        elif interactive:
            ok = input("  trust this file as it is now? [y/N] ").strip().lower() in ("y", "yes")
        else:
            ok = False
        if ok:
            trust.trust(path)
            trusted += 1
            print("  trusted (a later change asks again)")
    if trusted < len(files) and not interactive and not args.yes:
        print("Not trusted: run `smallcode trust --yes` to trust them.")
        return 1
    return 0


# ---------------------------------------------------------------------- doctor


def doctor_report(root: Path) -> dict[str, Any]:
    from smallcode import __version__
    from smallcode.config import Settings
    from smallcode.permissions import sandbox
    from smallcode.permissions.manager import PermissionManager

    settings = Settings.load(root)
    manager = PermissionManager(settings)
    bwrap_ok, bwrap_why = sandbox.bwrap_works()
    try:
        from smallcode.permissions.bashparse import parse_command

        parser_ok = not parse_command("ls | wc -l").problems
    except Exception:  # the report must come out whatever is broken
        parser_ok = False
    return {
        "version": __version__,
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "project": str(root),
        **manager.describe(),
        "bwrap": {"works": bwrap_ok, "detail": bwrap_why},
        "landlock_abi": sandbox.landlock_abi(),
        "bash_parser": "tree-sitter-bash" if parser_ok else "unavailable (every command asks)",
        "untrusted_env": settings.untrusted,
    }


def doctor_main(argv: list[str]) -> int:
    p = Parser(prog="smallcode doctor", description="What protects this project.")
    p.add_argument("-C", "--cwd", help="project directory (default: the current directory)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    args = p.parse_args(argv)
    root = Path(args.cwd or ".").resolve()
    if not root.is_dir():
        sys.stderr.write(f"smallcode doctor: error: no such folder: {root}\n")
        return EXIT_USAGE
    report = doctor_report(root)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print("\n".join(format_report(report)))
    return 0


def format_report(r: dict[str, Any]) -> list[str]:
    bw = r["bwrap"]
    lines = [
        f"SmallCode {r['version']} · Python {r['python']} · {r['platform']}",
        f"project:      {r['project']}",
        f"sandbox:      {r['sandbox_detail']}",
        f"  bubblewrap: {'works' if bw['works'] else bw['detail']}",
        f"  landlock:   {'ABI ' + str(r['landlock_abi']) if r['landlock_abi'] else 'unavailable'}",
        f"permissions:  mode {r['mode']}; {len(r['allow'])} allow, {len(r['ask'])} ask, "
        f"{len(r['deny'])} deny rules",
        f"shell parser: {r['bash_parser']}",
    ]
    for kind in ("allow", "ask", "deny"):
        for rule in r[kind]:
            lines.append(f"  {kind:5} {rule}")
    for cmd in r["excluded_commands"]:
        lines.append(f"  outside the sandbox: {cmd}")
    untrusted = {**r["untrusted"], **{k: v for k, v in r["untrusted_env"].items()}}
    for path, held in untrusted.items():
        lines.append(f"not trusted:  {path} ({', '.join(held)}): `smallcode trust` applies it")
    for problem in r["problems"]:
        lines.append(f"problem:      {problem}")
    return lines
