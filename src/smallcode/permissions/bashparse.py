"""Shell commands taken apart on a real parse (tree-sitter-bash), for the permission check.

Every simple command counts: in lists, pipelines, ``$(...)``, backticks, ``<(...)``, subshells,
loops, conditions and function bodies. Redirect targets are collected as reads or writes.
Wrappers (``timeout 5 x``, ``env A=1 x``, ``nohup x``, ``xargs x``) are looked through, and
``bash -c '...'`` / ``sh -c`` / ``eval`` with a literal string are parsed again. Whatever cannot
be known before the command runs (a parse error, a command name built from a variable, a
``bash -c "$x"``) is listed in ``problems``: such a command asks.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 4  # bash -c 'bash -c "..."' nesting we follow

# Wrappers that run their arguments as a command: name -> options that take a value.
_WRAPPERS: dict[str, set[str]] = {
    "env": {"-u", "--unset", "-C", "--chdir", "-S", "--split-string"},
    "timeout": {"-s", "--signal", "-k", "--kill-after"},
    "nice": {"-n", "--adjustment"},
    "nohup": set(),
    "stdbuf": {"-i", "-o", "-e"},
    "setsid": set(),
    "command": set(),
    "builtin": set(),
    "exec": {"-a"},
    "time": {"-f", "--format", "-o", "--output"},
    "ionice": {"-c", "-n", "-p"},
    "sudo": {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"},
    "doas": {"-u", "-C"},
    "xargs": {"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--delimiter", "--max-args"},
}
_SHELLS = {"bash", "sh", "dash", "zsh", "ksh"}
_WRITE_OPS = {">", ">>", ">|", "&>", "&>>"}
_READ_OPS = {"<"}


@dataclass
class Word:
    text: str  # the value with quotes removed when literal, else the source text
    literal: bool


@dataclass
class Segment:
    """One simple command, as run (wrappers looked through)."""

    words: list[Word]
    wrapper: str = ""  # the wrapper it was found in (timeout, xargs, sudo, ...), if any
    wraps: bool = False  # it only runs another command (checked as its own segment)

    @property
    def argv(self) -> list[str]:
        return [w.text for w in self.words]

    @property
    def name(self) -> str:
        return self.words[0].text if self.words else ""

    @property
    def text(self) -> str:
        return " ".join(self.argv)


@dataclass
class Redirect:
    target: str
    write: bool
    literal: bool
    after: int = 0  # how many segments came before it (a `cd` among them moves its folder)


@dataclass
class ParsedCommand:
    source: str
    segments: list[Segment] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter_bash
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_bash.language()))


def parse_command(source: str, depth: int = 0) -> ParsedCommand:
    """Take ``source`` apart. Never raises; what cannot be checked lands in ``problems``."""
    out = ParsedCommand(source)
    try:
        tree = _parser().parse(source.encode("utf-8", "surrogatepass"))
    except Exception as exc:  # no grammar, or a parser failure: nothing can be verified
        out.problems.append(f"the command could not be parsed ({type(exc).__name__})")
        return out
    root = tree.root_node
    if root.has_error:
        out.problems.append("the command could not be parsed (a syntax error or unclosed quote)")
    _Walker(out, depth).visit(root)
    return out


class _Walker:
    def __init__(self, out: ParsedCommand, depth: int) -> None:
        self.out = out
        self.depth = depth

    def visit(self, node: Any) -> None:
        kind = node.type
        if kind == "command":
            self._command(node)
        elif kind == "file_redirect":
            self._redirect(node)
        else:
            for child in node.children:
                self.visit(child)

    # ------------------------------------------------------------------ pieces

    def _command(self, node: Any) -> None:
        words: list[Word] = []
        for child in node.children:
            kind = child.type
            if kind == "variable_assignment":
                self._substitutions(child)
            elif kind == "file_redirect":
                self._redirect(child)
            elif kind in ("herestring_redirect", "heredoc_redirect"):
                self._substitutions(child)
            elif kind == "command_name" or kind in _ARG_KINDS:
                words.append(self._word(child))
                self._substitutions(child)
            else:
                self._substitutions(child)
        if words:
            self._segment(words)

    def _segment(self, words: list[Word], wrapper: str = "") -> None:
        if not words[0].literal:
            self.out.problems.append(
                f"the command name `{words[0].text}` is computed when the command runs"
            )
        seg = Segment(words, wrapper)
        self.out.segments.append(seg)
        name = _basename(seg.name)
        if name in _WRAPPERS and len(words) > 1:
            inner = _unwrap(name, words[1:])
            if inner:
                seg.wraps = name not in ("xargs", "sudo", "doas")
                self._segment(inner, wrapper=name)
        elif name in _SHELLS:
            seg.wraps = self._shell_c(words)
        elif name == "eval":
            seg.wraps = True
            self._reparse(words[1:], "eval")
        elif name == "find":
            self._find_exec(words)

    def _shell_c(self, words: list[Word]) -> bool:
        """``bash -c '...'``: parse the string (True: the outer command only wraps it)."""
        for i, w in enumerate(words[1:], start=1):
            if w.text == "-c" or (w.text.startswith("-") and w.text.endswith("c") and w.literal):
                if i + 1 < len(words):
                    self._reparse([words[i + 1]], f"{words[0].text} -c")
                else:
                    self.out.problems.append(f"`{words[0].text} -c` without a command")
                return True
        args = [w for w in words[1:] if not w.text.startswith("-")]
        if not args:  # reads its commands from stdin: what runs is not known here
            self.out.problems.append(f"`{words[0].text}` reads the commands it runs from input")
        return False

    def _reparse(self, words: list[Word], what: str) -> None:
        if not words:
            return
        if not all(w.literal for w in words):
            self.out.problems.append(f"`{what}` runs a command built when it runs")
            return
        if self.depth >= MAX_DEPTH:
            self.out.problems.append(f"`{what}` is nested too deeply to check")
            return
        inner = parse_command(" ".join(w.text for w in words), self.depth + 1)
        self.out.segments.extend(inner.segments)
        self.out.redirects.extend(inner.redirects)
        self.out.problems.extend(inner.problems)

    def _find_exec(self, words: list[Word]) -> None:
        argv = [w.text for w in words]
        for flag in ("-exec", "-execdir", "-ok", "-okdir"):
            if flag in argv:
                start = argv.index(flag) + 1
                end = next(
                    (j for j in range(start, len(argv)) if argv[j] in (";", "\\;", "+")), len(argv)
                )
                inner = [w for w in words[start:end] if w.text != "{}"]
                if inner:
                    self._segment(inner, wrapper="find")

    def _redirect(self, node: Any) -> None:
        op = ""
        target: Any = None
        for child in node.children:
            if child.type in _WRITE_OPS or child.type in _READ_OPS or child.type in (">&", "<&"):
                op = child.type
            elif child.type == "file_descriptor":
                continue
            elif child.type in _ARG_KINDS:
                target = child
        if target is None:
            return
        self._substitutions(target)
        if op in (">&", "<&", ">&-"):
            word = self._word(target)
            if word.text.isdigit() or word.text == "-":
                return  # 2>&1: a descriptor, not a file
            op = ">" if op == ">&" else "<"
        word = self._word(target)
        self.out.redirects.append(
            Redirect(word.text, op in _WRITE_OPS, word.literal, len(self.out.segments))
        )

    def _substitutions(self, node: Any) -> None:
        """Commands nested in a word: $(...), `...`, <(...), >(...)."""
        if node.type in ("command_substitution", "process_substitution"):
            for inner in node.children:
                self.visit(inner)
            return
        for child in node.children:
            if child.type == "file_redirect":
                self._redirect(child)
            else:
                self._substitutions(child)

    def _word(self, node: Any) -> Word:
        return _word_value(node)


_ARG_KINDS = {
    "word",
    "string",
    "raw_string",
    "ansi_c_string",
    "number",
    "concatenation",
    "simple_expansion",
    "expansion",
    "command_substitution",
    "process_substitution",
    "arithmetic_expansion",
    "translated_string",
    "brace_expression",
    "command_name",
}


def _word_value(node: Any) -> Word:
    kind = node.type
    text = node.text.decode("utf-8", "replace")
    if kind == "command_name":
        return _word_value(node.children[0]) if node.children else Word(text, True)
    if kind in ("word", "number"):
        return Word(_unescape(text), True)  # a glob (*.py) is literal enough to match rules
    if kind == "raw_string":
        return Word(text[1:-1], True)
    if kind == "ansi_c_string":
        return Word(text[2:-1], True)
    if kind == "string":
        inner = [c for c in node.children if c.type not in ('"',)]
        if all(c.type == "string_content" for c in inner):
            return Word("".join(c.text.decode("utf-8", "replace") for c in inner), True)
        return Word(text, False)
    if kind == "concatenation":
        parts = [_word_value(c) for c in node.children]
        return Word("".join(p.text for p in parts), all(p.literal for p in parts))
    return Word(text, False)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _basename(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _unwrap(name: str, args: list[Word]) -> list[Word]:
    """The command a wrapper runs: its options (and their values) and assignments skipped."""
    takes_value = _WRAPPERS[name]
    i = 0
    while i < len(args):
        t = args[i].text
        if t == "--":
            i += 1
            break
        if name == "env" and "=" in t and not t.startswith("-"):
            i += 1
            continue
        if t.startswith("-") and len(t) > 1:
            if t in takes_value:
                i += 2
                continue
            if name == "xargs" and t.startswith("-I"):
                i += 1 if len(t) > 2 else 2
                continue
            i += 1
            continue
        break
    if name == "timeout" and i < len(args):
        i += 1  # the duration
    return args[i:]
