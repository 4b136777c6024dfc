"""What a task asks for, read from its words: does it want a change, which files does it name.

No model call: plain word rules. They decide only cheap, reversible things (whether to check
that something changed, which files to show the model, which file a nameless code block is
for), so a wrong guess costs at most one extra note to the model.
"""

from __future__ import annotations

import re

from smallcode.verify.discover import is_test_file

__all__ = [
    "added_flag",
    "asks_for_tests",
    "expected_output",
    "expects_number",
    "expects_output",
    "files_to_create",
    "is_test_file",
    "mentions_tests",
    "named_files",
    "rename_pair",
    "takes_file_argument",
    "tests_are_the_goal",
    "wants_change",
]

# Verbs a user writes when they want the project changed; their inflections are generated, so
# that nouns that share a stem ("settings", "documentation") do not count.
_BASE_VERBS = [
    "create",
    "add",
    "fix",
    "write",
    "rename",
    "refactor",
    "implement",
    "update",
    "change",
    "modify",
    "remove",
    "delete",
    "replace",
    "build",
    "generate",
    "insert",
    "append",
    "edit",
    "correct",
    "convert",
    "move",
    "put",
    "fill",
    "extend",
    "improve",
    "optimize",
    "optimise",
    "clean",
    "make",
    "set",
    "rewrite",
    "migrate",
    "bump",
    "upgrade",
    "format",
    "translate",
    "introduce",
    "support",
    "handle",
    "repair",
    "patch",
    "swap",
    "split",
    "merge",
    "extract",
    "inline",
    "drop",
    "strip",
    "comment",
    "document",
    "annotate",
    "initialize",
    "initialise",
    "declare",
    "define",
    "rework",
    "restructure",
    "adjust",
    "tweak",
    "finish",
    "complete",
    "save",
    "include",
    "wire",
    "enable",
    "disable",
    "increase",
    "decrease",
    "raise",
    "lower",
    "turn",
]
_IRREGULAR = "wrote written built made rewrote rewritten put set split"


def _forms(verb: str) -> set[str]:
    forms = {verb, verb + "s", verb + "ed", verb + "ing"}
    if verb.endswith("e"):
        forms |= {verb + "d", verb[:-1] + "ing"}
    if verb.endswith("y"):
        forms |= {verb[:-1] + "ies", verb[:-1] + "ied"}
    if verb.endswith(("x", "sh", "ch")):
        forms.add(verb + "es")
    if len(verb) <= 5 and verb[-1] in "ptgn" and verb[-2] in "aeiou" and verb[-3] not in "aeiou":
        forms |= {verb + verb[-1] + "ed", verb + verb[-1] + "ing"}  # drop -> dropped
    return forms


_VERBS = (
    "(?:"
    + "|".join(
        sorted({f for v in _BASE_VERBS for f in _forms(v)} | set(_IRREGULAR.split()), key=len)[::-1]
    )
    + ")"
)
_CHANGE = re.compile(rf"\b{_VERBS}\b", re.I)
# "Look at app.py and fix the bug": starts like a look-up, asks for a change.
_AND_CHANGE = re.compile(rf"\b(?:and|then)\s+(?:also\s+)?{_VERBS}\b", re.I)
# Openings of a question or a request for information only.
_QUESTION = re.compile(
    r"^\s*(?:what|why|how|where|when|who|which|whose|explain|describe|summari[sz]e|show|tell|"
    r"list|find|search|look|read|is|are|does|do|did|review|give me an overview)\b",
    re.I,
)
_REQUEST = re.compile(r"^\s*(?:please\b|can you\b|could you\b|would you\b|will you\b)", re.I)
_TOKEN = re.compile(r"[`'\"(\[]?([\w./\\-]+[\w])[`'\")\]]?")
_REMOVAL = re.compile(r"\b(?:delete|remove|rm|drop|get rid of)\s+(?:the\s+)?(?:file\s+)?$", re.I)
_RENAME_FROM = re.compile(r"\b(?:rename|move|mv)\s+(?:the\s+)?(?:file\s+)?$", re.I)


def wants_change(task: str) -> bool:
    """True when the task asks for the project to be changed (not just a question)."""
    text = task.strip()
    if not text or not _CHANGE.search(text):
        return False
    if _REQUEST.match(text) or not _QUESTION.match(text.splitlines()[0]):
        return True
    return _AND_CHANGE.search(text) is not None


def named_files(task: str) -> list[str]:
    """File paths the task names, in order, without duplicates (``hello.py``, ``src/app.js``)."""
    from smallcode.toolcalls.textedits import looks_like_path

    found: list[str] = []
    for m in _TOKEN.finditer(task):
        name = m.group(1).strip().rstrip(".,:;")
        if name.startswith("./"):
            name = name[2:]
        if looks_like_path(name) and name not in found:
            found.append(name)
    return found


def files_to_create(task: str) -> list[str]:
    """Named files that should exist once the task is done: all the task names, except the
    ones it deletes and the old name of a rename or move."""
    keep: list[str] = []
    for name in named_files(task):
        idx = task.find(name)
        before = task[max(0, idx - 40) : idx].strip("`'\" ")
        if _REMOVAL.search(before + " ") or _RENAME_FROM.search(before + " "):
            continue
        keep.append(name)
    return keep


def mentions_tests(task: str) -> bool:
    """True when the task is about tests or failures (then the tests are part of "done")."""
    words = r"\b(?:tests?|testing|pytest|unittest|specs?|failing|fails?|passes|pass)\b"
    return re.search(words, task, re.I) is not None


_IDENT = r"[`'\"]?([A-Za-z_][\w]*)(?:\(\))?[`'\"]?"
_RENAME = re.compile(
    rf"\brename\s+(?:the\s+)?(?:(?:function|method|class|variable|constant|field|attribute|"
    rf"parameter|argument|module|symbol)\s+)?{_IDENT}\s+(?:to|into|as)\s+{_IDENT}",
    re.I,
)


def rename_pair(task: str) -> tuple[str, str] | None:
    """(old, new) identifier of "rename area_rect to rectangle_area"; None for files or when
    the task renames nothing."""
    m = _RENAME.search(task)
    if m is None:
        return None
    old, new = m.group(1), m.group(2)
    if old == new or old.lower() in ("it", "this", "that", "them", "the", "file"):
        return None
    end = m.end()
    if task[end : end + 1] == "." and re.match(r"\.[A-Za-z]{1,8}\b", task[end:]):
        return None  # "rename a.py to b.py": a file, checked as a file
    return old, new


_TEST_WORDS = (
    r"(?:tests?|specs?|test suite|test_[\w./-]+|[\w./-]+_test\.\w+|[\w./-]+\.(?:test|spec)\.\w+)"
)
_MAKE_PASS = re.compile(
    rf"\bmake\b[^.;\n]{{0,40}}\b{_TEST_WORDS}\b[^.;\n]{{0,20}}\b(?:pass|green|succeed)\w*", re.I
)
_TESTS_PASS = re.compile(
    rf"\b{_TEST_WORDS}\b[^.;\n]{{0,60}}?\b(?:pass(?:es)?|succeed|green)\b|{_MAKE_PASS.pattern}",
    re.I,
)
_PURPOSE = re.compile(
    r"\b(?:so that|so|such that|until|to make|and make sure|making sure|in order)\b", re.I
)
_CHANGE_TESTS = re.compile(
    rf"\b{_VERBS}\b(?:\s+\S+){{0,4}}?\s+(?:the\s+|a\s+|new\s+|more\s+)?{_TEST_WORDS}\b",
    re.I,
)


def tests_are_the_goal(task: str) -> bool:
    """True when the task asks to make existing tests pass without asking to change them
    ("Write shapes.py so that the tests in test_shapes.py pass"). Then the tests are the
    measure of the work, and changing them would only hide a failure."""
    if not _TESTS_PASS.search(task):
        return False
    for sentence in re.split(r"(?<=[.!?;])\s+|\n", task):
        head = _MAKE_PASS.sub(" ", _PURPOSE.split(sentence, maxsplit=1)[0])
        if _CHANGE_TESTS.search(head):
            return False
    return True


_ADD_TESTS = re.compile(
    r"\b(?:add|write|create|include|extend)(?:s|ed|ing)?\s+"
    r"(?:(?:some|new|more|a|an|the|few|its|their|unit|\d+)\s+)*tests?\b",
    re.I,
)


def asks_for_tests(task: str) -> bool:
    """True when the task asks for tests to be written ("Also add tests for it"), so a test
    file must change; not when existing tests are only the measure of the work."""
    return _ADD_TESTS.search(task) is not None and not tests_are_the_goal(task)


_ADD_FLAG = re.compile(
    r"\b(?:add|support|implement|introduce)(?:s|ed|ing)?\s+(?:(?:an?|the|new|optional)\s+)*"
    r"[`'\"]?(--[a-z][\w-]*)[`'\"]?\s+(?:flag|option|switch)\b",
    re.I,
)


def added_flag(task: str) -> str | None:
    """The command-line flag the task adds to a script ("Add a --shout flag to greet.py")."""
    m = _ADD_FLAG.search(task)
    return m.group(1) if m else None


_OUTPUT = re.compile(
    r"\b(?:prints?|printing|outputs?|displays?|echo(?:es)?|writes? (?:\w+ )?to stdout|shows?)\b",
    re.I,
)


def expects_output(task: str) -> bool:
    """True when the task says a program it asks for prints something."""
    return _OUTPUT.search(task) is not None


_EXACT = re.compile(
    r"\bprints?\s+exactly\s*:?\s*(?P<q>[\"'`]?)(?P<text>[^\n]+?)(?P=q)[.!]?\s*(?:$|\n)", re.I
)
_QUOTED = re.compile(r"\bprints?\s+(?P<q>[\"'`])(?P<text>[^\"'`\n]{1,200})(?P=q)", re.I)


def expected_output(task: str) -> tuple[str, bool] | None:
    """(text, exact) a program the task asks for must print: ``prints exactly: hi there``
    (the whole output, exact) or ``prints "hi there"`` (somewhere in the output)."""
    m = _EXACT.search(task)
    if m:
        text = m["text"].strip()
        if not m["q"]:
            text = text.rstrip(".")
        return (text, True) if text else None
    m = _QUOTED.search(task)
    return (m["text"], False) if m else None


_JUST_NUMBER = re.compile(
    r"\b(?:just|only|nothing but|solely)\s+(?:the|a|its|that)?\s*"
    r"(?:number|count|total|sum|integer)\b(?!\s+(?:of\s+)?(?:and|with|followed)\b)",
    re.I,
)
_FILE_ARGUMENT = re.compile(
    r"\b(?:file|path|filename)\s+(?:\w+\s+){0,2}(?:given|passed)\s+(?:to it\s+)?as\s+"
    r"(?:its|the|an?)?\s*(?:first\s+|only\s+)?(?:command[- ]line\s+)?argument"
    r"|\btakes?\s+(?:a|the)\s+(?:file\s*(?:name|path)?|path)\s+as\s+(?:its|an?|the)?\s*"
    r"(?:first\s+|only\s+)?argument",
    re.I,
)


def expects_number(task: str) -> bool:
    """True when the task says a program prints just a number ("(just the number)", "prints
    only the count")."""
    return expects_output(task) and _JUST_NUMBER.search(task) is not None


def takes_file_argument(task: str) -> bool:
    """True when the task says the program reads the file given as its (first) argument."""
    return _FILE_ARGUMENT.search(task) is not None
