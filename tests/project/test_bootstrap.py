from __future__ import annotations

import json
from pathlib import Path

import pytest

from smallcode.config import Settings
from smallcode.project.bootstrap import load_instructions, summarize_project
from tests.conftest import run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "projects"

# fixture -> (runtime, package_manager, framework, entry_point, build_command, test_command)
EXPECTED = {
    "py_uv": (
        "python >=3.11",
        "uv",
        "FastAPI",
        "shop-api = shop_api.main:run",
        "uv build",
        "uv run pytest",
    ),
    "py_poetry": (
        "python",
        "poetry",
        "Flask",
        "blog = blog.app:main",
        "poetry build",
        "poetry run pytest",
    ),
    "py_django_pip": (
        "python",
        "pip (requirements)",
        "Django",
        "manage.py",
        "",
        "python manage.py test",
    ),
    "py_unittest": ("python", "pip", "", "", "", "python -m unittest discover"),
    "node_express_npm": ("node", "npm", "Express", "server.js", "", "npm test"),
    "node_next_pnpm": (
        "node (TypeScript)",
        "pnpm",
        "Next.js",
        "app/",
        "pnpm run build",
        "pnpm test",
    ),
    "node_vite_yarn": (
        "node (TypeScript)",
        "yarn",
        "Vite/React",
        "src/main.tsx",
        "yarn run build",
        "yarn vitest run",
    ),
    "node_bun": ("bun", "bun", "", "index.ts", "", "bun test"),
    "go_gin": (
        "go 1.22",
        "go modules",
        "Gin",
        "cmd/server/main.go",
        "go build ./...",
        "go test ./...",
    ),
    "rust_cli": (
        "rust (edition 2021)",
        "cargo",
        "clap CLI",
        "src/main.rs",
        "cargo build",
        "cargo test",
    ),
    "rust_workspace": (
        "rust",
        "cargo",
        "axum",
        "crates/server/src/main.rs",
        "cargo build --workspace",
        "cargo test --workspace",
    ),
    "java_maven": (
        "java 17",
        "maven",
        "Spring Boot",
        "src/main/java/com/example/demo/DemoApplication.java",
        "./mvnw -q package",
        "./mvnw test",
    ),
    "java_gradle": (
        "java 21",
        "gradle (Kotlin DSL)",
        "",
        "src/main/java/app/Main.java",
        "./gradlew build",
        "./gradlew test",
    ),
    "cpp_cmake": (
        "c++20",
        "cmake",
        "",
        "src/main.cpp (target raytracer)",
        "cmake -S . -B build && cmake --build build",
        "ctest --test-dir build --output-on-failure",
    ),
    "c_make": ("c", "make", "", "main.c", "make", "make check"),
    "monorepo_make": ("monorepo: go, node, python", "", "", "", "make build", "make test"),
}
FIELDS = ("runtime", "package_manager", "framework", "entry_point", "build_command", "test_command")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_projects(name: str) -> None:
    s = summarize_project(FIXTURES / name, Settings.load(FIXTURES / name))
    assert tuple(getattr(s, f) for f in FIELDS) == EXPECTED[name]
    # The injected block: a few lines, well under 200 tokens (chars/4 overestimates little).
    assert len(s.text) / 4 < 120
    assert len(s.text.splitlines()) <= 8
    if s.test_command:
        assert f"Test: {s.test_command}" in s.text


def test_monorepo_lists_its_parts() -> None:
    s = summarize_project(FIXTURES / "monorepo_make")
    assert [p for p, _ in s.subprojects] == ["services/api", "web", "worker"]
    assert "Parts: services/api/ go" in s.text
    assert "Make targets: build, test, lint" in s.text


def test_plain_folder() -> None:
    s = summarize_project(FIXTURES / "plain")
    assert s.runtime == "" and s.test_command == ""
    assert "no build manifest" in s.text


def test_test_runner_override_and_disable(monkeypatch: pytest.MonkeyPatch) -> None:
    root = FIXTURES / "py_uv"
    monkeypatch.setenv("SMALLCODE_TEST_RUNNER", "uv run pytest -x -q tests/unit")
    s = summarize_project(root, Settings.load(root))
    assert s.test_command == "uv run pytest -x -q tests/unit"
    assert "Test: uv run pytest -x -q tests/unit" in s.text
    monkeypatch.setenv("SMALLCODE_TEST_DISABLE", "1")
    s = summarize_project(root, Settings.load(root))
    assert s.test_command == "" and "Test:" not in s.text


def test_instructions_are_read_in_order_and_capped(tmp_path: Path) -> None:
    (tmp_path / "AGENTS.md").write_text("Run make lint before committing.\n" + "x" * 5000)
    (tmp_path / "CLAUDE.md").write_text("Prefer small functions.")
    (tmp_path / ".smallcode").mkdir()
    (tmp_path / ".smallcode" / "instructions.md").write_text("Answer in English.")
    full = load_instructions(tmp_path, 100_000)
    assert full.index("AGENTS.md") < full.index("CLAUDE.md") < full.index("instructions.md")
    assert "Answer in English." in full
    capped = load_instructions(tmp_path, 600)
    assert len(capped) <= 600
    assert capped.startswith("# Instructions from AGENTS.md\nRun make lint")
    assert "cut at" in capped
    assert load_instructions(tmp_path / "nothing-here", 1000) == ""


def test_summary_cli_json_and_text(tmp_path: Path) -> None:
    proc = run_cli(["summary", "--path", str(FIXTURES / "go_gin"), "--json"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {*FIELDS, "text"}
    assert data["test_command"] == "go test ./..." and data["framework"] == "Gin"
    proc = run_cli(["summary"], cwd=FIXTURES / "rust_cli")
    assert proc.returncode == 0 and proc.stdout.startswith("Project: rust")
    proc = run_cli(["summary", "--path", str(tmp_path / "missing")], cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "not a folder" in proc.stderr
