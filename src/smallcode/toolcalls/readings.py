"""Broken JSON read several ways, keeping the reading that loses none of the model's text.

Small models put code straight into JSON strings: ``print("hi")`` with its quotes unescaped,
docstrings in triple quotes, a whole file between Python triple quotes, a closing quote
forgotten before ``}}``. A general repair (json-repair) takes the first inner quote for the
end of the string, so the code becomes argument names or vanishes, and ``write_file``
writes an empty file. Here such text gets several readings:

- **tolerant**: a quote ends a string only where JSON can go on after it (``,`` and the
  next ``"key":`` not given yet, the closing brackets, ``:`` after a key); any other quote
  is text. Strings in Python's triple quotes (three double or three single quotes) are
  taken verbatim. When the schemas call a key that followed such a split junk (code torn
  into an argument name), the text is read again without that split.
- **anchored**: the value may end only at the last quote-and-brackets in the text, for
  brackets in code (``print("}}")``) that closed it early.
- **greedy**: one string value runs to the *last* quote that closes its object (so
  ``{"a": "b"}`` inside code stays code); one reading per string value, the last first.
- **json-repair**: the general repair, only when none of the above gives a fitting call.

The active :class:`Judge` (the parser sets one from the tool schemas, :func:`judged_by`)
ranks them: a call to a known tool first, then its required arguments, then the text kept.
The measure is the text itself: every character that is neither JSON syntax nor whitespace
must reach a value the tool accepts. When even the best reading loses text, the arguments of
the call come back as :class:`LossyArgs`, which the parser turns into a refused call
(``ToolCall.error``) rather than one run with shortened text.

Each reading is one linear pass; a bounded number of them is tried, and only for JSON that
``json.loads`` rejects.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

# Lost characters a reading may drop before it counts as losing content.
LOSS_LIMIT = 3
MAX_GREEDY = 6  # greedy readings tried (one per string value, the last ones first)
MAX_REFINE = 4  # tolerant re-readings, each without the splits that made junk
MAX_DEPTH = 48


# ---------------------------------------------------------------------- marked arguments


class LossyArgs(dict[str, Any]):
    """Arguments read from text that lost part of it; ``lost_arg`` names the argument the
    lost text most likely belonged to ("" when unknown)."""

    lost_arg: str = ""


def lossy(args: Any) -> str | None:
    """The argument whose text was lost ("" when unknown), or None for a faithful reading."""
    return args.lost_arg if isinstance(args, LossyArgs) else None


def has_lossy(value: Any, depth: int = 0) -> bool:
    """Does any dict in ``value`` carry LossyArgs?"""
    if isinstance(value, LossyArgs):
        return True
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return any(has_lossy(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(has_lossy(v, depth + 1) for v in value)
    return False


def mark_lossy(args: dict[str, Any], lost_arg: str) -> LossyArgs:
    out = LossyArgs(args)
    out.lost_arg = lost_arg
    return out


def _swap(root: Any, targets: dict[int, str], depth: int = 0) -> Any:
    """``root`` with each dict whose id is in ``targets`` replaced by a LossyArgs copy."""
    if depth > MAX_DEPTH:
        return root
    if isinstance(root, dict):
        out = {k: _swap(v, targets, depth + 1) for k, v in root.items()}
        if id(root) in targets:
            return mark_lossy(out, targets[id(root)])
        if isinstance(root, LossyArgs):
            return mark_lossy(out, root.lost_arg)
        return out
    if isinstance(root, list):
        return [_swap(v, targets, depth + 1) for v in root]
    return root


# ---------------------------------------------------------------------- judging readings


@dataclass
class CallFit:
    """How one call in a reading fits its tool's schema."""

    holder: Any  # the dict to mark when this call loses text (its arguments, or the call)
    lost: int = 0  # characters the schema repair would throw away as junk
    missing: int = 0  # required arguments absent
    unknown: int = 0  # unknown arguments with a plain name and value (dropped, and said so)
    unknown_mass: int = 0  # their text
    lost_arg: str = ""  # the argument the junk most likely came from
    junk_keys: list[str] = field(default_factory=list)  # keys dropped as torn-off text
    swallowed: int = 0  # argument values holding `", "other_arg":` (read past their end)


class Judge(Protocol):
    def fit(self, value: Any) -> list[CallFit]:
        """The calls to known tools in ``value`` (a reading), each fitted to its schema."""
        ...

    def knows(self, name: str) -> bool:
        """Is ``name`` a known tool?"""
        ...


_JUDGE: ContextVar[Judge | None] = ContextVar("smallcode_reading_judge", default=None)


@contextmanager
def judged_by(judge: Judge | None) -> Iterator[None]:
    """Broken JSON read inside this block is judged by ``judge`` (the tool schemas)."""
    token = _JUDGE.set(judge)
    try:
        yield
    finally:
        _JUDGE.reset(token)


def count_calls(value: Any) -> int:
    """Calls to known tools in ``value`` by the active judge (1 for any value without one)."""
    judge = _JUDGE.get()
    return 1 if judge is None else len(judge.fit(value))


def names_tool(name: str) -> bool:
    """Is ``name`` a known tool (by the active judge; any name without one)?"""
    judge = _JUDGE.get()
    return judge is None or judge.knows(name)


# ---------------------------------------------------------------------- text measure

_SYNTAX = str.maketrans("", "", " \t\r\n\"'{}[]:,\\")
_RAW_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|[nrtbf\"'\\/])")


def raw_mass(text: str) -> int:
    """Characters of ``text`` that are neither JSON syntax nor whitespace (escapes count as
    the character they stand for)."""
    if "\\" in text:
        text = _RAW_ESCAPE.sub(_escape_mass, text)
    return len(text.translate(_SYNTAX))


def _escape_mass(m: re.Match[str]) -> str:
    return "u" if m.group().startswith("\\u") else " "


def value_mass(value: Any, depth: int = 0) -> int:
    """The same count over a parsed value: its keys, strings and scalars."""
    if isinstance(value, str):
        return len(value.translate(_SYNTAX))
    if depth > MAX_DEPTH:
        return 0
    if isinstance(value, dict):
        return sum(value_mass(k, depth + 1) + value_mass(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return sum(value_mass(v, depth + 1) for v in value)
    if value is None:
        return 4
    if isinstance(value, bool):
        return 4 if value else 5
    return len(str(value))


_PLAIN_KEY = re.compile(r"[A-Za-z_$][\w$.\-]{0,63}\Z")


def plain_key(key: Any) -> bool:
    return isinstance(key, str) and _PLAIN_KEY.match(key) is not None


def junk_value(value: Any) -> bool:
    """A dropped value that looks like text torn out of another one (not a stray option)."""
    if not isinstance(value, str):
        return False
    return '"' in value or "'''" in value or ("\n" in value and len(value) > 80)


def _generic_junk(value: Any, depth: int = 0) -> int:
    """Without schemas: text that landed in key names (keys are never code)."""
    if depth > MAX_DEPTH:
        return 0
    lost = 0
    if isinstance(value, dict):
        for k, v in value.items():
            if not plain_key(k):
                lost += value_mass(k) + value_mass(v)
            else:
                lost += _generic_junk(v, depth + 1)
    elif isinstance(value, list):
        lost = sum(_generic_junk(v, depth + 1) for v in value)
    return lost


# ---------------------------------------------------------------------- readings


@dataclass
class Reading:
    value: Any
    how: str  # "tolerant", "greedy", "json-repair"
    end: int  # just past the value in the text read
    anomalies: int  # quotes taken as text (or, for json-repair, an estimate)
    truncated: bool = False


class _Fail(Exception):
    pass


_WS = " \t\r\n"
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_LITERAL = re.compile(r"(true|false|null|True|False|None)(?![\w$])")
_LITERALS = {"true": True, "false": False, "null": None, "True": True, "False": False}
_BARE_KEY = re.compile(r"[A-Za-z_$][\w$\-]{0,63}")
# after `,` in an object: the next key, quoted (unquoted ones are too common in code)
_NEXT_KEY = re.compile(r"[ \t\r\n]*([\"'])([A-Za-z_$][\w$.\-]{0,63})\1[ \t\r\n]*:")
_STOPS = {'"': re.compile(r'["\\]'), "'": re.compile(r"['\\]")}
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    "/": "/",
    "\\": "\\",
    '"': '"',
    "'": "'",
}
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_ESCAPE_ANY = re.compile(r"\\(u[0-9a-fA-F]{4}|[nrtbf\"'\\/])")


class _Reader:
    """One tolerant reading of a JSON(-ish) value at the start of ``text``.

    ``triples``: read triple-quoted strings as one verbatim string (else as quotes inside an
    ordinary string).
    ``greedy_at``: the string value opening there runs to the last quote closing its object.
    ``banned``: quotes that may not end a string before ``, "key":`` (a split found wrong).
    ``anchor``: the value ends only there (the brackets in code before it are code).
    """

    def __init__(
        self,
        text: str,
        *,
        triples: bool = True,
        greedy_at: int = -1,
        banned: frozenset[int] = frozenset(),
        anchor: int = -1,
    ) -> None:
        self.s = text
        self.n = len(text)
        self.anchor = anchor
        self.triples = triples
        self.greedy_at = greedy_at
        self.greedy_hit = False
        self.banned = banned
        self.stack: list[str] = []
        self.keysets: list[set[str]] = []  # the keys read so far, per open value
        self.anomalies = 0
        self.truncated = False
        self.value_strings: list[int] = []
        self.splits: list[tuple[str, int]] = []  # (key, quote that ended the string before it)
        self.saw_triple = False
        self._via_comma = False
        self._pending_split = -1

    def ws(self, i: int) -> int:
        s, n = self.s, self.n
        while i < n and s[i] in _WS:
            i += 1
        return i

    def read(self) -> tuple[Any, int]:
        i = self.ws(0)
        if i >= self.n or self.s[i] not in "{[":
            raise _Fail
        return self.value(i)

    # -- values

    def value(self, i: int) -> tuple[Any, int]:
        s = self.s
        i = self.ws(i)
        if i >= self.n:
            raise _Fail
        c = s[i]
        if c == "{":
            return self.obj(i)
        if c == "[":
            return self.arr(i)
        if c in "\"'":
            return self.string(i, key=False)
        m = _NUMBER.match(s, i)
        if m:
            text = m.group()
            num: Any = float(text) if any(ch in text for ch in ".eE") else int(text)
            return num, m.end()
        m = _LITERAL.match(s, i)
        if m:
            return _LITERALS.get(m.group()), m.end()
        raise _Fail

    def _open(self, kind: str) -> None:
        self.stack.append(kind)
        self.keysets.append(set())
        if len(self.stack) > MAX_DEPTH:
            raise _Fail

    def _close(self) -> None:
        self.stack.pop()
        self.keysets.pop()

    def obj(self, i: int) -> tuple[dict[str, Any], int]:
        s, n = self.s, self.n
        self._open("{")
        keys = self.keysets[-1]
        out: dict[str, Any] = {}
        i += 1
        while True:
            i = self.ws(i)
            if i >= n:
                self.truncated = True
                break
            c = s[i]
            if c == "}":
                i += 1
                break
            if c == ",":
                i += 1
                continue
            split = self._pending_split
            self._pending_split = -1
            if c in "\"'":
                key, i = self.string(i, key=True)
            else:
                m = _BARE_KEY.match(s, i)
                if m is None:
                    raise _Fail
                key, i = m.group(), m.end()
            if split >= 0:
                self.splits.append((key, split))
            keys.add(key)
            i = self.ws(i)
            if i >= n:
                self.truncated = True
                break
            if s[i] != ":":
                raise _Fail
            val, i = self.value(i + 1)
            out[key] = val
            if self.truncated:
                break
            i = self.ws(i)
            if i >= n:
                self.truncated = True
                break
            c = s[i]
            if c == ",":
                i += 1
            elif c == "}":
                i += 1
                break
            elif c not in "\"'":  # a missing comma before the next key is read on
                raise _Fail
        self._close()
        return out, i

    def arr(self, i: int) -> tuple[list[Any], int]:
        s, n = self.s, self.n
        self._open("[")
        out: list[Any] = []
        i += 1
        while True:
            i = self.ws(i)
            if i >= n:
                self.truncated = True
                break
            c = s[i]
            if c == "]":
                i += 1
                break
            if c == ",":
                i += 1
                continue
            val, i = self.value(i)
            out.append(val)
            if self.truncated:
                break
            i = self.ws(i)
            if i < n and s[i] not in ",]":
                raise _Fail
        self._close()
        return out, i

    # -- strings

    def closes(self, k: int, quote: int) -> bool:
        """May a value string end with the quote at ``quote`` (text goes on at ``k``)?"""
        s, n = self.s, self.n
        self._via_comma = False
        depth = len(self.stack)
        if depth == 0:
            return True
        i = self.ws(k)
        while True:
            if i >= n:
                return True  # the text ends here: a call cut off
            c = s[i]
            top = self.stack[depth - 1]
            if c == ",":
                if top == "{":
                    m = _NEXT_KEY.match(s, i + 1)
                    if m:
                        # not where a split was found wrong, nor before a key already given
                        if quote in self.banned or m.group(2) in self.keysets[depth - 1]:
                            return False
                        self._via_comma = True
                        return True
                    j = self.ws(i + 1)
                    return j >= n or s[j] == "}"
                j = self.ws(i + 1)
                return j >= n or s[j] in "\"'{[]-0123456789tfnTFN"
            if (c == "}" and top == "{") or (c == "]" and top == "["):
                depth -= 1
                if depth == 0:
                    return self.anchor < 0 or i + 1 >= self.anchor
                i = self.ws(i + 1)
                continue
            return False

    def closes_object(self, k: int, quote: int) -> bool:
        """For a greedy string: does the quote at ``quote`` close its object?"""
        i = self.ws(k)
        if i >= self.n or not self.stack:
            return False
        want = "}" if self.stack[-1] == "{" else "]"
        return self.s[i] == want and self.closes(k, quote)

    def string(self, i: int, *, key: bool) -> tuple[str, int]:
        s, n = self.s, self.n
        q = s[i]
        if not key and s.startswith(q * 3, i):
            self.saw_triple = True
            if self.triples:
                return self.triple(i, q)
        if not key:
            self.value_strings.append(i)
        greedy = i == self.greedy_at
        best: tuple[int, int, int] | None = None  # (parts kept, anomalies, end)
        stop = _STOPS[q]
        parts: list[str] = []
        j = i + 1
        while True:
            m = stop.search(s, j)
            if m is None:
                break
            k = m.start()
            parts.append(s[j:k])
            if s[k] == "\\":
                if k + 1 >= n:
                    j = k + 1
                    break
                ch = s[k + 1]
                if ch in _ESCAPES:
                    parts.append(_ESCAPES[ch])
                    j = k + 2
                elif ch == "u" and _HEX4.match(s, k + 2):
                    parts.append(chr(int(s[k + 2 : k + 6], 16)))
                    j = k + 6
                else:  # not a JSON escape (a regex, a Windows path): keep it as written
                    parts.append(s[k : k + 2])
                    j = k + 2
                continue
            if key:
                return "".join(parts), k + 1
            if greedy:
                if self.closes_object(k + 1, k):
                    best = (len(parts), self.anomalies, k + 1)
            elif self.closes(k + 1, k):
                if self._via_comma:
                    self._pending_split = k
                return "".join(parts), k + 1
            parts.append(q)
            self.anomalies += 1
            j = k + 1
        if greedy and best is not None:
            kept, self.anomalies, end = best
            self.greedy_hit = True
            return "".join(parts[:kept]), end
        if greedy:
            raise _Fail
        # the text ends inside the string
        tail = s[j:]
        cut = self._closing_tail(tail)
        if cut is None:
            cut = self._closing_line(tail)
        if cut is not None:  # `"...}}`: the closing quote is missing before the brackets
            self.anomalies += 1
            return "".join(parts) + tail[:cut], j + cut
        self.truncated = True
        return "".join(parts) + tail, n

    def _closing_tail(self, tail: str) -> int | None:
        """Where ``tail`` ends with exactly the brackets that close the open values."""
        want = ["}" if c == "{" else "]" for c in reversed(self.stack)]
        if not want:
            return None
        k = len(tail)
        for closer in reversed(want):
            k = len(tail[:k].rstrip())
            if k == 0 or tail[k - 1] != closer:
                return None
            k -= 1
        return k

    def _closing_line(self, tail: str) -> int | None:
        """Where the last line of ``tail`` ending with those brackets has them (prose after)."""
        want = ["}" if c == "{" else "]" for c in reversed(self.stack)]
        if not want:
            return None
        closers = re.compile(r"\s*".join(re.escape(c) for c in want) + r"[ \t]*(?:\n|\Z)")
        last = None
        for m in closers.finditer(tail):
            last = m.start()
        return last

    def triple(self, i: int, q: str) -> tuple[str, int]:
        """A Python-style triple-quoted string, verbatim (it ends at a run of quotes JSON
        can go on after)."""
        s = self.s
        q3 = q * 3
        j = i + 3
        while True:
            k = s.find(q3, j)
            if k < 0:
                break
            run = k + 3
            while run < self.n and s[run] == q:
                run += 1
            if self.closes(run, run - 1):
                if self._via_comma:
                    self._pending_split = run - 1
                body = s[i + 3 : run - 3]
                if "\n" not in body and "\\n" in body:  # written on one line, with escapes
                    body = _ESCAPE_ANY.sub(_unescape, body)
                return body, run
            self.anomalies += run - k
            j = run
        raise _Fail


_QUOTE_CLOSE = re.compile(r"[\"'](?:\s*[}\]])+")


def last_close(text: str, start: int, stop: int) -> int:
    """End of the last quote followed by closing brackets in ``text[start:stop]``, or -1."""
    last = -1
    for m in _QUOTE_CLOSE.finditer(text, start, stop):
        last = m.end()
    return last


def _unescape(m: re.Match[str]) -> str:
    esc = m.group(1)
    if esc.startswith("u"):
        return chr(int(esc[1:], 16))
    return _ESCAPES[esc]


@dataclass
class _Attempt:
    reading: Reading | None
    value_strings: list[int]
    splits: list[tuple[str, int]]
    saw_triple: bool


def _tolerant(
    text: str,
    *,
    triples: bool = True,
    greedy_at: int = -1,
    banned: frozenset[int] = frozenset(),
    anchor: int = -1,
) -> _Attempt:
    r = _Reader(text, triples=triples, greedy_at=greedy_at, banned=banned, anchor=anchor)
    reading = None
    try:
        value, end = r.read()
        if (greedy_at < 0 or r.greedy_hit) and not (anchor >= 0 and r.truncated):
            how = "greedy" if greedy_at >= 0 else "tolerant"
            reading = Reading(value, how, end, r.anomalies, r.truncated)
    except (_Fail, RecursionError, ValueError):
        pass
    return _Attempt(reading, r.value_strings, r.splits, r.saw_triple)


def _junk_keys(value: Any, judge: Judge | None) -> set[str]:
    if judge is None:
        return set()
    return {k for f in judge.fit(value) for k in f.junk_keys}


def _tolerant_readings(
    text: str, judge: Judge | None, triples: bool, anchor: int = -1
) -> tuple[list[Reading], bool]:
    """The tolerant reading, re-read without each split that made junk or failed, then the
    greedy readings of its last string values. Also: did the text hold triple quotes?"""
    out: list[Reading] = []
    banned: frozenset[int] = frozenset()
    attempt = _tolerant(text, triples=triples, anchor=anchor)
    for _ in range(MAX_REFINE):
        if attempt.reading is not None:
            out.append(attempt.reading)
            junk = _junk_keys(attempt.reading.value, judge)
            ban = {pos for key, pos in attempt.splits if key in junk}
        else:  # it did not parse: maybe a split in code went wrong
            ban = {attempt.splits[-1][1]} if attempt.splits else set()
        if not ban - banned:
            break
        banned = banned | ban
        attempt = _tolerant(text, triples=triples, banned=banned, anchor=anchor)
    first = out[-1] if out else None
    if anchor >= 0:
        return out, attempt.saw_triple
    if first is None or first.anomalies or first.truncated or text[first.end :].strip():
        # greedy readings of the last string values first (content usually comes last)
        for at in reversed(attempt.value_strings[-MAX_GREEDY:]):
            alt = _tolerant(text, triples=triples, greedy_at=at, banned=banned).reading
            if alt is not None and all(alt.value != r.value for r in out):
                out.append(alt)
    return out, attempt.saw_triple or _TRIPLE_VALUE.search(text) is not None


_TRIPLE_VALUE = re.compile(r"""[:\[,]\s*(?:"{3}|'{3})""")


def _json_repair(text: str) -> Reading | None:
    try:
        import json_repair

        value = json_repair.loads(text)
    except Exception:
        return None
    if value == "" or value is None:
        return None
    strings: list[str] = []
    _strings(value, strings)
    quotes = sum(x.count('"') for x in strings)
    escaped = text.count('\\"')
    # where the value ends: the last closing bracket (text after it is prose)
    end = max(text.rfind("}"), text.rfind("]")) + 1 or len(text)
    return Reading(value, "json-repair", end, max(0, quotes - escaped))


def _strings(value: Any, out: list[str], depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            out.append(str(k))
            _strings(v, out, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _strings(v, out, depth + 1)


# ---------------------------------------------------------------------- choosing


@dataclass
class _Scored:
    reading: Reading
    fits: list[CallFit] | None
    junk: int  # text the schema repair would drop
    kept: int  # value_mass of the reading
    key: tuple[int, ...] = ()


def _score(text: str, r: Reading, judge: Judge | None, order: int, raw: int) -> _Scored:
    fits = judge.fit(r.value) if judge is not None else None
    if fits:
        junk = sum(f.lost for f in fits)
        if r.how == "json-repair":  # its unknown arguments are pieces of the text it tore
            junk += sum(f.unknown_mass for f in fits)
        missing = sum(f.missing for f in fits)
        swallowed = sum(f.swallowed for f in fits)
        unknown = sum(f.unknown for f in fits)
    else:
        junk, missing, swallowed, unknown = _generic_junk(r.value), 0, 0, 0
    kept = value_mass(r.value)
    loss = max(0, raw - kept) + junk
    no_call = 1 if judge is not None and not fits else 0
    leftover = 1 if not r.truncated and text[r.end :].strip() else 0
    key = (
        no_call,
        missing,
        int(r.truncated),  # a reading that ran off the end of the text: the last resort
        loss,
        leftover,
        swallowed,
        r.anomalies,
        unknown,
        order,
    )
    return _Scored(r, fits, junk, kept, key)


def read_broken(text: str) -> tuple[Any, int] | None:
    """(value, end) of the best reading of broken JSON ``text`` (which starts with ``{`` or
    ``[``), or None when nothing reads. A value that still loses text carries LossyArgs."""
    judge = _JUDGE.get()
    readings, saw_triple = _tolerant_readings(text, judge, triples=True)
    if readings and text[readings[0].end :].strip():
        # `print("}}")`: brackets in code ended the value early; read it again to the last
        # quote-and-brackets in the text
        anchor = last_close(text, readings[0].end, len(text))
        if anchor > readings[0].end:
            more, _ = _tolerant_readings(text, judge, triples=True, anchor=anchor)
            readings += [r for r in more if all(r.value != x.value for x in readings)]
    if saw_triple:  # `""""...`: maybe quotes inside an ordinary string, not a triple string
        more, _ = _tolerant_readings(text, judge, triples=False)
        readings += [r for r in more if all(r.value != x.value for x in readings)]
    scored = _rank(text, readings, judge)
    if not scored or any(scored[0].key[:4]):
        repaired = _json_repair(text)  # slower and lossier: only when the others fall short
        if repaired is not None:
            readings.append(repaired)
            scored = _rank(text, readings, judge)
    if not scored:
        return None
    best = scored[0]
    value = best.reading.value
    # what the chosen reading lost of the text it claims (text after it is not its own)
    lost = max(0, raw_mass(text[: best.reading.end]) - best.kept) + best.junk
    if lost >= LOSS_LIMIT:
        value = _mark(value, best)
    return value, best.reading.end


def _rank(text: str, readings: list[Reading], judge: Judge | None) -> list[_Scored]:
    """The readings, best first. Loss is measured over the longest text any complete reading
    claims, so a reading that stops early loses what the others keep."""
    if not readings:
        return []
    ends = [r.end for r in readings if not r.truncated] or [r.end for r in readings]
    raw = raw_mass(text[: max(ends)])
    scored = [_score(text, r, judge, i, raw) for i, r in enumerate(readings)]
    scored.sort(key=lambda x: x.key)
    return scored


def mark_calls_lossy(value: Any) -> Any:
    """``value`` with the arguments of each of its calls marked as having lost text."""
    judge = _JUDGE.get()
    fits = judge.fit(value) if judge is not None else []
    if not fits:
        return mark_lossy(value, "") if isinstance(value, dict) else value
    return _swap(value, {id(f.holder): f.lost_arg for f in fits})


def _mark(value: Any, best: _Scored) -> Any:
    fits = best.fits or []
    targets = [f for f in fits if f.lost >= LOSS_LIMIT] or fits
    if not targets:
        return mark_lossy(value, "") if isinstance(value, dict) else value
    return _swap(value, {id(f.holder): f.lost_arg for f in targets})
