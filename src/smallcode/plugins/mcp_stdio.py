"""A small MCP client over stdio, stdlib only: one subprocess, newline-delimited JSON-RPC 2.0.

``initialize`` -> ``notifications/initialized`` -> ``tools/list`` (paginated) ->
``tools/call``. A reader thread routes responses to their waiting request by id, answers the
few requests a server may send (``ping``, ``roots/list``) and skips stray non-JSON lines (a
server that logs to stdout). stderr is kept (its last lines) for the notice when a server
fails. The server runs in its own process group, so Ctrl-C in the terminal does not reach it,
and ``close`` ends the group.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any

from smallcode.plugins.mcp_client import (
    INHERITED_ENV,
    McpError,
    McpTimeout,
    ToolMethods,
    answer_server_request,
    error_text,
    initialize_params,
)

MAX_LINE = 32 * 1024 * 1024  # one JSON-RPC message at most (a big result)


class StdioClient(ToolMethods):
    def __init__(self, spec: Any, root: Path) -> None:
        self.name: str = spec.name
        self.spec = spec
        self.root = Path(root)
        self.proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()  # the table of waiting requests
        self._wlock = threading.Lock()  # writes to the server's stdin
        self._next = 0
        self._waiting: dict[int, tuple[threading.Event, list[dict[str, Any]]]] = {}
        self._stderr: collections.deque[str] = collections.deque(maxlen=20)
        self._closed = False
        self._err_thread: threading.Thread | None = None
        self.initialize_result: dict[str, Any] = {}

    # ------------------------------------------------------------------ lifecycle

    def start(self, timeout: float) -> dict[str, Any]:
        spec = self.spec
        exe = shutil.which(spec.command) or spec.command
        env = {k: v for k, v in os.environ.items() if k in INHERITED_ENV}
        env.update(spec.env)
        cwd = Path(spec.cwd).expanduser() if spec.cwd else self.root
        if not cwd.is_absolute():
            cwd = self.root / cwd
        try:
            self.proc = subprocess.Popen(
                [exe, *spec.args],
                cwd=cwd,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            raise McpError(f"cannot start `{spec.command}`: {exc.strerror or exc}") from None
        self._err_thread = threading.Thread(
            target=self._read_stderr, daemon=True, name=f"mcp-{self.name}-err"
        )
        self._err_thread.start()
        threading.Thread(target=self._read_stdout, daemon=True, name=f"mcp-{self.name}").start()
        self.initialize_result = self.request("initialize", initialize_params(), timeout)
        self.notify("notifications/initialized")
        return self.initialize_result

    def close(self) -> None:
        self._closed = True
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()  # the spec's polite way: close stdin, then signal
            proc.wait(timeout=0.5)
        except (OSError, subprocess.TimeoutExpired):
            for sig, wait in ((signal.SIGTERM, 1.0), (signal.SIGKILL, 1.0)):
                try:
                    os.killpg(proc.pid, sig)
                    proc.wait(timeout=wait)
                    break
                except (OSError, subprocess.TimeoutExpired):
                    continue
        self._fail_all("the server was closed")

    def diagnostics(self) -> str:
        return "\n".join(self._stderr)

    # ------------------------------------------------------------------ requests

    def request(self, method: str, params: dict[str, Any], timeout: float) -> dict[str, Any]:
        with self._lock:
            self._next += 1
            rid = self._next
            done = threading.Event()
            box: list[dict[str, Any]] = []
            self._waiting[rid] = (done, box)
        try:
            self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
            if not done.wait(timeout):
                self._send_quietly(
                    {
                        "jsonrpc": "2.0",
                        "method": "notifications/cancelled",
                        "params": {"requestId": rid, "reason": "timed out"},
                    }
                )
                raise McpTimeout(f"{method} got no answer within {timeout:g}s")
        finally:
            with self._lock:
                self._waiting.pop(rid, None)
        msg = box[0]
        if "error" in msg:
            raise McpError(f"{method}: {error_text(msg['error'])}")
        result = msg.get("result")
        return result if isinstance(result, dict) else {}

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        msg: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self._send(msg)

    def _send(self, msg: dict[str, Any]) -> None:
        proc = self.proc
        if proc is None or proc.stdin is None or proc.poll() is not None:
            raise McpError(self._exit_text())
        data = (json.dumps(msg, separators=(",", ":")) + "\n").encode()
        try:
            with self._wlock:
                proc.stdin.write(data)
                proc.stdin.flush()
        except (OSError, ValueError):
            raise McpError(self._exit_text()) from None

    def _send_quietly(self, msg: dict[str, Any]) -> None:
        try:
            self._send(msg)
        except McpError:
            pass

    def _exit_text(self) -> str:
        proc = self.proc
        code = proc.poll() if proc is not None else None
        tail = self._stderr[-1] if self._stderr else ""
        how = f"exited with code {code}" if code is not None else "is not running"
        return f"the server {how}" + (f": {tail}" if tail else "")

    # ------------------------------------------------------------------ reading

    def _read_stdout(self) -> None:
        proc = self.proc
        assert proc is not None and proc.stdout is not None
        stdout = proc.stdout
        for raw in iter(lambda: stdout.readline(MAX_LINE), b""):
            line = raw.decode("utf-8", "replace").strip()
            if not line.startswith("{"):
                continue  # a server logging to stdout: skip the line, keep the stream
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if isinstance(msg, dict):
                self._dispatch(msg)
        if not self._closed:  # the server ended: say how, with its last words on stderr
            try:
                proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                pass
            if self._err_thread is not None:
                self._err_thread.join(timeout=1.0)
        self._fail_all(self._exit_text())

    def _dispatch(self, msg: dict[str, Any]) -> None:
        if "method" in msg and "id" in msg:  # a request from the server
            result, err = answer_server_request(str(msg["method"]), self.root.as_uri())
            reply: dict[str, Any] = {"jsonrpc": "2.0", "id": msg["id"]}
            if result is not None:
                reply["result"] = result
            else:
                reply["error"] = {"code": -32601, "message": err}
            self._send_quietly(reply)
            return
        rid = msg.get("id")
        if not isinstance(rid, int):
            return  # a notification (logging, list_changed): the tool list is fixed anyway
        with self._lock:
            waiting = self._waiting.get(rid)
        if waiting is not None:
            waiting[1].append(msg)
            waiting[0].set()

    def _read_stderr(self) -> None:
        proc = self.proc
        assert proc is not None and proc.stderr is not None
        for raw in iter(proc.stderr.readline, b""):
            text = raw.decode("utf-8", "replace").rstrip()
            if text:
                self._stderr.append(text[:500])

    def _fail_all(self, why: str) -> None:
        with self._lock:
            waiting = list(self._waiting.values())
        for done, box in waiting:
            if not done.is_set():
                box.append({"error": {"message": why}})
                done.set()
