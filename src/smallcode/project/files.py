"""Which files of a project are source worth indexing: .gitignore honoured, big or binary skipped."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Extension -> language. Languages with a tree-sitter grammar get symbols; the rest are indexed
# as plain text chunks so their words are still searchable.
LANGUAGES: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".cs": "csharp",
    ".kt": "kotlin",
    ".kts": "kotlin",
    ".swift": "swift",
    ".rb": "ruby",
    ".php": "php",
    ".scala": "scala",
    ".lua": "lua",
    ".sh": "shell",
    ".bash": "shell",
    ".sql": "sql",
    ".md": "markdown",
    ".rst": "text",
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".vue": "vue",
    ".svelte": "svelte",
    ".html": "html",
    ".css": "css",
    ".scss": "css",
}
SPECIAL_NAMES = {"Makefile": "make", "Dockerfile": "docker", "CMakeLists.txt": "cmake"}
ALWAYS_SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    ".smallcode",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".next",
    ".nuxt",
    ".gradle",
    ".idea",
    ".vscode",
    ".cache",
}
# Output folders, skipped only at the top: a nested ``build/`` is often a source package.
ROOT_ONLY_SKIP_DIRS = {"target", "dist", "build", "coverage", "out"}
LOCK_NAMES = {
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "uv.lock",
    "Cargo.lock",
    "go.sum",
    "composer.lock",
    "Gemfile.lock",
}
DEFAULT_MAX_BYTES = 512_000


@dataclass
class SourceFile:
    path: Path  # absolute
    rel: str  # posix, relative to the root
    lang: str
    size: int
    mtime_ns: int


def language_of(name: str) -> str:
    if name in SPECIAL_NAMES:
        return SPECIAL_NAMES[name]
    return LANGUAGES.get(os.path.splitext(name)[1].lower(), "")


class _Ignore:
    """The stack of .gitignore files on the way down from the root (nested ones included)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.specs: list[tuple[str, object]] = []  # (dir prefix, spec)
        extra = root / ".git" / "info" / "exclude"
        self._add("", root / ".gitignore")
        self._add("", extra)
        self._add("", root / ".ignore")

    def _add(self, prefix: str, path: Path) -> None:
        if not path.is_file():
            return
        import pathspec

        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
        self.specs.append((prefix, spec))

    def enter(self, rel_dir: str, abs_dir: Path) -> int:
        before = len(self.specs)
        if rel_dir:
            self._add(rel_dir + "/", abs_dir / ".gitignore")
        return before

    def leave(self, size: int) -> None:
        del self.specs[size:]

    def ignored(self, rel: str, is_dir: bool) -> bool:
        for prefix, spec in self.specs:
            if prefix and not rel.startswith(prefix):
                continue
            sub = rel[len(prefix) :] + ("/" if is_dir else "")
            if spec.match_file(sub):  # type: ignore[attr-defined]
                return True
        return False


def iter_source_files(
    root: Path, max_bytes: int = DEFAULT_MAX_BYTES, under: str = ""
) -> Iterator[SourceFile]:
    """Indexable files below ``root`` (or its subfolder ``under``), in a stable order.

    Skips: .gitignore'd paths (nested .gitignore files too), hidden and vendored folders,
    lock files, files over ``max_bytes``, unknown extensions and binary files.
    """
    root = Path(root).resolve()
    ignore = _Ignore(root)
    start = (root / under).resolve() if under else root

    def walk(abs_dir: Path, rel_dir: str) -> Iterator[SourceFile]:
        mark = ignore.enter(rel_dir, abs_dir)
        try:
            entries = sorted(os.scandir(abs_dir), key=lambda e: e.name)
        except OSError:
            ignore.leave(mark)
            return
        for entry in entries:
            name = entry.name
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if (
                        name in ALWAYS_SKIP_DIRS
                        or name.startswith(".")
                        or name.endswith(".egg-info")
                    ):
                        continue
                    if not rel_dir and name in ROOT_ONLY_SKIP_DIRS:
                        continue
                    if ignore.ignored(rel, True):
                        continue
                    yield from walk(Path(entry.path), rel)
                elif entry.is_file(follow_symlinks=False):
                    lang = language_of(name)
                    if not lang or name in LOCK_NAMES or name.endswith(".min.js"):
                        continue
                    st = entry.stat()
                    if st.st_size > max_bytes or st.st_size == 0:
                        continue
                    if ignore.ignored(rel, False):
                        continue
                    yield SourceFile(Path(entry.path), rel, lang, st.st_size, st.st_mtime_ns)
            except OSError:
                continue
        ignore.leave(mark)

    if under:
        # Load the .gitignore files of the folders above ``under`` first.
        rel_parts = start.relative_to(root).parts
        cur = root
        for i, part in enumerate(rel_parts[:-1]):
            cur = cur / part
            ignore.enter("/".join(rel_parts[: i + 1]), cur)
        yield from walk(start, start.relative_to(root).as_posix())
    else:
        yield from walk(root, "")


def is_binary(data: bytes) -> bool:
    """NUL bytes in the first 8 KB mean binary."""
    return b"\x00" in data[:8192]
