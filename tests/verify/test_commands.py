"""Detecting the test runner of a command and adding report flags, filters and paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smallcode.verify.commands import build_command, report_suffix
from smallcode.verify.runners import detect_framework, tokenize

R = Path("/tmp/out/report.xml")


@pytest.mark.parametrize(
    ("command", "framework"),
    [
        ("pytest", "pytest"),
        ("python -m pytest -x tests", "pytest"),
        ("py.test", "pytest"),
        ("uv run pytest", "pytest"),
        ("poetry run pytest -q", "pytest"),
        (".venv/bin/pytest", "pytest"),
        ("cd backend && python3 -m pytest", "pytest"),
        ("pip install -e . && pytest", "pytest"),
        ("python -m unittest discover -s tests", "unittest"),
        ("python -m unittest test_mod", "unittest"),
        ("python manage.py test", "unittest"),
        ("node --test", "node"),
        ("node --test test/", "node"),
        ("npx jest", "jest"),
        ("yarn jest --ci", "jest"),
        ("npx vitest run", "vitest"),
        ("pnpm exec vitest", "vitest"),
        ("npx mocha 'test/**/*.spec.js'", "mocha"),
        ("go test ./...", "go"),
        ("cargo test --workspace", "cargo"),
        ("mvn test", "maven"),
        ("./mvnw -q test", "maven"),
        ("./gradlew test", "gradle"),
        ("make test", "unknown"),
        ("bun test", "unknown"),
        ("npm test", "unknown"),  # without a root there is no package.json to read
        ("", "unknown"),
    ],
)
def test_detect_framework(command: str, framework: str) -> None:
    assert detect_framework(command) == framework


def write_package(root: Path, scripts: dict[str, str]) -> None:
    (root / "package.json").write_text(json.dumps({"name": "x", "scripts": scripts}))


def test_detect_framework_reads_package_scripts(tmp_path: Path) -> None:
    write_package(
        tmp_path,
        {"test": "jest", "test:unit": "vitest run", "test:node": "node --test", "ci": "npm test"},
    )
    assert detect_framework("npm test", tmp_path) == "jest"
    assert detect_framework("npm run test:unit", tmp_path) == "vitest"
    assert detect_framework("yarn test:node", tmp_path) == "node"
    assert detect_framework("pnpm run ci", tmp_path) == "jest"
    assert detect_framework("npm run missing", tmp_path) == "unknown"


def test_tokenize_keeps_offsets_and_quotes() -> None:
    cmd = "cd 'my dir' && pytest -k \"a and b\" 2>&1 | tee log"
    words = [t for t in tokenize(cmd) if not t.op]
    assert [w.value for w in words] == [
        "cd",
        "my dir",
        "pytest",
        "-k",
        "a and b",
        "2>&1",
        "tee",
        "log",
    ]
    for word in words:
        assert cmd[word.start : word.end] == word.raw
    assert [t.value for t in tokenize(cmd) if t.op] == ["&&", "|"]


def test_pytest_flags() -> None:
    cmd = build_command("python -m pytest", framework="pytest", report_file=R, filter="add or sub")
    assert cmd == (
        "python -m pytest --junitxml=/tmp/out/report.xml -o junit_family=xunit1 "
        "-p no:cacheprovider -k 'add or sub'"
    )


def test_pytest_path_replaces_the_commands_own_paths() -> None:
    cmd = build_command(
        "cd api && uv run pytest -x --tb short tests/unit -m 'not slow' > log.txt",
        framework="pytest",
        path="tests/unit/test_a.py::test_b",
    )
    assert cmd == (
        "cd api && uv run pytest -x --tb short -m 'not slow' > log.txt tests/unit/test_a.py::test_b"
    )


def test_pytest_runner_in_a_later_segment() -> None:
    cmd = build_command(
        "pip install -q pytest && pytest && echo done", framework="pytest", filter="x"
    )
    assert cmd == "pip install -q pytest && pytest -k x && echo done"


def test_node_flags_go_right_after_test() -> None:
    cmd = build_command(
        "node --test test/", framework="node", report_file=R, filter="adds", path="test/a.test.mjs"
    )
    assert cmd == (
        "node --test --test-reporter=junit --test-reporter-destination=/tmp/out/report.xml "
        "--test-reporter=spec --test-reporter-destination=stdout --test-name-pattern=adds "
        "test/a.test.mjs"
    )


def test_node_keeps_the_users_reporter() -> None:
    cmd = build_command("node --test --test-reporter=dot", framework="node", report_file=R)
    assert cmd == "node --test --test-reporter=dot"


def test_jest_vitest_mocha_flags() -> None:
    assert build_command(
        "npx jest", framework="jest", report_file=Path("/t/r.json"), filter="adds"
    ) == ("npx jest --json --outputFile=/t/r.json --testLocationInResults -t adds")
    assert build_command(
        "npx vitest run src",
        framework="vitest",
        report_file=Path("/t/r.json"),
        path="src/a.test.ts",
    ) == ("npx vitest run --reporter=default --reporter=json --outputFile=/t/r.json src/a.test.ts")
    assert build_command("npx mocha", framework="mocha", report_file=R, filter="sums") == (
        "npx mocha --reporter xunit --reporter-option output=/tmp/out/report.xml --grep sums"
    )


def test_go_cargo_maven_gradle_flags() -> None:
    assert build_command("go test ./...", framework="go", report_file=R, filter="^TestAdd$") == (
        "go test -json ./... -run '^TestAdd$'"
    )
    assert build_command("go test ./...", framework="go", path="pkg/calc/calc_test.go") == (
        "go test ./pkg/calc"
    )
    assert build_command(
        "cargo test -- --include-ignored", framework="cargo", filter="tests::add"
    ) == ("cargo test tests::add -- --include-ignored")
    assert build_command("cargo test", framework="cargo", path="tests/api.rs") == (
        "cargo test --test api"
    )
    assert build_command("mvn test", framework="maven", filter="CalcTest#add") == (
        "mvn test '-Dtest=CalcTest#add'"
    )
    assert build_command(
        "./gradlew test", framework="gradle", path="src/test/java/CalcTest.java"
    ) == ("./gradlew test --tests CalcTest")


def test_unittest_filter_and_paths() -> None:
    base = "python -m unittest discover -s tests -p 'test_*.py'"
    assert build_command(base, framework="unittest", filter="mul") == f"{base} -k mul"
    assert build_command(base, framework="unittest", path="tests/test_mod.py") == (
        "python -m unittest discover -s tests -p test_mod.py"
    )
    assert build_command("python -m unittest", framework="unittest", path="pkg") == (
        "python -m unittest discover -s pkg"
    )
    assert build_command(
        "python manage.py test", framework="unittest", path="app/tests/test_v.py"
    ) == ("python manage.py test app.tests.test_v")


def test_npm_scripts(tmp_path: Path) -> None:
    write_package(
        tmp_path, {"test": "jest --coverage", "unit": "node --test test/", "lint": "eslint ."}
    )
    report = tmp_path / "r.json"
    assert (
        build_command(
            "npm test", framework="jest", report_file=report, filter="adds", root=tmp_path
        )
        == f"npm test -- --json --outputFile={report} --testLocationInResults -t adds"
    )
    assert build_command("npm test -- --ci", framework="jest", filter="adds", root=tmp_path) == (
        "npm test -- --ci -t adds"
    )
    assert build_command("yarn test", framework="jest", filter="adds", root=tmp_path) == (
        "yarn test -t adds"
    )
    # node needs its flags right after --test: the script's own command is run
    assert build_command("npm run unit", framework="node", filter="x", root=tmp_path) == (
        "node --test --test-name-pattern=x test/"
    )


def test_npm_script_where_flags_cannot_reach_the_runner(tmp_path: Path) -> None:
    write_package(tmp_path, {"test": "jest && eslint ."})
    assert build_command("npm test", framework="jest", filter="x", root=tmp_path) == "npm test"


def test_unknown_commands_come_back_unchanged() -> None:
    assert build_command("make test", framework="unknown", filter="x", report_file=R) == "make test"


def test_report_suffix() -> None:
    assert report_suffix("pytest") == ".xml"
    assert report_suffix("jest") == ".json"
    assert report_suffix("cargo") == ""
