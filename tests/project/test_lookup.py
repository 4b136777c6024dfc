"""One path rule for symbol lookups (project/lookup.py) in the graph and in search, and the
summary's detected fields declared once."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import fields
from pathlib import Path

import pytest

from smallcode.project.bootstrap import DETECTED_FIELDS, ProjectSummary
from smallcode.project.commands import summary_main
from smallcode.project.detectors_base import Detection
from smallcode.project.graph import find_definitions
from smallcode.project.index import CodeIndex
from smallcode.project.lookup import normalize_path, path_clause
from smallcode.project.search import hybrid_search, name_ranking

FILES = {
    "shop/pricing.py": "def apply_discount(amount):\n    return amount\n",
    "shop/data.py": "def apply_discount(amount):\n    return amount * 2\n",
    "shop/a.py": "def apply_discount(amount):\n    return 0\n",
    "my_mod/x.py": "def helper():\n    return 1\n",
    "myXmod/x.py": "def helper():\n    return 2\n",
}


@pytest.fixture
def index(tmp_path: Path):
    for rel, text in FILES.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    with CodeIndex(tmp_path, in_memory=True) as ix:
        ix.update()
        yield ix


def _paths(ix: CodeIndex, ids: list[int]) -> list[str]:
    marks = ",".join("?" for _ in ids)
    rows = ix.conn.execute(
        f"SELECT f.path FROM symbols s JOIN files f ON f.id = s.file_id WHERE s.id IN ({marks})",
        ids,
    )
    return sorted(r[0] for r in rows)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("", ""), (".", ""), ("./", ""), ("/", ""), ("./src/", "src"), (" src/app.py ", "src/app.py")],
)
def test_normalize_path(given: str, expected: str) -> None:
    assert normalize_path(given) == expected


def test_path_clause_escapes_wildcards() -> None:
    assert path_clause("") == ("", [])
    clause, params = path_clause("my_mod/50%")
    assert "ESCAPE" in clause and params == ["my\\_mod/50\\%%"]


def test_graph_and_search_match_paths_the_same_way(index: CodeIndex) -> None:
    # a path relative to the root: a prefix of the file's path, never text in the middle
    found = find_definitions(index, "shop/a.py:apply_discount")
    assert [d.path for d in found] == ["shop/a.py"]  # "a.py" used to match data.py as well
    assert _paths(index, name_ranking(index, "apply_discount", "shop/a.py")) == ["shop/a.py"]
    assert find_definitions(index, "ata.py:apply_discount") == []
    assert name_ranking(index, "apply_discount", "ata.py") == []
    assert len(find_definitions(index, "shop:apply_discount")) == 3
    assert len(name_ranking(index, "apply_discount", "shop/")) == 3
    # "_" is itself, not "any one character"
    assert [d.path for d in find_definitions(index, "my_mod:helper")] == ["my_mod/x.py"]
    hits = hybrid_search(index, "helper", path="my_mod", use_embeddings=False, update=False)
    assert hits and {h.path for h in hits} == {"my_mod/x.py"}


def test_summary_fields_are_declared_once(tmp_path: Path) -> None:
    summary_fields = {f.name for f in fields(ProjectSummary)}
    detection_fields = {f.name for f in fields(Detection)}
    assert set(DETECTED_FIELDS) <= summary_fields & detection_fields
    assert {n for n in summary_fields & detection_fields if n != "notes"} == set(DETECTED_FIELDS)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert summary_main(["--path", str(tmp_path), "--json"]) == 0
    assert list(json.loads(out.getvalue())) == [*DETECTED_FIELDS, "text"]
