"""HTTP helpers shared by the providers (OpenAI-compatible, Ollama, Anthropic) and detection.

One place that turns an HTTP failure into one clear line for the user: a wrong URL, a server
that is down, a wrong model name, a missing key, a model without tool support. The messages
say what to do next, never dump a traceback or a whole response body.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from smallcode.errors import EndpointError, ModelRequestError, TransientError

if TYPE_CHECKING:
    import httpx2

    from smallcode.llm.waiting import CancelToken

# Status codes worth another try (llm.base.complete retries TransientError).
RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504, 529}


def make_client(
    headers: dict[str, str],
    timeout: float,
    *,
    connect: float | None = None,
    pool: float | None = None,
    url: str = "",
) -> httpx2.Client:
    """A provider's HTTP client: ``timeout`` to read and write, ``connect`` (default the
    smaller of ``timeout`` and 10 s) to connect, ``pool`` (default ``timeout``) to wait for a
    free connection.

    For a plain ``http://`` endpoint (a local server) the CA bundle is not loaded: that costs
    ~60 ms at start-up and is never used. The TLS context given instead still verifies, with no
    trusted roots, so a redirect to https fails closed rather than connecting unverified.
    """
    import httpx2

    verify: Any = True
    if url.startswith("http://"):
        import ssl

        verify = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, hostname checked
    client = httpx2.Client(
        headers=headers,
        verify=verify,
        timeout=httpx2.Timeout(
            timeout,
            connect=min(timeout, 10.0) if connect is None else connect,
            pool=timeout if pool is None else pool,
        ),
    )
    pool_ = getattr(getattr(client, "_transport", None), "_pool", None)
    inner = getattr(pool_, "_network_backend", None)
    if inner is not None:  # reads can then be cut from another thread (cancelled())
        pool_._network_backend = _CancellableBackend(inner)  # type: ignore[union-attr]
    return client


# ---------------------------------------------------------------- cancelling a request

_current = threading.local()


@contextmanager
def cancelled_by(token: CancelToken | None) -> Iterator[None]:
    """Inside (in the thread that sends the request): when ``token`` is set, the socket the
    request reads from is shut down, so a read blocked on a silent server returns at once."""
    previous = getattr(_current, "token", None)
    _current.token = token
    try:
        yield
    finally:
        _current.token = previous


def _shutdown(sock: Any) -> None:
    import socket

    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _CancellableStream:
    """An httpcore network stream whose reads register their socket with the current
    request's cancel token."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._token: Any = None

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        token = getattr(_current, "token", None)
        if token is not None and token is not self._token:
            self._token = token
            sock = self._inner.get_extra_info("socket")
            if sock is not None:
                token.on_cancel(lambda: _shutdown(sock))
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, *args: Any, **kwargs: Any) -> Any:
        return _CancellableStream(self._inner.start_tls(*args, **kwargs))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _CancellableBackend:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def connect_tcp(self, *args: Any, **kwargs: Any) -> Any:
        return _CancellableStream(self._inner.connect_tcp(*args, **kwargs))

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> Any:
        return _CancellableStream(self._inner.connect_unix_socket(*args, **kwargs))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def retry_after_seconds(headers: Any) -> float | None:
    """The wait a ``Retry-After`` header asks for (seconds or an HTTP date), or None."""
    value = (headers.get("retry-after") or "").strip() if headers is not None else ""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    import time

    return max(0.0, when.timestamp() - time.time())


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
    status: int,
    body: str,
    *,
    url: str,
    model: str,
    kind: str = "",
    retry_after: float | None = None,
) -> ModelRequestError | TransientError:
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
        return TransientError(
            f"{where} answered HTTP {status}: {detail or 'server error'}", retry_after
        )
    return ModelRequestError(f"{where} refused the request ({status}): {detail}", status, body)


def connect_error(url: str, exc: BaseException) -> TransientError:
    name = type(exc).__name__
    if "Timeout" in name:
        return TransientError(
            f"no answer from {host_label(url)} in time ({name}); is the model still loading? "
            "Raise SMALLCODE_REQUEST_TIMEOUT or check the server"
        )
    return TransientError(
        f"cannot reach {url}: is the server running? Check SMALLCODE_BASE_URL "
        "or run `smallcode provider`"
    )


def transport_reason(exc: Exception) -> str:
    """A transport failure in a few words (``connection refused``, else the exception text)."""
    text = str(exc).strip()
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    return text or type(exc).__name__


@contextmanager
def transport_errors(url: str) -> Iterator[None]:
    """Inside: httpx2 failures of a request to ``url`` become one-line project errors.

    Cannot connect, timed out and cut connections raise TransientError (``llm.base.complete``
    retries those); any other httpx2 error raises EndpointError.
    """
    import httpx2

    try:
        yield
    except (httpx2.ConnectError, httpx2.ConnectTimeout) as exc:
        raise TransientError(
            f"cannot reach the model endpoint {url}: {transport_reason(exc)}"
        ) from exc
    except (httpx2.ReadTimeout, httpx2.WriteTimeout, httpx2.PoolTimeout) as exc:
        raise TransientError(f"the model endpoint {url} timed out") from exc
    except (httpx2.RemoteProtocolError, httpx2.ReadError, httpx2.WriteError) as exc:
        raise TransientError(f"connection to {url} was cut: {transport_reason(exc)}") from exc
    except httpx2.HTTPError as exc:
        raise EndpointError(f"request to {url} failed: {transport_reason(exc)}") from exc


@contextmanager
def stream_cut(source: str, error: type[EndpointError] = TransientError) -> Iterator[None]:
    """Inside: a transport failure while reading a reply raises ``error`` with
    ``<source> stream was cut (<ExceptionName>); try again``."""
    import httpx2

    try:
        yield
    except httpx2.TransportError as exc:
        raise error(f"{source} stream was cut ({type(exc).__name__}); try again") from None


def open_stream(
    send: Callable[[], Any],
    *,
    url: str,
    model: str,
    kind: str,
    final: Callable[[int, str], BaseException | None] | None = None,
) -> Any:
    """One attempt: ``send()`` returns an open streaming response; give it back when it is 2xx.

    Connection failures, 5xx, 408 and 429 raise TransientError (``llm.base.complete`` retries
    those); other 4xx raise a one-line ModelRequestError. ``final(status, body)`` may return a
    more specific exception for a known error body. The caller owns and closes the response.
    """
    import httpx2 as httpx

    try:
        resp = send()
    except (httpx.TransportError, OSError) as exc:
        raise connect_error(url, exc) from None
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
    raise describe_http_error(
        resp.status_code,
        body,
        url=url,
        model=model,
        kind=kind,
        retry_after=retry_after_seconds(resp.headers),
    )
