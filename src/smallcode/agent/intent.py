"""What a task asks for, read from its words: does it want a change, which files does it name.

No model call: plain word rules. They decide only cheap, reversible things (whether to check
that something changed, which files to show the model, which file a nameless code block is
for), so a wrong guess costs at most one extra note to the model.
"""

from __future__ import annotations

import re

from smallcode.verify.discover import is_test_file

__all__ = ["files_to_create", "is_test_file", "mentions_tests", "named_files", "wants_change"]

# Verbs a user writes when they want the project changed (any tense or form).
_VERBS = (
    r"(?:creat|add|fix|writ|wrote|renam|refactor|implement|updat|chang|modif|remov|delet|"
    r"replac|build|generat|insert|append|edit|correct|convert|mov|put|fill|extend|improv|"
    r"optimi[sz]|clean|make|made|set|rewrit|migrat|bump|upgrad|format|translat|introduc|"
    r"support|handl|repair|patch|swap|split|merg|extract|inlin|drop|strip|comment|document|"
    r"annotat|initiali[sz]|declar|defin)\w*"
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
