"""Plugins: a global plugin installed as a distribution (a fake dist-info on sys.path) registers
a tool and a provider chosen with ``-p``; directory plugins with SmallCode's manifest (a tools
module with pluggy hooks, prompts); SMALLCODE_PLUGINS; enable, disable, install; the Python
API's ``tools=`` and ``guards=``."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from smallcode import Intervention, SmallCode
from smallcode.plugins import manifest
from smallcode.testing import ScriptedModel, text, tool
from tests.conftest import run_cli
from tests.plugins.conftest import write_json

FIXTURE = Path(__file__).parents[1] / "fixtures" / "plugins" / "guard-bash"

DEMO_PLUGIN = '''
from smallcode.plugins import hookimpl


def shout(text: str) -> str:
    """Say the text loudly.

    Args:
        text: What to say.
    """
    return text.upper() + "!"


@hookimpl
def register_tools(register):
    register(shout)


@hookimpl
def register_providers(register):
    from smallcode.testing import ScriptedModel, text

    register("demo-llm", lambda settings: ScriptedModel([text("hello from the plugin provider")], name="demo-llm"))


@hookimpl
def register_prompts(register):
    register("Demo rule: answer in one line.", "always")
'''


@pytest.fixture
def demo_dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A global plugin as pip would install it: a module and its dist-info with entry points."""
    site = tmp_path / "site"
    info = site / "smallcode_demo-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: smallcode-demo\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[smallcode]\ndemo = smallcode_demo_plugin\n")
    (site / "smallcode_demo_plugin.py").write_text(DEMO_PLUGIN)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return site


def test_entry_point_plugin_registers_a_tool(project: Path, demo_dist: Path) -> None:
    model = ScriptedModel([tool("shout", text="hi"), text("Done.")])
    with SmallCode(cwd=project, llm=model) as sc:
        result = sc.run("shout hi")
    assert result.success
    assert "shout" in model.requests[0]["tools"]
    assert [m["content"] for m in model.requests[1]["messages"] if m["role"] == "tool"] == ["HI!"]
    assert "Demo rule: answer in one line." in json.dumps(model.requests[0]["messages"])


def test_smallcode_plugins_limits_which_load(project: Path, demo_dist: Path) -> None:
    model = ScriptedModel([text("ok")])
    with SmallCode(cwd=project, llm=model, plugins="none") as sc:
        sc.run("hello")
    assert "shout" not in model.requests[0]["tools"]


def test_plugin_provider_with_dash_p(project: Path, demo_dist: Path, tmp_path: Path) -> None:
    env = {"PYTHONPATH": os.pathsep.join([str(demo_dist), os.environ.get("PYTHONPATH", "")]),
           "XDG_CACHE_HOME": str(tmp_path / "cache2")}  # fmt: skip
    proc = run_cli(["-p", "demo-llm", "-P", "say hi", "--non-interactive"], project, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "hello from the plugin provider" in proc.stdout
    bad = run_cli(["-p", "no-such-llm", "-P", "say hi", "--non-interactive"], project, env=env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


TOOLS_MODULE = '''
from smallcode.plugins import ToolDecision, hookimpl
from smallcode.tools.registry import tool


@tool(read_only=True)
def word_count(ctx, path: str) -> str:
    """Count the words of a file.

    Args:
        path: The file.
    """
    return str(len(ctx.resolve(path).read_text().split()))


@hookimpl
def pre_tool_use(call, ctx):
    if call.name == "bash" and "deploy" in call.arguments.get("command", ""):
        return "deploys are done by CI, not here"
    return None


@hookimpl
def post_tool_use(call, result, ctx):
    if call.name == "word_count":
        return "(counted by the words plugin)"
'''


def test_directory_plugin_with_smallcode_manifest(project: Path, config_dir: Path) -> None:
    d = config_dir / "plugins" / "words"
    d.mkdir(parents=True)
    write_json(d / "smallcode-plugin.json", {
        "name": "words", "tools": "tools.py",
        "prompts": [{"inject": "test", "content": "Tests live in tests/."},
                    {"inject": "always", "content": "Words plugin is on."}],
        "permissions": {"read": ["**/*.txt"]},
    })  # fmt: skip
    (d / "tools.py").write_text(TOOLS_MODULE)
    (project / "a.txt").write_text("one two three\n")
    replies = [
        tool("word_count", path="a.txt"),
        tool("bash", command="echo deploy now"),
        text("3 words."),
    ]
    model = ScriptedModel(replies)
    with SmallCode(cwd=project, llm=model) as sc:
        sc.run("count the words of a.txt")
    first = json.dumps(model.requests[0]["messages"])
    assert "Words plugin is on." in first and "Tests live in tests/." not in first
    outputs = [m["content"] for m in model.requests[-1]["messages"] if m["role"] == "tool"]
    assert outputs[0].startswith("3") and "(counted by the words plugin)" in outputs[0]
    assert "Blocked by a plugin: deploys are done by CI" in outputs[1]


def test_enable_disable_and_install(project: Path, config_dir: Path) -> None:
    p = manifest.install(FIXTURE, project, "project")
    assert p.trusted and p.root == project / ".smallcode" / "plugins" / "guard-bash"
    assert "1 hook" in p.summary() and "1 commands" in p.summary()
    with pytest.raises(manifest.InstallError, match="already installed"):
        manifest.install(FIXTURE, project, "project")
    with pytest.raises(manifest.InstallError, match="is not a plugin"):
        manifest.install(project, project, "user")
    manifest.set_enabled(project, "guard-bash", False, "project")
    assert not manifest.discover(project)[0].enabled
    manifest.set_enabled(project, "guard-bash", True, "project")
    assert manifest.discover(project)[0].active
    assert [x.name for x in manifest.discover(project, "other")] == ["guard-bash"]
    assert not manifest.discover(project, "other")[0].enabled  # SMALLCODE_PLUGINS=other
    (p.root / "hooks" / "guard.py").write_text("print('changed')\n")
    assert not manifest.discover(project)[0].trusted  # a changed folder is untrusted again


def test_claude_plugin_skills_are_namespaced(project: Path, config_dir: Path) -> None:
    shutil.copytree(FIXTURE, config_dir / "plugins" / "guard-bash")
    model = ScriptedModel([text("ok")])
    with SmallCode(cwd=project, llm=model) as sc:
        sc.run("run a shell command safely")
        skills = sc.agent.ctx.extensions.ext.skills
    assert "guard-bash:shell-safety" in skills.skills
    assert "- guard-bash:shell-safety:" in json.dumps(model.requests[0]["messages"])


# ---------------------------------------------------------------------- the Python API


def test_api_tools_and_guards(project: Path) -> None:
    def reverse(text: str) -> str:
        """Reverse a text.

        Args:
            text: The text.
        """
        return text[::-1]

    class NoDelete:
        name = "no_delete"

        def observe(self, event: Any) -> Intervention | None:
            if (
                event.kind == "before_call"
                and event.call.name == "bash"
                and "rm " in event.call.arguments.get("command", "")
            ):
                return Intervention("block", "deleting is not allowed in this embedding")
            return None

    model = ScriptedModel(
        [tool("reverse", text="abc"), tool("bash", command="rm -f x"), text("ok")]
    )
    with SmallCode(cwd=project, llm=model, tools=[reverse], guards=[NoDelete()]) as sc:
        sc.run("reverse abc")
    outputs = [m["content"] for m in model.requests[-1]["messages"] if m["role"] == "tool"]
    assert outputs[0] == "cba"
    assert "deleting is not allowed in this embedding" in outputs[1]
    with pytest.raises(TypeError):
        SmallCode(cwd=project, llm=model, tools=[42])


def test_provider_protocol_is_exported() -> None:
    import smallcode
    from smallcode.llm.base import Provider

    assert smallcode.Provider is Provider
    assert "Provider" in smallcode.__all__


def test_api_tools_as_a_string_is_still_the_setting(project: Path) -> None:
    sc = SmallCode(cwd=project, llm=ScriptedModel([text("ok")]), tools="core")
    assert sc.settings.tools == "core"
    sc.close()
