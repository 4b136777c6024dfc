from __future__ import annotations

import pytest

from smallcode.errors import ToolError
from smallcode.tools import search as search_mod
from smallcode.tools.registry import ToolContext
from smallcode.tools.search import find_files, search


@pytest.fixture
def tree(ctx: ToolContext) -> ToolContext:
    files = {
        "src/app.py": "def handle_request(req):\n    return req\n",
        "src/util/helpers.py": "def slugify(s):\n    return s.lower()\n",
        "build/out.py": "def handle_request(): pass\n",
        "notes.md": "handle_request is documented here\n",
        ".gitignore": "build/\n",
    }
    for rel, text in files.items():
        p = ctx.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return ctx


@pytest.mark.parametrize("use_rg", [True, False])
def test_search_respects_gitignore(
    tree: ToolContext, monkeypatch: pytest.MonkeyPatch, use_rg: bool
) -> None:
    if not use_rg:
        monkeypatch.setattr(search_mod, "ripgrep", lambda: None)
    elif search_mod.ripgrep() is None:
        pytest.skip("rg not installed")
    out = search(tree, r"def handle_\w+")
    assert "src/app.py:1:def handle_request(req):" in out
    assert "build/" not in out
    assert "notes.md" not in search(tree, "handle_request", path="src")
    assert search(tree, "zzz_nothing") == "No matches for 'zzz_nothing'."


def test_search_bad_regex(tree: ToolContext) -> None:
    with pytest.raises(ToolError, match="invalid pattern"):
        search(tree, "(unclosed")


def test_find_files_globs(tree: ToolContext) -> None:
    out = find_files(tree, "**/*.py").splitlines()
    assert out == ["src/app.py", "src/util/helpers.py"]
    assert find_files(tree, "*.md") == "notes.md"
    assert find_files(tree, "src/*.py") == "src/app.py"
    assert "No files match" in find_files(tree, "*.rs")
