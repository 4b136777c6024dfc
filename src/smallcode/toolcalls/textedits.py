"""File edits that a model wrote as text instead of calling a tool.

Small models often answer "Here's the updated code:" and a fenced block, an aider-style
SEARCH/REPLACE block or a unified diff, and never call write_file. When the tool-call parser
found no call, the agent loop asks :func:`extract_text_edits` for such edits and turns them
into real calls. Everything here is pure parsing (no file I/O): the caller decides which
edits to apply, e.g. a nameless block only when exactly one target file is known.

The main risk is the opposite mistake: turning an example command or program output into a
file. So blocks that only show a command or output (:func:`is_command_block`) become files only
when they are named plainly (info string, a heading or label line, a first-line comment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from smallcode.toolcalls.textedits_diff import (
    FENCE_OPEN,
    SR_HEAD,
    Fence,
    Hunk,
    apply_hunks,
    is_diff_header,
    is_diff_start,
    read_fence,
    read_search_replace,
    read_unified_diff,
)

__all__ = [
    "Hunk",
    "TextEdit",
    "apply_hunks",
    "clean_path",
    "extract_text_edits",
    "is_command_block",
    "looks_like_path",
]


@dataclass
class TextEdit:
    """One edit found in a reply; which fields are set depends on ``kind``.

    ``search``/``replace`` hold whole lines, each ending in ``"\\n"`` (``""`` when empty), so
    replacing them removes or inserts complete lines.
    """

    kind: Literal["whole", "search_replace", "udiff"]
    path: str | None
    content: str = ""
    search: str = ""
    replace: str = ""
    hunks: list[Hunk] = field(default_factory=list)
    lang: str = ""
    is_new_file: bool = False
    # A nameless block of shell code: a file only if the one target is a shell script.
    command_like: bool = False


# ---------------------------------------------------------------------------- file names


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_KNOWN_EXTS = _words(
    """py pyi pyw pyx ipynb js mjs cjs ts mts cts tsx jsx json jsonc json5 toml yaml yml md
    markdown mdx rst txt sh bash zsh fish ps1 psm1 bat cmd html htm xhtml css scss sass less
    styl go mod sum rs java c h cpp hpp cc cxx hh hxx ino rb erb php sql ini cfg conf xml xsd
    xsl csv tsv kt kts swift lua r cs fs fsx vb scala vue svelte astro env lock gradle mk
    cmake dockerfile proto graphql gql tf tfvars hcl nix ex exs erl hrl hs ml mli clj cljs
    edn dart zig nim jl pl pm sol asm sv vhd tex bib sty cls svg j2 jinja jinja2 tmpl tpl
    mustache hbs ejs pug properties service desktop plist pem crt patch diff log elm groovy
    rake gemspec vim el scm rkt f90 m4 ac http prisma wgsl glsl hlsl frag vert
    ipy pxd pyd sqlite db lst csproj sln fsproj vcxproj pbxproj xcconfig yarnrc npmrc"""
)
_SCRIPT_EXTS = _words("sh bash zsh fish ksh ps1 psm1 bat cmd command")
_EXTENSIONLESS = _words(
    """Makefile makefile GNUmakefile Dockerfile Containerfile Procfile Gemfile Rakefile
    Jenkinsfile Vagrantfile Justfile justfile Brewfile Pipfile Caddyfile LICENSE LICENCE README
    CHANGELOG AUTHORS CODEOWNERS NOTICE COPYING CONTRIBUTING"""
)
_DOTFILES = _words(
    """.gitignore .gitattributes .gitmodules .dockerignore .npmignore .editorconfig
    .prettierrc .prettierignore .eslintrc .eslintignore .babelrc .npmrc .nvmrc .yarnrc .flake8
    .pylintrc .coveragerc .bashrc .bash_profile .zshrc .profile .vimrc .htaccess .tool-versions
    .python-version .node-version .ruby-version .mailmap .clang-format .envrc"""
)
# "Node.js" and friends end in a code extension but are names of things, not files
_TECH_NAMES = _words(
    """node.js vue.js next.js nuxt.js react.js express.js three.js d3.js chart.js angular.js
    ember.js backbone.js p5.js alpine.js nest.js moment.js day.js socket.io asp.net vb.net
    ado.net"""
)
_PATH_CHARS = re.compile(r"[\w.\-+@/\[\]]+")
_EXT = re.compile(r"[A-Za-z0-9]{1,10}")
_VERSION = re.compile(r"v?[\d.]+", re.I)


def clean_path(token: str) -> str | None:
    """``token`` as a file path without its markdown dressing, or None when it is not one.

    Backticks, quotes, ``*``, brackets-at-the-end and sentence punctuation are taken off, and
    a leading ``./``. Only relative-looking names count; a name needs a known extension, a
    ``/`` (then any extension with a letter), or to be a well-known extensionless file.
    """
    s, prev = token.strip(), None
    while s != prev:
        prev = s
        s = s.strip("`'\"*").rstrip(":.,;!?)").lstrip("(")
    if s.startswith("./"):
        s = s[2:]
    if (
        not s
        or len(s) > 255
        or "://" in s
        or s.startswith(("www.", "-", "/", "~"))
        or not _PATH_CHARS.fullmatch(s)
        or s.lower() in _TECH_NAMES
    ):
        return None
    base = s.rsplit("/", 1)[-1]
    if base in _EXTENSIONLESS or base in _DOTFILES or base.startswith(".env"):
        return s
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem.strip(".") or _VERSION.fullmatch(stem) or not _EXT.fullmatch(ext):
        return None
    if ext.isdigit() or (len(ext) == 1 and ext.isupper()):  # python3.11, "U.S."
        return None
    if ext.lower() in _KNOWN_EXTS or "/" in s:
        return s
    return None


def looks_like_path(name: str) -> bool:
    """Whether ``name`` (markdown dressing allowed) reads as a relative file path."""
    return clean_path(name) is not None


_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*$")
_LIST_MARK = re.compile(r"^(?:[-*+]|\d{1,2}[.)])\s+")
_LABEL_WORD = re.compile(
    r"^(?:(?:new|updated?|modified|changed|edited|complete|full|final)\s+)?"
    r"(?:file(?:\s*name)?|path)(?:\s*[:=]\s*|\s+)",
    re.I,
)
_PARENTHETICAL = re.compile(r"(?<=\S)\s+\([^)]*\)$")


def _label_name(line: str) -> str | None:
    """The name when ``line`` is nothing but a file name: ``**a.py**``, ``### `a.py```,
    ``File: a.py``, ``1. a.py (new file):``. Such a line names the next block plainly."""
    s = line.strip()
    if m := _HEADING.match(s):
        s = m.group(1)
    s = _LIST_MARK.sub("", s, count=1).replace("**", "").strip()
    s = _PARENTHETICAL.sub("", s).strip().rstrip(":").strip()
    s = _LABEL_WORD.sub("", s, count=1).strip()
    if not s or any(c.isspace() for c in s):
        return None
    return clean_path(s)


def _context_name(line: str) -> tuple[str, bool] | None:
    """The file a line before a block names, and whether it names it plainly (a label).

    Prose counts only when it introduces the block (short, ends with ``:``) or is a heading;
    then its last path-looking word wins: "Create a file named hello.py with:".
    """
    if name := _label_name(line):
        return name, True
    s = line.strip()
    if len(s) >= 100:
        return None
    if m := _HEADING.match(s):
        s = m.group(1)
    else:
        s = s.replace("**", "").rstrip()
        if not s.endswith(":"):
            return None
    names = [n for n in map(clean_path, s.split()) if n]
    return (names[-1], False) if names else None


def _name_above_intro(lines: list[str], i: int, floor: int, before: str) -> tuple[str, bool] | None:
    """The file named on the line above an intro line that names none: "Open `a.py`." then
    "Add the following code:" then the block. Only one short line further up is looked at,
    and it must name exactly one file."""
    if not before.rstrip().rstrip("*").endswith(":"):
        return None
    j = i - 1
    while j >= floor and lines[j] != before:
        j -= 1
    above = _line_before(lines, j, floor) if j > floor else None
    if above is None or len(above.strip()) >= 100 or FENCE_OPEN.match(above):
        return None
    names = {n for n in map(clean_path, above.replace("**", "").split()) if n}
    return (names.pop(), False) if len(names) == 1 else None


def _line_before(lines: list[str], i: int, floor: int) -> str | None:
    """The non-blank line before ``lines[i]`` (one blank line may sit between), not before
    ``floor`` (the end of the previous block, whose lines belong to it)."""
    j = i - 1
    if j >= floor and not lines[j].strip():
        j -= 1
    return lines[j] if j >= floor and lines[j].strip() else None


_COMMENT = re.compile(
    r"^\s*(?:#(?![!#])|//|--)\s*(?P<a>.+?)\s*$|^\s*<!--\s*(?P<b>.+?)\s*-->\s*$"
    r"|^\s*/\*+\s*(?P<c>.+?)\s*\*+/\s*$"
)


def _comment_name(body: list[str]) -> str | None:
    """A file named by the block's first comment (after a shebang): ``# calc.py``,
    ``// src/app.js``, ``<!-- index.html -->``, ``# main.py - entry point``."""
    lines = [ln for ln in body[:4] if ln.strip()]
    if lines and lines[0].startswith("#!"):
        lines = lines[1:]
    if not lines or not (m := _COMMENT.match(lines[0])):
        return None
    text = _LABEL_WORD.sub("", m.group("a") or m.group("b") or m.group("c"), count=1)
    first, _, rest = text.strip().partition(" ")
    if rest.strip() and not (first.endswith(":") or rest.lstrip()[0] in "-–—(:"):
        return None  # a sentence that mentions a file, not a name tag
    return clean_path(first)


_INFO_KEY = re.compile(
    r"\b(?:title|path|file|filename|name)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s}]+))", re.I
)


def _parse_info(info: str) -> tuple[str, str | None]:
    """Language and file name of a fence's info string: ``python hello.py``, ``hello.py``,
    ``py:hello.py``, ``python title="hello.py"``, ``{.python file=x.py}``."""
    tokens = info.strip().strip("{}").split()
    if not tokens:
        return "", None
    path = None
    if m := _INFO_KEY.search(info):
        path = clean_path(m.group(1) or m.group(2) or m.group(3) or "")
    first = tokens[0].lstrip(".")
    if "=" in first:
        lang = ""
    elif ":" in first:
        lang, rest = first.split(":", 1)
        path = path or clean_path(rest)
    elif ("." in first or "/" in first) and (named := clean_path(first)):
        lang, path = "", path or named
    else:
        lang = first
    for token in tokens[1:]:
        if path:
            break
        if "=" not in token:
            path = clean_path(token)
    return lang.lower(), path


# ---------------------------------------------------------------------------- command blocks

_SHELL_LANGS = _words("bash sh shell zsh fish ksh powershell pwsh ps1 ps cmd bat batch dos")
_TEXT_LANGS = _words("text txt output plaintext plain log stdout none")
_TRANSCRIPT_LANGS = _words(
    "console terminal shellsession sh-session shell-session pycon doscon ps1con"
)
_COMMAND_LANGS = _SHELL_LANGS | _TEXT_LANGS | _TRANSCRIPT_LANGS
_NON_FILE_LANGS = _words("mermaid math katex regex")
_DIFF_LANGS = _words("diff patch udiff")
_SHELL_WORDS = (
    r"pip3?|python3?|node|npm|npx|yarn|pnpm|bun|deno|cd|ls|git|curl|wget|mkdir|rm|cp|mv|"
    r"chmod|touch|cat|uvx?|poetry|conda|cargo|rustc|go|gcc|g\+\+|clang|javac|java|make|"
    r"cmake|docker|docker-compose|kubectl|brew|apt|apt-get|pytest|ruby|bundle|gem|rails|"
    r"php|composer|dotnet|mvn|source"
)
_SHELL_LINE = re.compile(rf"^(?:sudo\s+)?(?:{_SHELL_WORDS})(?:\s+[^\s=(]|$)|^\.\.?/\S")


def is_command_block(lang: str, body: str) -> bool:
    """Whether a block only shows commands to run or their output, so it is not a file.

    Shell, console and plain-text languages count, and any block that starts with a ``$ ``
    or ``>>> `` prompt or holds only shell commands (``pip install x``, ``python hello.py``;
    models tag those ``python`` too). A block starting with a shebang is a script, never a
    command block.
    """
    lang = lang.strip().lower()
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    if lines and lines[0].startswith("#!"):
        return False
    if lang in _COMMAND_LANGS:
        return True
    if not lines or lang in ("markdown", "md"):
        return False
    if lines[0].startswith(("$ ", ">>> ")):
        return True
    if all(ln.startswith("> ") for ln in lines):
        return True
    shell = [bool(_SHELL_LINE.match(ln)) for ln in lines]
    return any(shell) and all(s or ln.startswith("#") for s, ln in zip(shell, lines, strict=True))


def _fits_command_block(lang: str, name: str) -> bool:
    """A named command block is a file only if the name suits it: a script for shell code
    (``deploy.sh``, ``.env``), anything for plain text (``requirements.txt``)."""
    if lang in _TEXT_LANGS:
        return True
    base = name.rsplit("/", 1)[-1]
    return base.startswith(".") or base.rpartition(".")[2].lower() in _SCRIPT_EXTS


# ---------------------------------------------------------------------------- blocks


def _join(lines: list[str]) -> str:
    return "".join(ln + "\n" for ln in lines)


def _name_of(context: tuple[str, bool] | None) -> str | None:
    return context[0] if context else None


def _sr_label(lines: list[str], i: int, floor: int) -> str | None:
    before = _line_before(lines, i, floor)
    if before is None:
        return None
    return _comment_name([before]) or _name_of(_context_name(before))


def _search_replace_edits(fence: Fence, lang: str, default: str | None) -> list[TextEdit]:
    """SEARCH/REPLACE blocks inside one fence; a block without its own name line keeps the
    previous block's file (models list several changes to one file in one fence)."""
    edits: list[TextEdit] = []
    body, path, floor, i = fence.body, default, 0, 0
    while i < len(body):
        sr = read_search_replace(body, i, fence.closed) if SR_HEAD.match(body[i]) else None
        if sr is None:
            i += 1
            continue
        path = _sr_label(body, i, floor) or path
        search, replace = _join(sr.search), _join(sr.replace)
        edits.append(TextEdit("search_replace", path, search=search, replace=replace, lang=lang))
        i = floor = sr.end
    return edits


def _diff_edits(lines: list[str], lang: str, default: str | None) -> list[TextEdit]:
    edits: list[TextEdit] = []
    i = 0
    while i < len(lines):
        if lines[i].startswith(("@@", "diff --git ")) or is_diff_header(lines, i):
            files, end = read_unified_diff(lines, i, default)
            edits += [
                TextEdit("udiff", f.path, hunks=f.hunks, lang=lang, is_new_file=f.is_new_file)
                for f in files
            ]
            i = max(end, i + 1)
        else:
            i += 1
    return edits


def _fence_edits(lines: list[str], i: int, floor: int) -> tuple[list[TextEdit], int] | None:
    """The edits of the fenced block opening at ``lines[i]`` and the index past it, or None
    when no block opens there."""
    m = FENCE_OPEN.match(lines[i])
    lang, info_path = _parse_info(m["info"]) if m else ("", None)
    nests = lang in ("markdown", "md") or (info_path or "").lower().endswith((".md", ".mdx"))
    fence = read_fence(lines, i, nests) if m else None
    if fence is None:
        return None
    before = _line_before(lines, i, floor)
    context = _context_name(before) if before else None
    if context is None and before is not None:
        context = _name_above_intro(lines, i, floor, before)
    body, default = fence.body, info_path or _name_of(context)
    if any(SR_HEAD.match(ln) for ln in body):
        return _search_replace_edits(fence, lang, default), fence.end
    diffish = any(is_diff_header(body, k) for k in range(len(body))) and any(
        ln.startswith("@@") for ln in body
    )
    if lang in _DIFF_LANGS or diffish:
        return _diff_edits(body, lang, default), fence.end
    edit = _whole_edit(body, lang, info_path, before, context)
    return ([edit] if edit else []), fence.end


_OUTPUT_INTRO = re.compile(
    r"\b(?:output|prints?|printed|result|returns?|run(?:ning)?|execut(?:e|ing)"
    r"|you(?:'ll| will| should)? (?:see|get))\b",
    re.I,
)


def _whole_edit(
    body: list[str],
    lang: str,
    info_path: str | None,
    before: str | None,
    context: tuple[str, bool] | None,
) -> TextEdit | None:
    """A fenced block as a whole file, unless it shows commands or output.

    An untagged block after "Run it and you'll see:" or "Output:" is output even when the
    line names the program, unless the block is named plainly.
    """
    body = list(body)
    while body and not body[-1].strip():
        body.pop()
    if not body:
        return None
    text = "\n".join(body) + "\n"
    plain = info_path or _comment_name(body) or (context[0] if context and context[1] else None)
    name: str | None
    if is_command_block(lang, text):
        if plain is None and lang in _SHELL_LANGS and not text.lstrip().startswith("$ "):
            return TextEdit("whole", None, content=text, lang=lang, command_like=True)
        if lang in _TRANSCRIPT_LANGS or plain is None or not _fits_command_block(lang, plain):
            return None
        name = plain
    else:
        if plain is None and not lang and before and _OUTPUT_INTRO.search(before):
            return None
        name = plain or _name_of(context)
        if name is None and lang in _NON_FILE_LANGS:
            return None
    return TextEdit("whole", name, content=text, lang=lang)


# ---------------------------------------------------------------------------- entry point


def extract_text_edits(text: str) -> list[TextEdit]:
    """Every file edit written as text in a reply, in reply order; never raises.

    Fenced blocks become ``whole`` edits (or SEARCH/REPLACE / diff edits when they hold
    those); SEARCH/REPLACE blocks and ``---``/``+++`` diffs are also found outside fences.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    edits: list[TextEdit] = []
    floor = i = 0
    sr_path: str | None = None
    sr_end = -1
    while i < len(lines):
        line = lines[i]
        if found := _fence_edits(lines, i, floor):
            edits += found[0]
            i = floor = found[1]
            continue
        sr = read_search_replace(lines, i, closed=False) if SR_HEAD.match(line) else None
        if sr is not None:
            path = _sr_label(lines, i, floor)
            if path is None and sr_end >= 0 and not any(ln.strip() for ln in lines[sr_end:i]):
                path = sr_path  # the next block for the same file, right after the last
            search, replace = _join(sr.search), _join(sr.replace)
            edits.append(TextEdit("search_replace", path, search=search, replace=replace))
            sr_path, sr_end = path, sr.end
            i = floor = sr.end
            continue
        if is_diff_start(lines, i):
            before = _line_before(lines, i, floor)
            context = _context_name(before) if before else None
            files, end = read_unified_diff(lines, i, _name_of(context))
            edits += [
                TextEdit("udiff", f.path, hunks=f.hunks, is_new_file=f.is_new_file) for f in files
            ]
            i = floor = max(end, i + 1)
            continue
        i += 1
    return edits
