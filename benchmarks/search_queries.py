"""Behaviour queries for measuring code search (``bench_index.py --quality``).

The corpus is a set of packages installed in the dev environment (about 118K lines of
Python): jinja2, markupsafe, prompt_toolkit, pyyaml, pathspec, pexpect, ptyprocess,
markdown-it-py, packaging, diskcache, sortedcontainers, tqdm, pluggy, python-dotenv,
platformdirs, and pip's vendored tomli and resolvelib. None of them is an HTTP client, a CLI
toolkit, a terminal renderer or a web framework (the kinds the issue's held-out set used).

Each behaviour query says what the code does in words its target definitions' names do not
use (``words_shared`` checks that); the name queries use the code's own words. A target is
``qualname`` or ``path/suffix.py:qualname``; a query is a hit@k when one of its targets is
among the first k results. This is a measurement, not a unit test.
"""

from __future__ import annotations

PACKAGES = [
    "jinja2",
    "markupsafe",
    "prompt_toolkit",
    "yaml",
    "pathspec",
    "pexpect",
    "ptyprocess",
    "markdown_it",
    "packaging",
    "diskcache",
    "sortedcontainers",
    "tqdm",
    "pluggy",
    "dotenv",
    "platformdirs",
    "pip/_vendor/tomli",
    "pip/_vendor/resolvelib",
]

BEHAVIOUR: list[tuple[str, set[str]]] = [
    (
        "turn characters like < and & into entities so text is safe inside a web page",
        {"markupsafe/__init__.py:escape", "Markup.escape", "do_forceescape"},
    ),
    ("shorten a long sentence to a maximum length and end it with an ellipsis", {"do_truncate"}),
    ("break text into lines no wider than a given column count", {"do_wordwrap"}),
    ("how many words are in a string", {"do_wordcount"}),
    (
        "read templates stored in directories on disk",
        {"FileSystemLoader", "FileSystemLoader.get_source"},
    ),
    ("mapping that forgets the entries used longest ago when it is full", {"LRUCache"}),
    ("arrange a list of dicts into buckets by a shared attribute", {"do_groupby"}),
    (
        "stop templates from reaching dangerous attributes of python objects",
        {
            "SandboxedEnvironment",
            "SandboxedEnvironment.is_safe_attribute",
            "is_internal_attribute",
            "SandboxedEnvironment.getattr",
        },
    ),
    ("make the first letter upper case and the rest lower case", {"do_capitalize"}),
    (
        "propose the rest of the line from earlier entries",
        {"AutoSuggestFromHistory", "AutoSuggestFromHistory.get_suggestion"},
    ),
    ("keep previously entered commands on disk between sessions", {"FileHistory"}),
    (
        "offer file and directory names as the user types",
        {"PathCompleter", "PathCompleter.get_completions", "ExecutableCompleter"},
    ),
    (
        "modal editing keys with insert and navigation modes like a classic unix editor",
        {"load_vi_bindings", "ViState", "InputMode"},
    ),
    (
        "how many columns a wide unicode character takes on screen",
        {"get_cwidth", "_CharSizesCache", "_CharSizesCache.__missing__"},
    ),
    (
        "ask the user a yes or no question in the terminal",
        {"confirm", "create_confirm_session"},
    ),
    (
        "match completions even when letters in between are skipped",
        {"FuzzyCompleter", "FuzzyWordCompleter"},
    ),
    (
        "look backwards through earlier commands as each letter is typed",
        {"start_reverse_incremental_search", "SearchDirection"},
    ),
    (
        "find out how many rows and columns the terminal window has",
        {
            "Output.get_size",
            "Vt100_Output.get_size",
            "PlainTextOutput.get_size",
            "Win32Output.get_size",
            "_get_size",
        },
    ),
    ("take back the last change made to the input line", {"Buffer.undo", "undo"}),
    (
        "check typed input and reject it with a message before accepting",
        {"Validator", "Validator.validate", "ValidationError", "Validator.from_callable"},
    ),
    (
        "read a config document without allowing arbitrary python objects to be built",
        {"safe_load", "SafeLoader", "SafeConstructor"},
    ),
    (
        "give a repeated element a label so later references point to it",
        {"Serializer.anchor_node", "Composer.compose_node", "Emitter.process_anchor"},
    ),
    (
        "decide whether a location is excluded by the patterns of a version control exclusion list",
        {
            "PathSpec.match_file",
            "GitIgnoreSpec",
            "PathSpec",
            "PathSpec.match_files",
            "PathSpec.check_file",
        },
    ),
    (
        "turn a shell wildcard into a regular expression",
        {
            "GitWildMatchPattern.pattern_to_regex",
            "GitIgnoreSpecPattern.pattern_to_regex",
            "GitIgnoreBasicPattern.pattern_to_regex",
            "_GitIgnoreBasePattern._translate_segment_glob",
        },
    ),
    (
        "start a program in a pseudo terminal so we can talk to it",
        {"pexpect/pty_spawn.py:spawn", "PtyProcess.spawn", "PtyProcess", "spawn._spawn"},
    ),
    (
        "wait until some text appears in a child program's output",
        {"SpawnBase.expect", "SpawnBase.expect_exact", "SpawnBase.expect_list"},
    ),
    (
        "send input followed by a line break to a child process",
        {
            "spawn.sendline",
            "PopenSpawn.sendline",
            "SocketSpawn.sendline",
            "fdspawn.sendline",
        },
    ),
    (
        "execute a command, answer its prompts and return everything it printed",
        {"pexpect/run.py:run", "runu"},
    ),
    (
        "recognize a title line that starts with hash signs",
        {"rules_block/heading.py:heading", "lheading"},
    ),
    (
        "read text in square brackets followed by a url in parentheses",
        {"rules_inline/link.py:link", "parseLinkDestination", "parseLinkLabel"},
    ),
    (
        "compare two release numbers to tell which is newer",
        {"Version", "Version.__lt__", "_cmpkey", "Version.__gt__", "_BaseVersion.__lt__"},
    ),
    (
        "check whether a release falls inside a range like >=1.0,<2",
        {"SpecifierSet.contains", "Specifier.contains", "SpecifierSet", "Specifier"},
    ),
    (
        "spell a distribution's title in lower case with dashes so spellings compare equal",
        {"canonicalize_name"},
    ),
    (
        "list which binary distribution labels the running interpreter accepts",
        {"sys_tags", "packaging/tags.py:platform_tags", "cpython_tags", "compatible_tags"},
    ),
    (
        "decide if a condition like python_version < '3.8' holds for the current interpreter",
        {"Marker.evaluate", "_evaluate_markers"},
    ),
    (
        "store values on disk that vanish after a number of seconds",
        {"Cache.set", "Cache", "Cache.touch"},
    ),
    (
        "remember a function's results on disk so repeated calls are fast",
        {"Cache.memoize", "DjangoCache.memoize", "Index.memoize", "memoize_stampede"},
    ),
    (
        "mutual exclusion between separate processes kept on disk",
        {"diskcache/recipes.py:Lock", "RLock", "BoundedSemaphore"},
    ),
    (
        "sequence that keeps its items ordered as you insert them",
        {"SortedList", "SortedList.add", "SortedKeyList", "SortedKeyList.add"},
    ),
    (
        "estimate the remaining time from the speed of iterations",
        {"tqdm.format_meter", "tqdm.format_interval", "EMA"},
    ),
    (
        "run each registered extension's implementation in turn and gather what they return",
        {"_multicall", "HookCaller.__call__", "PluginManager._hookexec"},
    ),
    (
        "read KEY=value settings from a dotted file into the process variables",
        {"load_dotenv", "dotenv_values", "DotEnv.dict"},
    ),
    (
        "folder where an application should keep settings for the logged in person",
        {
            "platformdirs/__init__.py:user_config_dir",
            "platformdirs/__init__.py:user_config_path",
            "PlatformDirsABC.user_config_dir",
            "Unix.user_config_dir",
        },
    ),
    (
        "parse a configuration text with [sections] and key = value lines into a dict",
        {"tomli/_parser.py:loads", "tomli/_parser.py:load"},
    ),
    (
        "choose package versions that satisfy every requirement and back off on conflicts",
        {"Resolution.resolve", "Resolver.resolve", "Resolution._backjump", "Resolution"},
    ),
]

NAMES: list[tuple[str, set[str]]] = [
    ("FileHistory", {"FileHistory"}),
    ("canonicalize_name", {"canonicalize_name"}),
    ("SortedList bisect_left", {"SortedList.bisect_left"}),
    ("expect_exact with a timeout", {"SpawnBase.expect_exact"}),
    ("Environment.from_string", {"Environment.from_string"}),
]

QUERIES = BEHAVIOUR + NAMES


def is_hit(path: str, symbol: str, targets: set[str]) -> bool:
    for t in targets:
        where, _, name = t.rpartition(":")
        if symbol == name and (not where or path.endswith(where)):
            return True
    return False


def words_shared(query: str, targets: set[str]) -> set[str]:
    """Words of ``query`` that also name one of its targets (none for a behaviour query)."""
    from smallcode.store.fts import query_terms, split_identifier

    words = set(query_terms(query))
    shared: set[str] = set()
    for t in targets:
        name = t.rpartition(":")[2]
        shared |= words & {w for part in name.split(".") for w in split_identifier(part)}
    return shared
