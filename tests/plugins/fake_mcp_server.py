"""A stdlib MCP server over stdio (no `mcp` package): the path without the extra.

    python fake_mcp_server.py [--tools N] [--log FILE] [--sleep S] [--noisy] [--big-schema]

Tools: ``echo(text)`` and ``add(a, b)`` plus ``tool_3`` ... ``tool_N`` (``--tools N``); every
``tools/call`` is appended to ``--log`` as a JSON line, so a test sees what the server really
received. ``--sleep`` delays the answer to ``initialize`` (start-up timeouts); ``--noisy``
writes log lines to stdout between messages (servers that do); ``--image`` makes ``echo``
also return an image.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def tools(n: int, big: bool) -> list[dict]:
    out = [
        {
            "name": "echo",
            "description": "Echo the text back.",
            "inputSchema": {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "properties": {
                    "text": {"type": "string", "pattern": "^(?=.*x).*$", "minLength": 1}
                },
                "required": ["text"],
                "additionalProperties": False,
            },
            "annotations": {"readOnlyHint": True},
        },
        {
            "name": "add",
            "description": "Add two integers.",
            "inputSchema": {
                "type": "object",
                "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                "required": ["a", "b"],
            },
        },
    ]
    for i in range(3, n + 1):
        desc = f"Tool number {i}: does thing {i} with a file and a query."
        props = {
            "path": {"type": "string", "description": "A file path inside the project."},
            "query": {"type": "string", "description": "What to look for in the file."},
        }
        if big:
            props["options"] = {
                "type": "object",
                "properties": {
                    f"opt{k}": {"type": "string", "description": f"option {k}"} for k in range(6)
                },
            }
        out.append(
            {
                "name": f"tool_{i}",
                "description": desc,
                "inputSchema": {"type": "object", "properties": props},
            }
        )
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tools", type=int, default=2)
    ap.add_argument("--log", default="")
    ap.add_argument("--sleep", type=float, default=0.0)
    ap.add_argument("--noisy", action="store_true")
    ap.add_argument("--big-schema", action="store_true")
    ap.add_argument("--image", action="store_true")
    args = ap.parse_args()
    listed = tools(args.tools, args.big_schema)

    def send(msg: dict) -> None:
        if args.noisy:
            sys.stdout.write("log: handling a message\n")
        sys.stdout.write(json.dumps(msg) + "\n")
        sys.stdout.flush()

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        msg = json.loads(line)
        method, rid = msg.get("method"), msg.get("id")
        if rid is None:
            continue
        if method == "initialize":
            time.sleep(args.sleep)
            send(
                {
                    "jsonrpc": "2.0",
                    "id": rid,
                    "result": {
                        "protocolVersion": msg["params"]["protocolVersion"],
                        "capabilities": {"tools": {}},
                        "serverInfo": {"name": "fake", "version": "1"},
                    },
                }
            )
        elif method == "tools/list":
            send({"jsonrpc": "2.0", "id": rid, "result": {"tools": listed}})
        elif method == "tools/call":
            name = msg["params"]["name"]
            arguments = msg["params"].get("arguments") or {}
            if args.log:
                with open(args.log, "a", encoding="utf-8") as f:
                    f.write(json.dumps({"name": name, "arguments": arguments}) + "\n")
            if name == "add":
                if not all(isinstance(arguments.get(k), int) for k in ("a", "b")):
                    result = {
                        "content": [{"type": "text", "text": "a and b must be integers"}],
                        "isError": True,
                    }
                else:
                    result = {
                        "content": [{"type": "text", "text": str(arguments["a"] + arguments["b"])}],
                        "isError": False,
                    }
            else:
                content = [{"type": "text", "text": f"{name}: {json.dumps(arguments)}"}]
                if args.image:
                    content.append(
                        {"type": "image", "mimeType": "image/png", "data": "iVBORw0KGgo" * 100}
                    )
                result = {"content": content, "isError": False}
            send({"jsonrpc": "2.0", "id": rid, "result": result})
        else:
            send(
                {
                    "jsonrpc": "2.0",
                    "id": rid,
                    "error": {"code": -32601, "message": f"no method {method}"},
                }
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
