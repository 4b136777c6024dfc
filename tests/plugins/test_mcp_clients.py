"""The MCP clients against real servers: the stdlib fake (no extra), a server written with the
``mcp`` SDK over stdio, and the same over streamable HTTP on 127.0.0.1; each with the built-in
client and, where it applies, the SDK client."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from smallcode.plugins.mcp_client import McpError, make_connection
from smallcode.plugins.mcp_config import parse_server
from smallcode.plugins.mcp_hub import format_result
from smallcode.plugins.mcp_sdk import SdkClient
from smallcode.plugins.mcp_stdio import StdioClient
from tests.plugins.conftest import fake_server_spec


def spec(name: str, raw: dict, **kw: object):  # type: ignore[no-untyped-def]
    s = parse_server(name, raw, "test", scope="user", trusted=True)
    assert not isinstance(s, str)
    for k, v in kw.items():
        setattr(s, k, v)
    return s


def test_stdlib_client_and_fake_server(tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    c = StdioClient(spec("fake", fake_server_spec("--log", str(log), "--noisy")), tmp_path)
    try:
        init = c.start(10)
        assert init["serverInfo"]["name"] == "fake"
        names = [t["name"] for t in c.list_tools(10)]
        assert names == ["echo", "add"]
        ok, text = format_result(c.call_tool("add", {"a": 2, "b": 40}, 10))
        assert (ok, text) == (True, "42")
        ok, text = format_result(c.call_tool("add", {"a": "x"}, 10))
        assert not ok and "integers" in text  # a tool that rejects its arguments: isError
    finally:
        c.close()
    assert '"a": 2' in log.read_text()
    assert c.proc is not None and c.proc.poll() is not None  # closed


def test_stdlib_client_reports_a_server_that_cannot_start(tmp_path: Path) -> None:
    c = StdioClient(spec("nope", {"command": "no-such-command-xyz"}), tmp_path)
    with pytest.raises(McpError, match="cannot start"):
        c.start(5)
    crash = StdioClient(
        spec(
            "crash",
            {
                "command": sys.executable,
                "args": ["-c", "import sys; sys.stderr.write('boom: bad config\\n'); sys.exit(3)"],
            },
        ),
        tmp_path,
    )
    with pytest.raises(McpError, match=r"exited with code 3|boom"):
        crash.start(10)
    crash.close()


def test_startup_timeout(tmp_path: Path) -> None:
    c = StdioClient(spec("slow", fake_server_spec("--sleep", "5")), tmp_path)
    with pytest.raises(McpError, match=r"no answer within 0\.5s"):
        c.start(0.5)
    c.close()


def test_images_are_described_not_sent(tmp_path: Path) -> None:
    c = StdioClient(spec("img", fake_server_spec("--image")), tmp_path)
    try:
        c.start(10)
        ok, text = format_result(c.call_tool("echo", {"text": "hi"}, 10))
    finally:
        c.close()
    assert ok and 'echo: {"text": "hi"}' in text
    assert "[image image/png" in text and "not shown to a text model" in text
    assert "iVBOR" not in text


@pytest.mark.parametrize("client", ["builtin", "sdk"])
def test_sdk_server_over_stdio(client: str, sdk_server_file: Path, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    s = spec(
        "sdk",
        {"command": sys.executable, "args": [str(sdk_server_file), "stdio", str(log)]},
        startup_timeout=60.0,
    )
    c = make_connection(s, tmp_path, client)
    assert isinstance(c, StdioClient if client == "builtin" else SdkClient)
    try:
        c.start(60)
        tools = {t["name"]: t for t in c.list_tools(30)}
        assert set(tools) == {"add", "read_note"}
        assert tools["add"]["inputSchema"]["required"] == ["a", "b"]
        ok, text = format_result(c.call_tool("add", {"a": 2, "b": 3}, 30))
        assert (ok, text) == (True, "5")
        ok, text = format_result(c.call_tool("add", {"a": "two"}, 30))
        assert not ok and text  # the server's validation message
    finally:
        c.close()
    assert log.read_text().strip() == "add 2 3"


@pytest.mark.parametrize("client", ["builtin", "sdk"])
def test_streamable_http(client: str, sdk_http_server: tuple[str, Path], tmp_path: Path) -> None:
    url, log = sdk_http_server
    s = spec("web", {"type": "http", "url": url, "headers": {"X-Test": "1"}})
    c = make_connection(s, tmp_path, client)
    try:
        c.start(30)
        assert sorted(t["name"] for t in c.list_tools(30)) == ["add", "read_note"]
        ok, text = format_result(c.call_tool("read_note", {"name": "shopping"}, 30))
        assert ok and text == "note shopping: remember the milk"
        ok, text = format_result(c.call_tool("add", {"a": 20, "b": 22}, 30))
        assert text == "42"
    finally:
        c.close()
    assert "add 20 22" in log.read_text()


def test_http_server_that_is_down(tmp_path: Path) -> None:
    from tests.plugins.conftest import free_port

    s = spec("down", {"type": "http", "url": f"http://127.0.0.1:{free_port()}/mcp"})
    c = make_connection(s, tmp_path, "builtin")
    with pytest.raises(McpError, match="cannot reach"):
        c.start(3)
    c.close()
