"""Files keep their encoding, line endings and final newline; what cannot be kept is refused."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from smallcode.errors import ToolError
from smallcode.tools.files import patch, read_file, write_file
from smallcode.tools.registry import ToolContext

LATIN = "# Café Müller\nname = 'Zoë'\nx = 1\n"


def test_patch_keeps_a_latin1_file_intact(ctx: ToolContext) -> None:
    f = ctx.root / "legacy.py"
    f.write_bytes(LATIN.encode("latin-1"))
    assert "Café Müller" in read_file(ctx, "legacy.py")
    patch(ctx, "legacy.py", "x = 1", "x = 2")
    assert f.read_bytes() == LATIN.replace("x = 1", "x = 2").encode("latin-1")


def test_patch_can_add_characters_of_the_files_own_encoding(ctx: ToolContext) -> None:
    f = ctx.root / "menu.txt"
    f.write_bytes("crème brûlée – 5 €\n".encode("cp1252"))
    patch(ctx, "menu.txt", "5 €", "6 € (œuf)")
    assert f.read_bytes() == "crème brûlée – 6 € (œuf)\n".encode("cp1252")


def test_a_character_the_encoding_cannot_hold_is_refused(ctx: ToolContext) -> None:
    f = ctx.root / "legacy.py"
    f.write_bytes(LATIN.encode("latin-1"))
    before = f.read_bytes()
    with pytest.raises(ToolError, match=r"cannot hold 'ł'"):
        patch(ctx, "legacy.py", "x = 1", "x = 'łódź'")
    assert f.read_bytes() == before


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
    ],
)
def test_byte_order_marks_are_kept(ctx: ToolContext, encoding: str, bom: bytes) -> None:
    f = ctx.root / "bom.txt"
    f.write_bytes(bom + "première ligne\nsecond = 1\n".encode(encoding))
    assert "première ligne" in read_file(ctx, "bom.txt")
    patch(ctx, "bom.txt", "second = 1", "second = 2 ✓")
    assert f.read_bytes() == bom + "première ligne\nsecond = 2 ✓\n".encode(encoding)
    write_file(ctx, "bom.txt", "tout neuf\n")
    assert f.read_bytes() == bom + "tout neuf\n".encode(encoding)


def test_crlf_is_kept_by_patch_and_write(ctx: ToolContext) -> None:
    f = ctx.root / "win.bat"
    f.write_bytes(b"@echo off\r\necho one\r\necho two\r\n")
    read_file(ctx, "win.bat")
    patch(ctx, "win.bat", "echo one\n", "echo one\necho one and a half\n")
    assert f.read_bytes() == b"@echo off\r\necho one\r\necho one and a half\r\necho two\r\n"
    write_file(ctx, "win.bat", "@echo off\necho three\n")
    assert f.read_bytes() == b"@echo off\r\necho three\r\n"


def test_mixed_line_endings_change_only_where_edited(ctx: ToolContext) -> None:
    f = ctx.root / "mixed.txt"
    f.write_bytes(b"a\r\nb\nc\r\nd\n")
    patch(ctx, "mixed.txt", "b\nc", "B\nC")
    assert f.read_bytes() == b"a\r\nB\r\nC\r\nd\n"


def test_a_missing_final_newline_stays_missing(ctx: ToolContext) -> None:
    f = ctx.root / "nofinal.txt"
    f.write_bytes(b"one\ntwo")
    read_file(ctx, "nofinal.txt")
    write_file(ctx, "nofinal.txt", "one\nthree\n")
    assert f.read_bytes() == b"one\nthree"
    g = ctx.root / "final.txt"
    g.write_bytes(b"one\n")
    read_file(ctx, "final.txt")
    write_file(ctx, "final.txt", "uno")
    assert g.read_bytes() == b"uno\n"


def test_a_file_mixing_encodings_is_refused_not_damaged(ctx: ToolContext) -> None:
    f = ctx.root / "mixed.py"
    data = "# é in UTF-8\n".encode() + "# é in Latin-1\n".encode("latin-1") + b"x = 1\n"
    f.write_bytes(data)
    shown = read_file(ctx, "mixed.py")
    assert "replacement characters" in shown
    with pytest.raises(ToolError, match=r"mixes UTF-8 with another encoding.*line 2"):
        patch(ctx, "mixed.py", "x = 1", "x = 2")
    with pytest.raises(ToolError, match="mixes UTF-8"):
        write_file(ctx, "mixed.py", "x = 2\n")
    assert f.read_bytes() == data


def test_binary_files_are_never_edited_as_text(ctx: ToolContext) -> None:
    f = ctx.root / "logo.png"
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    f.write_bytes(data)
    with pytest.raises(ToolError, match="binary"):
        read_file(ctx, "logo.png")
    with pytest.raises(ToolError, match="binary"):
        patch(ctx, "logo.png", "IHDR", "XXXX")
    with pytest.raises(ToolError, match="binary"):
        write_file(ctx, "logo.png", "not a picture")
    assert f.read_bytes() == data


def test_new_files_are_utf8(ctx: ToolContext) -> None:
    write_file(ctx, "new.txt", "naïve ✓\n")
    assert (ctx.root / "new.txt").read_bytes() == "naïve ✓\n".encode()


# ---------------------------------------------------------------- changed on disk meanwhile


def test_write_refuses_a_file_the_user_changed_since_it_was_read(ctx: ToolContext) -> None:
    f = ctx.root / "notes.md"
    f.write_text("# Notes\n- buy milk\n")
    read_file(ctx, "notes.md")
    f.write_text("# Notes\n- buy milk\n- call Ann\n")  # the user, meanwhile
    with pytest.raises(ToolError) as err:
        write_file(ctx, "notes.md", "# Notes\n- buy bread\n")
    msg = str(err.value)
    assert "changed on disk since you last read it" in msg
    assert "+- call Ann" in msg and "read_file" in msg
    assert f.read_text() == "# Notes\n- buy milk\n- call Ann\n"
    read_file(ctx, "notes.md")
    write_file(ctx, "notes.md", "# Notes\n- buy bread\n- call Ann\n")
    assert f.read_text() == "# Notes\n- buy bread\n- call Ann\n"


def test_a_touch_without_change_is_not_a_change(ctx: ToolContext) -> None:
    import os

    f = ctx.root / "a.txt"
    f.write_text("same\n")
    read_file(ctx, "a.txt")
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    write_file(ctx, "a.txt", "new\n")
    assert f.read_text() == "new\n"


def test_consecutive_writes_of_the_model_are_not_outside_changes(ctx: ToolContext) -> None:
    f = ctx.root / "b.txt"
    f.write_text("one\n")
    read_file(ctx, "b.txt")
    write_file(ctx, "b.txt", "two\n")
    patch(ctx, "b.txt", "two", "three")
    write_file(ctx, "b.txt", "four\n")
    assert f.read_text() == "four\n"


def test_patch_still_applies_to_the_current_content(ctx: ToolContext) -> None:
    f = ctx.root / "c.py"
    f.write_text("a = 1\nb = 2\n")
    read_file(ctx, "c.py")
    f.write_text("a = 1\nb = 2\nc = 3\n")
    patch(ctx, "c.py", "b = 2", "b = 20")
    assert f.read_text() == "a = 1\nb = 20\nc = 3\n"


# ---------------------------------------------------------------- large files


@pytest.fixture
def big_file(ctx: ToolContext) -> Path:
    f = ctx.root / "big.log"
    line = "x" * 90
    with open(f, "w", encoding="utf-8") as fh:
        for i in range(1, 120_001):
            fh.write(f"{i:06d} {line}\n" if i != 77_777 else f"{i:06d} café\n")
    assert f.stat().st_size > 10 * 1024 * 1024
    return f


def test_a_range_of_a_file_over_10_mb_can_be_read(ctx: ToolContext, big_file: Path) -> None:
    out = read_file(ctx, "big.log", start_line=77_776, end_line=77_778)
    lines = out.splitlines()
    assert lines[0] == "big.log lines 77776-77778 of 120000:"
    assert lines[2] == "77777\t077777 café"
    assert lines[3].endswith("077778 " + "x" * 90)
    tail = read_file(ctx, "big.log", start_line=119_999, end_line=200_000)
    assert tail.splitlines()[0] == "big.log lines 119999-120000 of 120000:"
    first = read_file(ctx, "big.log", start_line=1)
    assert first.splitlines()[0] == "big.log lines 1-200 of 120000:"


def test_reading_a_huge_file_whole_says_how_to_read_a_range(
    ctx: ToolContext, big_file: Path
) -> None:
    with pytest.raises(ToolError, match=r"120,000 lines.*start_line and end_line"):
        read_file(ctx, "big.log")
