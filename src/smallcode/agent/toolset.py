"""Which tools a session offers the model.

The core tools (files, shell, search) are always sent. Other groups are offered when relevant:
chosen from the first task and the project when the session starts, then kept fixed so the
prompt prefix stays stable (a later task that clearly needs a group adds it once, at the end).
``SMALLCODE_TOOLS`` overrides: ``auto`` (default), ``core``, ``all``, or a comma-separated list of
group or tool names to add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import import_module

from smallcode.tools.registry import Tool, ToolRegistry

# Modules whose @tool functions are optional groups (imported lazily).
OPTIONAL_MODULES = (
    "smallcode.tools.knowledge",
    "smallcode.tools.memory",
    "smallcode.tools.provider",
    "smallcode.tools.testing",
)


@dataclass(frozen=True)
class Group:
    name: str
    tools: tuple[str, ...]
    keywords: tuple[str, ...]


GROUPS = (
    Group(
        "code_search",
        ("hybrid_search", "explain_symbol", "graph_search", "list_projects"),
        (
            "where is",
            "find the code",
            "which function",
            "which file",
            "callers",
            "who calls",
            "symbol",
            "codebase",
            "explain how",
            "how does",
            "architecture",
            "refactor",
        ),
    ),
    Group(
        "memory",
        ("memory_remember", "memory_load", "memory_list", "memory_forget"),
        (
            "remember",
            "memory",
            "memorize",
            "memorise",
            "forget",
            "for next time",
            "from now on",
            "convention",
            "note that",
        ),
    ),
    Group(
        "provider",
        ("provider_status", "configure_provider"),
        (
            "provider",
            "endpoint",
            "base url",
            "api key",
            "which model",
            "switch model",
            "lm studio",
            "ollama",
            "llama.cpp",
            "vllm",
            "openrouter",
        ),
    ),
    Group(
        "testing",
        ("run_tests",),
        ("test", "pytest", "jest", "vitest", "failing", "tdd", "red-green", "cargo test"),
    ),
)

LARGE_PROJECT_FILES = 40  # above this many source files, code search is offered by default...
ROOMY_WINDOW = 16384  # ...when the context window has room for the extra schemas


def optional_tools() -> dict[str, Tool]:
    """Every optional tool that is installed, by name."""
    found: dict[str, Tool] = {}
    for mod_name in OPTIONAL_MODULES:
        try:
            mod = import_module(mod_name)
        except ImportError:
            continue
        for value in vars(mod).values():
            t = getattr(value, "__tool__", None)
            if isinstance(t, Tool):
                found[t.name] = t
    return found


def check_tools_setting(setting: str, core_tools: list[str]) -> None:
    """``SMALLCODE_TOOLS`` names only known groups and tools; else a ConfigError (exit 2)."""
    import difflib

    from smallcode.errors import ConfigError

    groups = [g.name for g in GROUPS]
    known = ["auto", "core", "all", *groups, *(t for g in GROUPS for t in g.tools), *core_tools]
    for word in (w.strip() for w in (setting or "").split(",")):
        if not word or word.lower() in known or word in known:
            continue
        close = difflib.get_close_matches(word.lower(), known, n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConfigError(
            f"SMALLCODE_TOOLS names an unknown group or tool {word!r}{hint}: expected auto, "
            f"core, all, or a comma-separated list of groups ({', '.join(groups)}) or tool names"
        )


def wanted_groups(task: str, setting: str, source_files: int = 0, window: int = 0) -> set[str]:
    setting = (setting or "auto").strip().lower()
    names = {g.name for g in GROUPS}
    if setting == "all":
        return names
    if setting == "core":
        return set()
    chosen = {s.strip() for s in setting.split(",") if s.strip() and s.strip() != "auto"}
    low = task.lower()
    for g in GROUPS:
        if any(re.search(rf"\b{re.escape(k)}", low) for k in g.keywords):
            chosen.add(g.name)
    if source_files > LARGE_PROJECT_FILES and window >= ROOMY_WINDOW:
        chosen.add("code_search")
    return chosen


def add_relevant_tools(
    registry: ToolRegistry, task: str, setting: str, source_files: int = 0, window: int = 0
) -> list[str]:
    """Add the optional tools this task needs; returns the names added (in a stable order)."""
    available = optional_tools()
    groups = wanted_groups(task, setting, source_files, window)
    explicit = {s.strip() for s in (setting or "").split(",")}
    added: list[str] = []
    for g in GROUPS:
        for name in g.tools:
            want = g.name in groups or name in explicit
            if want and name in available and name not in registry:
                registry.add(available[name])
                added.append(name)
    return added
