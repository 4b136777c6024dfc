"""Typos are not tasks: mistyped subcommands, misspelled variables, unknown tool groups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from smallcode.cli import SUBCOMMANDS
from smallcode.clityping import suggestion
from tests.fakes.openai_server import script, text


@pytest.mark.parametrize(
    ("argv", "meant"),
    [
        ("model list", "smallcode models list"),
        ("stauts", "smallcode provider status"),
        ("modles fetch", "smallcode models fetch"),
        ("provder", "smallcode provider"),
        ("serch", "smallcode search"),
        ("sumary --json", "smallcode summary --json"),
    ],
)
def test_a_mistyped_subcommand_exits_2_without_asking_the_model(
    cli: Any, project: Path, fake_server: Any, argv: str, meant: str
) -> None:
    srv = fake_server(script([text("I am the model")]))
    r = cli(
        argv.split(),
        project,
        env={"SMALLCODE_BASE_URL": srv.base_url, "SMALLCODE_MODEL": "m"},
    )
    assert r.returncode == 2
    assert f"did you mean `{meant}`?" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert srv.requests == []


@pytest.mark.parametrize(
    "argv",
    [
        "fix the failing test",
        "summarize the code",
        "explain main.py",
        "hello",
        "models should load lazily in models.py",
        "add a status command",
    ],
)
def test_tasks_are_still_tasks(argv: str) -> None:
    assert suggestion(argv.split(), SUBCOMMANDS) is None


def test_a_misspelled_variable_is_warned_about_once(
    cli: Any, project: Path, fake_server: Any
) -> None:
    srv = fake_server(script([text("done")]))
    r = cli(
        ["-P", "say hi", "--non-interactive"],
        project,
        env={
            "SMALLCODE_BASE_URL": srv.base_url,
            "SMALLCODE_MODEL": "m",
            "SMALLCODE_MAX_TRUNS": "3",
            "SMALLCODE_SOMETHING_ELSE_ENTIRELY": "1",
        },
    )
    assert r.returncode == 0, r.stderr
    warnings = [ln for ln in r.stderr.splitlines() if "warning" in ln]
    assert warnings == [
        "smallcode: warning: SMALLCODE_MAX_TRUNS is not a SmallCode setting (ignored); "
        "did you mean SMALLCODE_MAX_TURNS?"
    ]


def test_an_unknown_tool_group_is_an_error(cli: Any, project: Path, fake_server: Any) -> None:
    srv = fake_server(script([text("done")]))
    r = cli(
        ["-P", "say hi", "--non-interactive"],
        project,
        env={
            "SMALLCODE_BASE_URL": srv.base_url,
            "SMALLCODE_MODEL": "m",
            "SMALLCODE_TOOLS": "memroy",
        },
    )
    assert r.returncode == 2
    assert "SMALLCODE_TOOLS names an unknown group or tool 'memroy' (did you mean memory?)" in (
        r.stderr
    )
    assert srv.requests == []
    ok = cli(
        ["-P", "say hi", "--non-interactive"],
        project,
        env={
            "SMALLCODE_BASE_URL": srv.base_url,
            "SMALLCODE_MODEL": "m",
            "SMALLCODE_TOOLS": "memory, run_tests,read_file",
        },
    )
    assert ok.returncode == 0, ok.stderr
