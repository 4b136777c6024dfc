"""Command hooks with Claude Code's protocol, run for real (under the sandbox) in sessions driven
by a scripted model: a Claude-format plugin's PreToolUse Bash hook that exits 2 blocks the call
and its stderr reaches the model, while exit 1 lets the call run; hooks from settings files for
the other events; trust of project hooks."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from smallcode import SmallCode, trust
from smallcode.plugins.hook_config import HookCommand, matcher_matches, parse_hooks
from smallcode.plugins.hooks import HookRun, interpret
from smallcode.testing import ScriptedModel, text, tool
from tests.plugins.conftest import write_json

FIXTURE = Path(__file__).parents[1] / "fixtures" / "plugins" / "guard-bash"
PY = sys.executable


def run(
    project: Path, replies: list[Any], task: str = "do it", **kw: Any
) -> tuple[Any, ScriptedModel, list[dict[str, Any]]]:
    model = ScriptedModel(replies)
    events: list[dict[str, Any]] = []
    with SmallCode(cwd=project, llm=model, **kw) as sc:
        sc.on("*", events.append)
        result = sc.run(task)
    return result, model, events


def tool_outputs(model: ScriptedModel) -> list[str]:
    last = model.requests[-1]["messages"]
    return [m["content"] for m in last if m["role"] == "tool"]


def notices(events: list[dict[str, Any]]) -> list[str]:
    return [e["message"] for e in events if e["type"] == "notice"]


def hook_script(project: Path, name: str, body: str) -> str:
    """A hook script inside the project (the sandbox shows the project), and its command."""
    path = project / ".hooks" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("import json, sys\ndata = json.load(sys.stdin)\n" + body)
    return f"{PY} {path}"


def settings_hooks(path: Path, hooks: dict[str, Any], **extra: Any) -> Path:
    return write_json(path, {"hooks": hooks, **extra})


def one(event: str, command: str, matcher: str = "", **kw: Any) -> dict[str, Any]:
    h = {"type": "command", "command": command, **kw}
    return {event: [{"matcher": matcher, "hooks": [h]}] if matcher else [{"hooks": [h]}]}


# ---------------------------------------------------------------------- the plugin fixture


def test_claude_plugin_pretooluse_exit_2_blocks_and_exit_1_runs(
    project: Path, config_dir: Path
) -> None:
    shutil.copytree(FIXTURE, config_dir / "plugins" / "guard-bash")
    replies = [
        tool("bash", command="echo danger-zone"),
        tool("bash", command="echo flaky-but-fine"),
        text("Done."),
    ]
    result, model, events = run(project, replies, task="run two commands")
    outputs = tool_outputs(model)
    assert "Blocked by a PreToolUse hook: Refused by guard-bash" in outputs[0]
    assert "danger-zone" not in outputs[0]  # never ran
    assert "flaky-but-fine" in outputs[1]  # exit 1: non-blocking, the call ran
    assert any("failed (exit 1): guard-bash crashed" in n for n in notices(events))
    seen = [json.loads(x) for x in (project / "hook-seen.jsonl").read_text().splitlines()]
    assert [s["tool_name"] for s in seen] == ["Bash", "Bash"]
    assert seen[0]["ours"] == "bash" and seen[0]["event"] == "PreToolUse"
    assert seen[0]["root"] == str(config_dir / "plugins" / "guard-bash")
    hooks = [e for e in events if e["type"] == "hook"]
    assert [h["exit_code"] for h in hooks] == [2, 1]
    assert result.success


def test_project_plugin_runs_only_once_trusted(project: Path) -> None:
    dest = project / ".smallcode" / "plugins" / "guard-bash"
    shutil.copytree(FIXTURE, dest)
    _, model, events = run(project, [tool("bash", command="echo danger"), text("ok")])
    assert "danger" in tool_outputs(model)[0]  # the untrusted hook did not run
    assert any("skipped the project plugin guard-bash" in n for n in notices(events))
    trust.trust(dest)
    _, model, _ = run(project, [tool("bash", command="echo danger"), text("ok")])
    assert "Refused by guard-bash" in tool_outputs(model)[0]


# ---------------------------------------------------------------------- settings hooks


def test_untrusted_project_settings_hooks_do_not_run(project: Path) -> None:
    cmd = hook_script(project, "deny.py", "sys.exit(2)")
    path = settings_hooks(project / ".smallcode" / "settings.json", one("PreToolUse", cmd, "Bash"))
    _, model, events = run(project, [tool("bash", command="echo ran"), text("ok")])
    assert "ran" in tool_outputs(model)[0]
    assert any("ignored hooks (1 command)" in n and "not trusted" in n for n in notices(events))
    trust.trust(path)
    _, model, _ = run(project, [tool("bash", command="echo ran"), text("ok")])
    assert "Blocked by a PreToolUse hook" in tool_outputs(model)[0]


def test_json_deny_allow_and_deny_rules(project: Path, config_dir: Path) -> None:
    body = (
        "cmd = data['tool_input'].get('command', '')\n"
        "d = 'deny' if 'secret' in cmd else 'allow'\n"
        "print(json.dumps({'hookSpecificOutput': {'hookEventName': 'PreToolUse',"
        " 'permissionDecision': d, 'permissionDecisionReason': 'no secrets here'}}))\n"
    )
    cmd = hook_script(project, "decide.py", body)
    settings_hooks(
        config_dir / "settings.json",
        one("PreToolUse", cmd, "Bash"),
        permissions={"deny": ["Bash(curl:*)"]},
    )
    replies = [
        tool("bash", command="echo secret"),
        tool("bash", command="curl http://127.0.0.1:9/"),  # the hook allows; the deny rule wins
        tool("bash", command="make -v"),  # not on the allow list: the hook's allow skips asking
        text("ok"),
    ]
    result, model, _ = run(project, replies, sandbox="off")
    out = tool_outputs(model)
    assert "Blocked by a PreToolUse hook: no secrets here" in out[0]
    assert "Not allowed" in out[1] and "Bash(curl:*)" in out[1]
    assert "needs the user's approval" not in out[2]
    assert [d["tool_input"]["command"] for d in result.permission_denials] == [
        "curl http://127.0.0.1:9/"
    ]


def test_updated_input_and_claude_shaped_input(project: Path, config_dir: Path) -> None:
    body = (
        "ti = data['tool_input']\n"
        "assert ti['file_path'].endswith('notes.txt'), ti\n"
        "print(json.dumps({'hookSpecificOutput': {'hookEventName': 'PreToolUse',"
        " 'permissionDecision': 'allow', 'updatedInput': {**ti, 'content': ti['content'].upper()}}}))\n"
    )
    settings_hooks(
        config_dir / "settings.json",
        one("PreToolUse", hook_script(project, "up.py", body), "Write"),
    )
    run(project, [tool("write_file", path="notes.txt", content="quiet\n"), text("ok")])
    assert (project / "notes.txt").read_text() == "QUIET\n"


def test_post_tool_use_context_and_block(project: Path, config_dir: Path) -> None:
    body = (
        "if data['tool_response']['success'] and data['tool_input'].get('file_path', '').endswith('.py'):\n"
        "    print(json.dumps({'decision': 'block', 'reason': 'lint: missing docstring',"
        " 'hookSpecificOutput': {'hookEventName': 'PostToolUse', 'additionalContext': 'formatted with black'}}))\n"
    )
    settings_hooks(
        config_dir / "settings.json",
        one("PostToolUse", hook_script(project, "post.py", body), "Edit|Write"),
    )
    _, model, _ = run(project, [tool("write_file", path="a.py", content="x = 1\n"), text("ok")])
    out = tool_outputs(model)[0]
    assert "PostToolUse hook: lint: missing docstring" in out
    assert "formatted with black" in out


def test_user_prompt_submit_context_and_refusal(project: Path, config_dir: Path) -> None:
    body = (
        "if 'forbidden' in data['prompt']:\n"
        "    print('prompts about that are refused', file=sys.stderr); sys.exit(2)\n"
        "print('The team uses tabs.')\n"
    )
    settings_hooks(
        config_dir / "settings.json", one("UserPromptSubmit", hook_script(project, "ups.py", body))
    )
    result, model, _ = run(project, [text("ok")], task="write something")
    first = json.dumps(model.requests[0]["messages"])
    assert "The team uses tabs." in first
    result, model, _ = run(project, [text("ok")], task="do the forbidden thing")
    assert not result.success and "prompts about that are refused" in result.error
    assert model.requests == []  # the model never saw it


def test_stop_hook_sends_the_model_back_bounded(project: Path, config_dir: Path) -> None:
    body = (
        "import os\n"
        "done = os.path.exists(os.path.join(data['cwd'], 'DONE'))\n"
        "if not done:\n"
        "    print(json.dumps({'decision': 'block', 'reason': 'create the DONE file first'}))\n"
    )
    settings_hooks(config_dir / "settings.json", one("Stop", hook_script(project, "stop.py", body)))
    replies = [
        text("All done."),
        tool("write_file", path="DONE", content="yes\n"),
        text("Now done."),
    ]
    result, model, _ = run(project, replies, task="finish the job")
    assert result.success, result.error
    assert "create the DONE file first" in json.dumps(model.requests[1]["messages"])
    never = settings_hooks(
        config_dir / "settings.json", one("Stop", hook_script(project, "never.py", "sys.exit(2)"))
    )
    assert never.exists()
    result, _, _ = run(project, [text("done")] * 6, task="another job")
    assert result.stop_reason == "stop_hook" and result.exit_code == 1


def test_session_start_and_end(project: Path, config_dir: Path) -> None:
    start = hook_script(project, "start.py", "print('Branch: main; 3 open issues.')\n")
    end = hook_script(
        project, "end.py", "open(data['cwd'] + '/ended.txt', 'w').write(data['hook_event_name'])\n"
    )
    hooks = {**one("SessionStart", start), **one("SessionEnd", end)}
    settings_hooks(config_dir / "settings.json", hooks)
    _, model, _ = run(project, [text("ok")])
    assert "Branch: main; 3 open issues." in json.dumps(model.requests[0]["messages"])
    assert (project / "ended.txt").read_text() == "SessionEnd"


def test_timeout_is_a_non_blocking_error(project: Path, config_dir: Path) -> None:
    cmd = hook_script(project, "slow.py", "import time; time.sleep(20)\n")
    settings_hooks(config_dir / "settings.json", one("PreToolUse", cmd, "Bash", timeout=1))
    _, model, events = run(project, [tool("bash", command="echo still-ran"), text("ok")])
    assert "still-ran" in tool_outputs(model)[0]
    assert any("timed out after 1s" in n for n in notices(events))


def test_hooks_run_in_the_sandbox(project: Path, config_dir: Path) -> None:
    from smallcode.permissions.sandbox import bwrap_works

    if not bwrap_works()[0]:
        pytest.skip("bubblewrap does not work here")
    body = "import os\nprint(json.dumps({'hookSpecificOutput': {'hookEventName': 'PostToolUse', 'additionalContext': 'sandbox=' + os.environ.get('SMALLCODE_SANDBOX_KIND', 'none')}}))\n"
    settings_hooks(
        config_dir / "settings.json", one("PostToolUse", hook_script(project, "where.py", body))
    )
    _, model, _ = run(project, [tool("read_file", path=".hooks/where.py"), text("ok")])
    assert "sandbox=bwrap" in tool_outputs(model)[0]


# ---------------------------------------------------------------------- units


def test_matchers() -> None:
    assert matcher_matches("", ("Bash", "bash"))
    assert matcher_matches("*", ("Read",))
    assert matcher_matches("Edit|Write", ("Write", "write_file"))
    assert matcher_matches("write_file", ("Write", "write_file"))
    assert not matcher_matches("Edit", ("Write", "write_file"))
    assert matcher_matches("mcp__memory__.*", ("mcp__memory__save",))
    assert not matcher_matches("mcp__memory__.*", ("mcp__other__save",))
    assert matcher_matches("Notebook.*", ("NotebookEdit",))


def test_parse_reports_bad_entries() -> None:
    problems: list[str] = []
    block = {
        "PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "prompt", "prompt": "x"}, {"type": "command"}]}
        ],
        "Nope": [],
        "Stop": "not a list",
    }
    assert parse_hooks(block, "s.json", problems) == []
    assert len(problems) == 4


@pytest.mark.parametrize(
    ("event", "code", "out", "err", "check"),
    [
        (
            "PreToolUse",
            2,
            "",
            "no",
            lambda o: o.blocked and o.reason == "no" and o.permission == "deny",
        ),
        ("PreToolUse", 0, '{"decision": "approve"}', "", lambda o: o.permission == "allow"),
        (
            "PreToolUse",
            0,
            '{"continue": false, "stopReason": "halt"}',
            "",
            lambda o: o.stop and o.stop_reason == "halt",
        ),
        (
            "PreToolUse",
            3,
            "",
            "boom",
            lambda o: not o.blocked and "failed (exit 3): boom" in o.notices[0],
        ),
        ("SessionStart", 0, "plain context", "", lambda o: o.context == ["plain context"]),
        ("PostToolUse", 0, "plain text", "", lambda o: o.context == [] and not o.blocked),
        (
            "SessionEnd",
            2,
            "",
            "cannot block",
            lambda o: not o.blocked and "cannot block" in o.notices[0],
        ),
        (
            "Stop",
            0,
            '{"systemMessage": "saved"}',
            "",
            lambda o: o.notices == ["saved"] and not o.blocked,
        ),
    ],
)
def test_interpret(event: str, code: int, out: str, err: str, check: Any) -> None:
    hook = HookCommand(event, "", "x", None, "test")
    assert check(interpret(event, HookRun(hook, code, out, err, 1.0)))


def test_pre_compact_hook_runs_before_a_compaction(project: Path, config_dir: Path) -> None:
    cmd = hook_script(
        project,
        "compact.py",
        "open(data['cwd'] + '/compacted.txt', 'a').write(data['trigger'] + '\\n')\n",
    )
    settings_hooks(config_dir / "settings.json", one("PreCompact", cmd, "auto"))
    model = ScriptedModel([text("ok")])
    with SmallCode(cwd=project, llm=model) as sc:
        sc.run("hello")
        agent = sc.agent
        agent.context.compact(agent.messages, agent.tool_schemas())
    assert (project / "compacted.txt").read_text() == "auto\n"


def test_notification_hook_when_the_user_is_asked(project: Path, config_dir: Path) -> None:
    import time

    from smallcode.agent.session import build_agent, close_agent
    from smallcode.config import Settings

    body = "open(data['cwd'] + '/notified.txt', 'w').write(data['notification_type'] + ': ' + data['message'])\n"
    settings_hooks(
        config_dir / "settings.json", one("Notification", hook_script(project, "n.py", body))
    )
    asked: list[str] = []

    def confirm(question: str) -> bool:
        return False

    def choose(req: Any) -> str:
        asked.append(req.subject)
        return "yes"

    confirm.choose = choose  # type: ignore[attr-defined]
    model = ScriptedModel([tool("bash", command="make -v"), text("ok")])
    agent = build_agent(Settings.load(project, {"sandbox": "off"}), provider=model, confirm=confirm)
    try:
        agent.run("show the make version")
    finally:
        close_agent(agent)
    assert asked == ["make -v"]
    deadline = time.monotonic() + 10
    while not (project / "notified.txt").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (project / "notified.txt").read_text() == (
        "permission_prompt: SmallCode needs your permission to use bash"
    )
