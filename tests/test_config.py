from __future__ import annotations

import re
from pathlib import Path

import pytest

from smallcode.config import Settings, settings_table
from smallcode.errors import ConfigError

README = Path(__file__).resolve().parent.parent / "README.md"


def test_precedence_env_over_project_over_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_dir = tmp_path / "cfg"
    user_dir.mkdir()
    monkeypatch.setenv("SMALLCODE_CONFIG_DIR", str(user_dir))
    (user_dir / ".env").write_text(
        "SMALLCODE_MODEL=user-model\nSMALLCODE_MAX_TURNS=7\nSMALLCODE_API_KEY=k\n"
    )
    proj = tmp_path / "p"
    proj.mkdir()
    (proj / ".env").write_text("SMALLCODE_MODEL=project-model\nSMALLCODE_MAX_TURNS=9\n")
    s = Settings.load(proj)
    assert (s.model, s.max_turns, s.api_key) == ("project-model", 9, "k")
    monkeypatch.setenv("SMALLCODE_MODEL", "env-model")
    assert Settings.load(proj).model == "env-model"
    assert Settings.load(proj, {"model": "flag-model"}).model == "flag-model"
    assert Settings.load(proj).cwd == proj.resolve()


def test_bad_values_are_config_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMALLCODE_SHELL_PERSIST", "maybe")
    with pytest.raises(ConfigError, match="SMALLCODE_SHELL_PERSIST='maybe' is not valid"):
        Settings.load(tmp_path)
    monkeypatch.setenv("SMALLCODE_SHELL_PERSIST", "off")
    assert Settings.load(tmp_path).shell_persist is False


def test_readme_documents_every_setting() -> None:
    text = README.read_text(encoding="utf-8")
    table = re.search(r"<!-- settings:begin -->\n(.*?)\n<!-- settings:end -->", text, re.S)
    assert table, "README lacks the settings table markers"
    assert table.group(1) == settings_table(), (
        "README settings table is stale: run python scripts/update_readme_settings.py"
    )
