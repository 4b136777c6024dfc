"""The tool schemas a reply is parsed against: name lookup (exact, loose, fuzzy) and params."""

from __future__ import annotations

from typing import Any

# Prefixes models put before a tool name ("functions.read_file", "default_api.read_file").
_NAME_PREFIXES = ("functions.", "function.", "tools.", "tool.", "default_api.", "api.")
_NAME_STRIP = "\"'`*<>[]() \t\r\n:"
# Names other agents' models are trained on -> ours (normalized, used when ours is offered):
# Codex ``update_plan`` and Claude Code ``TodoWrite`` both mean the plan tool.
TOOL_ALIASES = {
    "updateplan": "todo_write",
    "todowrite": "todo_write",
}


def normalize_name(name: str) -> str:
    """Lower case without separators: "readFile", "read-file", "Read_File" -> "readfile"."""
    return name.lower().replace("_", "").replace("-", "").replace(".", "").replace(" ", "")


def _function_of(tool: Any) -> dict[str, Any] | None:
    """The function part of one schema, whatever its wrapping (OpenAI, bare, Anthropic)."""
    if not isinstance(tool, dict):
        return None
    fn = tool.get("function")
    if isinstance(fn, dict) and isinstance(fn.get("name"), str):
        return fn
    if isinstance(tool.get("name"), str):
        if "parameters" not in tool and isinstance(tool.get("input_schema"), dict):
            return {**tool, "parameters": tool["input_schema"]}
        return tool
    return None


class ToolIndex:
    """Known tools by name, with the loose lookups small models need."""

    def __init__(self, tools: list[dict[str, Any]] | None) -> None:
        self.params: dict[str, dict[str, Any]] = {}
        self._lower: dict[str, list[str]] = {}
        self._norm: dict[str, list[str]] = {}
        for tool in tools or []:
            fn = _function_of(tool)
            if fn is None or not fn["name"].strip():
                continue
            name = fn["name"]
            params = fn.get("parameters")
            self.params[name] = params if isinstance(params, dict) else {}
            self._lower.setdefault(name.lower(), []).append(name)
            self._norm.setdefault(normalize_name(name), []).append(name)
        self.names = list(self.params)
        self._resolved: dict[tuple[str, bool], tuple[str, str | None] | None] = {}
        self.aliases = {a: t for a, t in TOOL_ALIASES.items() if t in self.params}
        self.norm_names = [n for n in self._norm if n] + [
            a for a in self.aliases if a not in self._norm
        ]

    def __bool__(self) -> bool:
        return bool(self.params)

    def mentioned_in(self, text: str) -> bool:
        """Cheap pre-check: does any tool name (in any spelling) occur in ``text``?"""
        squashed = text.lower().replace("_", "").replace("-", "")
        return any(n in squashed for n in self.norm_names)

    def resolve(self, raw: Any, *, fuzzy: bool = True) -> tuple[str, str | None] | None:
        """Map a name the model wrote to a known tool: (name, note or None), or None."""
        if not isinstance(raw, str):
            return None
        key = (raw, fuzzy)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(raw, fuzzy)
        return self._resolved[key]

    def _resolve(self, raw: str, fuzzy: bool) -> tuple[str, str | None] | None:
        name = raw.strip(_NAME_STRIP)
        if not name or len(name) > 128:
            return None
        if name in self.params:
            return name, None
        low = name.lower()
        for prefix in _NAME_PREFIXES:
            if low.startswith(prefix) and name[len(prefix) :] in self.params:
                return name[len(prefix) :], None
        hits = self._lower.get(low)
        if hits and len(hits) == 1:
            return hits[0], f"tool name '{raw}' matched to '{hits[0]}'"
        norm = normalize_name(name)
        for prefix in _NAME_PREFIXES:
            p = normalize_name(prefix)
            if norm.startswith(p) and (
                norm[len(p) :] in self._norm or norm[len(p) :] in self.aliases
            ):
                norm = norm[len(p) :]
                break
        hits = self._norm.get(norm)
        if hits and len(hits) == 1:
            return hits[0], f"tool name '{raw}' matched to '{hits[0]}'"
        if norm in self.aliases:
            return self.aliases[norm], f"tool name '{raw}' matched to '{self.aliases[norm]}'"
        if fuzzy and len(norm) >= 4:
            match = self._fuzzy(norm)
            if match:
                return match, f"tool name '{raw}' matched to '{match}' (close spelling)"
        return None

    def complete_name(self, raw: str) -> bool:
        """Is ``raw`` (a name the text cut off) a whole tool name that no other tool's name
        starts with? ("say_hello" is not while "say_hello_world" exists.)"""
        resolved = self.resolve(raw, fuzzy=False)
        if resolved is None:
            return False
        norm = normalize_name(raw.strip(_NAME_STRIP))
        for prefix in _NAME_PREFIXES:
            p = normalize_name(prefix)
            if norm.startswith(p) and norm[len(p) :] in self._norm:
                norm = norm[len(p) :]
                break
        return not any(n != norm and n.startswith(norm) for n in self._norm)

    def _fuzzy(self, norm: str) -> str | None:
        """The one tool whose normalized name is clearly closest, if any."""
        from rapidfuzz import fuzz, process

        choices = [n for n in self._norm if len(self._norm[n]) == 1]
        if not choices:
            return None
        best = process.extract(norm, choices, scorer=fuzz.ratio, limit=2)
        if not best or best[0][1] < 85:
            return None
        if len(best) > 1 and best[0][1] - best[1][1] < 8:
            return None
        return self._norm[best[0][0]][0]

    # ------------------------------------------------------------------ parameters

    def properties(self, name: str) -> dict[str, Any]:
        props = self.params.get(name, {}).get("properties")
        return props if isinstance(props, dict) else {}

    def required(self, name: str) -> list[str]:
        req = self.params.get(name, {}).get("required")
        return [r for r in req if isinstance(r, str)] if isinstance(req, list) else []

    def param_order(self, name: str) -> list[str]:
        """Parameter names in declaration order (for positional arguments)."""
        return list(self.properties(name))
