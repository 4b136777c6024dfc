"""Schema-guided argument repair: wrong key names, wrong types, stray and empty values.

Small models write ``file_path`` where the tool says ``path``, ``"10"`` for an integer, a
string where a list is expected, ``null`` for options they do not use. Each fix is noted in
plain words so the loop can log it and the evidence store can learn from it.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from smallcode.toolcalls.jsonscan import calls_from_value, loads_lenient
from smallcode.toolcalls.readings import CallFit, junk_value, plain_key, value_mass
from smallcode.toolcalls.schema import ToolIndex, normalize_name
from smallcode.toolcalls.xmlvalues import XmlValue

# A key the model wrote -> the schema names it may have meant (used when exactly one exists).
ALIASES: dict[str, tuple[str, ...]] = {
    "filepath": ("path",),
    "filename": ("path",),
    "file": ("path",),
    "fname": ("path",),
    "filepaths": ("paths",),
    "path": ("file_path", "filepath", "filename", "file"),
    "directory": ("path", "dir"),
    "dir": ("path", "directory"),
    "folder": ("path", "directory"),
    "oldstring": ("old_str",),
    "search": ("old_str", "pattern"),
    "find": ("old_str", "pattern"),
    "old": ("old_str",),
    "oldtext": ("old_str",),
    "original": ("old_str",),
    "oldstr": ("old_string", "search"),
    "newstring": ("new_str",),
    "replace": ("new_str",),
    "replacement": ("new_str",),
    "replacewith": ("new_str",),
    "new": ("new_str",),
    "newtext": ("new_str",),
    "newstr": ("new_string", "replacement"),
    "cmd": ("command",),
    "shellcommand": ("command",),
    "bashcommand": ("command",),
    "script": ("command",),
    "command": ("cmd",),
    "query": ("pattern",),
    "regex": ("pattern",),
    "searchpattern": ("pattern",),
    "searchterm": ("pattern", "query"),
    "pattern": ("query", "regex"),
    "contents": ("content",),
    "text": ("content",),
    "filecontent": ("content",),
    "filecontents": ("content",),
    "body": ("content",),
    "content": ("contents", "text"),
    # the plan tool: Codex update_plan sends ``plan``, small models ``steps`` or ``tasks``
    "plan": ("todos",),
    "steps": ("todos",),
    "tasks": ("todos",),
    "todo": ("todos",),
    "todolist": ("todos",),
}

_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}
_NULLS = {"null", "none", "nil", "undefined"}


def _types(schema: Any) -> list[str]:
    """The JSON types a parameter schema allows, most specific first."""
    if not isinstance(schema, dict):
        return []
    t = schema.get("type")
    if isinstance(t, str):
        return [t]
    if isinstance(t, list):
        return [x for x in t if isinstance(x, str) and x != "null"]
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            out: list[str] = []
            for sub in schema[key]:
                out.extend(x for x in _types(sub) if x != "null")
            return out
    if schema.get("enum"):
        return [json_type(schema["enum"][0])]
    return []


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _fits(value: Any, types: list[str]) -> bool:
    vt = json_type(value)
    return not types or vt in types or (vt == "integer" and "number" in types)


_NO = object()


def _convert(value: Any, kind: str, schema: dict[str, Any]) -> Any:
    """``value`` turned into JSON type ``kind``, or _NO."""
    if isinstance(value, XmlValue) and value.parsed is not None:  # child elements
        if kind == "array" and isinstance(value.parsed, list):
            return _convert_items(value.parsed, schema)
        if kind == "object" and isinstance(value.parsed, dict):
            return value.parsed
    if kind == "integer":
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            s = value.strip().replace("_", "")
            try:
                return int(s)
            except ValueError:
                try:
                    f = float(s)
                except ValueError:
                    return _NO
                return int(f) if f.is_integer() else _NO
        return _NO
    if kind == "number":
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                return _NO
        return _NO
    if kind == "boolean":
        if isinstance(value, str):
            low = value.strip().lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        return _NO
    if kind == "array":
        if isinstance(value, str):
            s = value.strip()
            if s.startswith("["):
                loaded = loads_lenient(s)
                if loaded and isinstance(loaded[0], list):
                    return _convert_items(loaded[0], schema)
            return _convert_items([value], schema)
        if isinstance(value, tuple):
            return _convert_items(list(value), schema)
        if value is not None and not isinstance(value, dict | list):
            return _convert_items([value], schema)
        return _NO
    if kind == "object":
        if isinstance(value, str) and value.strip().startswith("{"):
            loaded = loads_lenient(value)
            if loaded and isinstance(loaded[0], dict):
                return loaded[0]
        return _NO
    if kind == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, dict | list):
            return json.dumps(value, indent=2, ensure_ascii=False)
        return _NO
    return _NO


def _convert_items(items: list[Any], schema: dict[str, Any]) -> list[Any]:
    item_types = _types(schema.get("items"))
    if not item_types:
        return items
    out = []
    for item in items:
        if _fits(item, item_types):
            out.append(item)
            continue
        for kind in item_types:
            conv = _convert(item, kind, schema.get("items") or {})
            if conv is not _NO:
                out.append(conv)
                break
        else:
            out.append(item)
    return out


def coerce_value(value: Any, schema: Any) -> tuple[Any, bool]:
    """(value converted to the schema's type, whether it changed)."""
    types = _types(schema)
    if not types or _fits(value, types):
        if isinstance(value, list) and "array" in types and isinstance(schema, dict):
            conv = _convert_items(value, schema)
            return conv, conv != value
        return value, False
    for kind in types:
        conv = _convert(value, kind, schema if isinstance(schema, dict) else {})
        if conv is not _NO:
            return conv, True
    return value, False


def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _NULLS)


def _match_key(key: str, props: dict[str, Any], taken: set[str]) -> tuple[str | None, str]:
    """The schema property ``key`` stands for: (name, how) or (None, "")."""
    norm = normalize_name(key)
    loose = [p for p in props if normalize_name(p) == norm and p not in taken]
    if len(loose) == 1:
        return loose[0], "spelling"
    targets = [t for t in ALIASES.get(norm, ()) if t in props and t not in taken]
    if len(targets) == 1:
        return targets[0], "alias"
    return None, ""


def repair_with_index(index: ToolIndex, name: str, args: Any) -> tuple[dict[str, Any], list[str]]:
    """Repair ``args`` for tool ``name`` against ``index``. Never raises."""
    out, repairs, _dropped = _repair(index, name, args)
    return out, repairs


def _repair(index: ToolIndex, name: str, args: Any) -> tuple[dict[str, Any], list[str], list[Any]]:
    """(arguments, repairs, the keys of ``args`` dropped as unknown or duplicate)."""
    repairs: list[str] = []
    dropped: list[Any] = []
    params = index.params.get(name, {})
    props = index.properties(name)
    required = index.required(name)
    args = _as_dict(args, index, name, repairs)
    if not props:
        return args, repairs, dropped
    open_schema = params.get("additionalProperties") not in (None, False)

    out: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    for key, value in args.items():
        if key in props and key not in out:
            out[key] = value
    for key, value in args.items():
        if key in props:
            continue
        target, _how = _match_key(str(key), props, set(out))
        if target is not None:
            out[target] = value
            repairs.append(f"renamed argument '{key}' to '{target}'")
        elif isinstance(key, str) and any(t in out for t in ALIASES.get(normalize_name(key), ())):
            repairs.append(f"dropped argument '{key}' (duplicate of one already given)")
            dropped.append(key)
        else:
            unknown[key] = value

    missing = [r for r in required if r not in out]
    if len(missing) == 1 and len(unknown) == 1:
        key, value = next(iter(unknown.items()))
        types = _types(props.get(missing[0]))
        if _fits(value, types) or coerce_value(value, props.get(missing[0]))[1]:
            out[missing[0]] = value
            unknown.clear()
            repairs.append(
                f"renamed argument '{key}' to '{missing[0]}' (the only missing required argument)"
            )
    for key, value in unknown.items():
        if open_schema:
            out[key] = value
        else:
            repairs.append(f"dropped unknown argument '{key}'")
            dropped.append(key)
    # keep the order the model wrote the arguments in
    source = {id(v): i for i, v in enumerate(args.values())}
    out = dict(sorted(out.items(), key=lambda kv: source.get(id(kv[1]), len(source))))

    for key in list(out):
        value = out[key]
        schema = props.get(key)
        if isinstance(value, str) and value.strip().lower() in _NULL_WORDS and _null_fits(schema):
            out[key] = value = None  # XML-style values are text: "null" / "None" mean null
            repairs.append(f"converted '{key}' from text to null")
        if _is_null(value) and key not in required and not _allows_null(schema):
            del out[key]
            repairs.append(f"dropped empty optional argument '{key}'")
            continue
        if schema is None:
            continue
        new, changed = coerce_value(value, schema)
        if changed:
            out[key] = new
            repairs.append(f"converted '{key}' from {json_type(value)} to {json_type(new)}")
    for key, value in out.items():  # element text kept as text: plain strings from here on
        if isinstance(value, XmlValue):
            out[key] = str(value)
        elif isinstance(value, list) and any(isinstance(v, XmlValue) for v in value):
            out[key] = [str(v) if isinstance(v, XmlValue) else v for v in value]
    return out, repairs, dropped


_NULL_WORDS = {"null", "none"}


def _allows_null(schema: Any) -> bool:
    """Does the parameter schema accept null (type list, anyOf/oneOf, nullable, enum)?"""
    if not isinstance(schema, dict):
        return False
    t = schema.get("type")
    if t == "null" or (isinstance(t, list) and "null" in t) or schema.get("nullable") is True:
        return True
    if isinstance(schema.get("enum"), list) and None in schema["enum"]:
        return True
    for key in ("anyOf", "oneOf"):
        subs = schema.get(key)
        if isinstance(subs, list) and any(_allows_null(sub) for sub in subs):
            return True
    return False


def _null_fits(schema: Any) -> bool:
    """May the text "null" stand for null here: the schema allows null, or the parameter is
    typed and not a string (a literal "null" string stays text)."""
    if _allows_null(schema):
        return True
    types = _types(schema)
    return bool(types) and "string" not in types


def _as_dict(args: Any, index: ToolIndex, name: str, repairs: list[str]) -> dict[str, Any]:
    """Arguments that are not a dict: a JSON string, a bare value for a one-parameter tool."""
    if isinstance(args, dict):
        return dict(args)
    if args is None:
        return {}
    if isinstance(args, str):
        s = args.strip()
        if not s:
            return {}
        if s[0] in "{[":
            loaded = loads_lenient(s)
            if loaded is not None and isinstance(loaded[0], dict):
                repairs.append(
                    "repaired broken JSON in the arguments"
                    if loaded[1]
                    else "decoded arguments given as a JSON string"
                )
                return dict(loaded[0])
    if isinstance(args, list) and not args:
        return {}
    if isinstance(args, list) and all(isinstance(a, dict) for a in args) and len(args) == 1:
        repairs.append("unwrapped arguments given as a one-item list")
        return dict(args[0])
    required = index.required(name)
    order = index.param_order(name)
    target = required[0] if len(required) == 1 else (order[0] if len(order) == 1 else None)
    if target is None:
        repairs.append("dropped arguments that were not a JSON object")
        return {}
    repairs.append(f"used the bare value as argument '{target}'")
    return {target: args.strip() if isinstance(args, str) else args}


# ---------------------------------------------------------------------- faithful readings


class SchemaJudge:
    """Judges readings of broken JSON by the tool schemas (see readings.py).

    A reading that turns code into argument names the tool does not have loses that code;
    one that leaves a required argument out is worse than one that fills it. With ``tool``,
    the value read is that tool's arguments (a native call's argument string).
    """

    def __init__(self, index: ToolIndex, tool: str | None = None) -> None:
        self.index = index
        self.tool = tool

    def knows(self, name: str) -> bool:
        return self.index.resolve(name) is not None

    def fit(self, value: Any) -> list[CallFit]:
        if self.tool is not None:
            return [self._fit(self.tool, value, value)] if isinstance(value, dict) else []
        holders: list[Any] = []
        calls = calls_from_value(value, holders=holders)
        out = []
        for (name, args, _notes), holder in zip(calls, holders, strict=False):
            resolved = self.index.resolve(name)
            if resolved is not None:
                out.append(self._fit(resolved[0], args, holder))
        return out

    def _fit(self, tool: str, args: Any, holder: Any) -> CallFit:
        fit = CallFit(holder)
        fixed, _repairs, dropped = _repair(self.index, tool, args)
        given = list(args) if isinstance(args, dict) else []
        props = self.index.properties(tool)
        for key in dropped:
            value = args.get(key) if isinstance(args, dict) else None
            if plain_key(key) and not junk_value(value):
                fit.unknown += 1  # a stray option ("mode": "w"): dropped, and said so
                fit.unknown_mass += value_mass(key) + value_mass(value)
                continue
            fit.lost += value_mass(key) + value_mass(value)
            fit.junk_keys.append(str(key))
            if not fit.lost_arg and key in given:  # torn out of the argument before it
                before = [k for k in given[: given.index(key)] if k in props and k in fixed]
                fit.lost_arg = before[-1] if before else ""
        missing = [r for r in self.index.required(tool) if r not in fixed]
        fit.missing = len(missing)
        if len(props) > 1:
            ahead = _next_argument(tuple(props))
            fit.swallowed = sum(1 for v in fixed.values() if isinstance(v, str) and ahead.search(v))
        if not fit.lost_arg:
            strings = [k for k in fixed if isinstance(fixed[k], str)]
            fit.lost_arg = missing[0] if missing else (strings[-1] if strings else "")
        return fit


@lru_cache(maxsize=64)
def _next_argument(props: tuple[str, ...]) -> re.Pattern[str]:
    """``", "path":`` for any of ``props``: a value that holds it ran past its own end."""
    names = "|".join(re.escape(p) for p in props)
    return re.compile(rf"[\"']\s*,\s*[\"'](?:{names})[\"']\s*:")


def repair_arguments(
    name: str, args: Any, tools: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[str]]:
    """Repair the arguments of a call to ``name`` against the OpenAI-style ``tools``.

    Returns ``(arguments, repairs)``; ``repairs`` lists each change in plain words.
    Unknown tools get their arguments back unchanged (as a dict). Never raises.
    """
    try:
        return repair_with_index(ToolIndex(tools), name, args)
    except Exception:  # the parser's promise: bad input never raises
        return (dict(args) if isinstance(args, dict) else {}), []
