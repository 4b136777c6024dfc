"""In-process plugins with pluggy: global ones (entry points of the group ``smallcode``, as
simonw/llm does) and the Python modules of directory plugins.

A plugin module implements any of the hookspecs below with ``@smallcode.plugins.hookimpl``::

    from smallcode.plugins import hookimpl

    @hookimpl
    def register_tools(register):
        register(my_function)            # a typed function, a @tool function or a Tool

and declares itself in its pyproject: ``[project.entry-points.smallcode] name = "module"``.
Loading is skipped entirely (pluggy not even imported) when there is nothing to load.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smallcode.plugins.specs import hookimpl, hookspec  # noqa: F401  (re-exported)
from smallcode.tools.registry import Tool, build_tool

if TYPE_CHECKING:
    from smallcode.plugins.manifest import DirPlugin


@dataclass
class ToolDecision:
    """What a ``pre_tool_use`` hook may return (a plain string means deny, with that reason)."""

    action: str  # allow | ask | deny
    reason: str = ""


_RANK = {"allow": 1, "ask": 2, "deny": 3}


@dataclass
class PluginHost:
    pm: Any
    names: list[str] = field(default_factory=list)
    tools: list[Tool] = field(default_factory=list)
    providers: dict[str, Callable[..., Any]] = field(default_factory=dict)
    commands: list[tuple[str, str, Callable[..., Any]]] = field(default_factory=list)
    prompts: list[tuple[str, str]] = field(default_factory=list)  # (content, inject)
    problems: list[str] = field(default_factory=list)

    def pre_tool_use(self, call: Any, ctx: Any) -> ToolDecision | None:
        best: ToolDecision | None = None
        for raw in self._call("pre_tool_use", call=call, ctx=ctx):
            d = as_decision(raw)
            if d is not None and (best is None or _RANK[d.action] > _RANK[best.action]):
                best = d
        return best

    def post_tool_use(self, call: Any, result: Any, ctx: Any) -> list[str]:
        return [str(r) for r in self._call("post_tool_use", call=call, result=result, ctx=ctx) if r]

    def session_start(self, ctx: Any) -> None:
        self._call("session_start", ctx=ctx)

    def session_end(self, ctx: Any) -> None:
        self._call("session_end", ctx=ctx)

    def _call(self, hook: str, **kwargs: Any) -> list[Any]:
        try:
            return list(getattr(self.pm.hook, hook)(**kwargs) or [])
        except Exception as exc:  # a plugin bug must not end the run
            self.problems.append(f"plugin hook {hook} failed: {type(exc).__name__}: {exc}")
            return []


def as_decision(raw: Any) -> ToolDecision | None:
    if raw is None or raw is True:
        return None
    if isinstance(raw, ToolDecision):
        return raw if raw.action in _RANK else None
    if raw is False:
        return ToolDecision("deny", "refused by a plugin")
    if isinstance(raw, str):
        return ToolDecision("deny", raw)
    if isinstance(raw, dict):
        action = raw.get("permissionDecision") or raw.get("action") or raw.get("decision")
        action = {"block": "deny", "approve": "allow"}.get(str(action), str(action))
        if action in _RANK:
            return ToolDecision(action, str(raw.get("reason") or ""))
    return None


def as_tool(item: Any) -> Tool:
    """A Tool, a ``@tool`` function, a function taking the ToolContext first, or a plain typed
    function (no context) -> Tool."""
    if isinstance(item, Tool):
        return item
    found = getattr(item, "__tool__", None)
    if isinstance(found, Tool):
        return found
    if not callable(item):
        raise TypeError(f"not a tool: {item!r}")
    sig = inspect.signature(item)
    params = list(sig.parameters)
    if params and params[0] in ("ctx", "context"):
        return build_tool(item)

    def call(ctx: Any, **kwargs: Any) -> str:
        out = item(**kwargs)
        return out if isinstance(out, str) else str(out)

    ctx_param = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    # inspect.signature honours __signature__ on any function; typeshed does not declare it.
    call.__signature__ = sig.replace(  # type: ignore[attr-defined]
        parameters=[ctx_param, *sig.parameters.values()]
    )
    call.__doc__ = item.__doc__
    call.__annotations__ = dict(getattr(item, "__annotations__", {}))
    call.__module__ = getattr(item, "__module__", __name__)
    return build_tool(call, name=getattr(item, "__name__", "tool"))


def _import_file(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _module_name(plugin: str, path: Path) -> str:
    safe = "".join(c if c.isalnum() else "_" for c in f"{plugin}_{path.stem}")
    return f"smallcode_plugin_{safe}"


def load_host(
    entry_points: list[tuple[str, str]], dir_plugins: list[DirPlugin]
) -> PluginHost | None:
    """Load global and directory plugins' Python code; None when there is none."""
    modules = [(p, m) for p in dir_plugins for m in p.python_modules()]
    provider_specs = [(p, spec) for p in dir_plugins for spec in p.list_of("providers")]
    if not entry_points and not modules and not provider_specs:
        return None
    key = (tuple(entry_points), tuple(str(m) for _, m in modules), repr(provider_specs))
    if key in _LOADED:  # modules load once per process (-p NAME loads them before the session)
        return _LOADED[key]
    host = _load(entry_points, modules, provider_specs)
    _LOADED[key] = host
    return host


_LOADED: dict[Any, PluginHost] = {}


def _load(
    entry_points: list[tuple[str, str]],
    modules: list[tuple[DirPlugin, Path]],
    provider_specs: list[tuple[DirPlugin, dict[str, Any]]],
) -> PluginHost:
    import pluggy

    from smallcode.plugins import specs

    pm = pluggy.PluginManager("smallcode")
    pm.add_hookspecs(specs)
    host = PluginHost(pm)
    for name, value in entry_points:
        module_name, _, attr = value.partition(":")
        try:
            obj = importlib.import_module(module_name.strip())
            if attr:
                for part in attr.strip().split("."):
                    obj = getattr(obj, part)
            pm.register(obj, name=name)
            host.names.append(name)
        except Exception as exc:
            host.problems.append(
                f"plugin {name} ({value}) failed to load: {type(exc).__name__}: {exc}"
            )
    loaded: dict[Path, Any] = {}
    for plugin, path in modules:
        try:
            module = loaded.get(path) or _import_file(path, _module_name(plugin.name, path))
            loaded[path] = module
            pm.register(module, name=f"{plugin.name}:{path.stem}")
            host.names.append(plugin.name)
            host.tools += [
                v.__tool__
                for v in vars(module).values()
                if isinstance(getattr(v, "__tool__", None), Tool)
            ]
        except Exception as exc:
            host.problems.append(
                f"plugin {plugin.name}: {path.name} failed to load: {type(exc).__name__}: {exc}"
            )
    for plugin, spec in provider_specs:
        _manifest_provider(host, plugin, spec, loaded)
    _collect(host)
    return host


def _manifest_provider(
    host: PluginHost, plugin: DirPlugin, spec: dict[str, Any], loaded: dict[Path, Any]
) -> None:
    name, rel = str(spec.get("name") or ""), str(spec.get("module") or "")
    path = (plugin.root / rel).resolve()
    if not name or not path.is_file():
        host.problems.append(f"plugin {plugin.name}: provider {name or '?'} has no module file")
        return
    try:
        module = loaded.get(path) or _import_file(path, _module_name(plugin.name, path))
        loaded[path] = module
        factory = getattr(module, str(spec.get("factory") or "make_provider"))
    except Exception as exc:
        host.problems.append(f"plugin {plugin.name}: provider {name} failed to load: {exc}")
        return
    host.providers[name.lower()] = factory


def _collect(host: PluginHost) -> None:
    def tool(item: Any) -> None:
        try:
            host.tools.append(as_tool(item))
        except (TypeError, ValueError) as exc:
            host.problems.append(f"a plugin registered a tool that is not one: {exc}")

    def provider(name: str, factory: Callable[..., Any]) -> None:
        host.providers[str(name).lower()] = factory

    def command(name: str, help: str, func: Callable[..., Any]) -> None:
        host.commands.append((str(name).lstrip("/"), str(help), func))

    def prompt(content: str, inject: str = "always") -> None:
        host.prompts.append((str(content), str(inject or "always")))

    host._call("register_tools", register=tool)
    host._call("register_providers", register=provider)
    host._call("register_commands", register=command)
    host._call("register_prompts", register=prompt)
    seen: set[str] = set()
    unique = []
    for t in host.tools:
        if t.name not in seen:
            seen.add(t.name)
            unique.append(t)
    host.tools = unique
