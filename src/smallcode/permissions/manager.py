"""A session's permissions: the policy, the sandbox, asking the user, remembering, denials.

``check(tool, args)`` returns the final decision for a call: the policy's allow or deny, or,
where it would ask, the user's answer. With no one to ask (non-interactive runs, the API
without a callback) what would ask is refused and listed in ``denials`` (the JSON result's
``permission_denials``). "Yes" is remembered for the session, "always" in
``.smallcode/settings.local.json``; the user is never asked twice for the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smallcode.config import parse_flag
from smallcode.errors import ConfigError
from smallcode.events import EventBus
from smallcode.permissions import settingsfiles
from smallcode.permissions.bashparse import parse_command
from smallcode.permissions.engine import Decision, Policy, normalize_mode
from smallcode.permissions.rules import parse_rule, suggest_prefix
from smallcode.permissions.sandbox import MODES as SANDBOX_MODES
from smallcode.permissions.sandbox import Sandbox, make_sandbox
from smallcode.permissions.secretenv import SecretMask

_SANDBOX_SIGNS = {
    "bwrap": (
        ("Read-only file system", "the file system outside the project is read-only"),
        ("Network is unreachable", "the network is off"),
        ("Could not resolve host", "the network is off"),
        ("Temporary failure in name resolution", "the network is off"),
        ("Name or service not known", "the network is off"),
    ),
    "landlock": (
        ("Permission denied", "only the project is writable"),
        ("Operation not permitted", "only the project is writable"),
        ("Could not resolve host", "the network is off"),
        ("Temporary failure in name resolution", "the network is off"),
        ("Failed to connect", "the network is off"),
    ),
}


@dataclass
class ApprovalRequest:
    """What the user is asked: one line in the REPL."""

    tool: str
    subject: str  # the command, or the tool and path
    reason: str  # why it asks
    always: list[str] = field(default_factory=list)  # rules "always" remembers ([]: no always)
    kind: str = "permission"  # permission | sandbox (run again outside the sandbox?)


Asker = Callable[[ApprovalRequest], str]  # -> "yes" | "always" | "no"


def _bool(name: str, raw: str) -> bool | None:
    if not (raw or "").strip():
        return None
    flag = parse_flag(raw)
    if flag is None:
        raise ConfigError(f"{name}={raw!r} is not valid: expected true or false")
    return flag


class PermissionManager:
    def __init__(self, settings: Any, events: EventBus | None = None, ask: Asker | None = None):
        self.root = Path(settings.cwd).resolve()
        self.events = events or EventBus()
        self.ask = ask
        self.files = settingsfiles.load(self.root)
        raw_mode = settings.approval or self.files.default_mode
        try:
            mode = normalize_mode(raw_mode)
        except ValueError:
            raise ConfigError(
                f"permission mode {raw_mode!r} is not valid: expected default, acceptEdits, "
                "plan, dontAsk, bypassPermissions (or untrusted, on-request, never)"
            ) from None
        box = (settings.sandbox or self.files.sandbox_mode or "auto").strip().lower()
        if box not in SANDBOX_MODES:
            raise ConfigError(
                f"sandbox mode {box!r} is not valid: expected auto, bwrap, landlock or off"
            )
        network = _bool("SMALLCODE_SANDBOX_NETWORK", settings.sandbox_network)
        if network is None:
            network = bool(self.files.sandbox_network)
        self.sandbox: Sandbox = make_sandbox(self.root, box, network)
        self.sandbox.env_keep = settings.shell_env_keep
        self.policy = Policy(
            self.root,
            allow=list(self.files.allow),
            ask=list(self.files.ask),
            deny=list(self.files.deny),
            mode=mode,
            sandboxed=self.sandbox.active,
            excluded=list(self.files.excluded),
            allow_outside_root=bool(settings.allow_outside_root),
        )
        self.mask = SecretMask()
        self.session_yes: set[str] = set()
        self.denials: list[dict[str, Any]] = []
        self.prompts = 0  # prompts shown in the current run
        self.total_prompts = 0
        self._outside: set[str] = set()
        self.shell_cwd: Callable[[], Path] = lambda: self.root

    @property
    def mode(self) -> str:
        return self.policy.mode

    @property
    def interactive(self) -> bool:
        return self.ask is not None

    def start_run(self) -> None:
        self.denials = []
        self.prompts = 0

    # ------------------------------------------------------------------ deciding

    def check(
        self,
        tool: str,
        args: dict[str, Any],
        call_id: str = "",
        read_only: bool = False,
        hint: str = "",
    ) -> Decision:
        """``hint``: a PreToolUse hook's decision. Its ``allow`` skips a prompt the defaults
        would show (never a deny, nor an explicit ask rule); its ``ask`` prompts for a call
        the rules allow."""
        key = _key(tool, args)
        if key in self.session_yes:
            decision = Decision("allow", "the user allowed it in this session")
            if tool == "bash":
                probe = self.policy.evaluate(tool, args, self.shell_cwd(), read_only)
                decision.outside = probe.outside
        else:
            decision = self.policy.evaluate(tool, args, self.shell_cwd(), read_only)
            if hint == "allow" and decision.action == "ask" and not decision.rule:
                decision = Decision(
                    "allow", "a PreToolUse hook allowed it", outside=decision.outside
                )
            elif hint == "ask" and decision.action == "allow" and self.mode != "bypassPermissions":
                decision = Decision("ask", "a PreToolUse hook asks for the user's approval")
            asked = decision.action == "ask"
            if asked:
                decision = self._ask(tool, args, decision, key)
            self.events.emit(
                "permission",
                tool=tool,
                action=decision.action,
                reason=decision.reason,
                asked=asked and self.interactive,
                sandboxed=decision.sandboxed,
            )
        if decision.action == "deny":
            self.denials.append(
                {
                    "tool_name": tool,
                    "tool_use_id": call_id,
                    "tool_input": dict(args),
                    "reason": decision.reason,
                }
            )
        elif tool == "bash" and decision.outside:
            self._outside.add(str(args.get("command") or ""))
        return decision

    def _ask(self, tool: str, args: dict[str, Any], d: Decision, key: str) -> Decision:
        subject = _subject(tool, args)
        if self.ask is None:
            return Decision("deny", f"needs the user's approval ({d.reason}); nobody to ask")
        self.prompts += 1
        self.total_prompts += 1
        answer = self.ask(ApprovalRequest(tool, subject, d.reason, list(d.always)))
        if answer == "always" and d.always:
            self.remember(allow=d.always)
            return Decision("allow", f"the user allowed it always ({', '.join(d.always)})")
        if answer in ("yes", "always"):
            self.session_yes.add(key)
            return Decision("allow", "the user allowed it", outside=d.outside)
        return Decision("deny", f"the user declined it ({d.reason})")

    def remember(
        self, allow: list[str] | tuple[str, ...] = (), excluded: list[str] | tuple[str, ...] = ()
    ) -> None:
        """Rules from an "always" answer: in force now, and kept in settings.local.json."""
        for text in allow:
            self.policy.allow.append(parse_rule(text, settingsfiles.LOCAL_FILE))
        self.policy.excluded += [e for e in excluded if e not in self.policy.excluded]
        try:
            settingsfiles.remember(self.root, allow=list(allow), excluded=list(excluded))
        except OSError as exc:
            self.events.emit("notice", message=f"could not save the permission rule: {exc}")

    # ------------------------------------------------------------------ the sandbox

    def take_outside(self, command: str) -> bool:
        """True (once) when the check decided this command runs outside the sandbox."""
        if command in self._outside:
            self._outside.discard(command)
            return True
        return False

    def sandbox_failure(self, output: str) -> str:
        """Why a failed command looks blocked by the sandbox ('' when it does not)."""
        for sign, why in _SANDBOX_SIGNS.get(self.sandbox.kind, ()):
            if sign in output:
                return why
        if (
            self.sandbox.kind == "bwrap"
            and not self.sandbox.network
            and ("Connection refused" in output or "ECONNREFUSED" in output)
        ):
            return "the network is off (the sandbox has its own loopback)"
        return ""

    def retry_outside(self, command: str, why: str) -> bool:
        """Ask once whether to run a command again outside the sandbox ("always" remembers
        its prefix as an excluded command)."""
        segments = parse_command(command).segments
        prefix = suggest_prefix(segments[0].argv) if segments else command
        rule = f"{prefix}:*"
        if self.ask is None:
            self.denials.append(
                {
                    "tool_name": "bash",
                    "tool_use_id": "",
                    "tool_input": {"command": command},
                    "reason": f"failed in the sandbox ({why}); running it outside needs the "
                    "user's approval",
                }
            )
            return False
        self.prompts += 1
        self.total_prompts += 1
        req = ApprovalRequest(
            "bash", command, f"it failed in the sandbox ({why}): run it again outside?",
            [f"Bash({rule})"], kind="sandbox",
        )  # fmt: skip
        answer = self.ask(req)
        if answer == "always":
            self.remember(allow=[f"Bash({rule})"], excluded=[rule])
        return answer in ("yes", "always")

    def retry_refused_note(self, why: str) -> str:
        if self.ask is None:
            return (
                f"[it failed in the sandbox ({why}); this run cannot ask to run it outside: "
                "tell the user in your answer that it needs their approval]"
            )
        return f"[it failed in the sandbox ({why}); the user did not allow running it outside]"

    # ------------------------------------------------------------------ reporting

    def describe(self) -> dict[str, Any]:
        p = self.policy
        return {
            "mode": p.mode,
            "sandbox": self.sandbox.kind,
            "sandbox_detail": self.sandbox.describe(),
            "network": self.sandbox.network,
            "allow": [r.text for r in p.allow],
            "ask": [r.text for r in p.ask],
            "deny": [r.text for r in p.deny],
            "excluded_commands": list(p.excluded),
            "untrusted": {str(f.path): f.held for f in self.files.untrusted()},
            "problems": list(self.files.problems),
        }


def _key(tool: str, args: dict[str, Any]) -> str:
    return f"{tool}:{json.dumps(args, sort_keys=True, default=str)}"


def _subject(tool: str, args: dict[str, Any]) -> str:
    if tool == "bash":
        return str(args.get("command") or "")
    if "path" in args:
        return f"{tool} {args['path']}"
    return tool
