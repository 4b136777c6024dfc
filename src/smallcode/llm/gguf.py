"""Reading a GGUF file's header: magic, version and the metadata key/values.

Used to check that an assembled or downloaded model really is a GGUF model (and which one),
and to learn its trained context length and chat template without loading llama.cpp.
Arrays (the tokenizer's vocabulary) are skipped and reported by their length only.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any, BinaryIO

MAGIC = b"GGUF"

_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9


class GGUFError(ValueError):
    """The file is not a readable GGUF model."""


def _read(fh: BinaryIO, n: int) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise GGUFError("file ends inside the GGUF header (incomplete download?)")
    return data


def _string(fh: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", _read(fh, 8))
    if length > 1 << 26:
        raise GGUFError("corrupt GGUF header (string too long)")
    return _read(fh, length).decode("utf-8", "replace")


def _value(fh: BinaryIO, vtype: int) -> Any:
    if vtype in _SCALARS:
        fmt = _SCALARS[vtype]
        return struct.unpack(fmt, _read(fh, struct.calcsize(fmt)))[0]
    if vtype == _STRING:
        return _string(fh)
    if vtype == _ARRAY:
        (itype,) = struct.unpack("<I", _read(fh, 4))
        (count,) = struct.unpack("<Q", _read(fh, 8))
        if itype in _SCALARS:
            fh.seek(struct.calcsize(_SCALARS[itype]) * count, 1)
        elif itype == _STRING:
            for _ in range(count):
                (length,) = struct.unpack("<Q", _read(fh, 8))
                fh.seek(length, 1)
        else:
            for _ in range(count):
                _value(fh, itype)
        return {"array_of": itype, "length": count}
    raise GGUFError(f"corrupt GGUF header (unknown value type {vtype})")


def read_metadata(path: str | Path) -> dict[str, Any]:
    """All scalar metadata of a GGUF file, plus ``gguf.version`` and ``gguf.tensor_count``."""
    with open(path, "rb") as fh:
        if fh.read(4) != MAGIC:
            raise GGUFError(f"{path} is not a GGUF file (bad magic)")
        version, tensors, kv_count = struct.unpack("<IQQ", _read(fh, 20))
        if version not in (2, 3):
            raise GGUFError(f"{path}: unsupported GGUF version {version}")
        meta: dict[str, Any] = {"gguf.version": version, "gguf.tensor_count": tensors}
        for _ in range(kv_count):
            key = _string(fh)
            (vtype,) = struct.unpack("<I", _read(fh, 4))
            meta[key] = _value(fh, vtype)
    return meta


def context_length(meta: dict[str, Any]) -> int | None:
    arch = meta.get("general.architecture")
    value = meta.get(f"{arch}.context_length")
    return int(value) if isinstance(value, int) else None
