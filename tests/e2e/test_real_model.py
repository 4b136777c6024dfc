"""The CLI and providers against a real llama.cpp server running Qwen2.5-Coder-0.5B on CPU.

Small tasks only: on 2 cores one ~1.5K-token request takes about 10 s (the cached prefix
makes the next ones faster). Assertions check what the harness must guarantee (a real answer,
a real file written through a tool call, real streaming, the real window), not the model's
wording.
"""

from __future__ import annotations

import json
import time

import pytest

from smallcode.llm import detect
from smallcode.llm.base import RequestOptions, collect
from smallcode.llm.openai_compat import OpenAICompatProvider
from smallcode.types import Message, TextDelta
from tests.e2e.conftest import E2E_ENV

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def run(cli, project, server, *args, env=None):
    start = time.monotonic()
    r = cli(
        [*args, "--non-interactive", "--base-url", server.base_url, "-m", server.model],
        project,
        env={**E2E_ENV, **(env or {})},
        timeout=400,
    )
    return r, time.monotonic() - start


def test_plain_answer(cli, project, llama_server):
    r, took = run(cli, project, llama_server, "-P", "What is 2+3? Answer with just the number.")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "5" in r.stdout
    assert "Traceback" not in r.stderr
    print(f"plain answer: {took:.1f} s")


def test_tool_round_trip_creates_a_file(cli, project, llama_server):
    r, took = run(
        cli,
        project,
        llama_server,
        "--json",
        "-P",
        "Create a file named hello.txt containing exactly the text: hi",
    )
    assert "Traceback" not in r.stderr
    assert r.returncode in (0, 1), r.stderr[-2000:]  # 1: the small model may not stop itself
    assert (project / "hello.txt").read_text().strip() == "hi"
    result = json.loads(r.stdout)
    assert any(c["name"] == "write_file" for c in result["tool_calls"])
    assert "hello.txt" in result["files_created"]
    print(f"tool round trip: {took:.1f} s, {result['turns']} requests")


def test_streaming_arrives_in_pieces(llama_server):
    p = OpenAICompatProvider(llama_server.base_url, llama_server.model)
    stamps: list[float] = []
    start = time.monotonic()
    messages = [Message("user", "Count from 1 to 20, separated by spaces.")]
    chunks = []
    for chunk in p.stream(messages, None, RequestOptions(temperature=0, max_tokens=30)):
        chunks.append(chunk)
        if isinstance(chunk, TextDelta):
            stamps.append(time.monotonic() - start)
    reply = collect(iter(chunks))
    p.close()
    assert len(stamps) > 5
    assert stamps[0] < stamps[-1] - 0.2  # the first piece came well before the last
    assert "1" in reply.content and reply.finish_reason in ("stop", "length")
    print(f"streaming: {len(stamps)} pieces, first after {stamps[0]:.2f} s of {stamps[-1]:.2f} s")


def test_context_window_from_props(cli, project, props_server):
    assert (
        detect.detect_context_window("llamacpp", props_server.base_url, props_server.model) == 3072
    )
    ep = detect.identify(props_server.url)
    assert ep.kind == "llamacpp" and ep.windows == {"qwen-props": 3072}
    r = cli(["provider", "status"], project, env={"SMALLCODE_BASE_URL": props_server.base_url})
    assert r.returncode == 0, r.stderr
    assert "context window: 3,072 tokens" in r.stdout
    assert "qwen-props" in r.stdout  # the loaded model was picked without SMALLCODE_MODEL


def test_plain_server_window_learned_from_its_refusal(llama_server):
    """llama-cpp-python's own server has no /props: its refusal of a huge prompt names the window."""
    start = time.monotonic()
    window = detect.detect_context_window("openai", llama_server.base_url, llama_server.model)
    took = time.monotonic() - start
    assert window == 4096
    assert took < 5
    print(f"window from the refusal: {window} in {took:.2f} s")
