"""The embedded provider and the zero-configuration path, with the packaged model in-process."""

from __future__ import annotations

import time

import pytest

from smallcode.llm.base import collect
from smallcode.llm.embedded import EmbeddedProvider
from smallcode.types import Message
from tests.e2e.conftest import E2E_ENV, MODEL, MODELS_DIR, skip_reason

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


@pytest.fixture
def need_model():
    reason = skip_reason(server=False)
    if reason:
        pytest.skip(reason)


def test_embedded_provider_streams_and_counts(need_model):
    p = EmbeddedProvider(MODEL, context_window=2048, temperature=0)
    assert p.context_window() == 2048
    pieces: list[str] = []
    start = time.monotonic()
    reply = collect(
        p.stream([Message("user", "Say hello in one short sentence.")], None),
        on_text=pieces.append,
    )
    took = time.monotonic() - start
    p.close()
    assert reply.content.strip() and len(pieces) > 1
    assert reply.usage.completion_tokens == len(pieces)
    assert reply.usage.prompt_tokens > 5
    print(f"embedded: {len(pieces)} tokens in {took:.1f} s (incl. load)")


def test_first_readme_command_with_nothing_configured(cli, project, need_model):
    """No server, no settings: the packaged model answers in-process."""
    start = time.monotonic()
    r = cli(
        ["-P", "What is 2+3? Answer with just the number.", "--non-interactive"],
        project,
        env={**E2E_ENV, "SMALLCODE_MODELS_DIR": str(MODELS_DIR), "SMALLCODE_PROBE_URLS": "none"},
        timeout=400,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "5" in r.stdout
    print(f"zero-config run: {time.monotonic() - start:.1f} s")
