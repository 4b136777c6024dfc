"""MCP tool schemas projected to a subset every local server's grammar compiler accepts.

llama.cpp, LM Studio and Ollama compile all tool schemas of a request into one grammar; one
``pattern`` with a lookahead, a ``not``, a ``format`` or a huge bounded repeat it cannot
compile makes *every* request fail. So what is sent keeps only: ``type`` (one type; a
nullable type becomes the type), ``properties``, ``required`` (only names that exist),
``items`` (one schema), ``enum`` (``const`` becomes a one-value enum), ``anyOf``/``oneOf``
(projected), ``additionalProperties`` (a boolean, or a projected schema; ``{}`` -> true),
and descriptions (shortened). Local ``$ref``s are inlined (a recursive one becomes its bare
type), ``allOf`` is merged, depth is capped. Everything else (``$schema``, ``pattern``,
``format``, ``not``, ``if``/``then``/``else``, length, size and range bounds,
``patternProperties`` ...) is dropped. The server still validates the original schema.
"""

from __future__ import annotations

import re
from typing import Any

MAX_DEPTH = 6
MAX_DESCRIPTION = 160  # a property's description
MAX_TOOL_DESCRIPTION = 300
MAX_ENUM = 64
TYPES = ("string", "number", "integer", "boolean", "array", "object", "null")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def short(text: Any, limit: int) -> str:
    if not isinstance(text, str):
        return ""
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def project_tool_schema(schema: Any) -> dict[str, Any]:
    """A tool's ``inputSchema`` -> a grammar-safe object schema."""
    root = schema if isinstance(schema, dict) else {}
    out = _project(root, root, 0, ())
    if out.get("type") != "object":
        out = {"type": "object", "properties": {}}
    out.setdefault("properties", {})
    return out


def _resolve(ref: str, root: dict[str, Any]) -> dict[str, Any] | None:
    if not ref.startswith("#/"):
        return None  # remote refs are never fetched
    node: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, dict) else None


def _type_of(node: dict[str, Any]) -> str:
    t = node.get("type")
    if isinstance(t, list):
        kinds = [x for x in t if x in TYPES and x != "null"]
        return kinds[0] if len(kinds) == 1 else ""
    if isinstance(t, str) and t in TYPES:
        return t
    if "properties" in node:
        return "object"
    if "items" in node:
        return "array"
    return ""


def _project(node: Any, root: dict[str, Any], depth: int, refs: tuple[str, ...]) -> dict[str, Any]:
    if node is True or not isinstance(node, dict):
        return {}
    ref = node.get("$ref")
    if isinstance(ref, str):
        target = _resolve(ref, root)
        if target is None or ref in refs or depth >= MAX_DEPTH:
            bare = _type_of(target) if target is not None else ""
            stub: dict[str, Any] = {"type": bare} if bare else {}
            if target is not None and isinstance(target.get("description"), str):
                stub["description"] = short(target["description"], MAX_DESCRIPTION)
            return stub
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return _project(merged, root, depth, (*refs, ref))
    if isinstance(node.get("allOf"), list):
        node = _merge_all_of(node, root)
    out: dict[str, Any] = {}
    if isinstance(node.get("description"), str) and node["description"].strip():
        out["description"] = short(node["description"], MAX_DESCRIPTION)
    if depth >= MAX_DEPTH:
        kind = _type_of(node)
        if kind:
            out["type"] = kind
        return out
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if isinstance(options, list) and options:
            projected = [_project(o, root, depth + 1, refs) for o in options]
            projected = [p for p in projected if p.get("type") != "null"]
            if not projected or any(not p for p in projected):
                return out  # one option accepts anything: so does the whole
            if len(projected) == 1:
                return {**projected[0], **out}
            out[key] = projected
            return out
    enum = node.get("enum")
    if "const" in node and _scalar(node["const"]):
        enum = [node["const"]]
    if isinstance(enum, list):
        values = [v for v in enum if v is not None and _scalar(v)][:MAX_ENUM]
        if values:
            out["enum"] = values
    t = node.get("type")
    if isinstance(t, list):
        kinds = [x for x in t if x in TYPES and x != "null"]
        if len(kinds) == 1:
            t = kinds[0]
        elif kinds:
            alts = [_project({**node, "type": k}, root, depth + 1, refs) for k in kinds]
            return {
                "anyOf": [{k: v for k, v in a.items() if k != "description"} for a in alts],
                **out,
            }
        else:
            t = None
    kind = t if isinstance(t, str) and t in TYPES and t != "null" else _type_of(node)
    if "enum" in out and kind not in ("string", "number", "integer", "boolean"):
        kind = _enum_type(out["enum"])
    if kind:
        out["type"] = kind
    if kind == "object":
        _object(node, root, depth, refs, out)
    elif kind == "array":
        items = node.get("items", node.get("prefixItems"))
        if isinstance(items, list):
            items = items[0] if items else {}
        item_schema = _project(items, root, depth + 1, refs)
        if item_schema:
            out["items"] = item_schema
    return out


def _object(
    node: dict[str, Any],
    root: dict[str, Any],
    depth: int,
    refs: tuple[str, ...],
    out: dict[str, Any],
) -> None:
    props = node.get("properties")
    projected: dict[str, Any] = {}
    if isinstance(props, dict):
        for name, sub in props.items():
            projected[str(name)] = _project(sub, root, depth + 1, refs)
    out["properties"] = projected
    required = node.get("required")
    if isinstance(required, list):
        names = [r for r in required if isinstance(r, str) and r in projected]
        if names:
            out["required"] = list(dict.fromkeys(names))
    extra = node.get("additionalProperties")
    if isinstance(extra, bool):
        out["additionalProperties"] = extra
    elif isinstance(extra, dict):
        sub = _project(extra, root, depth + 1, refs)
        out["additionalProperties"] = sub if sub else True
    elif "patternProperties" in node:
        out["additionalProperties"] = True


def _merge_all_of(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
    props: dict[str, Any] = dict(merged.get("properties") or {})
    required: list[Any] = list(merged.get("required") or [])
    for part in node["allOf"]:
        if isinstance(part, dict) and isinstance(part.get("$ref"), str):
            part = _resolve(part["$ref"], root) or {}
        if not isinstance(part, dict):
            continue
        props.update(part.get("properties") or {})
        required += list(part.get("required") or [])
        for key in ("type", "description", "items", "enum", "additionalProperties"):
            if key in part and key not in merged:
                merged[key] = part[key]
    if props:
        merged["properties"] = props
        merged.setdefault("type", "object")
    if required:
        merged["required"] = required
    return merged


def _scalar(v: Any) -> bool:
    return isinstance(v, str | int | float | bool)


def _enum_type(values: list[Any]) -> str:
    if all(isinstance(v, str) for v in values):
        return "string"
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "number"
    return ""
