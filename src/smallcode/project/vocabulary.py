"""Query expansion: the words code uses for what a query says in everyday words.

``data/code_synonyms.txt`` maps words and two-word phrases ("take back", "mutual exclusion")
to code vocabulary ("undo", "lock mutex"). Two adjacent query words are also tried joined
("upper case" -> "uppercase", "file name" -> "filename"), as code writes them. The expansion
is a ranking of its own in the fusion, weighed below the query's own words, so it can only
help a definition the query's words already do not find.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from smallcode.store.fts import STOPWORDS, query_terms

_WORD_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


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
        key = " ".join(left.lower().split())
        words = tuple(w for w in right.lower().split() if w)
        if key and words:
            out[key] = out.get(key, ()) + words
    return out


def _words(query: str) -> list[str]:
    cleaned = "".join(c if c in _WORD_CHARS else " " for c in query.lower())
    return cleaned.split()


def expand(query: str, limit: int = 24) -> list[str]:
    """Code words for ``query`` that its own terms do not already contain."""
    own = set(query_terms(query))
    words = _words(query)
    table = synonyms()
    found: dict[str, None] = {}
    for i, w in enumerate(words):
        if i + 1 < len(words):
            pair = f"{w} {words[i + 1]}"
            for s in table.get(pair, ()):
                found[s] = None
            joined = w + words[i + 1]
            if w not in STOPWORDS and words[i + 1] not in STOPWORDS and len(joined) > 5:
                found[joined] = None
        for s in table.get(w, ()):
            found[s] = None
    return [w for w in found if w not in own and len(w) > 1][:limit]
