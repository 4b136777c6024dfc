"""Finding and loading JSON (and JSON-ish) values inside free text, without blowing up.

Everything here is linear in the text it looks at: bracket matching is one pass that skips
strings, and json-repair (slow on pathological nesting) only sees bounded, shallow input.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
import warnings
from typing import Any

from smallcode.toolcalls.readings import (
    LossyArgs,
    count_calls,
    has_lossy,
    last_close,
    mark_calls_lossy,
    mark_lossy,
    names_tool,
    read_broken,
    value_mass,
)
from smallcode.toolcalls.truncation import close_truncated, ends_in_string, mark_cut_name

_OPEN = "{[("
_CLOSE = "}])"
MAX_REPAIR_CHARS = 100_000  # json-repair costs ~3 µs a character
MAX_REPAIR_DEPTH = 48


_INTERESTING = re.compile(r"[{}\[\]()\"']")


def quiet_parse(src: str) -> ast.Module:
    """ast.parse without the SyntaxWarnings (invalid escapes) Python prints to stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(src)


def quiet_literal_eval(src: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.literal_eval(ast.parse(src, mode="eval"))


def find_close(text: str, start: int, end: int | None = None) -> int:
    """Index just past the bracket matching ``text[start]``, or -1 when it never closes.

    Strings in single, double or triple quotes (with backslash escapes) are skipped, so
    brackets inside values do not count. One pass (plain text is skipped by the regex
    engine); stops at ``end``.
    """
    stop = len(text) if end is None else min(end, len(text))
    depth = 0
    i = start
    search = _INTERESTING.search
    while True:
        m = search(text, i, stop)
        if m is None:
            return -1
        i = m.start()
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
            if depth == 0:
                return i + 1
        else:
            if text.startswith(ch * 3, i):
                j = text.find(ch * 3, i + 3, stop)
                if j < 0:
                    return -1
                i = j + 3
                continue
            i = _skip_string(text, i, ch, stop)
            if i < 0:
                return -1
            continue
        i += 1


def _skip_string(text: str, i: int, quote: str, stop: int) -> int:
    """Index past the string opening at ``i``; -1 when unterminated."""
    j = i + 1
    while True:
        k = text.find(quote, j, stop)
        if k < 0:
            return -1
        # count the backslashes right before the quote
        b = k - 1
        while b > i and text[b] == "\\":
            b -= 1
        if (k - 1 - b) % 2 == 0:
            return k + 1
        j = k + 1


def _too_deep(s: str) -> bool:
    """Nesting json-repair would recurse into too deeply (it also nests on parentheses)."""
    if s.count("{") + s.count("[") + s.count("(") <= MAX_REPAIR_DEPTH:
        return False
    depth = peak = 0
    for ch in s:
        if ch in "{[(":
            depth += 1
            if depth > peak:
                peak = depth
                if peak > MAX_REPAIR_DEPTH:
                    return True
        elif ch in "}])" and depth:
            depth -= 1
    return False


def loads_lenient(text: str) -> tuple[Any, bool] | None:
    """(value, was_repaired) for JSON or broken JSON; None when it is not JSON at all."""
    loaded = _load(text.strip())
    return None if loaded is None else (loaded[0], loaded[1])


def _load(s: str) -> tuple[Any, bool, int] | None:
    """(value, was_repaired, where the value ends in ``s``) for (broken) JSON ``s``."""
    if not s:
        return None
    try:
        return json.loads(s), False, len(s)
    except (ValueError, RecursionError):
        pass
    if s[0] not in "{[" or len(s) > MAX_REPAIR_CHARS or _too_deep(s):
        return None
    try:  # raw newlines and tabs inside strings: exact, unlike a general repair
        return json.loads(s, strict=False), True, len(s)
    except (ValueError, RecursionError):
        pass
    completed = close_truncated(s)
    if completed is not None:  # cut off mid-call: close what is open (exact and fast)
        try:
            value = json.loads(completed, strict=False)
        except (ValueError, RecursionError):
            pass
        else:
            if ends_in_string(s):
                mark_cut_name(value, NAME_KEYS)
            return value, True, len(s)
    if ("'" in s or "True" in s or "None" in s or "False" in s) and not (
        '"""' in s or "'''" in s  # triple quotes hold code: read verbatim below, no escapes
    ):
        # a Python literal (single quotes, True/None, trailing commas): exact as well, unless
        # it joins side-by-side strings ("a "b" c" would lose its inner quotes)
        try:
            src = _escape_raw_newlines(s)
            value = quiet_literal_eval(src)
            if isinstance(value, dict | list) and not _joins_strings(src):
                return value, True, len(s)
        except Exception:
            pass
    # code in the strings (unescaped quotes, triple quotes): read it several ways, keep the
    # reading that loses no text (readings.py)
    read = read_broken(s)
    return None if read is None else (read[0], True, read[1])


def _joins_strings(src: str) -> bool:
    """Does ``src`` put string literals side by side (Python joins them into one)?"""
    prev = False
    try:
        for tok in tokenize.generate_tokens(io.StringIO(src).readline):
            if tok.type == tokenize.STRING:
                if prev:
                    return True
                prev = True
            elif tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
                prev = False
    except (tokenize.TokenError, SyntaxError):
        return True
    return False


_STRING_TOKENS = re.compile(r"([\"'\\\n])")


def _escape_raw_newlines(s: str) -> str:
    """Escape newlines that sit inside quoted strings (either quote), one linear pass."""
    out: list[str] = []
    quote = ""
    escaped = False
    for tok in _STRING_TOKENS.split(s):
        if not tok:
            continue
        if escaped:  # the character after a backslash inside a string is literal
            escaped = False
            out.append(tok)
            continue
        if tok == "\\":
            escaped = bool(quote)
        elif tok in "\"'":
            if not quote:
                quote = tok
            elif tok == quote:
                quote = ""
        elif tok == "\n" and quote:
            tok = "\\n"
        out.append(tok)
    return "".join(out)


def strip_fence(body: str) -> str:
    """Remove one markdown fence around ``body`` (```json ... ```), if any."""
    s = body.strip()
    if not s.startswith("```"):
        return s
    nl = s.find("\n")
    if nl < 0:
        return s.strip("`").strip()
    s = s[nl + 1 :]
    if s.rstrip().endswith("```"):
        s = s.rstrip()[:-3]
    return s.strip()


_VALUE_START = re.compile(r"[{\[]")


def iter_json_values(body: str, limit: int = 64) -> list[tuple[int, int, Any, bool]]:
    """Each top-level JSON object/list in ``body``: (start, end, value, repaired).

    An object that never closes runs to the end of ``body`` (a reply cut off mid-call).
    At most ``limit`` values are returned and 4 * ``limit`` candidates tried.
    """
    out: list[tuple[int, int, Any, bool]] = []
    i = 0
    tries = 0
    while len(out) < limit and tries < 4 * limit:
        m = _VALUE_START.search(body, i)
        if m is None:
            break
        tries += 1
        s = m.start()
        value, repaired, e = read_json_at(body, s)
        if e > s:
            out.append((s, e, value, repaired))
        else:
            e = find_close(body, s)
            if e < 0:
                break  # an unclosed value that does not load: nothing after it can either
        i = e
    return out


# After a value, the rest of a string that closed too early ends with a quote and closing
# brackets, before the next line that opens a call, a tag or a fence.
_FRESH_LINE = re.compile(r"\n[ \t]*(?:[{\[]\s*[\"'][\w\-]+[\"']\s*:|\[\s*\{|<[\w|/]|```|~~~)")
MAX_TAIL = 20_000


def read_json_at(text: str, start: int, stop: int | None = None) -> tuple[Any, bool, int]:
    """The JSON value opening at ``text[start]``: (value, repaired, end); end == start when
    nothing loads.

    The value ends where its brackets match, unless that leaves behind the rest of a string
    that closed too early (``"print("}}")\n"}}``): then the longer reading is taken when it
    keeps more of the text without losing any.
    """
    stop = len(text) if stop is None else min(stop, len(text))
    e = find_close(text, start, stop)
    e = stop if e < 0 else e
    read = _load(text[start:e].rstrip())
    loaded = None if read is None else (read[0], read[1])
    if read is not None and read[1]:
        e = start + read[2]  # a broken value may end before its brackets seemed to
    if e < stop:
        x = _broken_tail(text, e, stop)
        if x > e:
            longer = read_broken(text[start:x]) if x - start <= MAX_REPAIR_CHARS else None
            if longer is not None and _keeps_more(longer[0], loaded):
                loaded, e = (longer[0], True), start + longer[1]
    if loaded is None:
        return None, False, start
    if e < stop and text[e] in "\"'":  # `}}")`: the value closed inside a code string
        return mark_calls_lossy(loaded[0]), True, e
    return loaded[0], loaded[1], e


def _broken_tail(text: str, e: int, stop: int) -> int:
    """End of the leftover of a string closed too early after ``e``, or ``e``."""
    limit = min(stop, e + MAX_TAIL)
    m = _FRESH_LINE.search(text, e, limit)
    if m is not None:
        limit = m.start()
    for m in _CALL_OPEN.finditer(text, e, limit):  # the next call is not this one's leftover
        if names_tool(m.group(1)):
            limit = m.start()
            break
    return max(e, last_close(text, e, limit))


def _keeps_more(value: Any, loaded: tuple[Any, bool] | None) -> bool:
    if has_lossy(value) or count_calls(value) == 0:
        return False
    if loaded is None:
        return True
    # (equal mass: the longer reading also keeps the brackets and quotes the other drops)
    return value_mass(value) >= value_mass(loaded[0]) and count_calls(value) >= count_calls(
        loaded[0]
    )


# ---------------------------------------------------------------------- call-shaped values

NAME_KEYS = (
    "name",
    "tool_name",
    "toolName",
    "tool",
    "function_name",
    "functionName",
    "function",
    "action",
    "recipient_name",
    "api_name",
)
# where another call opens (a JSON object naming its tool)
_CALL_OPEN = re.compile(
    r"\{\s*[\"'](?:" + "|".join(NAME_KEYS) + r")[\"']\s*:\s*[\"']([A-Za-z_][\w.\-]{0,100})[\"']"
)


ARG_KEYS = (
    "arguments",
    "parameters",
    "args",
    "input",
    "params",
    "tool_input",
    "action_input",
    "kwargs",
    "tool_args",
    "tool_arguments",
    "argument",
)
_LIST_KEYS = ("tool_calls", "calls", "tool_uses", "function_calls", "actions")
_META_KEYS = {"id", "type", "index", "call_id", "tool_call_id"}


def decode_arguments(args: Any, notes: list[str]) -> Any:
    """Arguments given as a JSON string (maybe twice encoded) -> the decoded value."""
    for _ in range(3):
        if not isinstance(args, str):
            return args
        s = args.strip()
        if not s or s[0] not in "{[\"'":
            return args
        loaded = loads_lenient(s)
        if loaded is None:
            return args
        value, repaired = loaded
        if isinstance(value, str) and value == args:
            return args
        if isinstance(value, dict | list):
            notes.append("decoded arguments given as a JSON string")
        if repaired:
            notes.append("repaired broken JSON in the arguments")
        args = value
    return args


def _looks_like_schema(obj: dict[str, Any], args: Any) -> bool:
    """A tool *definition* (echoed schema), not a call."""
    return (
        isinstance(args, dict)
        and "properties" in args
        and args.get("type") == "object"
        and ("description" in obj or isinstance(args.get("properties"), dict))
    )


def calls_from_value(
    value: Any, depth: int = 0, holders: list[Any] | None = None
) -> list[tuple[str, Any, list[str]]]:
    """Every call-shaped dict in a parsed JSON value: (name, arguments, notes).

    ``holders``, when given, receives for each call the dict of ``value`` its arguments come
    from (the arguments object, or the call itself when they sit next to the name).
    """
    if depth > 6:
        return []
    if isinstance(value, list):
        out = []
        for item in value[:64]:
            out.extend(calls_from_value(item, depth + 1, holders))
        return out
    if not isinstance(value, dict):
        return []
    for key in _LIST_KEYS:
        items = value.get(key)
        if isinstance(items, list):
            return calls_from_value(items, depth + 1, holders)
    for key in ("function_call", "function", "tool_call", "call"):
        inner = value.get(key)
        if isinstance(inner, dict) and any(isinstance(inner.get(k), str) for k in NAME_KEYS):
            mark = len(holders) if holders is not None else 0
            calls = calls_from_value(inner, depth + 1, holders)
            if calls:
                return calls
            if holders is not None:
                del holders[mark:]
    name = None
    for key in NAME_KEYS:
        if isinstance(value.get(key), str):
            name = value[key]
            name_key = key
            break
    if name is None:
        return []
    notes: list[str] = []
    args: Any = None
    found = False
    for key in ARG_KEYS:
        if key in value:
            args, found = value[key], True
            break
    holder = args if found and isinstance(args, dict) else value
    if not found:
        rest = {
            k: v for k, v in value.items() if k != name_key and k not in _META_KEYS and k != "name"
        }
        if "description" in rest:
            return []
        args = rest
        if rest:
            notes.append("arguments were given next to the tool name, not in 'arguments'")
    if _looks_like_schema(value, args):
        return []
    args = decode_arguments(args, notes)
    if isinstance(value, LossyArgs) and isinstance(args, dict) and not isinstance(args, LossyArgs):
        args = mark_lossy(args, value.lost_arg)  # the call lost text: so do its arguments
    if holders is not None:
        holders.append(holder)
    return [(name, args, notes)]
