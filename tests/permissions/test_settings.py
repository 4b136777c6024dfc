"""Settings files, trust of a project's own configuration, the manager's asking and remembering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smallcode import trust
from smallcode.config import Settings, user_config_dir
from smallcode.errors import ConfigError
from smallcode.permissions import settingsfiles
from smallcode.permissions.manager import ApprovalRequest, PermissionManager


def write(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def manager(project: Path, ask=None, **overrides: object) -> PermissionManager:  # type: ignore[no-untyped-def]
    overrides.setdefault("sandbox", "off")
    return PermissionManager(Settings.load(project, overrides), ask=ask)


def test_files_join_rules_and_the_nearest_sets_the_mode(project: Path) -> None:
    write(user_config_dir() / "settings.json", {"permissions": {"allow": ["Bash(make:*)"]}})
    claude = write(
        project / ".claude/settings.json",
        {"permissions": {"deny": ["Bash(aws *)"], "allow": ["Edit(src/**)"]}},
    )
    ours = write(
        project / ".smallcode/settings.json",
        {"permissions": {"ask": ["Bash(git push:*)"], "defaultMode": "acceptEdits"}},
    )
    local = write(
        project / ".smallcode/settings.local.json",
        {"permissions": {"defaultMode": "plan"}, "sandbox": {"network": True}},
    )
    for f in (claude, ours, local):
        trust.trust(f)
    loaded = settingsfiles.load(project)
    assert [r.text for r in loaded.allow] == ["Bash(make:*)", "Edit(src/**)"]
    assert [r.text for r in loaded.deny] == ["Bash(aws *)"]
    assert [r.text for r in loaded.ask] == ["Bash(git push:*)"]
    assert loaded.default_mode == "plan" and loaded.sandbox_network is True
    m = manager(project)
    assert m.mode == "plan"
    assert manager(project, approval="dontAsk").mode == "dontAsk"  # the command line wins


def test_untrusted_project_files_only_restrict(project: Path) -> None:
    path = write(
        project / ".smallcode/settings.json",
        {
            "permissions": {
                "allow": ["Bash(curl:*)"],
                "deny": ["Bash(rm:*)"],
                "defaultMode": "bypassPermissions",
            },
            "sandbox": {"mode": "off", "network": True, "excludedCommands": ["curl"]},
        },
    )
    loaded = settingsfiles.load(project)
    assert [r.text for r in loaded.deny] == ["Bash(rm:*)"]  # restrictions apply at once
    assert loaded.allow == [] and loaded.default_mode == "" and loaded.sandbox_mode == ""
    assert loaded.sandbox_network is None and loaded.excluded == []
    held = loaded.untrusted()[0].held
    assert "allow Bash(curl:*)" in held and "defaultMode bypassPermissions" in held
    assert "sandbox.mode off" in held and "sandbox.network true" in held
    trust.trust(path)
    assert [r.text for r in settingsfiles.load(project).allow] == ["Bash(curl:*)"]
    path.write_text(path.read_text().replace("curl", "wget"))  # changed: asks again
    assert settingsfiles.load(project).allow == []


def test_project_env_needs_trust_for_endpoints_and_keys(project: Path) -> None:
    env = project / ".env"
    env.write_text(
        "SMALLCODE_BASE_URL=http://10.9.9.9:1/v1\nSMALLCODE_ESCALATION=true\n"
        "SMALLCODE_ALLOW_OUTSIDE_ROOT=true\nSMALLCODE_TEST_RUNNER=pytest -q\n"
    )
    s = Settings.load(project)
    assert s.base_url == "" and s.escalation is False and s.allow_outside_root is False
    assert s.test_runner == "pytest -q"  # harmless settings apply as before
    assert s.untrusted == {
        str(env): ["SMALLCODE_ALLOW_OUTSIDE_ROOT", "SMALLCODE_BASE_URL", "SMALLCODE_ESCALATION"]
    }
    trust.trust(env)
    trusted = Settings.load(project)
    assert trusted.base_url == "http://10.9.9.9:1/v1" and trusted.untrusted == {}


def test_always_is_remembered_in_the_local_file_and_never_asked_again(project: Path) -> None:
    asked: list[ApprovalRequest] = []

    def ask(req: ApprovalRequest) -> str:
        asked.append(req)
        return "always"

    m = manager(project, ask=ask)
    d = m.check("bash", {"command": "make build"})
    assert d.action == "allow" and len(asked) == 1
    assert asked[0].always == ["Bash(make build:*)"]
    assert m.check("bash", {"command": "make build -j2"}).action == "allow"
    assert len(asked) == 1
    local = project / ".smallcode/settings.local.json"
    data = json.loads(local.read_text())
    assert data["permissions"]["allow"] == ["Bash(make build:*)"]
    assert trust.is_trusted(local)  # written by SmallCode for the user: applies next time
    again = manager(project, ask=ask)
    assert again.check("bash", {"command": "make build"}).action == "allow"
    assert len(asked) == 1
    assert "settings.local.json" not in _git_status(project)  # stays out of git


def test_yes_is_remembered_for_the_session_and_no_is_a_denial(project: Path) -> None:
    answers = iter(["yes", "no"])
    m = manager(project, ask=lambda req: next(answers))
    m.start_run()
    assert m.check("bash", {"command": "make a"}).action == "allow"
    assert m.check("bash", {"command": "make a"}).action == "allow"  # not asked twice
    d = m.check("bash", {"command": "make b"}, call_id="c1")
    assert d.action == "deny" and "declined" in d.reason
    assert m.prompts == 2
    assert m.denials == [
        {
            "tool_name": "bash",
            "tool_use_id": "c1",
            "tool_input": {"command": "make b"},
            "reason": d.reason,
        }
    ]


def test_nobody_to_ask_means_no(project: Path) -> None:
    m = manager(project)
    d = m.check("bash", {"command": "make install"}, call_id="x")
    assert d.action == "deny" and "nobody to ask" in d.reason
    assert m.denials[0]["tool_input"] == {"command": "make install"}


def test_bad_modes_are_config_errors(project: Path) -> None:
    with pytest.raises(ConfigError, match="permission mode 'sometimes'"):
        manager(project, approval="sometimes")
    with pytest.raises(ConfigError, match="sandbox mode 'box'"):
        manager(project, sandbox="box")
    with pytest.raises(ConfigError, match="SMALLCODE_SANDBOX_NETWORK"):
        manager(project, sandbox_network="maybe")


def _git_status(project: Path) -> str:
    import subprocess

    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=project,
        capture_output=True,
        text=True,
    ).stdout


def test_a_project_env_written_by_smallcode_is_trusted(project: Path) -> None:
    from smallcode.llm.setup import save

    save("project", project, "lmstudio", "http://127.0.0.1:1234/v1", "qwen")
    s = Settings.load(project)
    assert s.base_url == "http://127.0.0.1:1234/v1" and s.untrusted == {}
    env = project / ".env"
    env.write_text(env.read_text() + "SMALLCODE_ESCALATION=true\n")  # changed by someone else
    s = Settings.load(project)
    assert s.base_url == "" and "SMALLCODE_ESCALATION" in s.untrusted[str(env)]
    save("project", project, "lmstudio", "http://127.0.0.1:1234/v1", "qwen")  # not laundered
    assert not trust.is_trusted(env)
