"""Bad input becomes one clear line that says what to do (OpenAI-compatible, Ollama, Anthropic)."""

from __future__ import annotations

import json

import pytest

from smallcode.errors import ModelRequestError, TransientError
from smallcode.llm.httpcommon import describe_http_error, error_text, mask_secret
from smallcode.llm.openai_compat import classify_http_error

URL = "http://127.0.0.1:1234/v1/chat/completions"


def body(message: str) -> str:
    return json.dumps({"error": {"message": message}})


@pytest.mark.parametrize(
    ("status", "message", "expect"),
    [
        (400, "This model does not support tools.", "pick a model with tool support"),
        (
            400,
            '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
            "start vLLM with --enable-auto-tool-choice",
        ),
        (
            400,
            "This model's maximum context length is 4096 tokens. However, you requested 5000",
            "SMALLCODE_CONTEXT_WINDOW=4096",
        ),
        (404, "The model `x` does not exist.", "check SMALLCODE_MODEL"),
        (401, "Invalid API key", "set SMALLCODE_API_KEY"),
    ],
)
def test_openai_compatible_errors(status, message, expect):
    err = classify_http_error(status, body(message), URL, "x")
    assert isinstance(err, ModelRequestError)
    assert expect in str(err) and "\n" not in str(err)


@pytest.mark.parametrize(
    ("status", "raw", "expect", "kind"),
    [
        (
            404,
            '{"error":"model \\"q:7b\\" not found, try pulling it first"}',
            "not found",
            ModelRequestError,
        ),
        (
            400,
            '{"error":"registry.ollama.ai/library/gemma does not support tools"}',
            "does not support tools",
            ModelRequestError,
        ),
        (
            401,
            '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}',
            "SMALLCODE_API_KEY",
            ModelRequestError,
        ),
        (
            529,
            '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
            "Overloaded",
            TransientError,
        ),
        (404, "404 page not found", "wrong URL or server kind", ModelRequestError),
    ],
)
def test_native_error_shapes(status, raw, expect, kind):
    err = describe_http_error(status, raw, url="http://127.0.0.1:11434/api/chat", model="q:7b")
    assert isinstance(err, kind)
    assert expect in str(err) and "\n" not in str(err)


def test_error_text_and_masking():
    assert error_text('{"error": {"message": "a\\n  b"}}') == "a b"
    assert error_text("<html>\n<h1>Bad gateway</h1>") == "<html> <h1>Bad gateway</h1>"
    assert mask_secret("sk-abcdefghijkl") == "sk-a…ijkl"
    assert mask_secret("short") == "*****"
    assert mask_secret("") == "(none)"
