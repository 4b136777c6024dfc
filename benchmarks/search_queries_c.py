"""Held-out behaviour queries (set C) for measuring code search (``bench_index.py --quality``).

The corpus is a different set of packages installed in the dev environment: requests,
urllib3, starlette, uvicorn, idna, charset_normalizer, iniconfig, pyflakes, json_repair,
markdownify, pydantic_settings, python_multipart and sse_starlette. Unlike set A it
deliberately includes an HTTP client (requests on urllib3), an ASGI web framework (starlette)
and its server (uvicorn), because users ask about such code. The queries were written from
the package sources alone, without looking at the search engine, its vocabulary or any search
result, so the set can check that tuning on the other sets generalises.

Each behaviour query says what the code does in words its target definitions' names do not
use (``words_shared`` checks that); the name queries use the code's own words. A target is
``qualname`` or ``path/suffix.py:qualname``; a query is a hit@k when one of its targets is
among the first k results. This is a measurement, not a unit test.
"""

from __future__ import annotations

from search_queries import is_hit, words_shared  # noqa: F401

PACKAGES = [
    "requests",
    "urllib3",
    "starlette",
    "uvicorn",
    "idna",
    "charset_normalizer",
    "iniconfig",
    "pyflakes",
    "json_repair",
    "markdownify",
    "pydantic_settings",
    "python_multipart",
    "sse_starlette",
]

BEHAVIOUR: list[tuple[str, set[str]]] = [
    # requests
    (
        "after a 3xx answer, go to the address in the Location header and keep going "
        "until the final page",
        {"SessionRedirectMixin.resolve_redirects", "SessionRedirectMixin.get_redirect_target"},
    ),
    (
        "don't leak the user's login to another site when a 302 points somewhere else",
        {"SessionRedirectMixin.should_strip_auth", "SessionRedirectMixin.rebuild_auth"},
    ),
    (
        "throw an exception if the server replied with a client or server failure code",
        {"requests/models.py:Response.raise_for_status"},
    ),
    (
        "look up saved login credentials for a machine in the per-user dotfile that ftp "
        "and curl read",
        {"get_netrc_auth"},
    ),
    (
        "challenge-response login using a server nonce and an MD5 hash",
        {
            "HTTPDigestAuth",
            "HTTPDigestAuth.build_digest_header",
            "HTTPDigestAuth.handle_401",
            "HTTPDigestAuth.__call__",
        },
    ),
    (
        "how do I download a big body piece by piece without holding all of it in memory?",
        {
            "Response.iter_content",
            "Response.iter_lines",
            "urllib3/response.py:HTTPResponse.stream",
            "BaseHTTPResponse.stream",
        },
    ),
    # urllib3
    (
        "wait longer and longer between attempts after repeated failures",
        {
            "Retry.get_backoff_time",
            "Retry.sleep",
            "Retry._sleep_backoff",
        },
    ),
    (
        "when the server says come back later, pause for the number of seconds it asked for",
        {"Retry.parse_retry_after", "Retry.get_retry_after", "Retry.sleep_for_retry"},
    ),
    ("break a link like https://example.com:8080/a?b=1 into its pieces", {"parse_url", "Url"}),
    (
        "keep sockets to a server open and hand them out again for later calls",
        {
            "HTTPConnectionPool._get_conn",
            "HTTPConnectionPool._put_conn",
            "HTTPConnectionPool",
            "ConnectionPool",
        },
    ),
    (
        "confirm the server's cert was issued for the domain we dialed, allowing "
        "*.example.com wildcards",
        {"match_hostname", "_dnsname_match", "urllib3/connection.py:_match_hostname"},
    ),
    (
        "inflate a compressed payload according to its Content-Encoding",
        {
            "_get_decoder",
            "BaseHTTPResponse._decode",
            "GzipDecoder",
            "DeflateDecoder",
            "MultiDecoder",
        },
    ),
    # starlette
    (
        "let a page served from another domain call this backend, answering the browser's "
        "OPTIONS check",
        {"CORSMiddleware", "CORSMiddleware.preflight_response", "CORSMiddleware.simple_response"},
    ),
    (
        "build a link to a named endpoint by filling in its parameters",
        {
            "Router.url_path_for",
            "Route.url_path_for",
            "starlette/requests.py:HTTPConnection.url_for",
            "Starlette.url_path_for",
            "Mount.url_path_for",
        },
    ),
    (
        "hand out images and stylesheets from a folder, answering 304 when the browser's "
        "copy is current",
        {
            "StaticFiles",
            "StaticFiles.get_response",
            "StaticFiles.is_not_modified",
            "StaticFiles.lookup_path",
        },
    ),
    (
        "serve only part of a large download when the client asks for bytes 500-999",
        {
            "FileResponse._parse_range_header",
            "FileResponse._handle_single_range",
            "FileResponse._handle_multiple_ranges",
            "FileResponse._parse_ranges",
        },
    ),
    (
        "how is a visitor's data kept in a signed cookie between page loads?",
        {"SessionMiddleware", "SessionMiddleware.__call__"},
    ),
    (
        "how can blocking code be called from an async handler without stalling the event loop?",
        {"run_in_threadpool", "iterate_in_threadpool"},
    ),
    # uvicorn
    (
        "respawn the worker whenever a .py file is edited during development",
        {
            "StatReload",
            "WatchFilesReload",
            "StatReload.should_restart",
            "WatchFilesReload.should_restart",
            "BaseReload",
        },
    ),
    (
        "learn the caller's real IP from what a front-end balancer put in X-Forwarded-For",
        {
            "ProxyHeadersMiddleware",
            "ProxyHeadersMiddleware.__call__",
            "_TrustedHosts.get_trusted_client_address",
        },
    ),
    (
        "on SIGTERM, stop taking new connections and let in-flight work finish",
        {
            "uvicorn/server.py:Server.shutdown",
            "uvicorn/server.py:Server.handle_exit",
            "uvicorn/server.py:Server.capture_signals",
            "uvicorn/server.py:Server._wait_tasks_to_complete",
        },
    ),
    # idna
    (
        "turn münchen.de into the xn-- spelling that DNS understands",
        {"idna/core.py:encode", "alabel", "Codec.encode"},
    ),
    (
        "reject host name parts that illegally mix scripts written in opposite directions",
        {"check_bidi"},
    ),
    # charset_normalizer
    (
        "which character set was this blob of raw data written in?",
        {"from_bytes", "from_path", "from_fp", "charset_normalizer/legacy.py:detect"},
    ),
    ("score how garbled a piece of decoded text looks", {"mess_ratio", "MessDetectorPlugin"}),
    # iniconfig
    (
        "load an old-style settings file of [groups] with name = setting entries, pointing at "
        "the row of any mistake",
        {"IniConfig", "IniConfig.parse", "parse_lines", "parse_ini_data", "_parseline"},
    ),
    (
        "on which row of a settings document was this key defined?",
        {"IniConfig.lineof", "SectionWrapper.lineof"},
    ),
    # pyflakes
    (
        "report modules brought in at the top but never referenced",
        {"UnusedImport", "Checker.checkDeadScopes"},
    ),
    (
        "complain when code inside a def stores a value in a local that nothing reads afterwards",
        {"UnusedVariable", "FunctionScope.unused_assignments", "Checker.checkDeadScopes"},
    ),
    (
        "catch old-style '%s' interpolation whose values don't line up with the placeholders",
        {
            "Checker._handle_percent_format",
            "parse_percent_format",
            "PercentFormatPositionalCountMismatch",
        },
    ),
    # json_repair
    (
        "rescue broken output from an LLM so it can be decoded, e.g. unquoted keys or "
        "trailing commas",
        {"repair_json", "json_repair/json_repair.py:loads", "JSONParser", "JSONParser.parse"},
    ),
    ("extract the payload from a ``` fenced section of a chatbot reply", {"parse_json_llm_block"}),
    # markdownify
    (
        "turn an HTML page into lightweight plain-text markup with # headings and * bullets",
        {
            "markdownify/__init__.py:markdownify",
            "MarkdownConverter",
            "MarkdownConverter.convert",
            "MarkdownConverter.convert_soup",
        },
    ),
    (
        "render an html grid of cells as rows separated by | characters",
        {
            "MarkdownConverter.convert_table",
            "MarkdownConverter.convert_tr",
            "MarkdownConverter.convert_td",
            "MarkdownConverter.convert_th",
        },
    ),
    # pydantic_settings
    (
        "populate a config class from OS variables, where APP_DB__HOST sets host inside a "
        "sub-model",
        {
            "EnvSettingsSource",
            "EnvSettingsSource.explode_env_vars",
            "EnvSettingsSource._load_env_vars",
            "EnvSettingsSource.get_field_value",
        },
    ),
    (
        "load each option from its own file in a mounted folder, the way container "
        "orchestrators hand out credentials",
        {"SecretsSettingsSource", "SecretsSettingsSource.__call__", "NestedSecretsSettingsSource"},
    ),
    # python_multipart
    (
        "move an incoming attachment held in RAM into a temporary spool once it grows past "
        "a threshold",
        {
            "python_multipart/multipart.py:File.flush_to_disk",
            "python_multipart/multipart.py:File._get_disk_file",
            "UploadFile._will_roll",
        },
    ),
    (
        "break 'multipart/form-data; boundary=xyz' into the media kind and a dict of its "
        "attributes",
        {"parse_options_header"},
    ),
    # sse_starlette
    (
        "send live updates to a browser over one long-held HTTP connection",
        {
            "EventSourceResponse",
            "EventSourceResponse._stream_response",
            "EventSourceResponse.__call__",
        },
    ),
    (
        "emit a heartbeat every few seconds so intermediaries don't drop a quiet live feed",
        {"EventSourceResponse._ping", "EventSourceResponse.ping_interval"},
    ),
]

NAMES: list[tuple[str, set[str]]] = [
    ("Session.mount adapter", {"requests/sessions.py:Session.mount"}),
    ("Retry backoff_factor", {"Retry.get_backoff_time", "Retry"}),
    ("HTTPAdapter.send", {"HTTPAdapter.send"}),
    ("PoolManager connection_from_url", {"PoolManager.connection_from_url"}),
    ("Starlette add_middleware", {"Starlette.add_middleware"}),
    ("WebSocket.receive_json", {"starlette/websockets.py:WebSocket.receive_json"}),
    ("uvicorn Config.bind_socket", {"uvicorn/config.py:Config.bind_socket"}),
    ("uts46_remap", {"uts46_remap"}),
    ("CharsetMatches.best", {"CharsetMatches.best"}),
    ("Checker.handleNodeStore", {"Checker.handleNodeStore"}),
]

QUERIES = BEHAVIOUR + NAMES
