"""Merging a piece of a file that a model wrote as text into the file it belongs to.

A small model asked to change one function or fill in one section writes just that part.
Written as the whole file, it would delete the rest. Here such pieces are recognised and
merged where that is safe: a markdown section by its heading, Python functions and classes
by name. A piece that cannot be merged is recognised as an excerpt, so the caller can ask
for the whole file instead of destroying it.
"""

from __future__ import annotations

import ast
import re


def is_markdown(path: str) -> bool:
    return path.lower().endswith((".md", ".markdown", ".mdx", ".rst"))


def _sig_lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def is_excerpt(content: str, original: str) -> bool:
    """Whether ``content``, written as the whole file, would throw away most of
    ``original`` without being a rewrite of it: it keeps less than half of the file's lines,
    and either comes mostly from the file (a piece of it) or is less than half its size (an
    addition, a fragment). A rewrite of about the same size is not an excerpt."""
    old = _sig_lines(original)
    new = _sig_lines(content)
    if len(old) < 3 or not new:
        return False
    old_set = set(old)
    from_old = sum(1 for ln in new if ln in old_set)
    kept = len(set(new) & old_set)
    if kept >= 0.5 * len(old_set):
        return False
    return from_old >= 0.5 * len(new) or len(new) < 0.5 * len(old)


_MD_HEADING = re.compile(r"^(#{1,6})\s+\S")


def _headings(lines: list[str]) -> list[tuple[int, str, int]]:
    """(line index, heading text, level) of the markdown headings outside code fences."""
    out = []
    fence = ""
    for i, ln in enumerate(lines):
        st = ln.strip()
        if st.startswith(("```", "~~~")):
            mark = st[:3]
            if not fence:
                fence = mark
            elif st.startswith(fence) and not st[3:].strip("`~"):
                fence = ""
            continue
        if not fence and (m := _MD_HEADING.match(ln)):
            out.append((i, st, len(m.group(1))))
    return out


def merge_markdown_section(original: str, block: str) -> str | None:
    """``original`` with the sections that ``block`` holds replaced by ``block``.

    Models asked to fill in one section of a document write just that section (sometimes
    with the sections after it). When the block starts with a heading the document has
    once, and is not the whole document, the block replaces the run of sections it names,
    from its first heading to the end of its last one. The run must be whole: a section of
    the document between them that the block leaves out means no merge.
    """
    lines = block.strip("\n").split("\n")
    doc = original.split("\n")
    bh, dh = _headings(lines), _headings(doc)
    if not bh or bh[0][0] != 0:
        return None
    level = bh[0][2]
    where = {text: k for k, (_, text, _) in enumerate(dh)}
    if sum(1 for _, t, _ in dh if t == bh[0][1]) != 1:
        return None  # unknown or repeated heading
    first = where[bh[0][1]]
    if dh[first][0] == 0 and level == 1:
        return None  # the document's title: a whole file
    named = [where[t] for _, t, _ in bh if t in where]
    if named != sorted(named) or len(set(named)) != len(named):
        return None
    last = named[-1]
    for k in range(first, last + 1):  # every section of the run must be in the block
        if dh[k][2] <= level and k not in named:
            return None
    start = dh[first][0]
    end = len(doc)
    for k in range(last + 1, len(dh)):
        if dh[k][2] <= max(level, dh[last][2]) or dh[k][2] <= level:
            end = dh[k][0]
            break
    if start == 0 and end == len(doc):
        return None  # the block replaces everything: a whole file
    tail = doc[end:]
    merged = [*doc[:start], *lines, *([""] if tail else []), *tail]
    return "\n".join(merged).rstrip("\n") + "\n"


_DEF_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_IMPORT_NODES = (ast.Import, ast.ImportFrom)


def _start(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def merge_python_defs(original: str, block: str) -> str | None:
    """``original`` with the top-level functions and classes of ``block`` put in: those it
    has already are replaced, new ones are added before a closing ``if __name__`` block (or
    at the end), new imports join the imports. None when ``block`` is not such a piece: it
    must hold only definitions and imports, and leave out most of the file's definitions
    (a block with most of them is a rewrite of the whole file).
    """
    try:
        old_tree, new_tree = ast.parse(original), ast.parse(block)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    body = [n for n in new_tree.body if not _is_docstring(n)]
    guard = next((n for n in body if _is_main_guard(n)), None)
    if guard is not None and body[-1] is not guard:
        return None
    body = [n for n in body if n is not guard]
    defs = [n for n in body if isinstance(n, _DEF_NODES)]
    if not defs or any(not isinstance(n, (*_DEF_NODES, *_IMPORT_NODES)) for n in body):
        return None
    old_defs = {n.name: n for n in old_tree.body if isinstance(n, _DEF_NODES)}
    if not old_defs:
        return None
    if all(name in {d.name for d in defs} for name in old_defs):
        return None  # every definition is there: a rewrite of the whole file
    lines = original.splitlines()
    new_lines = block.splitlines()

    def src(node: ast.stmt) -> list[str]:
        return new_lines[_start(node) - 1 : node.end_lineno]

    # A new name with the body of a definition the block leaves out is that definition
    # renamed: it takes its place.
    replaces: dict[str, ast.stmt] = {d.name: old_defs[d.name] for d in defs if d.name in old_defs}
    missing = [o for name, o in old_defs.items() if name not in {d.name for d in defs}]
    for d in defs:
        if d.name in replaces:
            continue
        twin = next((o for o in missing if _same_shape(o, d)), None)
        if twin is not None:
            replaces[d.name] = twin
            missing.remove(twin)
    # Replace from the bottom up so earlier line numbers stay right.
    for d in sorted(
        (d for d in defs if d.name in replaces), key=lambda d: -_start(replaces[d.name])
    ):
        o = replaces[d.name]
        lines[_start(o) - 1 : o.end_lineno] = src(d)
    added = [d for d in defs if d.name not in replaces]
    if added:
        # re-parse to find a trailing ``if __name__ == "__main__":`` after the replacements
        try:
            tree = ast.parse("\n".join(lines) + "\n")
        except SyntaxError:
            return None
        main = next((n for n in tree.body if _is_main_guard(n)), None)
        at = _start(main) - 1 if main is not None else len(lines)
        before, after = lines[:at], lines[at:]
        while before and not before[-1].strip():
            before.pop()
        while after and not after[0].strip():
            after.pop(0)
        chunk: list[str] = []
        for d in added:
            chunk += ["", "", *src(d)]
        lines = before + chunk + (["", "", *after] if after else [])
    if guard is not None and not any(_is_main_guard(n) for n in old_tree.body):
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ["", "", *src(guard)]
    fresh = _new_imports(
        [n for n in body if isinstance(n, _IMPORT_NODES)],
        [n for n in old_tree.body if isinstance(n, _IMPORT_NODES)],
    )
    if fresh:
        last = max(
            (n.end_lineno or 0 for n in old_tree.body if isinstance(n, _IMPORT_NODES)),
            default=0,
        )
        lines[last:last] = fresh
    text = "\n".join(lines).rstrip("\n") + "\n"
    try:
        ast.parse(text)
    except SyntaxError:
        return None
    return text


def _new_imports(new: list[ast.stmt], old: list[ast.stmt]) -> list[str]:
    """Import lines for what ``new`` imports that ``old`` does not yet (name by name)."""

    def key(n: ast.stmt, alias: ast.alias) -> tuple[str, str, str]:
        module = "." * getattr(n, "level", 0) + (getattr(n, "module", None) or "")
        return (module if isinstance(n, ast.ImportFrom) else "", alias.name, alias.asname or "")

    have = {key(n, a) for n in old for a in n.names}  # type: ignore[attr-defined]
    out = []
    for n in new:
        names = [a for a in n.names if key(n, a) not in have]  # type: ignore[attr-defined]
        if not names:
            continue
        if isinstance(n, ast.ImportFrom):
            out.append(ast.unparse(ast.ImportFrom(n.module, names, n.level)))
        else:
            out.append(ast.unparse(ast.Import(names)))
        have |= {key(n, a) for a in names}
    return out


def _same_shape(old: ast.stmt, new: ast.stmt) -> bool:
    """Same kind, same parameters and the same body: the same definition under a new name."""
    if type(old) is not type(new):
        return False
    args = getattr(old, "args", None), getattr(new, "args", None)
    if args[0] is not None and ast.dump(args[0]) != ast.dump(args[1]):  # type: ignore[arg-type]
        return False
    body = (ast.dump(ast.Module(old.body, [])), ast.dump(ast.Module(new.body, [])))  # type: ignore[attr-defined]
    return body[0] == body[1]


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _is_main_guard(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)
