"""``smallcode parse-tools``: show what SmallCode makes of a model's raw output.

    smallcode parse-tools --tools SCHEMAS.json [FILE]      (reads stdin when FILE is omitted)

SCHEMAS.json is a list of OpenAI tool schemas or an object with a "tools" list. Prints the
calls as a JSON list of {name, arguments, repairs} (plus "error" for a call SmallCode would
refuse to run, its text unreadable without loss). A call whose arguments cannot be read at
all is no call: what the model would be told instead goes to stderr ("not run: ...").
Exit 0 (even with no calls), 2 on a bad file or argument (one line on stderr).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from smallcode.cliparser import Parser
from smallcode.toolcalls.schema import ToolIndex


class _UsageError(Exception):
    pass


def load_schemas(path: str) -> list[dict[str, Any]]:
    """The tool schemas in ``path``; raises _UsageError with a one-line reason."""
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise _UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise _UsageError(f"cannot read {path}: not UTF-8 text") from None
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise _UsageError(f"{path} is not valid JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("tools"), list):
        data = data["tools"]
    if not isinstance(data, list):
        raise _UsageError(f'{path}: expected a list of tool schemas or {{"tools": [...]}}')
    if not ToolIndex(data):
        raise _UsageError(f"{path}: no tool schema with a function name found")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = Parser(
        prog="smallcode parse-tools",
        description="Parse a model's raw output into tool calls, as SmallCode would.",
    )
    parser.add_argument("--tools", required=True, metavar="SCHEMAS.json", help="tool schemas")
    parser.add_argument("file", nargs="?", help="the model output (default: stdin)")
    parser.add_argument(
        "--reasoning",
        action="store_true",
        help="apply the reasoning rules: a call after <think> wins, else one inside it",
    )
    try:
        args = parser.parse_args(argv)
        tools = load_schemas(args.tools)
        if args.file and args.file != "-":
            try:
                text = Path(args.file).read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                raise _UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
        else:
            text = sys.stdin.read()
    except _UsageError as exc:
        print(f"smallcode parse-tools: {exc}", file=sys.stderr)
        return 2
    if args.reasoning:
        from smallcode.toolcalls.reasoning import extract_calls_with_reasoning

        calls = extract_calls_with_reasoning(text, "", tools)
    else:
        from smallcode.toolcalls.parser import parse_tool_calls

        calls = parse_tool_calls(text, tools)
    out: list[dict[str, Any]] = []
    for c in calls:
        out.append({"name": c.name, "arguments": c.arguments, "repairs": c.repairs})
        if c.error:  # refused: SmallCode would answer with this instead of running the call
            out[-1]["error"] = c.error
    print(json.dumps(out, indent=2, ensure_ascii=False))
    if not calls:
        from smallcode.toolcalls.parser import tool_call_errors

        for error in tool_call_errors(text, tools):
            print(f"not run: {error}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
