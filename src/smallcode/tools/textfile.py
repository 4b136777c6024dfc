"""Text files as their owners wrote them: encoding, byte-order mark, line endings, final newline.

The model always sees text with ``\\n`` line breaks; an edit is written back in the file's own
encoding (UTF-8 with or without BOM, UTF-16/32 with BOM, else cp1252 or Latin-1), with its own
line endings (CRLF kept, also in a file that mixes them: only the edited lines change) and its
final newline. A file that cannot be decoded faithfully (UTF-8 mixed with another encoding) or
that is binary is refused with the reason, never rewritten with replacement characters.

    tf = load_text(path)                 # raises ValueError(reason) when not editable
    new = tf.splice(start, end, "x\\n")  # offsets into tf.text (the \\n view)
    data = tf.encode(new)                # bytes in the file's format; ValueError if unencodable
"""

from __future__ import annotations

import bisect
import codecs
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_TEXT_BYTES = 10 * 1024 * 1024
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Bytes that form a valid UTF-8 multi-byte sequence (2 to 4 bytes).
_UTF8_SEQ = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


class NotText(ValueError):
    """The file is binary or cannot be decoded faithfully; ``str()`` says why."""


@dataclass(frozen=True)
class TextFormat:
    encoding: str = "utf-8"
    bom: bytes = b""
    newline: str = "\n"  # the dominant line break: "\n", "\r\n" or "\r"
    final_newline: bool = True
    mixed_newlines: bool = False

    @property
    def label(self) -> str:
        name = self.encoding + (" with BOM" if self.bom else "")
        return name + (", CRLF" if self.newline == "\r\n" else "")


@dataclass
class TextFile:
    """A decoded file: ``text`` is the ``\\n`` view the model sees, ``raw`` the decoded text
    with the file's own line breaks."""

    raw: str
    fmt: TextFormat
    data: bytes = b""
    # Indexes in ``text`` of the "\n" characters that stand for a "\r\n" in ``raw``.
    _crlf_at: list[int] = field(default_factory=list, repr=False)
    text: str = ""

    @classmethod
    def from_raw(cls, raw: str, fmt: TextFormat, data: bytes = b"") -> TextFile:
        if fmt.newline == "\r":
            return cls(raw, fmt, data, [], raw.replace("\r", "\n"))
        crlf: list[int] = []
        pos = raw.find("\r\n")
        while pos != -1:
            crlf.append(pos - len(crlf))
            pos = raw.find("\r\n", pos + 2)
        text = raw.replace("\r\n", "\n") if crlf else raw
        return cls(raw, fmt, data, crlf, text)

    def raw_index(self, i: int) -> int:
        """The index in ``raw`` of index ``i`` of ``text``."""
        return i + bisect.bisect_left(self._crlf_at, i)

    def splice(self, start: int, end: int, replacement: str) -> str:
        """``raw`` with ``text[start:end]`` replaced; the new lines get the file's line break,
        the untouched lines keep theirs."""
        return (
            self.raw[: self.raw_index(start)]
            + to_newline(replacement, self.fmt.newline)
            + self.raw[self.raw_index(end) :]
        )

    def whole(self, content: str) -> str:
        """New content for the whole file, in the file's line breaks and final newline."""
        content = to_newline(content, self.fmt.newline)
        nl = self.fmt.newline
        if content and self.fmt.final_newline and not content.endswith(nl):
            content += nl
        elif not self.fmt.final_newline and self.raw and content.endswith(nl):
            content = content[: -len(nl)]
        return content

    def encode(self, raw: str) -> bytes:
        return encode(raw, self.fmt)


def to_newline(text: str, newline: str) -> str:
    text = text.replace("\r\n", "\n")
    return text if newline == "\n" else text.replace("\n", newline)


def is_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def detect(data: bytes) -> tuple[str, bytes]:
    """(encoding, BOM) of file bytes. Raises NotText for binary or mixed-encoding data."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, bom
    if b"\x00" in data:
        raise NotText("it looks binary (it contains NUL bytes); binary files are not edited")
    try:
        data.decode("utf-8")
        return "utf-8", b""
    except UnicodeDecodeError as exc:
        bad = exc.start
    if _UTF8_SEQ.search(data):
        line = data.count(b"\n", 0, bad) + 1
        raise NotText(
            f"it mixes UTF-8 with another encoding (invalid UTF-8 byte 0x{data[bad]:02x} on "
            f"line {line}); editing it would damage it, so convert it to one encoding first"
        )
    try:
        data.decode("cp1252")
        return "cp1252", b""
    except UnicodeDecodeError:
        return "latin-1", b""


def newline_style(raw: str) -> tuple[str, bool]:
    """(dominant line break, whether the file mixes several)."""
    crlf = raw.count("\r\n")
    lf = raw.count("\n") - crlf
    cr = raw.count("\r") - crlf
    counts = {"\r\n": crlf, "\n": lf, "\r": cr}
    best = max(counts, key=lambda k: counts[k]) if any(counts.values()) else "\n"
    return best, sum(1 for v in counts.values() if v) > 1


def decode(data: bytes) -> TextFile:
    """Decode file bytes faithfully. Raises NotText with the reason when that is not possible."""
    encoding, bom = detect(data)
    try:
        raw = data[len(bom) :].decode(encoding)
    except UnicodeDecodeError as exc:
        raise NotText(f"it is not valid {encoding} ({exc.reason} at byte {exc.start})") from None
    if "\x00" in raw:
        raise NotText("it looks binary (it contains NUL characters); binary files are not edited")
    newline, mixed = newline_style(raw)
    if newline == "\r" and mixed:
        newline = "\n"
    fmt = TextFormat(
        encoding=encoding,
        bom=bom,
        newline=newline,
        final_newline=raw.endswith(("\n", "\r")) if raw else True,
        mixed_newlines=mixed,
    )
    return TextFile.from_raw(raw, fmt, data)


def encode(raw: str, fmt: TextFormat) -> bytes:
    """``raw`` in the file's encoding (and BOM). Raises ValueError naming a character the
    encoding cannot hold."""
    try:
        return fmt.bom + raw.encode(fmt.encoding)
    except UnicodeEncodeError as exc:
        ch = raw[exc.start]
        line = raw.count("\n", 0, exc.start) + 1
        raise ValueError(
            f"the file is encoded in {fmt.encoding}, which cannot hold {ch!r} "
            f"(U+{ord(ch):04X}, line {line}); use characters that exist in {fmt.encoding}"
        ) from None


def too_large(path: Path, size: int) -> str:
    lines = count_lines(path)
    return (
        f"it is too large to read whole ({size / 1048576:.1f} MB, {lines:,} lines): read a "
        "range with start_line and end_line, e.g. start_line=1, end_line=200"
    )


def load_text(path: Path, limit: int = MAX_TEXT_BYTES) -> TextFile:
    """Read and decode a whole file for editing. Raises NotText/ValueError with the reason."""
    size = path.stat().st_size
    if size > limit:
        raise ValueError(too_large(path, size))
    return decode(path.read_bytes())


def read_text(path: Path, limit: int = MAX_TEXT_BYTES) -> str:
    """The ``\\n`` text of a file for showing or searching. Raises ValueError for binaries and
    files over ``limit``; a file that mixes encodings is shown with replacement characters."""
    size = path.stat().st_size
    if size > limit:
        raise ValueError(too_large(path, size))
    data = path.read_bytes()
    try:
        return decode(data).text
    except NotText:
        if is_binary(data):
            raise ValueError("file looks binary") from None
        return data.decode("utf-8", errors="replace").replace("\r\n", "\n")


# ---------------------------------------------------------------- large files, by line range

CHUNK = 1 << 20


def count_lines(path: Path) -> int:
    """Lines in a file (a last line without a newline counts), reading it in chunks."""
    n = 0
    last = b"\n"
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n + (0 if last == b"\n" else 1)


def read_line_range(path: Path, start: int, end: int) -> tuple[list[str], int]:
    """Lines ``start..end`` (1-based, inclusive) of a file of any size and the file's total
    line count, streaming: only the range is kept in memory."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if len(head) == 65536:  # do not let a character cut at the end look like bad UTF-8
        cut = len(head)
        while cut > len(head) - 4 and head[cut - 1] >= 0x80:
            cut -= 1
        head = head[:cut]
    encoding, bom = detect(head)
    if encoding.startswith(("utf-16", "utf-32")):
        raise NotText(f"reading a range of a large {encoding} file is not supported")
    wanted = bytearray()
    line = 1  # number of the line the next byte belongs to
    total = 0
    last = b"\n"
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            last = chunk[-1:]
            nl = chunk.count(b"\n")
            first_line, line_after = line, line + nl
            if line_after >= start and first_line <= end:
                pos = 0
                for _ in range(nl + 1):
                    cut = chunk.find(b"\n", pos)
                    stop = len(chunk) if cut == -1 else cut + 1
                    if start <= line <= end:
                        wanted += chunk[pos:stop]
                    if cut == -1:
                        break
                    line += 1
                    pos = stop
            else:
                line = line_after
            total += nl
    total += 0 if last == b"\n" else 1
    if bom and wanted.startswith(bom):
        del wanted[: len(bom)]
    text = bytes(wanted).decode(encoding, errors="replace")
    return text.replace("\r\n", "\n").split("\n")[: max(0, min(end, total) - start + 1)], total
