"""Getting a web page safely: no private addresses, robots.txt obeyed, 15 minutes of cache.

**SSRF.** Every connection, redirects included, goes through :class:`GuardedBackend`: the host
is resolved, and private, loopback, link-local, shared (CGNAT), multicast, reserved and
cloud-metadata addresses are refused before a socket opens; the connection then goes to the
address that was checked (a DNS answer that changes in between cannot slip through).
``SMALLCODE_WEB_ALLOW_PRIVATE=true`` allows private and loopback addresses (tests against a
local server); metadata addresses stay refused. Proxies from the environment are not used.

**Redirects** are followed by hand (at most 5): each hop must be http(s), pass the
permission rules (``WebFetch(domain:...)``) and the address check.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

CACHE_TTL_S = 15 * 60
MAX_BYTES = 2_000_000
TIMEOUT_S = 15.0
MAX_REDIRECTS = 5
USER_AGENT = "SmallCode/{version} (coding agent; web_fetch)"
ROBOTS_AGENT = "SmallCode"
METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data"}
METADATA_IPS = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
}
_SHARED = ipaddress.ip_network("100.64.0.0/10")


class WebError(Exception):
    """A fetch that cannot be done; the message is one line for the model."""


class BlockedAddress(WebError):
    pass


def address_problem(ip: str, allow_private: bool) -> str:
    """Why connecting to ``ip`` is refused ('' when it is allowed)."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if addr in METADATA_IPS:
        return "a cloud metadata address"
    if addr.is_link_local:
        return "a link-local address"
    if addr.is_multicast or addr.is_reserved or addr.is_unspecified:
        return "not a public address"
    if allow_private:
        return ""
    if addr.is_loopback:
        return "a loopback address (this machine)"
    if addr.is_private or addr in _SHARED:
        return "a private network address"
    return ""


class GuardedBackend:
    """An httpcore network backend that checks every address before it connects."""

    def __init__(self, inner: Any, allow_private: bool) -> None:
        self._inner = inner
        self.allow_private = allow_private

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, **kw: Any) -> Any:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise WebError(f"cannot resolve {host}: {exc.strerror} (offline?)") from None
        last: Exception | None = None
        for info in infos:
            ip = str(info[4][0])
            why = address_problem(ip, self.allow_private)
            if why:
                raise BlockedAddress(
                    f"refused: {host} is {why} ({ip}); web_fetch only reaches public addresses"
                )
            try:
                return self._inner.connect_tcp(ip, port, timeout=timeout, **kw)
            except Exception as exc:  # try the next address of the host
                last = exc
        raise WebError(f"cannot connect to {host}:{port}: {last}")

    def connect_unix_socket(self, *args: Any, **kw: Any) -> Any:
        raise BlockedAddress("refused: unix sockets are not web addresses")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def make_client(allow_private: bool) -> Any:
    import httpx2

    from smallcode import __version__

    client = httpx2.Client(
        timeout=httpx2.Timeout(TIMEOUT_S),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT.format(version=__version__)},
    )
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if pool is None or inner is None:  # never connect unguarded
        client.close()
        raise WebError("the HTTP client cannot be guarded against private addresses")
    pool._network_backend = GuardedBackend(inner, allow_private)
    return client


@dataclass
class Fetched:
    url: str  # where the content came from (after redirects)
    status: int
    content_type: str
    text: str
    fetched_at: float


def check_url(url: str) -> str:
    """The URL, or a WebError for one that is not http(s) or names a metadata host."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebError(f"not an http(s) URL: {url[:200]}")
    if parts.hostname.lower() in METADATA_HOSTS:
        raise BlockedAddress(f"refused: {parts.hostname} is a cloud metadata host")
    return url.strip()


class WebFetcher:
    """Fetches with the guarded client; keeps pages and robots.txt for CACHE_TTL_S."""

    def __init__(
        self,
        cache_dir: Path | None,
        allow_private: bool = False,
        allowed: Callable[[str], str] | None = None,
    ) -> None:
        self.cache_dir = cache_dir
        self.allow_private = allow_private
        self.allowed = allowed  # url -> '' or why the permission rules refuse it
        self._memory: dict[str, dict[str, Any]] = {}
        self._robots: dict[str, tuple[float, Any]] = {}
        self.hits = 0

    # ------------------------------------------------------------------ cache

    def _key(self, url: str) -> str:
        # a page fetched with private addresses allowed is never served to a session without
        scope = "private" if self.allow_private else "public"
        return hashlib.sha256(f"{scope} {url}".encode("utf-8", "replace")).hexdigest()[:32]

    def _cached(self, url: str) -> Fetched | None:
        key = self._key(url)
        entry = self._memory.get(key)
        if entry is None and self.cache_dir is not None:
            try:
                entry = json.loads((self.cache_dir / f"{key}.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                entry = None
        if not entry or time.time() - float(entry.get("fetched_at", 0)) > CACHE_TTL_S:
            return None
        self.hits += 1
        return Fetched(**entry)

    def _store(self, asked: str, page: Fetched) -> None:
        entry = page.__dict__.copy()
        key = self._key(asked)
        self._memory[key] = entry
        if self.cache_dir is None:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_dir / f"{key}.tmp"
            tmp.write_text(json.dumps(entry), encoding="utf-8")
            tmp.replace(self.cache_dir / f"{key}.json")
        except OSError:
            self.cache_dir = None  # no disk cache here: memory only from now on

    # ------------------------------------------------------------------ fetching

    def fetch(self, url: str) -> Fetched:
        url = check_url(url)
        cached = self._cached(url)
        if cached is not None:
            return cached
        client = make_client(self.allow_private)
        try:
            page = self._get(client, url, robots=True)
        finally:
            client.close()
        self._store(url, page)
        return page

    def _get(self, client: Any, url: str, robots: bool) -> Fetched:
        import httpx2

        current = url
        for _ in range(MAX_REDIRECTS + 1):
            current = check_url(current)
            if self.allowed is not None:
                why = self.allowed(current)
                if why:
                    raise WebError(f"{current} is not allowed: {why}")
            if robots:
                self._obey_robots(client, current)
            try:
                with client.stream("GET", current) as resp:
                    if resp.is_redirect and resp.headers.get("location"):
                        current = urljoin(current, resp.headers["location"])
                        continue
                    return self._read(resp, current)
            except WebError:
                raise
            except httpx2.TimeoutException:
                raise WebError(f"{_host(current)} did not answer within {TIMEOUT_S:g} s") from None
            except httpx2.HTTPError as exc:
                raise WebError(f"cannot fetch {_host(current)}: {_one_line(exc)}") from None
        raise WebError(f"more than {MAX_REDIRECTS} redirects from {url}")

    def _read(self, resp: Any, url: str) -> Fetched:
        if resp.status_code >= 400:
            raise WebError(f"{url} answered HTTP {resp.status_code}")
        data = b""
        for chunk in resp.iter_bytes():
            data += chunk
            if len(data) > MAX_BYTES:
                data = data[:MAX_BYTES]
                break
        ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
        charset = resp.encoding or "utf-8"
        text = data.decode(charset, errors="replace")
        return Fetched(url, resp.status_code, ctype or "text/html", text, time.time())

    def _obey_robots(self, client: Any, url: str) -> None:
        from urllib.robotparser import RobotFileParser

        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        entry = self._robots.get(origin)
        if entry is None or time.time() - entry[0] > CACHE_TTL_S:
            parser = RobotFileParser()
            try:
                resp = client.get(f"{origin}/robots.txt")
                if resp.status_code in (401, 403):  # a closed robots.txt: nothing may be fetched
                    parser.parse(["User-agent: *", "Disallow: /"])
                elif resp.status_code < 400:
                    parser.parse(resp.text.splitlines())
                else:  # none: everything may be
                    parser.parse([])
            except WebError:
                raise
            except Exception as exc:
                raise WebError(f"cannot reach {parts.netloc}: {_one_line(exc)}") from None
            entry = self._robots[origin] = (time.time(), parser)
        if not entry[1].can_fetch(ROBOTS_AGENT, url):
            raise WebError(f"{parts.netloc}/robots.txt does not allow fetching {parts.path or '/'}")


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
