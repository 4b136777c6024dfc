from __future__ import annotations

import pytest

from smallcode.project.languages import supported_languages
from smallcode.project.symbols import extract


def _defs(src: str, lang: str, rel: str = "f") -> dict[str, tuple[str, int, int, str]]:
    fs = extract(src.encode(), lang, rel)
    return {s.qualname: (s.kind, s.line, s.end_line, s.doc) for s in fs.symbols[1:]}


def test_all_required_grammars_load() -> None:
    assert {"python", "javascript", "typescript", "tsx", "go", "rust", "java"} <= set(
        supported_languages()
    )


def test_python_definitions_docstrings_comments_and_calls() -> None:
    src = '''"""Billing helpers."""
import math


class Invoice:
    """An invoice with lines."""

    def total(self):
        # sum of line amounts
        return math.fsum(line.amount for line in self.lines)


@cache
def tax(amount):
    return round(amount * 0.2, 2)
'''
    fs = extract(src.encode(), "python", "billing.py")
    assert fs.symbols[0].kind == "module" and fs.symbols[0].doc == "Billing helpers."
    defs = {s.qualname: s for s in fs.symbols[1:]}
    assert set(defs) == {"Invoice", "Invoice.total", "tax"}
    assert (defs["Invoice"].kind, defs["Invoice"].line, defs["Invoice"].end_line) == (
        "class",
        5,
        10,
    )
    assert defs["Invoice"].doc == "An invoice with lines."
    assert defs["Invoice.total"].kind == "method"
    assert defs["Invoice.total"].signature == "def total(self)"
    assert "sum of line amounts" in defs["Invoice.total"].comments
    assert defs["tax"].signature == "def tax(amount)"
    calls = {(c.name, fs.symbols[c.owner].name if c.owner >= 0 else None) for c in fs.calls}
    assert ("fsum", "total") in calls and ("round", "tax") in calls


@pytest.mark.parametrize(
    ("lang", "src", "expected"),
    [
        (
            "javascript",
            "// Adds two numbers\nexport function add(a, b) { return a + b }\n"
            "class Cart {\n  /** Total price */\n  total() { return sum(this.items) }\n}\n"
            "const load = async (id) => fetch(id)\n",
            {
                "add": ("function", "Adds two numbers"),
                "Cart": ("class", ""),
                "Cart.total": ("method", "Total price"),
                "load": ("function", ""),
            },
        ),
        (
            "typescript",
            "interface Shape { area(): number }\n"
            "export class Circle implements Shape {\n  area(): number { return 3 }\n}\n"
            "type Id = string;\n",
            {
                "Shape": ("interface", ""),
                "Shape.area": ("method", ""),
                "Circle": ("class", ""),
                "Circle.area": ("method", ""),
                "Id": ("type", ""),
            },
        ),
        (
            "go",
            "package main\n\n// Server serves files.\ntype Server struct{ addr string }\n\n"
            "// Start listens.\nfunc (s *Server) Start() error { return listen(s.addr) }\n",
            {
                "Server": ("type", "Server serves files."),
                "Server.Start": ("method", "Start listens."),
            },
        ),
        (
            "rust",
            "/// A point.\nstruct P { x: i32 }\nimpl P {\n    /// Length.\n"
            "    fn norm(&self) -> f64 { 1.0 }\n}\n",
            {"P": ("impl", ""), "P.norm": ("method", "Length.")},
        ),
        (
            "java",
            "/** Bank account. */\npublic class Account {\n  // Adds money.\n"
            "  public void deposit(int n) { log(n); }\n}\n",
            {"Account": ("class", "Bank account."), "Account.deposit": ("method", "Adds money.")},
        ),
    ],
)
def test_other_languages(lang: str, src: str, expected: dict[str, tuple[str, str]]) -> None:
    defs = _defs(src, lang)
    for name, (kind, doc) in expected.items():
        assert name in defs, (name, list(defs))
        assert defs[name][0] == kind
        if doc:
            assert defs[name][3] == doc


def test_rust_struct_keeps_its_doc() -> None:
    fs = extract(b"/// A point.\nstruct P { x: i32 }\n", "rust", "p.rs")
    assert [(s.name, s.kind, s.doc) for s in fs.symbols[1:]] == [("P", "class", "A point.")]


def test_text_without_grammar_is_chunked() -> None:
    src = "# Deploying\n\nRun the blue-green switch.\n" + "\n".join(f"line {i}" for i in range(100))
    fs = extract(src.encode(), "markdown", "docs/deploy.md")
    assert not fs.parsed
    assert fs.symbols[1].kind == "section" and fs.symbols[1].name == "Deploying"
    assert "blue-green" in fs.symbols[1].doc
    assert len(fs.symbols) == 3  # module + two chunks of 60 lines
