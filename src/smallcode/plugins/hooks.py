"""Running command hooks with Claude Code's protocol.

Each matching hook gets the event as JSON on stdin and runs under the session's sandbox (the
project writable, the network as the sandbox allows, secrets scrubbed from its environment)
with a timeout. Hooks of one event run in parallel; identical commands run once.

- exit 0: success; stdout that is a JSON object is honoured (below); plain stdout becomes
  context for ``UserPromptSubmit`` and ``SessionStart``;
- exit 2: block; stderr goes to the model (a blocked call, a prompt refused, a stop refused);
- any other exit code, a timeout or a command that cannot start: a non-blocking error, shown
  to the user (hooks fail open, as in Claude Code).

JSON output: ``continue: false`` (+ ``stopReason``) ends the run, ``systemMessage`` is shown
to the user, ``decision: "block"`` + ``reason`` blocks, and ``hookSpecificOutput`` may carry
``permissionDecision`` (allow | deny | ask) with ``permissionDecisionReason``,
``updatedInput`` and ``additionalContext``. A hook's allow never overrides a deny rule: the
permission check applies the rules after the hooks (agent/extensions.py).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smallcode.plugins.hook_config import MATCHED, HookCommand

if TYPE_CHECKING:
    from smallcode.events import EventBus
    from smallcode.permissions.sandbox import Sandbox

MAX_OUTPUT = 10_000  # characters of stdout / stderr kept per hook
_RANK = {"": 0, "allow": 1, "ask": 2, "deny": 3}
_BLOCKING = {"PreToolUse", "PostToolUse", "UserPromptSubmit", "Stop"}
_PLAIN_CONTEXT = {"UserPromptSubmit", "SessionStart"}


@dataclass
class HookOutcome:
    """What the hooks of one event decided, merged."""

    ran: int = 0
    blocked: bool = False  # exit 2, decision "block", or permissionDecision "deny"
    reason: str = ""  # for the model
    permission: str = ""  # allow | ask | deny ("" no opinion)
    permission_reason: str = ""
    updated_input: dict[str, Any] | None = None
    context: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # for the user
    stop: bool = False  # continue: false
    stop_reason: str = ""

    def merge(self, other: HookOutcome) -> None:
        self.ran += other.ran
        if other.blocked:
            self.blocked = True
            self.reason = "\n".join(r for r in (self.reason, other.reason) if r)
        if _RANK[other.permission] > _RANK[self.permission]:
            self.permission, self.permission_reason = other.permission, other.permission_reason
        if other.updated_input is not None:
            self.updated_input = other.updated_input
        self.context += other.context
        self.notices += other.notices
        if other.stop:
            self.stop = True
            self.stop_reason = self.stop_reason or other.stop_reason


@dataclass
class HookRun:
    hook: HookCommand
    exit_code: int | None  # None: timed out or could not start
    stdout: str
    stderr: str
    ms: float
    error: str = ""


class HookRunner:
    """The command hooks of one session."""

    def __init__(
        self,
        hooks: list[HookCommand],
        root: Path,
        *,
        sandbox: Sandbox | None = None,
        timeout: float = 60.0,
        events: EventBus | None = None,
        common: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.hooks = hooks
        self.root = root
        self.sandbox = sandbox
        self.timeout = timeout
        self.events = events
        self.common = common or (lambda: {})
        self.shell = shutil.which("bash") or "/bin/sh"

    def has(self, event: str) -> bool:
        return any(h.event == event for h in self.hooks)

    def matching(self, event: str, values: tuple[str, ...] = ()) -> list[HookCommand]:
        out: list[HookCommand] = []
        seen: set[str] = set()
        for h in self.hooks:
            if h.event != event or (event in MATCHED and values and not h.matches(*values)):
                continue
            if h.command in seen:
                continue
            seen.add(h.command)
            out.append(h)
        return out

    def run(self, event: str, payload: dict[str, Any], match: tuple[str, ...] = ()) -> HookOutcome:
        hooks = self.matching(event, match)
        outcome = HookOutcome()
        if not hooks:
            return outcome
        data = {**self.common(), "hook_event_name": event, **payload}
        stdin = json.dumps(data, default=str)
        if len(hooks) == 1:
            runs = [self._run_one(hooks[0], stdin)]
        else:
            with ThreadPoolExecutor(max_workers=min(8, len(hooks))) as pool:
                runs = list(pool.map(lambda h: self._run_one(h, stdin), hooks))
        for r in runs:
            part = interpret(event, r)
            if self.events is not None:
                self.events.emit(
                    "hook",
                    event=event,
                    command=r.hook.command,
                    source=r.hook.source,
                    exit_code=r.exit_code,
                    ms=round(r.ms, 1),
                    blocked=part.blocked,
                )
            outcome.merge(part)
        return outcome

    # ------------------------------------------------------------------ one process

    def _run_one(self, hook: HookCommand, stdin: str) -> HookRun:
        from smallcode.permissions.secretenv import keep_names, scrub

        box = self.sandbox
        env = scrub(os.environ, keep_names(box.env_keep if box is not None else ""))
        env["CLAUDE_PROJECT_DIR"] = str(self.root)
        env["SMALLCODE_HOOK_EVENT"] = hook.event
        ro: tuple[Path, ...] = ()
        if hook.plugin_root is not None:
            env["CLAUDE_PLUGIN_ROOT"] = env["SMALLCODE_PLUGIN_ROOT"] = str(hook.plugin_root)
            ro = (hook.plugin_root,)
        argv = [self.shell, "-c", hook.command]
        if box is not None:
            argv = box.wrap(argv, cwd=self.root, ro_paths=ro)
            env = box.env(env)
        timeout = hook.timeout or self.timeout
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                argv,
                cwd=self.root,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
                start_new_session=True,
            )
        except OSError as exc:
            return HookRun(hook, None, "", "", 0.0, f"could not start: {exc.strerror or exc}")
        try:
            out, err = proc.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            out, err = proc.communicate()
            ms = (time.monotonic() - started) * 1000
            return HookRun(
                hook, None, out[:MAX_OUTPUT], err[:MAX_OUTPUT], ms, f"timed out after {timeout:g}s"
            )
        ms = (time.monotonic() - started) * 1000
        return HookRun(hook, proc.returncode, out[:MAX_OUTPUT], err[:MAX_OUTPUT], ms)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()


def _first_line(text: str, n: int = 200) -> str:
    line = next((x.strip() for x in text.splitlines() if x.strip()), "")
    return line if len(line) <= n else line[: n - 3] + "..."


def interpret(event: str, r: HookRun) -> HookOutcome:
    """One hook's exit code and output -> its part of the outcome."""
    o = HookOutcome(ran=1)
    label = r.hook.label
    if r.exit_code is None:
        o.notices.append(f"{label} {r.error}")
        return o
    if r.exit_code == 2:
        text = r.stderr.strip() or f"blocked by the {event} hook `{r.hook.command}`"
        if event in _BLOCKING:
            o.blocked = True
            o.reason = text
            if event == "PreToolUse":
                o.permission, o.permission_reason = "deny", text
        else:
            o.notices.append(f"{label}: {_first_line(text)}")
        return o
    if r.exit_code != 0:
        detail = _first_line(r.stderr) or _first_line(r.stdout) or "no message"
        o.notices.append(f"{label} failed (exit {r.exit_code}): {detail}")
        return o
    out = r.stdout.strip()
    data: Any = None
    if out.startswith("{"):
        try:
            data = json.loads(out)
        except ValueError:
            data = None
    if not isinstance(data, dict):
        if out and event in _PLAIN_CONTEXT:
            o.context.append(out)
        return o
    _apply_json(event, data, o)
    return o


def _apply_json(event: str, data: dict[str, Any], o: HookOutcome) -> None:
    if data.get("continue") is False:
        o.stop = True
        o.stop_reason = str(data.get("stopReason") or f"stopped by a {event} hook")
    if isinstance(data.get("systemMessage"), str) and data["systemMessage"].strip():
        o.notices.append(data["systemMessage"].strip())
    decision = data.get("decision")
    reason = str(data.get("reason") or "")
    if decision == "block" and event in _BLOCKING:
        o.blocked = True
        o.reason = reason or f"blocked by a {event} hook"
        if event == "PreToolUse":
            o.permission, o.permission_reason = "deny", o.reason
    elif decision == "approve" and event == "PreToolUse":  # the older spelling of allow
        o.permission, o.permission_reason = "allow", reason
    specific = data.get("hookSpecificOutput")
    if not isinstance(specific, dict):
        return
    perm = specific.get("permissionDecision")
    if event == "PreToolUse" and perm in ("allow", "deny", "ask"):
        why = str(specific.get("permissionDecisionReason") or "")
        if _RANK[perm] >= _RANK[o.permission]:
            o.permission, o.permission_reason = perm, why
        if perm == "deny":
            o.blocked = True
            o.reason = why or "denied by a PreToolUse hook"
    updated = specific.get("updatedInput")
    if event == "PreToolUse" and isinstance(updated, dict):
        o.updated_input = updated
    extra = specific.get("additionalContext")
    if isinstance(extra, str) and extra.strip():
        o.context.append(extra.strip())
