"""Held-out behaviour queries for code search (set B; set A is ``search_queries.py``).

Written without reading the search engine, its vocabulary or its synonym list, and without
running a search, so nothing in the engine was tuned on them. The corpus is a different set of
installed packages from set A's: bs4, h11, filelock, PyJWT, attrs, wcwidth, fsspec, anyio,
chardet, jsonschema, pygments (queries target its core modules, not the lexers), soupsieve,
cssselect and pytest's ``_pytest``. None of them is an HTTP client, a CLI toolkit, a terminal
renderer or a web framework.

Same conventions as set A: each behaviour query says what the code does in words its target
definitions' names do not use (``words_shared`` checks that); the name queries use the code's
own words. A target is ``qualname`` or ``path/suffix.py:qualname``; a query is a hit@k when
one of its targets is among the first k results. This is a measurement, not a unit test.
"""

from __future__ import annotations

from search_queries import is_hit, words_shared  # noqa: F401

PACKAGES = [
    "bs4",
    "h11",
    "filelock",
    "jwt",
    "attr",
    "attrs",
    "wcwidth",
    "fsspec",
    "anyio",
    "chardet",
    "jsonschema",
    "pygments",
    "soupsieve",
    "cssselect",
    "_pytest",
]

BEHAVIOUR: list[tuple[str, set[str]]] = [
    # bs4
    (
        "take a node out of the parse tree and destroy it along with everything inside",
        {"PageElement.decompose", "PageElement.extract"},
    ),
    (
        "all the human-readable words of an html document with the markup stripped away",
        {
            "PageElement.get_text",
            "PageElement.text",
            "Tag._all_strings",
            "NavigableString._all_strings",
        },
    ),
    (
        "get rid of an element's own markup while keeping what was inside it in place",
        {"Tag.unwrap", "Tag.replaceWithChildren"},
    ),
    (
        "repair a document that mixes utf-8 with windows-1252 smart quotes",
        {"UnicodeDammit.detwingle"},
    ),
    # h11
    (
        "decode a message body that arrives in pieces, each preceded by its size in hex",
        {"ChunkedReader", "ChunkedReader.__call__"},
    ),
    (
        "should the socket be left open for another exchange after this message?",
        {"_keep_alive", "Connection.start_next_cycle"},
    ),
    (
        "break a multi-valued field such as 'Connection: close, Upgrade' into lowercase pieces",
        {"get_comma_header"},
    ),
    # filelock
    (
        "wait while another program holds the guard on a path, giving up after some seconds",
        {"BaseFileLock.acquire", "BaseAsyncFileLock.acquire"},
    ),
    (
        "let many processes look at shared data together while only one at a time may change it",
        {
            "ReadWriteLock",
            "ReadWriteLock.acquire_read",
            "ReadWriteLock.acquire_write",
            "SoftReadWriteLock",
            "AsyncReadWriteLock",
        },
    ),
    (
        "has the program that wrote the claim died, so another may take its place?",
        {
            "owner_is_stale",
            "MarkerRecovery._try_break_stale_lock",
            "MarkerSoftFileLock._try_break_stale_lock",
        },
    ),
    # jwt
    (
        "produce a signed web token from a dict of claims and a secret",
        {"PyJWT.encode", "PyJWS.encode"},
    ),
    (
        "reject a token whose expiry time has already passed",
        {"PyJWT._validate_exp", "ExpiredSignatureError"},
    ),
    (
        "peek at the metadata section of a token without checking who signed it",
        {"PyJWS.get_unverified_header"},
    ),
    # attrs
    ("copy an instance with a few fields changed", {"attr/_make.py:evolve", "assoc"}),
    (
        "turn a class instance into plain nested dictionaries",
        {"attr/_funcs.py:asdict", "attr/_next_gen.py:asdict"},
    ),
    (
        "stop anyone from assigning to attributes once the object is built",
        {"_frozen_setattrs", "FrozenInstanceError", "attr/setters.py:frozen"},
    ),
    # wcwidth
    (
        "how wide is one character on a terminal, in cells?",
        {"wcwidth/_wcwidth.py:wcwidth", "_pytest/_io/wcwidth.py:wcwidth"},
    ),
    (
        "remove colour and cursor-movement escape codes from a string",
        {"strip_sequences", "_strip_repl"},
    ),
    (
        "pad a string to a given number of screen columns, counting double-width east asian "
        "characters",
        {"ljust", "rjust", "center"},
    ),
    # fsspec
    (
        "fetch a slice of bytes at an offset, stretching its ends to the next newline",
        {"fsspec/utils.py:read_block", "AbstractFileSystem.read_block", "seek_delimiter"},
    ),
    (
        "which storage backend handles an address prefix like s3:// or gcs://",
        {"get_filesystem_class", "url_to_fs", "fsspec/registry.py:filesystem"},
    ),
    (
        "copy only what changed from one location to another, across different storage systems",
        {"fsspec/generic.py:rsync", "GenericFileSystem.rsync"},
    ),
    # anyio
    (
        "raise a timeout error if the enclosed awaits take longer than a number of seconds",
        {"fail_after", "fail_at"},
    ),
    (
        "execute a blocking call in a worker thread so the event loop keeps going",
        {"anyio/to_thread.py:run_sync"},
    ),
    (
        "a bounded queue for handing items from producer tasks to consumer tasks",
        {"create_memory_object_stream", "MemoryObjectSendStream", "MemoryObjectReceiveStream"},
    ),
    # chardet
    (
        "list every plausible character set for some raw bytes with a confidence score",
        {
            "detect_all",
            "chardet/__init__.py:detect",
            "UniversalDetector",
            "UniversalDetector.close",
        },
    ),
    (
        "tell visual from logical ordering in a right-to-left script",
        {"HebrewProber", "HebrewProber.charset_name"},
    ),
    # jsonschema
    (
        "out of many problems with a document, pick the one that most likely explains the failure",
        {"best_match", "by_relevance"},
    ),
    ("require that no two elements of an array are equal", {"uniqueItems", "uniq"}),
    (
        "pick the checking class for a document from the draft its $schema names",
        {"validator_for"},
    ),
    # pygments
    (
        "work out which programming language a snippet is written in by scoring every known one",
        {"guess_lexer", "Lexer.analyse_text"},
    ),
    (
        "build one compact regular expression that matches any of a list of literal strings",
        {"regex_opt", "regex_opt_inner", "pygments/lexer.py:words"},
    ),
    (
        "draw spaces and tabs as dots and arrows so they can be seen in highlighted code",
        {"VisibleWhitespaceFilter", "VisibleWhitespaceFilter.filter"},
    ),
    # soupsieve
    (
        "nearest ancestor of an element, or the element itself, that fits a selector",
        {"soupsieve/__init__.py:closest", "SoupSieve.closest", "CSSMatch.closest", "CSS.closest"},
    ),
    (
        "does an element read left to right or right to left, judging by its own setting "
        "and its ancestors?",
        {"CSSMatch.match_dir", "CSSMatch.resolve_dir", "CSSMatch.find_bidi"},
    ),
    # cssselect
    (
        "turn a stylesheet pattern like 'div > p.note' into a query for lxml's tree search",
        {"GenericTranslator.css_to_xpath", "GenericTranslator.selector_to_xpath"},
    ),
    (
        "interpret an a*n+b formula such as 2n+1, odd or even into a step and an offset",
        {"parse_series", "CSSParser.parse_pseudo_nth"},
    ),
    # _pytest
    (
        "compare floating point results allowing a small relative error",
        {"approx", "ApproxScalar", "Approx"},
    ),
    (
        "temporarily swap an object's member or an environment variable for one test and "
        "restore it afterwards",
        {
            "MonkeyPatch.setattr",
            "MonkeyPatch.setenv",
            "MonkeyPatch.undo",
            "MonkeyPatch",
            "monkeypatch",
        },
    ),
    (
        "hand a test whatever it printed to standard output and error as strings",
        {"capsys", "CaptureFixture.readouterr", "CaptureFixture"},
    ),
]

NAMES: list[tuple[str, set[str]]] = [
    ("FileLock acquire timeout", {"BaseFileLock.acquire", "BaseAsyncFileLock.acquire"}),
    ("decode_complete", {"PyJWT.decode_complete", "PyJWS.decode_complete"}),
    ("Soup find_all", {"Tag.find_all"}),
    ("UnicodeDammit", {"UnicodeDammit"}),
    ("to_thread run_sync", {"anyio/to_thread.py:run_sync"}),
    ("best_match", {"best_match"}),
    ("wcswidth", {"wcswidth"}),
    ("get_lexer_by_name", {"get_lexer_by_name"}),
    ("GenericTranslator css_to_xpath", {"GenericTranslator.css_to_xpath"}),
    ("Connection next_event", {"Connection.next_event"}),
]

QUERIES = BEHAVIOUR + NAMES
