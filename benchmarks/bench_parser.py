"""Benchmark of the forgiving tool-call parser (issue #3).

Parses a ~20 KB reply that holds no call (but mentions tool names, has code fences, JSON
data and inline code, so the cheap pre-check passes and every format parser runs) and a
~20 KB reply with 10 calls in mixed notations; prints ms per parse and ms per KB.

    .venv/bin/python benchmarks/bench_parser.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from smallcode.toolcalls import parse_tool_calls, split_reasoning
from smallcode.types import tool_schema

TOOLS = [
    tool_schema(
        "read_file",
        "Read a file.",
        {
            "type": "object",
            "properties": {"path": {"type": "string"}, "start_line": {"type": "integer"}},
            "required": ["path"],
        },
    ),
    tool_schema(
        "write_file",
        "Write a file.",
        {
            "type": "object",
            "properties": {"path": {"type": "string"}, "content": {"type": "string"}},
            "required": ["path", "content"],
        },
    ),
    tool_schema(
        "edit_file",
        "Replace text in a file.",
        {
            "type": "object",
            "properties": {
                "path": {"type": "string"},
                "old_str": {"type": "string"},
                "new_str": {"type": "string"},
            },
            "required": ["path", "old_str", "new_str"],
        },
    ),
    tool_schema(
        "bash",
        "Run a shell command.",
        {
            "type": "object",
            "properties": {"command": {"type": "string"}, "timeout": {"type": "integer"}},
            "required": ["command"],
        },
    ),
    tool_schema(
        "grep",
        "Search files.",
        {
            "type": "object",
            "properties": {"pattern": {"type": "string"}, "path": {"type": "string"}},
            "required": ["pattern"],
        },
    ),
]

_PROSE = (
    "I looked at the module and the failing test. The function `parse_config` reads the "
    "file with read_file semantics but never closes it; bash users would see the warning "
    "only with -W error. The fix is small: use a context manager, then run the tests with "
    "bash again. Here is the relevant part of the code (I will not call grep again):\n\n"
    "```python\n"
    "def parse_config(path: str) -> dict[str, str]:\n"
    "    handle = open(path)\n"
    "    data = {k: v for k, v in (line.split('=', 1) for line in handle if '=' in line)}\n"
    "    return {\"name\": data.get('name', ''), \"items\": [1, 2, 3]}\n"
    "```\n\n"
    'The config it returns looks like {"name": "demo", "items": [1, 2, 3], "debug": false} '
    "and the CLI prints it as JSON. Call sites: `main()` at line 40, `reload()` at line 88 "
    "(both pass a path). Nothing else uses it; the edit_file tool would be enough.\n\n"
)


def _call(i: int) -> str:
    content = (
        f"def handler_{i}(event):\n"
        f'    """Handle event {i}: "quoted", with a \\\\ backslash."""\n'
        f"    return {{'id': {i}, 'ok': True}}\n"
    )
    styles = [
        "<tool_call>\n"
        + json.dumps({"name": "write_file", "arguments": {"path": f"h{i}.py", "content": content}})
        + "\n</tool_call>",
        "<tool_call>\n<function=edit_file>\n<parameter=path>\nh.py\n</parameter>\n"
        f"<parameter=old_str>\nreturn {i}\n</parameter>\n<parameter=new_str>\n"
        f"return {i + 1}\n</parameter>\n</function>\n</tool_call>",
        "```json\n"
        + json.dumps({"name": "read_file", "arguments": {"file_path": f"m{i}.py"}})
        + "\n```",
        f'[TOOL_CALLS]bash[ARGS]{{"command": "pytest -q tests/test_{i}.py", "timeout": "60"}}',
        f'<|tool_call_start|>[grep(pattern="handler_{i}", path="src")]<|tool_call_end|>',
    ]
    return styles[i % len(styles)]


def message(calls: int, size: int = 20_000) -> str:
    """About ``size`` bytes of whole prose paragraphs with ``calls`` calls spread through."""
    n_prose = max(1, (size - sum(len(_call(i)) for i in range(calls))) // len(_PROSE))
    pieces = [_PROSE] * n_prose
    for i in range(calls):
        pieces.insert((i + 1) * len(pieces) // (calls + 1), _call(i) + "\n\n")
    return "".join(pieces)


def bench(text: str, repeat: int) -> tuple[float, int]:
    times = []
    n = 0
    for _ in range(repeat):
        t = time.perf_counter()
        n = len(parse_tool_calls(text, TOOLS))
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    bench(message(0), 3)  # warm up imports and caches
    for label, text in (("no call", message(0)), ("10 calls", message(10))):
        ms, n = bench(text, args.repeat)
        kb = len(text.encode()) / 1024
        print(f"{label:9s} {kb:5.1f} KB  calls={n:2d}  {ms:7.3f} ms/parse  {ms / kb:6.4f} ms/KB")
    text = "<think>\n" + message(0)[:8000] + "\n</think>\n" + message(10)
    t = time.perf_counter()
    for _ in range(args.repeat):
        split_reasoning(text)
    ms = (time.perf_counter() - t) / args.repeat * 1000
    print(f"split_reasoning {len(text) / 1024:5.1f} KB  {ms:7.3f} ms")


if __name__ == "__main__":
    main()
