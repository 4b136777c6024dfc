"""Tool registry: a tool is a typed function; its JSON schema comes from signature + docstring.

    @tool(read_only=True)
    def read_file(ctx: ToolContext, path: str, start_line: int | None = None) -> str:
        '''Read a text file with line numbers.

        Args:
            path: File path relative to the project root.
            start_line: First line to show (1-based).
        '''

The first parameter is always the ToolContext and is not part of the schema. The first
docstring paragraph is the description; the ``Args:`` section documents parameters. A tool
returns a string (the result the model sees) or raises ToolError for an error result.
"""

from __future__ import annotations

import inspect
import re
import time
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from smallcode.errors import PathEscapeError, ToolError
from smallcode.events import EventBus

if typing.TYPE_CHECKING:
    # Types of the shared state only: at run time the tools layer imports none of these.
    from smallcode.agent.contracts import ContractSession
    from smallcode.agent.extensions import ExtensionSession
    from smallcode.agent.guards.snapshot import SnapshotGuard
    from smallcode.agent.guards.trust import TrustDecay
    from smallcode.agent.plan import PlanWorkflow
    from smallcode.agent.tdd import TddHarness
    from smallcode.agent.trace_recorder import TraceRecorder
    from smallcode.cognition import Cognition
    from smallcode.config import Settings
    from smallcode.llm.base import Provider
    from smallcode.llm.router import Router
    from smallcode.permissions.manager import PermissionManager
    from smallcode.permissions.sandbox import Sandbox
    from smallcode.permissions.secretenv import SecretMask
    from smallcode.tools.edit_match import Match
    from smallcode.tools.shellsession import PersistentShell


BeforeWrite = Callable[["ToolContext", Path, str], None]


@dataclass
class ToolContext:
    """What a tool may use: the project root, settings, events and per-session state.

    State shared by the loop, guards, tools and workflows has a typed field below; the
    session (agent/session.py) and the guards set them. ``extras`` is only for the private
    caches of single tools (the memory store, the code index, the web fetcher, ...), by key;
    shared state never goes there.
    """

    root: Path
    settings: Settings
    events: EventBus = field(default_factory=EventBus)
    # What the model read, created and edited in this session (project-relative paths).
    files_read: set[str] = field(default_factory=set)
    files_created: set[str] = field(default_factory=set)
    files_edited: set[str] = field(default_factory=set)

    # -- the run: set by the loop and the guards, read by tools and the loop
    # When the task's time runs out (time.monotonic()): caps bash timeouts.
    run_deadline: float | None = None
    # The temperature of the next request when a guard changed it (guards/trust.py); None: base.
    temperature: float | None = None
    # Trust decay (guards/trust.py): the tool list in its order, failing tools left out.
    tool_trust: TrustDecay | None = None
    # Bumped by tools when a call made progress without writing a file (a TDD phase moved on):
    # identical calls before it do not count as a loop (guards/repetition.py).
    progress: int = 0
    # Called by write_file and patch just before they write (the snapshot guard).
    before_write: BeforeWrite | None = None
    snapshot_guard: SnapshotGuard | None = None
    # A file's text before the task's first write to it (None: it did not exist), when the
    # completion check collects them (agent/completion.py).
    originals: dict[str, str | None] | None = None
    # Replaces the patch tool's matcher (tools/edit_match.py ``locate``), e.g. in tests.
    patch_locate: Callable[[str, str, str], Match] | None = None

    # -- the session: set by build_agent (agent/session.py) and the installers it calls
    provider: Provider | None = None
    router: Router | None = None
    confirm: Callable[[str], bool] | None = None  # asks the user (interactive UI only)
    cognition: Cognition | None = None
    task_kind: str | None = None
    permissions: PermissionManager | None = None
    sandbox: Sandbox | None = None
    secret_mask: SecretMask | None = None
    shell: PersistentShell | None = None
    native_calls: dict[str, int] | None = None  # replies with native / text calls (/profile)
    provider_changed: dict[str, str] | None = None  # configure_provider's switch, for the UI
    # Workflows and extensions (agent/workflows.py, agent/extensions.py, agent/trace_recorder.py)
    plan: PlanWorkflow | None = None
    tdd: TddHarness | None = None
    contracts: ContractSession | None = None
    extensions: ExtensionSession | None = None
    trace_recorder: TraceRecorder | None = None

    # Private caches of single tools, by key (tools/memory.py, tools/knowledge.py, ...).
    extras: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def resolve(self, path: str, *, must_exist: bool = False) -> Path:
        """Resolve a model-given path against the project root; refuse escapes."""
        if not isinstance(path, str) or not path.strip():
            raise ToolError("path is empty: give a file path relative to the project root")
        raw = path.strip()
        candidate = Path(raw).expanduser()
        if not candidate.is_absolute():
            candidate = self.root / candidate
        resolved = candidate.resolve()  # follows symlinks, so a link out is caught too
        if not self.settings.allow_outside_root and not _inside(resolved, self.root):
            raise PathEscapeError(
                f"path '{raw}' is outside the project root {self.root}: use a path inside it"
            )
        if must_exist and not resolved.exists():
            raise ToolError(f"file not found: {raw}")
        return resolved

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def _inside(path: Path, root: Path) -> bool:
    root = root.resolve()
    return path == root or root in path.parents


@dataclass
class Tool:
    name: str
    func: Callable[..., str]
    description: str
    parameters: dict[str, Any]
    read_only: bool = False
    # Sent by default in the small-model profile; others are offered when relevant.
    core: bool = True

    def schema(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


@dataclass
class ToolResult:
    name: str
    ok: bool
    output: str
    ms: float = 0.0
    # The change was undone right after (SMALLCODE_SNAPSHOT_AUTO_ROLLBACK): ok is then False.
    rolled_back: bool = False


def tool(
    func: Callable[..., str] | None = None,
    *,
    name: str | None = None,
    read_only: bool = False,
    core: bool = True,
) -> Any:
    """Decorator that turns a typed function into a Tool (stored on ``func.__tool__``)."""

    def wrap(f: Callable[..., str]) -> Callable[..., str]:
        f.__tool__ = build_tool(f, name=name, read_only=read_only, core=core)  # type: ignore[attr-defined]
        return f

    return wrap(func) if func is not None else wrap


def build_tool(
    f: Callable[..., str], *, name: str | None = None, read_only: bool = False, core: bool = True
) -> Tool:
    description, arg_docs = parse_docstring(inspect.getdoc(f) or "")
    hints = typing.get_type_hints(f)
    sig = inspect.signature(f)
    props: dict[str, Any] = {}
    required: list[str] = []
    for i, (pname, param) in enumerate(sig.parameters.items()):
        if i == 0:  # the ToolContext
            continue
        schema = type_to_schema(hints.get(pname, str))
        if pname in arg_docs:
            schema["description"] = arg_docs[pname]
        props[pname] = schema
        if param.default is inspect.Parameter.empty:
            required.append(pname)
    parameters: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        parameters["required"] = required
    return Tool(
        name=name or f.__name__,
        func=f,
        description=description,
        parameters=parameters,
        read_only=read_only,
        core=core,
    )


_ARGS_HEADER = re.compile(r"^\s*(Args|Arguments|Parameters):\s*$")
_ARG_LINE = re.compile(r"^\s+(\w+)(?:\s*\([^)]*\))?:\s*(.*)$")


def parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """Google-style docstring -> (description, {param: text})."""
    lines = doc.splitlines()
    desc: list[str] = []
    args: dict[str, str] = {}
    i = 0
    while i < len(lines) and not _ARGS_HEADER.match(lines[i]):
        desc.append(lines[i])
        i += 1
    current = None
    for line in lines[i + 1 :]:
        m = _ARG_LINE.match(line)
        if m and (len(line) - len(line.lstrip())) <= 4:
            current = m.group(1)
            args[current] = m.group(2).strip()
        elif current and line.strip():
            args[current] += " " + line.strip()
        elif not line.strip():
            current = None
    text = " ".join(p.strip() for p in "\n".join(desc).strip().split("\n\n")[0].splitlines())
    return text, args


def type_to_schema(tp: Any) -> dict[str, Any]:
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in get_args(tp) if a is not type(None)]
        return type_to_schema(inner[0]) if len(inner) == 1 else {}
    if origin is Literal:
        values = list(get_args(tp))
        return {"type": "string", "enum": values}
    if origin in (list, tuple, set):
        args = get_args(tp)
        return {"type": "array", "items": type_to_schema(args[0]) if args else {}}
    if origin is dict or tp is dict:
        return {"type": "object"}
    return {
        str: {"type": "string"},
        int: {"type": "integer"},
        float: {"type": "number"},
        bool: {"type": "boolean"},
    }.get(tp, {"type": "string"})


class ToolRegistry:
    """The tools of one session. The loop talks to tools only through this."""

    def __init__(self, tools: list[Tool] | None = None) -> None:
        self._tools: dict[str, Tool] = {}
        for t in tools or []:
            self.add(t)

    def add(self, item: Tool | Callable[..., str]) -> Tool:
        t = item if isinstance(item, Tool) else getattr(item, "__tool__", None) or build_tool(item)
        self._tools[t.name] = t
        return t

    def remove(self, name: str) -> None:
        self._tools.pop(name, None)

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def names(self) -> list[str]:
        return list(self._tools)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> typing.Iterator[Tool]:
        return iter(self._tools.values())

    def schemas(self, only_core: bool = False) -> list[dict[str, Any]]:
        return [t.schema() for t in self._tools.values() if t.core or not only_core]

    def call(self, name: str, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Run a tool. Never raises: errors become ``ok=False`` results for the model."""
        start = time.perf_counter()
        t = self._tools.get(name)
        if t is None:
            valid = ", ".join(self._tools)
            return ToolResult(name, False, f"Error: unknown tool '{name}'. Valid tools: {valid}")
        try:
            bad = check_arguments(t, arguments)
            if bad:
                raise ToolError(bad)
            output = t.func(ctx, **arguments)
            ok = True
        except ToolError as exc:
            output, ok = f"Error: {exc}", False
        except Exception as exc:  # a tool bug must not end the run
            output, ok = f"Error: {name} failed: {type(exc).__name__}: {exc}", False
        ms = (time.perf_counter() - start) * 1000
        return ToolResult(name, ok, output if isinstance(output, str) else str(output), ms)


def check_arguments(t: Tool, arguments: dict[str, Any]) -> str:
    """A clear message for missing or unknown arguments, or '' when they fit."""
    props = t.parameters.get("properties", {})
    missing = [r for r in t.parameters.get("required", []) if r not in arguments]
    unknown = [k for k in arguments if k not in props]
    parts = []
    if missing:
        parts.append(f"missing required argument(s): {', '.join(missing)}")
    if unknown:
        parts.append(f"unknown argument(s): {', '.join(unknown)}")
    if parts:
        return f"{t.name}: " + "; ".join(parts) + f". Parameters are: {', '.join(props)}"
    return ""
