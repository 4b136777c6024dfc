"""Helpers for the extension tests: MCP servers (the stdlib fake, and real ones written with the
``mcp`` SDK over stdio and streamable HTTP on 127.0.0.1), and writing declaration files."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FAKE_SERVER = str(Path(__file__).with_name("fake_mcp_server.py"))

SDK_SERVER = '''
import sys
from mcp.server.mcpserver import MCPServer

app = MCPServer("sdk")
LOG = sys.argv[2] if len(sys.argv) > 2 else ""


@app.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    if LOG:
        with open(LOG, "a") as f:
            f.write(f"add {a} {b}\\n")
    return a + b


@app.tool()
def read_note(name: str) -> str:
    """Read a note by name."""
    return f"note {name}: remember the milk"


if __name__ == "__main__":
    if sys.argv[1] == "stdio":
        app.run()
    else:
        app.run(transport="streamable-http", host="127.0.0.1", port=int(sys.argv[1]))
'''


def fake_server_spec(*args: str) -> dict[str, Any]:
    return {"command": sys.executable, "args": [FAKE_SERVER, *args]}


def write_json(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    return path


@pytest.fixture
def config_dir() -> Path:
    import os

    return Path(os.environ["SMALLCODE_CONFIG_DIR"])


@pytest.fixture
def sdk_server_file(tmp_path: Path) -> Path:
    pytest.importorskip("mcp")
    path = tmp_path / "sdk_server.py"
    path.write_text(SDK_SERVER)
    return path


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


@pytest.fixture
def sdk_http_server(sdk_server_file: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real streamable-HTTP MCP server on 127.0.0.1: (url, call log)."""
    port = free_port()
    log = tmp_path / "http_calls.log"
    proc = subprocess.Popen(
        [sys.executable, str(sdk_server_file), str(port), str(log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("the MCP HTTP server did not start")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp", log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
