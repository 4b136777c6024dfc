"""The patch matching ladder: exact, trailing whitespace, indentation, anchored fuzzy."""

from __future__ import annotations

from pathlib import Path

import pytest

from smallcode.config import Settings
from smallcode.tools.edit_match import PatchMismatch, locate
from smallcode.tools.files import patch
from smallcode.tools.registry import ToolContext

PY = (
    "class Stats:\n"
    "    def mean(self, values):\n"
    "        total = sum(values)\n"
    "        count = len(values)\n"
    "        return total / count\n"
    "\n"
    "    def other(self):\n"
    "        return 2\n"
)


def apply(text: str, old: str, new: str) -> tuple[str, str]:
    m = locate(text, old, new)
    rep = new if m.replacement is None else m.replacement
    return m.strategy, text[: m.start] + rep + text[m.end :]


def test_exact_unique() -> None:
    how, out = apply(PY, "return 2", "return 3")
    assert how == "exact"
    assert out == PY.replace("return 2", "return 3")


def test_exact_ambiguous_changes_nothing_and_names_lines() -> None:
    text = "a = 1\nb = 2\na = 1\n"
    with pytest.raises(PatchMismatch) as exc:
        locate(text, "a = 1", "a = 9")
    assert exc.value.count == 2
    assert "lines 1, 3" in str(exc.value)


def test_trailing_whitespace_ignored() -> None:
    text = "x = 1   \ny = 2\t\nz = 3\n"
    how, out = apply(text, "x = 1\ny = 2\n", "x = 10\ny = 20\n")
    assert how == "trailing-whitespace"
    assert out == "x = 10\ny = 20\nz = 3\n"


def test_crlf_file_keeps_crlf() -> None:
    text = "one\r\ntwo\r\nthree\r\n"
    how, out = apply(text, "one\ntwo\n", "uno\ndos\n")
    assert how == "trailing-whitespace"
    assert out == "uno\r\ndos\r\nthree\r\n"


def test_indentation_two_vs_four_reindents_replacement() -> None:
    old = "def mean(self, values):\n  total = sum(values)\n  count = len(values)\n  return total / count"
    new = "def mean(self, values):\n  if not values:\n    return 0.0\n  return sum(values) / len(values)"
    how, out = apply(PY, old, new)
    assert how == "indentation"
    assert (
        "    def mean(self, values):\n"
        "        if not values:\n"
        "            return 0.0\n"
        "        return sum(values) / len(values)\n"
    ) in out
    compile(out, "stats.py", "exec")


def test_indentation_tabs_in_file_spaces_in_patch() -> None:
    go = "func main() {\n\tif ok {\n\t\tfoo()\n\t}\n}\n"
    how, out = apply(go, "if ok {\n    foo()\n}", "if ok {\n    foo()\n    bar()\n}")
    assert how == "indentation"
    assert out == "func main() {\n\tif ok {\n\t\tfoo()\n\t\tbar()\n\t}\n}\n"


def test_indentation_inconsistent_structure_is_not_matched() -> None:
    # Same stripped lines but the nesting differs: must not be treated as a match.
    text = "if a:\n    b()\n    c()\n"
    with pytest.raises(PatchMismatch):
        locate(text, "if a:\n    b()\n        c()", "x")


def test_fuzzy_typo_unique_block() -> None:
    old = (
        "    def mean(self, values):\n"
        "        total = sum(values)\n"
        "        count = len(value)\n"  # typo: value
        "        return total / count\n"
    )
    new = "    def mean(self, values):\n        return sum(values) / max(1, len(values))\n"
    how, out = apply(PY, old, new)
    assert how.startswith("fuzzy")
    assert "return sum(values) / max(1, len(values))" in out
    assert "def other(self)" in out
    compile(out, "stats.py", "exec")


def test_fuzzy_too_short_is_refused() -> None:
    with pytest.raises(PatchMismatch):
        locate("x = 1\n", "x = 2", "x = 3")


def test_fuzzy_ambiguous_changes_nothing_and_shows_closest_text() -> None:
    block = "def handler_{i}(request):\n    data = load(request)\n    return render(data)\n\n"
    text = "".join(block.format(i=i) for i in range(5))
    with pytest.raises(PatchMismatch) as exc:
        locate(
            text, "def handler_(request):\n    data = lod(request)\n    return render(data)", "x"
        )
    msg = str(exc.value)
    assert "places" in msg and "closest text" in msg
    assert "\tdef handler_" in msg  # numbered real lines


def test_not_found_shows_closest_lines_with_numbers() -> None:
    with pytest.raises(PatchMismatch) as exc:
        locate(PY, "def median(self, xs):\n    return sorted(xs)[len(xs) // 2]", "x")
    msg = str(exc.value)
    assert "not found" in msg
    assert "    2\t    def mean(self, values):" in msg


def test_empty_old_refused() -> None:
    with pytest.raises(PatchMismatch):
        locate(PY, "  \n", "x")


def _ctx(root: Path) -> ToolContext:
    return ToolContext(root=root, settings=Settings.load(root))


def test_patch_tool_uses_ladder_and_keeps_file_indentation(tmp_path: Path) -> None:
    f = tmp_path / "stats.py"
    f.write_text(PY)
    out = patch(
        _ctx(tmp_path),
        "stats.py",
        "def other(self):\n  return 2",
        "def other(self):\n  return 3",
    )
    assert "matched by indentation" in out
    assert f.read_text() == PY.replace("return 2", "return 3")


def test_patch_tool_miss_changes_nothing(tmp_path: Path) -> None:
    from smallcode.errors import ToolError

    f = tmp_path / "stats.py"
    f.write_text(PY)
    with pytest.raises(ToolError) as exc:
        patch(_ctx(tmp_path), "stats.py", "def nothing_like_this():\n    pass", "x")
    assert "not applied" in str(exc.value)
    assert f.read_text() == PY


def test_fuzzy_finds_reindented_misspelled_block_in_large_file() -> None:
    import random

    rng = random.Random(7)
    words = ["alpha", "beta", "gamma", "delta", "load", "save", "parse", "emit", "total", "row"]

    def line(i: int) -> str:
        picked = rng.sample(words, 3)
        return f"    {picked[0]}_{i} = {picked[1]}({picked[2]}, {i % 17})"

    lines = [line(i) for i in range(5000)]
    text = "\n".join(lines) + "\n"
    block = lines[2500:2510]
    old = "\n".join(s.strip() for s in block).replace("(", "( ", 1)  # re-indented + typo
    new = "\n".join(s.strip() for s in block[:9]) + "\nextra = 1"
    how, out = apply(text, old, new)
    assert how.startswith("fuzzy")
    out_lines = out.splitlines()
    assert out_lines[2509] == "    extra = 1"  # the file's indentation is kept
    assert out_lines[:2500] == lines[:2500] and out_lines[2510:] == lines[2510:]


def test_fuzzy_many_similar_blocks_is_ambiguous() -> None:
    lines = [f"value_{i} = compute_{i}(alpha, beta, gamma)  # item {i}" for i in range(3000)]
    text = "\n".join(lines) + "\n"
    old = "\n".join(lines[2500:2510]).replace("compute_2503", "compte_2503")
    with pytest.raises(PatchMismatch) as exc:
        locate(text, old, "replaced")
    assert " 2504\tvalue_2503 = compute_2503" in str(exc.value)
