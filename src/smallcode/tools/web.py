"""``web_search`` and ``web_fetch``: opt-in (``SMALLCODE_WEB_BROWSE=true``), from the
``smallcode[web]`` extra (ddgs; readability-lxml + markdownify), offered only when browsing is
on, so the default prompt does not grow.

Results are marked as untrusted data. ``web_fetch`` is checked by the permission rules like
any tool (``WebFetch(domain:example.com)`` in allow/ask/deny), its redirects too; see
tools/webfetch.py for the address checks, robots.txt and the 15-minute cache. Offline, both
tools fail at once with one line.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any

from smallcode.errors import ToolError
from smallcode.tools.registry import Tool, ToolContext, tool

SEARCH_MAX_CHARS = 1500
TEXT_TYPES = ("text/plain", "text/markdown", "text/x-markdown", "application/json", "text/csv")


@tool(read_only=True, core=False)
def web_search(ctx: ToolContext, query: str, max_results: int = 5) -> str:
    """Search the web; returns titles, URLs and snippets.

    Args:
        query: What to search for.
        max_results: Results to return (1-10).
    """
    if not query.strip():
        raise ToolError("query is empty")
    n = max(1, min(10, int(max_results or 5)))
    backend = (getattr(ctx.settings, "web_search_backend", "") or "duckduckgo").strip()
    try:
        from ddgs import DDGS

        hits = DDGS(timeout=10).text(query, max_results=n, backend=backend)
    except ImportError:
        raise ToolError("web_search needs the web extra: pip install 'smallcode[web]'") from None
    except Exception as exc:  # DDGSException (offline: a DNS error at once), rate limits
        raise ToolError(f"web search failed ({backend}): {_search_problem(exc)}") from None
    if not hits:
        return f"No results for {query!r}."
    lines: list[str] = []
    for i, h in enumerate(hits[:n], start=1):
        title = " ".join(str(h.get("title", "")).split())[:120]
        url = str(h.get("href") or h.get("url") or "")
        body = " ".join(str(h.get("body", "")).split())[:240]
        lines.append(f"{i}. {title}\n   {url}\n   {body}")
    text = "\n".join(lines)[:SEARCH_MAX_CHARS]
    from smallcode.tools.webtext import untrusted

    return untrusted(f"search: {query[:100]}", "", text)


@tool(read_only=True, core=False)
def web_fetch(
    ctx: ToolContext,
    url: str,
    prompt: str | None = None,
    max_length: int = 4000,
    start_index: int = 0,
    raw: bool = False,
) -> str:
    """Fetch a web page as markdown. With prompt, the passages that answer it come first.

    Args:
        url: The http(s) URL.
        prompt: What you want to know from the page.
        max_length: Characters to return (at most 20000).
        start_index: Where to start, to read on in a long page.
        raw: Return the page source instead of markdown.
    """
    from smallcode.tools.webfetch import WebError
    from smallcode.tools.webtext import html_to_markdown, page, rank_passages, untrusted

    limit = max(200, min(20_000, int(max_length or 4000)))
    start = max(0, int(start_index or 0))
    try:
        fetched = fetcher(ctx).fetch(url)
    except WebError as exc:
        raise ToolError(str(exc)) from None
    title = ""
    body = fetched.text
    is_html = "html" in fetched.content_type or fetched.content_type == "application/xhtml+xml"
    if not raw:
        if is_html:
            title, body = html_to_markdown(fetched.text)
        elif not fetched.content_type.startswith("text/") and (
            fetched.content_type not in TEXT_TYPES
        ):
            raise ToolError(
                f"{fetched.url} is {fetched.content_type}, not a text page (raw=true shows it)"
            )
    notes: list[str] = []
    if prompt and prompt.strip() and not raw:
        ranked, shown, total = rank_passages(body, prompt, limit)
        if shown < total:
            notes.append(f"[{shown} of {total} passages: those that best match the prompt]")
        body = ranked
    piece, more = page(body, start, limit)
    if more:
        notes.append(more)
    return untrusted(fetched.url, title, piece, "\n".join(notes))


def _search_problem(exc: BaseException) -> str:
    """One short line for a failed search."""
    text = " ".join(str(exc).split())
    low = f"{type(exc).__name__} {text}".lower()
    if "dns" in low or "resolv" in low:
        return "cannot resolve the search engine's address (offline?)"
    if "ratelimit" in low or "rate limit" in low or "202" in low:
        return "the search engine is rate-limiting requests; try again later"
    if "timeout" in low or "timed out" in low:
        return "the search engine did not answer in time"
    return text[:160] or type(exc).__name__


def fetcher(ctx: ToolContext) -> Any:
    """The session's WebFetcher (one cache for the session)."""
    found = ctx.extras.get("web_fetcher")
    if found is None:
        from smallcode.tools.webfetch import WebFetcher

        found = ctx.extras["web_fetcher"] = WebFetcher(
            ctx.root / ".smallcode" / "cache" / "web",
            allow_private=bool(getattr(ctx.settings, "web_allow_private", False)),
            allowed=lambda url: _permission_problem(ctx, url),
        )
    return found


def _permission_problem(ctx: ToolContext, url: str) -> str:
    """Why the permission rules refuse ``url`` ('' when they allow it): for redirects, which
    the permission guard never sees. A rule that would ask refuses here (fetch it directly)."""
    perms = ctx.permissions
    if perms is None:
        return ""
    d = perms.policy.evaluate("web_fetch", {"url": url}, None, True)
    if d.action == "allow":
        return ""
    if d.action == "ask":
        return f"{d.reason} asks first: call web_fetch with this URL itself"
    return d.reason


def web_tools(settings: Any) -> tuple[list[Tool], str]:
    """The web tools to offer (none unless browsing is on) and a notice about missing parts."""
    if not getattr(settings, "web_browse", False):
        return [], ""
    tools: list[Tool] = []
    missing: list[str] = []
    if find_spec("ddgs") is not None:
        tools.append(web_search.__tool__)
    else:
        missing.append("web_search (ddgs)")
    if find_spec("readability") is not None and find_spec("markdownify") is not None:
        tools.append(web_fetch.__tool__)
    else:
        missing.append("web_fetch (readability-lxml, markdownify)")
    note = ""
    if missing:
        note = (
            f"SMALLCODE_WEB_BROWSE=true, but {' and '.join(missing)} not installed: "
            "pip install 'smallcode[web]'"
        )
    return tools, note
