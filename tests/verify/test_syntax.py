"""Syntax checks of single files: in-process parsers and real node/bash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from smallcode.verify import syntax
from smallcode.verify.syntax import CheckOutcome, check_file_syntax, check_files_syntax, checker_for

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def write(root: Path, rel: str, text: str | bytes) -> str:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return rel


def check(root: Path, rel: str, text: str | bytes) -> CheckOutcome:
    write(root, rel, text)
    outcome = check_file_syntax(root, rel)
    assert outcome is not None
    assert outcome.name == "syntax" and outcome.target == rel
    assert len(outcome.evidence) <= 600
    return outcome


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("a.py", "python"),
        ("pkg/b.PY", "python"),
        ("c.json", "json"),
        ("d.toml", "toml"),
        ("e.yaml", "yaml"),
        ("f.yml", "yaml"),
        ("g.js", "node"),
        ("h.mjs", "node"),
        ("i.cjs", "node"),
        ("j.sh", "bash"),
        ("k.bash", "bash"),
        ("README.md", None),
        ("Makefile", None),
        ("x.ts", None),
    ],
)
def test_checker_for_extensions(path: str, kind: str | None) -> None:
    assert checker_for(path) == kind


def test_checker_for_shebangs() -> None:
    assert checker_for("run", "#!/bin/bash\n") == "bash"
    assert checker_for("run", "#!/usr/bin/env sh") == "bash"
    assert checker_for("tool", "#!/usr/bin/env python3") == "python"
    assert checker_for("tool", "#!/usr/bin/env -S node --no-warnings") == "node"
    assert checker_for("tool", "#!/usr/bin/zsh") is None
    assert checker_for("notes", "hello") is None


def test_python_valid(tmp_path: Path) -> None:
    outcome = check(tmp_path, "ok.py", "def f(x):\n    return x + 1\n")
    assert outcome.ok and not outcome.skipped and outcome.command == ""
    assert not list(tmp_path.rglob("__pycache__"))  # nothing written next to the file


def test_python_syntax_error_points_at_the_line(tmp_path: Path) -> None:
    outcome = check(tmp_path, "src/bad.py", "x = 1\ndef f(a, b)\n    return a\n")
    assert not outcome.ok
    first, code, caret = outcome.evidence.split("\n")
    assert first.startswith("src/bad.py:2: SyntaxError: ")
    assert code.strip() == "def f(a, b)"
    assert caret.strip() == "^"
    assert caret.index("^") == code.index(")") + 1


def test_python_indentation_error(tmp_path: Path) -> None:
    outcome = check(tmp_path, "ind.py", "def f():\nreturn 1\n")
    assert not outcome.ok
    assert outcome.evidence.startswith("ind.py:2: IndentationError:")


def test_python_not_utf8_is_an_error_not_a_crash(tmp_path: Path) -> None:
    outcome = check(tmp_path, "latin.py", b"# caf\xe9\nx = 1\n")
    assert not outcome.ok
    assert outcome.evidence.startswith("latin.py:1: UnicodeDecodeError")


def test_python_null_bytes(tmp_path: Path) -> None:
    outcome = check(tmp_path, "nul.py", b"x = 1\x00\n")
    assert not outcome.ok and "SyntaxError" in outcome.evidence


def test_json(tmp_path: Path) -> None:
    assert check(tmp_path, "ok.json", '{"a": [1, 2]}').ok
    bad = check(tmp_path, "bad.json", '{\n  "a": 1,\n  "b": \n}\n')
    assert not bad.ok
    assert bad.evidence.startswith("bad.json:4:1: JSONDecodeError: Expecting value")
    assert not check(tmp_path, "empty.json", "").ok


def test_json_with_comments_where_tools_allow_them(tmp_path: Path) -> None:
    text = '{\n  // options\n  "compilerOptions": {"strict": true, /* x */ },\n}\n'
    assert check(tmp_path, "tsconfig.json", text).ok
    assert check(tmp_path, ".vscode/settings.json", text).ok
    assert not check(tmp_path, "data.json", text).ok
    assert check(tmp_path, "url.jsonc", '{"u": "http://x//y"}').ok


def test_toml(tmp_path: Path) -> None:
    assert check(tmp_path, "ok.toml", '[tool]\nname = "x"\n').ok
    bad = check(tmp_path, "bad.toml", '[tool]\nname = "x\n')
    assert not bad.ok
    assert bad.evidence.startswith("bad.toml:2:")
    assert "TOMLDecodeError" in bad.evidence


def test_yaml(tmp_path: Path) -> None:
    assert check(tmp_path, "ok.yaml", "a: 1\n---\nb: [1, 2]\n").ok
    bad = check(tmp_path, "bad.yml", "a: 1\nb: [1, 2\nc: 3\n")
    assert not bad.ok
    assert bad.evidence.startswith("bad.yml:")
    assert "YAMLError" in bad.evidence


def test_yaml_custom_tags_are_valid_syntax(tmp_path: Path) -> None:
    text = "Resources:\n  B:\n    Name: !Ref Other\n    Obj: !!python/object:os.system x\n"
    assert check(tmp_path, "cfn.yaml", text).ok


def test_yaml_templates_are_skipped(tmp_path: Path) -> None:
    outcome = check(tmp_path, "chart/templates/d.yaml", "name: {{ .Values.name }}\n  bad: [\n")
    assert outcome.ok and outcome.skipped
    assert "template" in outcome.evidence


@needs_node
def test_javascript_with_real_node(tmp_path: Path) -> None:
    good = check(tmp_path, "ok.js", "const a = 1;\nmodule.exports = { a };\n")
    assert good.ok and good.command == "node --check ok.js" and good.exit_code == 0
    assert check(tmp_path, "esm.mjs", "export const a = 1;\n").ok
    bad = check(tmp_path, "src/bad.js", "const x = {\n  a: 1,,\n};\n")
    assert not bad.ok and bad.exit_code == 1
    first = bad.evidence.split("\n")[0]
    assert first == "src/bad.js:2: SyntaxError: Unexpected token ','"
    assert "a: 1,," in bad.evidence
    assert str(tmp_path) not in bad.evidence


@needs_node
def test_jsx_is_skipped_not_failed(tmp_path: Path) -> None:
    outcome = check(tmp_path, "App.js", "export const App = () => <div>hi</div>;\n")
    assert outcome.ok and outcome.skipped and "JSX" in outcome.evidence


def test_javascript_without_node_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    outcome = check(tmp_path, "a.js", "const = ;\n")
    assert outcome.ok and outcome.skipped
    assert "node is not installed" in outcome.evidence


@needs_bash
def test_shell_with_real_bash(tmp_path: Path) -> None:
    assert check(tmp_path, "ok.sh", "if true; then echo hi; fi\n").ok
    bad = check(tmp_path, "bin/bad.sh", "if true; then\n  echo hi\n")
    assert not bad.ok and bad.command == "bash -n bin/bad.sh"
    assert bad.evidence.startswith("bin/bad.sh:3: syntax error")


@needs_bash
def test_shebang_script_without_extension(tmp_path: Path) -> None:
    outcome = check(tmp_path, "bin/deploy", "#!/usr/bin/env bash\ncase x in\n")
    assert not outcome.ok and outcome.command == "bash -n bin/deploy"
    assert check(tmp_path, "bin/tool", "#!/usr/bin/env python3\nprint(1)\n").ok


def test_missing_and_unknown_files_give_none(tmp_path: Path) -> None:
    assert check_file_syntax(tmp_path, "gone.py") is None
    write(tmp_path, "notes.txt", "hello")
    assert check_file_syntax(tmp_path, "notes.txt") is None
    (tmp_path / "dir.py").mkdir()
    assert check_file_syntax(tmp_path, "dir.py") is None


def test_check_files_syntax_skips_and_dedupes(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "x = 1\n")
    write(tmp_path, "b.json", "{")
    write(tmp_path, "c.md", "# doc")
    outcomes = check_files_syntax(tmp_path, ["a.py", "b.json", "c.md", "deleted.py", "a.py"])
    assert [(o.target, o.ok) for o in outcomes] == [("a.py", True), ("b.json", False)]


def test_absolute_path_is_reported_relative(tmp_path: Path) -> None:
    write(tmp_path, "pkg/m.py", "x = (\n")
    outcome = check_file_syntax(tmp_path, str(tmp_path / "pkg/m.py"))
    assert outcome is not None and outcome.target == "pkg/m.py"
    assert outcome.evidence.startswith("pkg/m.py:1:")


def test_a_crashing_checker_becomes_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(rel: str, text: str) -> CheckOutcome:
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(syntax, "_check_python", boom)
    outcome = check(tmp_path, "a.py", "x = 1\n")
    assert outcome.ok and outcome.skipped
    assert "checker crashed: RuntimeError: parser exploded" in outcome.evidence


def test_evidence_is_capped_and_to_dict(tmp_path: Path) -> None:
    outcome = check(tmp_path, "long.py", "x = (" + "1 + " * 2000 + "\n")
    assert not outcome.ok and len(outcome.evidence) <= 600
    data = outcome.to_dict()
    assert data["name"] == "syntax" and data["ok"] is False and data["target"] == "long.py"
    assert set(data) == {
        "name",
        "target",
        "ok",
        "skipped",
        "command",
        "exit_code",
        "evidence",
        "duration_s",
    }


@needs_node
def test_es_module_syntax_in_a_js_file_is_really_checked(tmp_path: Path) -> None:
    # node 20's `--check` exits 0 without parsing a .js file it detects as an ES module
    good = check(tmp_path, "esm.js", 'import fs from "fs";\nexport const a = 1;\n')
    assert good.ok and not good.skipped
    bad = check(tmp_path, "lib/esm_bad.js", "export const a = ;\n")
    assert not bad.ok
    assert bad.evidence.startswith("lib/esm_bad.js:1: SyntaxError: Unexpected token ';'")
