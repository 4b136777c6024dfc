"""Python-style calls: ``[read_file(path="a.py"), bash(command="ls")]`` (Llama 3.2/4, LFM2,
Gemma, tool_code blocks).

Parsed with :mod:`ast` (never evaluated); when that fails (a model put real newlines inside
an ordinary string, which is common when it writes code), a small forgiving tokenizer takes
over. Positional arguments are mapped to parameters in schema order.
"""

from __future__ import annotations

import ast
from typing import Any

from smallcode.toolcalls.jsonscan import (
    find_close,
    loads_lenient,
    quiet_literal_eval,
    quiet_parse,
)

MAX_SOURCE = 100_000
POSITIONAL = "__positional__"


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


class _Bare(str):
    """An unquoted word or expression used as a value (``read_file(path)``): a signature or
    code rather than a call, unless the call sits between a model's call markers."""


def _value(node: ast.AST) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(node, ast.Name):  # an unquoted word: true/false/null or a bare string
        low = node.id.lower()
        if low in ("true", "false", "null", "none"):
            return {"true": True, "false": False}.get(low)
        return _Bare(node.id)
    try:
        return _Bare(ast.unparse(node))
    except Exception:
        return None


def _calls_in(node: ast.AST) -> list[ast.Call]:
    if isinstance(node, ast.Call):
        # Gemma's examples wrap calls in print(): print(default_api.read_file(path="a"))
        if (
            isinstance(node.func, ast.Name)
            and node.func.id == "print"
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Call)
        ):
            return [node.args[0]]
        return [node]
    if isinstance(node, ast.List | ast.Tuple):
        out: list[ast.Call] = []
        for elt in node.elts:
            out.extend(_calls_in(elt))
        return out
    if isinstance(node, ast.Expr):
        return _calls_in(node.value)
    return []


def parse_calls(src: str, strict: bool = False) -> list[tuple[str, dict[str, Any]]] | None:
    """Calls in python syntax: [(name, args)]; None when ``src`` is not such a list of calls.

    ``strict``: every value must be a literal (quoted string, number, list, ...); a bare
    name like ``read_file(path)`` means code or a signature, not a call.
    """
    calls = _parse(src)
    if calls is None:
        return None
    out = []
    for name, args in calls:
        bare = [k for k, v in args.items() if isinstance(v, _Bare)]
        bare += [v for v in args.get(POSITIONAL, []) if isinstance(v, _Bare)]
        if strict and bare:
            return None
        out.append((name, {k: _plain(v) for k, v in args.items()}))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, _Bare):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _parse(src: str) -> list[tuple[str, dict[str, Any]]] | None:
    s = src.strip().rstrip(";").strip()
    if not s or len(s) > MAX_SOURCE:
        return None
    try:
        tree = quiet_parse(s)
        nodes: list[ast.Call] = []
        for stmt in tree.body:
            found = _calls_in(stmt)
            if not found:
                return None
            nodes.extend(found)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return _parse_forgiving(s)
    out = []
    for call in nodes:
        name = _dotted(call.func)
        if not name:
            return None
        args: dict[str, Any] = {}
        for kw in call.keywords:
            if kw.arg is None:  # **kwargs
                value = _value(kw.value)
                if isinstance(value, dict):
                    args.update(value)
                continue
            args[kw.arg] = _value(kw.value)
        if call.args:
            args[POSITIONAL] = [_value(a) for a in call.args]
        out.append((name, args))
    return out


# ---------------------------------------------------------------------- forgiving fallback

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\", "0": "\0"}


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    out = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw) and raw[i + 1] in _ESCAPES:
            out.append(_ESCAPES[raw[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _read_ident(s: str, i: int) -> tuple[str, int]:
    j = i
    while j < len(s) and (s[j].isalnum() or s[j] in "_."):
        j += 1
    return s[i:j], j


def _skip_ws(s: str, i: int, extra: str = "") -> int:
    while i < len(s) and (s[i].isspace() or s[i] in extra):
        i += 1
    return i


def _read_value(s: str, i: int) -> tuple[Any, int]:
    """One argument value at ``s[i]``; returns (value, index after it)."""
    ch = s[i]
    if ch in "\"'":
        q = ch * 3 if s.startswith(ch * 3, i) else ch
        j = i + len(q)
        while True:
            k = s.find(q, j)
            if k < 0:  # never closed: the rest up to the call's end
                end = s.rfind(")")
                k = end if end > j else len(s)
                return _unescape(s[i + len(q) : k]), k
            b = k - 1
            while b >= j and s[b] == "\\":
                b -= 1
            if (k - 1 - b) % 2 == 0:
                return _unescape(s[i + len(q) : k]), k + len(q)
            j = k + 1
    if ch in "[{(":
        e = find_close(s, i)
        e = len(s) if e < 0 else e
        text = s[i:e]
        try:
            return quiet_literal_eval(text), e
        except Exception:
            loaded = loads_lenient(text)
            return (loaded[0] if loaded else text), e
    j = i
    depth = 0
    while j < len(s) and not (depth == 0 and s[j] in ",)"):
        depth += s[j] in "([{"
        depth -= s[j] in ")]}"
        j += 1
    word = s[i:j].strip()
    low = word.lower()
    if low in ("true", "false"):
        return low == "true", j
    if low in ("none", "null"):
        return None, j
    try:
        return (float(word) if any(c in word for c in ".eE") else int(word)), j
    except ValueError:
        return _Bare(word), j


def _parse_forgiving(s: str) -> list[tuple[str, dict[str, Any]]] | None:
    out: list[tuple[str, dict[str, Any]]] = []
    i = _skip_ws(s, 0, "[")
    while i < len(s) and len(out) < 32:
        name, i = _read_ident(s, i)
        if not name or i >= len(s) or s[i] != "(":
            return out or None
        i += 1
        args: dict[str, Any] = {}
        positional: list[Any] = []
        while True:
            i = _skip_ws(s, i, ",")
            if i >= len(s):
                break
            if s[i] == ")":
                i += 1
                break
            key, j = _read_ident(s, i)
            j2 = _skip_ws(s, j)
            if key and j2 < len(s) and s[j2] in "=:" and not s.startswith("==", j2):
                value, i = _read_value(s, _skip_ws(s, j2 + 1))
                args[key] = value
            else:
                value, i = _read_value(s, i)
                positional.append(value)
            if i >= len(s):
                break
        if positional:
            args[POSITIONAL] = positional
        out.append((name, args))
        i = _skip_ws(s, i, ",;]")
    return out or None


def place_positional(args: dict[str, Any], order: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Give positional values the names of the schema's parameters, in order."""
    if POSITIONAL not in args:
        return args, []
    args = dict(args)
    values = args.pop(POSITIONAL)
    free = [p for p in order if p not in args]
    notes = []
    for value, name in zip(values, free, strict=False):
        args[name] = value
        notes.append(f"named positional argument as '{name}'")
    if len(values) > len(free):
        notes.append(f"dropped {len(values) - len(free)} extra positional argument(s)")
    return args, notes
