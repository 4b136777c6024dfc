"""Query expansion: the words code uses for what a query says in everyday words.

``data/code_synonyms.txt`` maps words and phrases of up to four words ("take back", "used
longest ago") to code vocabulary ("undo", "lru"). A query word also finds the entry of its
plain form ("forgets" -> "forget", "vanished" -> "vanish"). Two adjacent query words are also
tried joined ("upper case" -> "uppercase", "file name" -> "filename"), as code writes them.
The expansion is a ranking of its own in the fusion, weighed like the query's own words, so a
definition that only the thesaurus finds can still reach the top.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from smallcode.store.fts import STOPWORDS, query_terms

_WORD_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"
MAX_PHRASE = 4


@cache
def synonyms() -> dict[str, tuple[str, ...]]:
    """The thesaurus: lower-case word or phrase -> code words."""
    text = files("smallcode").joinpath("data/code_synonyms.txt").read_text(encoding="utf-8")
    out: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        left, right = line.split(":", 1)
        key = " ".join(_words(left))
        words = tuple(w for w in right.lower().split() if w)
        if key and words:
            out[key] = out.get(key, ()) + tuple(w for w in words if w not in out.get(key, ()))
    return out


def _words(query: str) -> list[str]:
    cleaned = "".join(c if c in _WORD_CHARS else " " for c in query.lower())
    return cleaned.split()


def plain_forms(word: str) -> list[str]:
    """``word`` and the forms it may be listed under: "forgets" -> forget, "vanished" ->
    vanish, "typing" -> typ/type, "entries" -> entry, "retried" -> retry."""
    forms = [word]
    if len(word) <= 3:
        return forms
    if word.endswith(("ies", "ied")):
        forms.append(word[:-3] + "y")
    if word.endswith("es"):
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        forms.append(word[:-1])
    if word.endswith("ed"):
        forms += [word[:-2], word[:-1]]
    if word.endswith("ing"):
        forms += [word[:-3], word[:-3] + "e"]
    return forms


def _lookup(table: dict[str, tuple[str, ...]], words: list[str]) -> tuple[str, ...]:
    """The entry of a phrase, trying its last word's plain forms ("commands entered")."""
    head = " ".join(words[:-1])
    for form in plain_forms(words[-1]):
        key = f"{head} {form}" if head else form
        if key in table:
            return table[key]
    return ()


def expand(query: str, limit: int = 16) -> list[str]:
    """Code words for ``query`` that its own terms do not already contain.

    Longer phrases come first: "used longest ago" says more than "used".
    """
    own = set(query_terms(query))
    words = _words(query)
    table = synonyms()
    found: dict[str, None] = {}
    for size in range(MAX_PHRASE, 0, -1):
        for i in range(len(words) - size + 1):
            for s in _lookup(table, words[i : i + size]):
                found[s] = None
    for i in range(len(words) - 1):
        w, nxt = words[i], words[i + 1]
        if w not in STOPWORDS and nxt not in STOPWORDS and len(w + nxt) > 5:
            found[w + nxt] = None
    return [w for w in found if w not in own and len(w) > 1][:limit]
