"""Symbols of one file: definitions with spans, signatures, docstrings and comments, call sites.

Files in a language with a grammar are parsed with tree-sitter; other text files become
chunks of lines so their words are still searchable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from smallcode.project.languages import CONTAINER_KINDS, grammar
from smallcode.store.fts import identifier_words

MAX_BODY_BYTES = 6000
MAX_SIGNATURE = 200
MAX_DOC = 1200
CHUNK_LINES = 60
# Nodes that wrap a definition without being one; comments above them document it.
_WRAPPERS = {
    "decorated_definition",
    "export_statement",
    "lexical_declaration",
    "variable_declaration",
    "expression_statement",
}
_COMMENT_MARKS = re.compile(r"^\s*(?:#+|//+|/\*+|\*+/?|--)\s?|\s*\*+/\s*$")
_GO_RECEIVER = re.compile(r"^func\s*\(\s*\w*\s*\*?\s*([A-Za-z_]\w*)")
_PROSE = {"markdown", "text"}


@dataclass
class Symbol:
    name: str
    kind: str  # function | method | class | interface | type | impl | enum | module | chunk ...
    line: int  # 1-based, inclusive
    end_line: int
    parent: str = ""
    signature: str = ""
    doc: str = ""
    comments: str = ""
    body: str = ""  # identifier words of the body, split and de-duplicated
    params: str = ""  # parameter names (and their types), split into words
    strings: str = ""  # words of the string literals (messages, errors, formats)
    calls: str = ""  # names of what it calls, split into words

    @property
    def qualname(self) -> str:
        return f"{self.parent}.{self.name}" if self.parent else self.name

    def embed_text(self) -> str:
        """What the embedding model sees: the name in words, the signature and the doc."""
        words = " ".join(identifier_words(self.qualname).split()[:12])
        first_doc = self.doc.strip().split("\n\n")[0][:300]
        return f"{self.kind} {words}: {self.signature[:120]} {first_doc}".strip()

    def context_words(self, rel: str) -> str:
        """Where it lives: the file's path and the enclosing class, as words."""
        return identifier_words(f"{rel.replace('/', ' ')} {self.parent}")


@dataclass
class Call:
    name: str
    line: int
    owner: int  # index into FileSymbols.symbols, or -1 for top-level code


@dataclass
class FileSymbols:
    symbols: list[Symbol] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    parsed: bool = False  # True when a grammar produced them


def extract(data: bytes, lang: str, rel: str) -> FileSymbols:
    g = grammar(lang)
    if g is None:
        return chunk_text(data, lang, rel)
    try:
        tree = g.parser.parse(data)
        matches = g.matches(tree)
    except Exception:  # a grammar crash on odd input must not stop indexing
        return chunk_text(data, lang, rel)
    return _from_matches(data, lang, rel, matches)


def _text(node: Any) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def _clean_comment(text: str) -> str:
    lines = [_COMMENT_MARKS.sub("", ln).strip() for ln in text.splitlines()]
    return "\n".join(ln for ln in lines if ln)


def _clean_docstring(text: str) -> str:
    t = text.strip()
    t = re.sub(r"^[rbuRBU]{0,2}(\"\"\"|'''|\"|')", "", t)
    t = re.sub(r"(\"\"\"|'''|\"|')$", "", t)
    return "\n".join(ln.strip() for ln in t.strip().splitlines()).strip()


def _from_matches(data: bytes, lang: str, rel: str, matches: list) -> FileSymbols:
    defs: list[tuple[Any, str, str]] = []  # (node, name, kind)
    raw_calls: list[tuple[str, int]] = []
    comments: list[tuple[int, int, str]] = []  # (start row, end row, text), 0-based rows
    docstrings: dict[int, str] = {}  # owner start byte (-1: module) -> docstring
    for _, caps in matches:
        if "name" in caps:
            name_node = caps["name"][0]
            kind_key = next((k for k in caps if k.startswith("definition.")), "")
            if kind_key:
                defs.append((caps[kind_key][0], _text(name_node), kind_key.split(".", 1)[1]))
            elif "reference.call" in caps:
                raw_calls.append((_text(name_node), name_node.start_point[0] + 1))
        elif "comment" in caps:
            for node in caps["comment"]:
                end_row, end_col = node.end_point
                if end_col == 0 and end_row > node.start_point[0]:
                    end_row -= 1  # a line comment that swallowed its newline (Rust ///)
                comments.append((node.start_point[0], end_row, _text(node)))
        elif "doc" in caps:
            node = caps["doc"][0]
            holder = node.parent.parent if node.parent is not None else None
            if holder is None:
                continue
            if holder.type == "module":
                docstrings[-1] = _clean_docstring(_text(node))
            elif holder.parent is not None and holder.parent.type in (
                "function_definition",
                "class_definition",
            ):
                docstrings[holder.parent.start_byte] = _clean_docstring(_text(node))

    lines = data.split(b"\n")
    n_lines = len(lines)
    defs.sort(key=lambda d: (d[0].start_byte, -d[0].end_byte))
    out = FileSymbols(parsed=True)
    module_doc = docstrings.get(-1) or _leading_comment(comments)
    out.symbols.append(
        Symbol(
            name=rel.rsplit("/", 1)[-1],
            kind="module",
            line=1,
            end_line=n_lines,
            signature=rel,
            doc=module_doc[:MAX_DOC],
            body=identifier_words(rel),
        )
    )
    # Comments by the row they end on, to find the block right above a definition.
    comment_end_rows: dict[int, tuple[int, str]] = {}
    for start, end, text in comments:
        comment_end_rows[end] = (start, text)

    stack: list[tuple[int, int]] = []  # (end byte, symbol index)
    seen: set[tuple[int, int]] = set()
    owner_by_row = [0] * (n_lines + 1)
    children: dict[int, list[int]] = {}
    for node, name, kind in defs:
        key = (node.start_byte, node.end_byte)
        if key in seen or not name:
            continue
        seen.add(key)
        while stack and stack[-1][0] <= node.start_byte:
            stack.pop()
        parent_idx = next(
            (i for _, i in reversed(stack) if out.symbols[i].kind in CONTAINER_KINDS), 0
        )
        parent_sym = out.symbols[parent_idx] if parent_idx else None
        if kind == "impl":
            name = name.split("<", 1)[0].strip()
        sig = _signature(node, data)
        parent_name = parent_sym.name if parent_sym else ""
        if lang == "go" and kind == "method":
            m = _GO_RECEIVER.match(sig)
            parent_name = m.group(1) if m else parent_name
        if kind == "function" and parent_sym and parent_sym.kind in CONTAINER_KINDS - {"module"}:
            kind = "method"
        doc = docstrings.get(node.start_byte, "")
        if not doc:
            doc = _comment_above(node, comment_end_rows)
        sym = Symbol(
            name=name,
            kind=kind,
            line=node.start_point[0] + 1,
            end_line=node.end_point[0] + 1,
            parent=parent_name,
            signature=sig,
            doc=doc[:MAX_DOC],
        )
        idx = len(out.symbols)
        out.symbols.append(sym)
        if parent_idx:
            children.setdefault(parent_idx, []).append(idx)
        stack.append((node.end_byte, idx))
        for row in range(node.start_point[0], min(node.end_point[0], n_lines - 1) + 1):
            owner_by_row[row] = idx
        sym.body, sym.strings = _body_words(node, data, kind)
        sym.params = _param_words(sig)

    for idx, kids in children.items():
        sym = out.symbols[idx]
        names = " ".join(out.symbols[k].name for k in kids)
        sym.body = (sym.body + " " + identifier_words(names)).strip()

    inner_comments: dict[int, list[str]] = {}
    for start, _end, text in comments:
        owner = owner_by_row[start] if start < len(owner_by_row) else 0
        if owner:
            inner_comments.setdefault(owner, []).append(_clean_comment(text))
    for idx, texts in inner_comments.items():
        sym = out.symbols[idx]
        joined = "\n".join(t for t in texts if t and t not in sym.doc)
        sym.comments = joined[:MAX_DOC]

    callees: dict[int, dict[str, None]] = {}
    for name, line in raw_calls:
        row = line - 1
        owner = owner_by_row[row] if 0 <= row < len(owner_by_row) else 0
        out.calls.append(Call(name, line, owner if owner else -1))
        if owner:
            callees.setdefault(owner, {})[name] = None
    for idx, called in callees.items():
        out.symbols[idx].calls = identifier_words(" ".join(list(called)[:MAX_CALLEES]))
    return out


def _signature(node: Any, data: bytes) -> str:
    body = node.child_by_field_name("body")
    if body is None:
        value = node.child_by_field_name("value")
        if value is not None:
            body = value.child_by_field_name("body")
    end = body.start_byte if body is not None and body.start_byte > node.start_byte else None
    if end is None:
        end = data.find(b"\n", node.start_byte)
        end = node.end_byte if end < 0 or end > node.end_byte else end
    raw = data[node.start_byte : end].decode("utf-8", "replace").splitlines()
    kept = [ln for ln in raw if not ln.lstrip().startswith(("#", "//", "/*", "*"))] or raw[:1]
    text = " ".join(" ".join(kept).split()).rstrip("{:= ")
    return text[:MAX_SIGNATURE]


_STRING = re.compile(r"""(["'`])((?:(?!\1)[^\\\n]|\\.){3,300})\1""")
MAX_CALLEES = 80
MAX_STRING_WORDS = 200


def _string_words(text: str) -> str:
    """The words of the string literals in ``text`` (messages say what code does)."""
    words: dict[str, None] = {}
    for m in _STRING.finditer(text):
        for w in identifier_words(m.group(2)).split():
            if len(w) > 1:
                words[w] = None
        if len(words) >= MAX_STRING_WORDS:
            break
    return " ".join(words)


def _param_words(signature: str) -> str:
    """The parameter list of a signature (names and types) as words."""
    open_at = signature.find("(")
    if open_at < 0:
        return ""
    close_at = signature.rfind(")")
    inner = signature[open_at + 1 : close_at if close_at > open_at else len(signature)]
    words = [w for w in identifier_words(inner).split() if w not in ("self", "cls")]
    return " ".join(dict.fromkeys(words))


def _body_words(node: Any, data: bytes, kind: str) -> tuple[str, str]:
    """(identifier words of the body, words of its string literals)."""
    if kind in CONTAINER_KINDS:
        # The header and fields, not the methods (they are symbols of their own).
        end = node.end_byte
        body = node.child_by_field_name("body")
        if body is not None:
            for child in body.named_children:
                if child.type.endswith(("definition", "declaration", "item", "_spec")) and (
                    child.type not in ("field_declaration", "expression_statement")
                ):
                    end = child.start_byte
                    break
        chunk = data[node.start_byte : min(end, node.start_byte + MAX_BODY_BYTES)]
    else:
        chunk = data[node.start_byte : min(node.end_byte, node.start_byte + MAX_BODY_BYTES)]
    text = chunk.decode("utf-8", "replace")
    words = identifier_words(text).split()
    return " ".join(dict.fromkeys(words)), _string_words(text)


def _outer(node: Any) -> Any:
    while node.parent is not None and node.parent.type in _WRAPPERS:
        node = node.parent
    return node


def _comment_above(node: Any, comment_end_rows: dict[int, tuple[int, str]]) -> str:
    row = _outer(node).start_point[0] - 1
    block: list[str] = []
    while row in comment_end_rows:
        start, text = comment_end_rows[row]
        block.insert(0, _clean_comment(text))
        row = start - 1
    return "\n".join(b for b in block if b)


def _leading_comment(comments: list[tuple[int, int, str]]) -> str:
    """The comment block the file starts with (a licence or module description)."""
    block: list[str] = []
    expected = 0
    for start, end, text in sorted(comments):
        if start != expected:
            break
        if not text.startswith("#!"):
            block.append(_clean_comment(text))
        expected = end + 1
    return "\n".join(b for b in block if b)


def chunk_text(data: bytes, lang: str, rel: str) -> FileSymbols:
    """A file without a grammar: one module entry plus chunks of lines."""
    text = data.decode("utf-8", "replace")
    lines = text.splitlines()
    out = FileSymbols(parsed=False)
    out.symbols.append(
        Symbol(
            name=rel.rsplit("/", 1)[-1],
            kind="module",
            line=1,
            end_line=max(1, len(lines)),
            signature=rel,
            body=identifier_words(rel),
        )
    )
    prose = lang in _PROSE
    for start in range(0, len(lines), CHUNK_LINES):
        part = lines[start : start + CHUNK_LINES]
        first = next((ln.strip() for ln in part if ln.strip()), "")
        if not first:
            continue
        block = "\n".join(part)
        title = first.lstrip("#").strip() if prose else first
        out.symbols.append(
            Symbol(
                name=title[:80],
                kind="section" if prose else "chunk",
                line=start + 1,
                end_line=start + len(part),
                signature=first[:MAX_SIGNATURE],
                doc=block[: MAX_DOC * 2] if prose else "",
                body=""
                if prose
                else " ".join(dict.fromkeys(identifier_words(block[:MAX_BODY_BYTES]).split())),
            )
        )
    return out
