from __future__ import annotations

from pathlib import Path

import pytest

from smallcode.store.memory import MEMORY_TYPES, MemoryStore, format_memories


@pytest.fixture
def store(tmp_path: Path):
    s = MemoryStore.open(tmp_path / "proj", data_dir=str(tmp_path / "user"))
    yield s
    s.close()


def test_remember_and_load_relevant_within_budget(store: MemoryStore) -> None:
    store.remember(
        "gotcha",
        "Flaky network tests",
        "tests/test_http.py needs the fake server started first; run it with -p no:randomly",
        ["tests", "http"],
    )
    store.remember("decision", "Database choice", "We use SQLite with WAL, not Postgres.")
    store.remember("workflow", "Release steps", "Bump the version, tag, then run make publish.")
    found = store.load("fix the failing http tests", max_tokens=500)
    assert [m.title for m in found][:1] == ["Flaky network tests"]
    assert all(m.title != "Release steps" for m in found)
    text = format_memories(found)
    assert text.startswith("Memory from earlier sessions:")
    assert "fake server" in text


def test_budget_is_respected(store: MemoryStore) -> None:
    for i in range(30):
        store.remember("context", f"Parser note {i}", "parser detail " * 20)
    found = store.load("parser", max_tokens=200)
    assert found
    assert sum(len(m.line()) // 4 + 1 for m in found) <= 200


def test_conventions_come_with_any_task(store: MemoryStore) -> None:
    store.remember("convention", "Type hints", "All new functions carry type hints.")
    titles = [m.title for m in store.load("rename the logger", max_tokens=300)]
    assert titles == ["Type hints"]


def test_same_type_and_title_updates(store: MemoryStore) -> None:
    a = store.remember("decision", "HTTP client", "requests")
    b = store.remember("decision", "HTTP client", "httpx2 instead of requests")
    assert a.id == b.id
    assert [m.content for m in store.entries()] == ["httpx2 instead of requests"]
    assert store.search("requests")[0].content == "httpx2 instead of requests"


def test_user_scope_and_forget(store: MemoryStore) -> None:
    p = store.remember("convention", "Quotes", "double quotes", scope="project")
    u = store.remember("convention", "Editor", "tabs are four spaces", scope="user")
    assert {m.ref for m in store.entries()} == {p.ref, u.ref}
    assert p.ref.startswith("p") and u.ref.startswith("u")
    assert [m.scope for m in store.entries(scope="user")] == ["user"]
    assert [m.title for m in store.forget(u.ref)] == ["Editor"]
    assert [m.title for m in store.forget("quotes")] == ["Quotes"]  # by title, any case
    assert store.entries() == [] and store.forget("p999") == []


def test_bad_input_is_a_value_error(store: MemoryStore) -> None:
    with pytest.raises(ValueError, match="unknown memory type"):
        store.remember("opinion", "x", "y")
    with pytest.raises(ValueError, match="title and content"):
        store.remember("decision", " ", "y")
    assert set(MEMORY_TYPES) == {"decision", "workflow", "gotcha", "convention", "context"}


def test_tags_from_string_or_list(store: MemoryStore) -> None:
    m = store.remember("gotcha", "T", "c", "Build, CI;ci ")
    assert m.tags == ["build", "ci"]
    assert store.search("ci")[0].title == "T"
