"""HTTP helpers shared by the native providers (Ollama, Anthropic) and detection.

One place that turns an HTTP failure into one clear line for the user: a wrong URL, a server
that is down, a wrong model name, a missing key, a model without tool support. The messages
say what to do next, never dump a traceback or a whole response body.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from smallcode.errors import EndpointError, ModelRequestError

# Status codes worth another try: the server is busy or briefly broken.
RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504, 529}


def root_url(base_url: str) -> str:
    """``http://host:1234/v1`` -> ``http://host:1234`` (the server root for native routes)."""
    url = base_url.rstrip("/")
    for suffix in ("/v1", "/api", "/openai"):
        if url.endswith(suffix):
            return url[: -len(suffix)]
    return url


def host_label(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def mask_secret(secret: str) -> str:
    """Show just enough of a key to recognise it: ``sk-a…wxyz``. Never the whole thing."""
    if not secret:
        return "(none)"
    if len(secret) <= 8:
        return "*" * len(secret)
    return f"{secret[:4]}…{secret[-4:]}"


def error_text(body: str) -> str:
    """The human part of an error body (OpenAI, Ollama and Anthropic shapes), one line."""
    text = body.strip()
    try:
        data = json.loads(text)
    except (ValueError, TypeError):
        return " ".join(text.split())[:300]
    if isinstance(data, dict):
        err = data.get("error", data)
        if isinstance(err, dict):
            msg = err.get("message") or err.get("error") or err.get("type") or ""
            return " ".join(str(msg).split())[:300]
        if isinstance(err, str):
            return " ".join(err.split())[:300]
        if "message" in data:
            return " ".join(str(data["message"]).split())[:300]
    return " ".join(text.split())[:300]


def describe_http_error(
    status: int, body: str, *, url: str, model: str, kind: str = ""
) -> ModelRequestError | EndpointError:
    """Map an HTTP error response to an exception whose text is one line with a next step."""
    detail = error_text(body)
    low = detail.lower()
    where = host_label(url)
    if status in (401, 403) or "api key" in low or "api-key" in low or "unauthorized" in low:
        hint = "set SMALLCODE_API_KEY (or run `smallcode provider`)"
        return ModelRequestError(
            f"{where} refused the request ({status}): {detail or 'unauthorized'}; {hint}",
            status,
            body,
        )
    if "tool" in low and ("support" in low or "not enabled" in low):
        return ModelRequestError(
            f"model '{model}' does not support tools on {where}: {detail}; pick a model with "
            "tool support (e.g. qwen2.5-coder, qwen3) with SMALLCODE_MODEL",
            status,
            body,
        )
    model_missing = ("model" in low and ("not found" in low or "does not exist" in low)) or (
        "not_found_error" in low and "model" in low
    )
    if model_missing or (status == 404 and model and model in detail):
        return ModelRequestError(
            f"model '{model}' not found on {where}: {detail}; list models with `smallcode "
            "provider` and set SMALLCODE_MODEL",
            status,
            body,
        )
    if status == 404:
        return ModelRequestError(
            f"{url} answered 404 (not found): wrong URL or server kind? Check SMALLCODE_BASE_URL"
            + (f" / SMALLCODE_PROVIDER={kind}" if kind else ""),
            status,
            body,
        )
    if status >= 500 or status in RETRY_STATUS:
        return EndpointError(f"{where} keeps failing ({status}): {detail or 'server error'}")
    return ModelRequestError(f"{where} refused the request ({status}): {detail}", status, body)


def connect_error(url: str, exc: BaseException) -> EndpointError:
    name = type(exc).__name__
    if "Timeout" in name:
        return EndpointError(
            f"no answer from {host_label(url)} in time ({name}); is the model still loading? "
            "Raise SMALLCODE_REQUEST_TIMEOUT or check the server"
        )
    return EndpointError(
        f"cannot reach {url}: is the server running? Check SMALLCODE_BASE_URL "
        "or run `smallcode provider`"
    )


def backoff_seconds(attempt: int, retry_after: str | None = None, base: float = 0.5) -> float:
    """Exponential backoff with jitter; honours a small Retry-After."""
    if retry_after:
        try:
            return min(float(retry_after), 30.0)
        except ValueError:
            pass
    return min(base * (2**attempt), 8.0) * (0.75 + random.random() / 2)


def request_with_retries(
    send: Callable[[], Any],
    *,
    url: str,
    model: str,
    kind: str,
    max_retries: int,
    on_retry: Callable[[int, str, float], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    final: Callable[[int, str], BaseException | None] | None = None,
    backoff_base: float = 0.5,
) -> Any:
    """Call ``send()`` (which returns an open streaming response) until it answers 2xx.

    Retries connection errors and 5xx/429 up to ``max_retries`` times. A 4xx other than 408/429
    is final; so is any answer for which ``final(status, body)`` returns an exception (raised).
    The caller owns the returned response and must close it.
    """
    import httpx2 as httpx

    attempt = 0
    while True:
        try:
            resp = send()
        except (httpx.TransportError, OSError) as exc:
            if attempt >= max_retries:
                raise connect_error(url, exc) from None
            wait = backoff_seconds(attempt, base=backoff_base)
            if on_retry:
                on_retry(attempt + 1, f"{type(exc).__name__}", wait)
            sleep(wait)
            attempt += 1
            continue
        if resp.status_code < 400:
            return resp
        try:
            body = resp.read().decode("utf-8", "replace")
        except Exception:
            body = ""
        finally:
            resp.close()
        special = final(resp.status_code, body) if final else None
        if special is not None:
            raise special
        if resp.status_code in RETRY_STATUS and attempt < max_retries:
            wait = backoff_seconds(attempt, resp.headers.get("retry-after"), backoff_base)
            if on_retry:
                on_retry(attempt + 1, f"HTTP {resp.status_code}: {error_text(body)}", wait)
            sleep(wait)
            attempt += 1
            continue
        raise describe_http_error(resp.status_code, body, url=url, model=model, kind=kind)
