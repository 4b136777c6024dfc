"""Tools the model can call; each is a typed function registered in registry.py."""

from __future__ import annotations

from smallcode.tools.registry import Tool, ToolContext, ToolRegistry, ToolResult, tool

__all__ = ["Tool", "ToolContext", "ToolRegistry", "ToolResult", "core_registry", "tool"]


def core_registry() -> ToolRegistry:
    """The core tools every session has: files, shell, search."""
    from smallcode.tools.files import patch, read_file, write_file
    from smallcode.tools.search import find_files, search
    from smallcode.tools.shell import bash

    return ToolRegistry(
        [f.__tool__ for f in (read_file, write_file, patch, bash, search, find_files)]
    )
