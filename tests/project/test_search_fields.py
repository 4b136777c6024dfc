"""What the index keeps about each definition (parameters, messages, callees, context), the
query vocabulary, and how the fusion ranks and de-duplicates: on small real projects."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from smallcode.project.index import INDEX_MIGRATIONS, CodeIndex, index_path
from smallcode.project.search import hybrid_search, names_code
from smallcode.project.symbols import extract
from smallcode.project.vocabulary import expand, plain_forms, synonyms

SRC = '''
class Downloader:
    """Fetches things."""

    def fetch(self, url: str, retries: int = 3, timeout_s: float = 1.0) -> bytes:
        if retries < 0:
            raise ValueError("retry budget exhausted before the mirror answered")
        return open_connection(url).read_all()


def cleanup_stale_locks(folder):
    # old lock files from crashed runs
    for name in list_entries(folder):
        remove_entry(name)
'''


def _write(root: Path, rel: str, text: str) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def test_symbols_keep_parameters_messages_and_callees() -> None:
    syms = {s.name: s for s in extract(SRC.encode(), "python", "net/fetching.py").symbols}
    fetch = syms["fetch"]
    assert fetch.params.split() == [
        "url",
        "str",
        "retries",
        "int",
        "timeout",
        "s",
        "timeouts",
        "float",
    ]
    assert "exhausted" in fetch.strings.split() and "mirror" in fetch.strings.split()
    assert set(fetch.calls.split()) >= {"open", "connection", "read", "all", "value", "error"}
    assert fetch.context_words("net/fetching.py").split() == ["net", "fetching", "py", "downloader"]
    assert syms["cleanup_stale_locks"].calls.split()[:2] == ["list", "entries"]


def test_each_field_finds_its_definition(tmp_path: Path) -> None:
    _write(tmp_path, "net/fetching.py", SRC)
    _write(tmp_path, "other.py", "def unrelated():\n    return 1\n")
    with CodeIndex(tmp_path) as ix:
        ix.update()
        for query in ("budget exhausted mirror", "timeout retries", "open connection"):
            hits = hybrid_search(ix, query, k=3, use_embeddings=False, update=False)
            assert hits[0].symbol == "Downloader.fetch", (query, hits)
        hits = hybrid_search(ix, "crashed runs", k=3, use_embeddings=False, update=False)
        assert hits[0].symbol == "cleanup_stale_locks"


def test_vocabulary_adds_code_words_and_joined_pairs() -> None:
    assert "undo" in expand("take back the last change")
    assert "lock" in expand("mutual exclusion between processes")
    assert "filename" in expand("the file name of a module")
    assert "take" not in expand("take back the last change")  # the query's own words
    assert all(k == " ".join(k.split()) and v for k, v in synonyms().items())


def test_vocabulary_phrases_of_several_words_and_word_forms() -> None:
    # a phrase of three words, and the longer phrase's words come first
    assert expand("evict what was least recently used")[0] == "lru"
    # "timestamps" finds the entry of "timestamp"; "retried" the entry of "retry"
    assert "datetime" in expand("timestamps of each row")
    assert "backoff" in expand("the call is retried")
    assert plain_forms("entries")[:2] == ["entries", "entry"]
    assert "vanish" in plain_forms("vanished") and "type" in plain_forms("typing")
    assert plain_forms("css") == ["css"]  # short words stay as they are


def test_a_class_whose_methods_match_rises_above_them(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "store.py",
        "class Shelf:\n"
        "    def put(self, key, value):\n        self.expire_later(key)\n\n"
        "    def expire_later(self, key):\n        self.ttl[key] = 30\n\n"
        "    def drop_expired(self):\n        self.ttl.clear()\n\n"
        "def expire_one(key):\n    return key\n",
    )
    with CodeIndex(tmp_path) as ix:
        ix.update()
        hits = hybrid_search(ix, "values that expire", k=5, use_embeddings=False)
        assert hits[0].symbol == "Shelf", hits
        assert "members" in hits[0].sources
        # a query that names a member is about that member: its class gains nothing from it
        named = hybrid_search(ix, "Shelf drop_expired expire_later", k=5, use_embeddings=False)
        assert all("members" not in h.sources for h in named), named
    assert names_code("Shelf drop_expired") and names_code("use FileLock here")
    assert names_code("call os.path.join") and not names_code("values that expire")


def test_vocabulary_finds_code_the_query_words_miss(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "edit.py",
        "class Editor:\n"
        "    def undo(self):\n        self.text = self.saved.pop()\n\n"
        "    def insert_text(self, data):\n        self.text += data\n",
    )
    with CodeIndex(tmp_path) as ix:
        ix.update()
        hits = hybrid_search(ix, "take back the last change", k=3, use_embeddings=False)
        assert hits and hits[0].symbol == "Editor.undo"
        assert "expanded" in hits[0].sources


def test_definitions_rank_above_their_file_and_each_comes_back_once(tmp_path: Path) -> None:
    body = "\n".join(f"def helper_{i}():\n    return 'parse the header'\n" for i in range(3))
    _write(tmp_path, "headers.py", body + "\ndef parse_header(raw):\n    return raw.split(':')\n")
    with CodeIndex(tmp_path) as ix:
        ix.update()
        hits = hybrid_search(ix, "parse header", k=10, use_embeddings=False)
        assert hits[0].symbol == "parse_header"
        keys = [(h.path, h.symbol) for h in hits]
        assert len(keys) == len(set(keys))
        module = [i for i, h in enumerate(hits) if h.kind == "module"]
        assert all(i > 0 for i in module)


def test_an_index_of_the_previous_schema_is_rebuilt(tmp_path: Path) -> None:
    _write(tmp_path, "a.py", "def greet(name):\n    return 'hello ' + name\n")
    db = index_path(tmp_path)
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db)
    conn.executescript(INDEX_MIGRATIONS[0])
    conn.execute("INSERT INTO files VALUES (1, 'a.py', 'python', 0, 0, 'old', 2, 1)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with CodeIndex(tmp_path) as ix:
        stats = ix.update()
        assert stats.added == 1
        hits = hybrid_search(ix, "greet", k=1, use_embeddings=False, update=False)
        assert hits[0].symbol == "greet"


def test_terms_most_definitions_hold_are_left_out_of_ranking(tmp_path: Path) -> None:
    from smallcode.project.search import COMMON_MIN_DEFINITIONS, _without_common

    many = COMMON_MIN_DEFINITIONS + 100
    body = "".join(f"def handler_{i}(value):\n    return value\n\n" for i in range(many))
    _write(tmp_path, "many.py", body + "def zebra_stripes(value):\n    return value\n")
    with CodeIndex(tmp_path) as ix:
        ix.update()
        total, counts = ix.term_counts(["value", "zebra"])
        assert total > many and counts["value"] > many and counts["zebra"] == 1
        assert _without_common(ix, ["value", "zebra"]) == ["zebra"]
        # all common: the rarest one stays, so the query still ranks something
        assert _without_common(ix, ["value", "return"]) in (["value"], ["return"])
        hits = hybrid_search(ix, "zebra value", k=3, use_embeddings=False, update=False)
        assert hits[0].symbol == "zebra_stripes"


def test_ripgrep_lines_map_to_definitions_after_a_file_changes(tmp_path: Path) -> None:
    _write(tmp_path, "m.py", "def alpha():\n    return 'needle here'\n")
    with CodeIndex(tmp_path) as ix:
        ix.update()
        first = hybrid_search(ix, '"needle here"', k=3, use_embeddings=False)
        assert first[0].symbol == "alpha"
        _write(tmp_path, "m.py", "X = 1\n\n\ndef beta():\n    return 'needle here'\n")
        again = hybrid_search(ix, '"needle here"', k=3, use_embeddings=False)
        assert again[0].symbol == "beta" and again[0].line == 5, again
