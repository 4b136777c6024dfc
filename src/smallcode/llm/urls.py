"""Endpoint URLs: the one place that turns what a user typed into the URLs the clients use.

A user may type ``localhost:1234``, ``http://127.0.0.1:1234/v1/`` or a server behind a reverse
proxy at ``https://gpu.lan/lmstudio/v1``. Two URLs are derived from it:

* :func:`api_base`: the OpenAI-compatible base (``.../v1``): a bare root gets ``/v1``, an
  explicit path is kept as given.
* :func:`server_root`: the root of the server's native routes (Ollama ``/api/chat``, LM Studio
  ``/api/v0/models``, llama.cpp ``/props``): the trailing API path (``/v1``, ``/api``,
  ``/openai``) is dropped, and a proxy's path prefix before it is kept.

Both add ``http://`` when the scheme is missing and drop trailing slashes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

API_SUFFIXES = ("/v1", "/api", "/openai")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def with_scheme(url: str) -> str:
    """``localhost:1234/`` -> ``http://localhost:1234``; an empty URL stays empty."""
    url = url.strip().rstrip("/")
    if url and "://" not in url:
        url = "http://" + url
    return url


def api_base(url: str) -> str:
    """The OpenAI-compatible base: a bare root gets ``/v1``; an explicit path is kept."""
    url = with_scheme(url)
    if url and urlsplit(url).path in ("", "/"):
        url += "/v1"
    return url


def server_root(url: str, suffixes: tuple[str, ...] = API_SUFFIXES) -> str:
    """The root of the server's native routes: one trailing API path in ``suffixes`` is
    dropped (``http://h:1234/v1`` -> ``http://h:1234``); a proxy's prefix is kept."""
    url = with_scheme(url)
    for suffix in suffixes:
        if url.endswith(suffix):
            return url[: -len(suffix)]
    return url


def hostname(url: str) -> str:
    """The lower-cased host of a URL given with or without a scheme ('' when none)."""
    return (urlsplit(with_scheme(url)).hostname or "").lower()


def port(url: str) -> int | None:
    """The explicit port of a URL given with or without a scheme (None when none)."""
    try:
        return urlsplit(with_scheme(url)).port
    except ValueError:
        return None


def is_loopback(url: str) -> bool:
    return hostname(url) in LOOPBACK_HOSTS


def host_matches(url: str, hosts: tuple[str, ...]) -> bool:
    """True when the URL's host is one of ``hosts`` or a subdomain of one."""
    host = hostname(url)
    return any(host == h or host.endswith("." + h) for h in hosts)
