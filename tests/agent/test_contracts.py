"""Definition-of-Done contracts against the fake server: a pass is never taken on the model's
word, an unmet contract costs exactly 2 extra requests and then exit 1 (contract_unmet), a
user's contract is enforced and cannot be replaced or skipped, and the modes switch the tools
and the guard as documented."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from smallcode.agent.contract_store import (
    normalize_assertions,
    normalize_id,
    parse_assertion_text,
    parse_contract_md,
)
from smallcode.agent.session import build_registry
from smallcode.config import Settings
from tests.agent.conftest import Run
from tests.fakes.openai_server import FakeReply, script, text
from tests.fakes.openai_server import tool as call

PY = shlex.quote(sys.executable)
CHECK = f'{PY} -c "import app; assert app.f() == 2"'
WRONG = "def f():\n    return 3\n"
RIGHT = "def f():\n    return 2\n"
CONTRACT_TOOLS = {
    "contract_create",
    "contract_status",
    "contract_assert_pass",
    "contract_assert_fail",
    "contract_assert_skip",
}


def tool_names(body: dict[str, Any]) -> list[str]:
    return [t["function"]["name"] for t in body.get("tools", [])]


def tool_outputs(body: dict[str, Any]) -> list[str]:
    return [m["content"] for m in body["messages"] if m["role"] == "tool"]


def create(*assertions: dict[str, str], title: str = "f returns 2") -> FakeReply:
    return call("contract_create", title=title, assertions=list(assertions))


def claim(app: str) -> list[FakeReply]:
    """Create the contract, write app.py, claim a pass with an invented exit code."""
    return [
        create({"description": "f() returns 2", "command": CHECK}),
        call("write_file", path="app.py", content=app),
        call(
            "contract_assert_pass",
            assertion_id="a01",
            evidence="ran the check: exit code 0",
            exit_code=0,  # not in the schema: dropped by the argument repair, never believed
        ),
        text("All done!"),
    ]


def user_contract(project: Path, body: str) -> Path:
    path = project / ".smallcode" / "contract.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    return path


# ---------------------------------------------------------------- a pass is never taken on word


def test_invented_pass_is_a_recorded_fail_and_two_notes_then_contract_unmet(
    project: Path, run_agent
) -> None:  # type: ignore[no-untyped-def]
    r: Run = run_agent(script(claim(WRONG)), "make f return 2", contract="true")
    res = r.result
    assert res.exit_code == 1 and res.stop_reason == "contract_unmet"
    assert not res.success
    # claim(...) ends with "All done!" at request 4: the guard adds exactly 2 requests.
    assert len(r.requests) == 6
    refused = tool_outputs(r.requests[3])[-1]
    assert "NOT passed" in refused and "exited 1" in refused and "AssertionError" in refused
    note1, note2 = r.last_content(4), r.last_content(5)
    assert "note 1 of 2" in note1 and "a01 failed" in note1 and "AssertionError" in note1
    assert "note 2 of 2" in note2
    assert len(note1) <= 800 and len(note2) <= 800
    rec = res.workflows["contract"]
    a01 = rec["assertions"][0]
    assert a01["status"] == "failed" and a01["verified"] and a01["exit_code"] == 1
    assert a01["by"] == "harness" and "exit code 0" in a01["evidence"]
    assert "AssertionError" in a01["output"]
    assert rec["status"] == "active" and rec["notes"] == 2 and rec["owner"] == "model"
    actions = [e["action"] for e in r.guard_events("contract")]
    assert actions.count("continue") == 2 and actions[-1] == "stop"
    # the state is on disk, with a readable copy
    folder = project / ".smallcode" / "contracts" / rec["id"]
    state = json.loads((folder / "state.json").read_text())
    assert state["assertions"][0]["status"] == "failed"
    assert "- [ ] a01 f() returns 2" in (folder / "contract.md").read_text()
    log = [json.loads(x) for x in (folder / "log.jsonl").read_text().splitlines()]
    assert any(e["event"] == "check" and e["claim"] == "pass" for e in log)


def test_without_notes_the_same_run_stops_at_once(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(script(claim(WRONG)), "make f return 2", contract="true", contract_max_reasks=0)
    assert r.result.stop_reason == "contract_unmet" and len(r.requests) == 4


def test_correct_work_passes_and_exits_0(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(script(claim(RIGHT)), "make f return 2", contract="true")
    assert r.result.exit_code == 0 and r.result.stop_reason == "done"
    assert len(r.requests) == 4
    assert "a01 passed: the harness ran" in tool_outputs(r.requests[3])[-1]
    rec = r.result.workflows["contract"]
    assert rec["status"] == "met" and rec["counts"]["passed"] == 1 and rec["notes"] == 0


def test_the_harness_checks_pending_assertions_itself(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    """No contract_assert_pass needed: the checks run when the model stops, and a fix after
    the first note ends the run as done."""
    steps = [
        create({"description": "f() returns 2", "command": CHECK}),
        call("write_file", path="app.py", content=WRONG),
        text("Done."),
        call("write_file", path="app.py", content=RIGHT),
        text("Fixed."),
    ]
    r = run_agent(script(steps), "make f return 2", contract="true")
    assert r.result.exit_code == 0 and len(r.requests) == 5
    assert "note 1 of 2" in r.last_content(3)
    assert r.result.workflows["contract"]["status"] == "met"


def test_a_pass_made_stale_by_a_later_change_is_checked_again(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    steps = [
        *claim(RIGHT)[:3],
        call("write_file", path="app.py", content=WRONG),
        text("All done!"),
    ]
    r = run_agent(script(steps), "make f return 2", contract="true")
    assert r.result.stop_reason == "contract_unmet"
    assert "a01 failed" in r.last_content(5)


def test_assertion_without_command_passes_on_evidence_unverified(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    steps = [
        create({"description": "the README explains f"}),
        call("contract_assert_pass", assertion_id="1", evidence=""),
        call("contract_assert_pass", assertion_id="a1", evidence="README.md has a section on f"),
        call("contract_status"),
        text("Done."),
    ]
    r = run_agent(script(steps), "document f", contract="true", verify=False)
    assert r.result.exit_code == 0
    outs = tool_outputs(r.requests[4])
    assert "no command: give evidence" in outs[1]
    assert "unverified" in outs[2]
    assert "passed, unverified: the model's word" in outs[3]
    a01 = r.result.workflows["contract"]["assertions"][0]
    assert a01["status"] == "passed" and not a01["verified"] and a01["by"] == "model"


def test_model_may_not_dodge_its_own_unmet_contract(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    steps = [
        create({"description": "f() returns 2", "command": CHECK}),
        create({"description": "app.py exists", "command": "test -f app.py"}, title="easy"),
        call("contract_assert_skip", assertion_id="a01", reason="cannot run python here"),
        text("Done."),
    ]
    r = run_agent(script(steps), "make f return 2", contract="true", verify=False)
    outs = tool_outputs(r.requests[3])
    assert "unmet assertions" in outs[1]
    assert "a01 skipped" in outs[2]
    rec = r.result.workflows["contract"]
    assert r.result.exit_code == 0 and rec["title"] == "f returns 2"
    assert rec["assertions"][0]["status"] == "skipped"


# ---------------------------------------------------------------- the user's contract


USER_MD = f"""# Ship f

f must return 2 and be documented.

- [ ] f returns 2: `{CHECK}`
- [ ] the README mentions f
"""


def test_user_contract_md_is_parsed_offered_and_enforced(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    user_contract(project, USER_MD)
    steps = [
        call("write_file", path="app.py", content=RIGHT),
        text("Done."),
        call("contract_assert_pass", assertion_id="a02", evidence="README.md: 'f returns 2'"),
        text("Done."),
    ]
    r = run_agent(script(steps), "make f return 2")  # contract=auto: the file turns it on
    assert set(tool_names(r.requests[0])) >= CONTRACT_TOOLS
    told = r.request_text(0)  # the model hears of the contract with the task
    assert 'Contract \\"Ship f\\" is active' in told and "a02 the README mentions f" in told
    note = r.last_content(2)
    assert "a02 pending: the README mentions f (no command" in note and "a01" not in note
    assert r.result.exit_code == 0 and len(r.requests) == 4
    rec = r.result.workflows["contract"]
    assert rec["id"] == "contract-md" and rec["owner"] == "user" and rec["title"] == "Ship f"
    assert [a["status"] for a in rec["assertions"]] == ["passed", "passed"]
    assert rec["assertions"][0]["verified"] and not rec["assertions"][1]["verified"]
    assert (project / ".smallcode" / "contracts" / ".active").read_text().strip() == "contract-md"


def test_model_cannot_replace_skip_or_edit_a_user_contract(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    md = user_contract(project, USER_MD)
    steps = [
        create({"description": "nothing", "command": "true"}, title="mine"),
        call("contract_assert_skip", assertion_id="a01", reason="not needed"),
        call("write_file", path=".smallcode/contract.md", content="- [x] done\n"),
        call("write_file", path=".smallcode/contract.md", content="- [x] done\n"),  # insists
        call("bash", command="rm -rf .smallcode/contracts .smallcode/contract.md"),
        call("patch", path=".smallcode/contracts/contract-md/state.json", old_str="a", new_str="b"),
        text("All done!"),
    ]
    r = run_agent(script(steps), "make f return 2")
    outs = tool_outputs(r.requests[6])
    assert "cannot be replaced" in outs[0]
    assert "user's check: it cannot be skipped" in outs[1]
    assert "Not written" in outs[2]  # the write guard speaks first; the contract guard after
    assert all("hold the contract" in o for o in outs[3:6])
    assert md.read_text() == USER_MD
    assert (project / ".smallcode" / "contracts" / "contract-md" / "state.json").is_file()
    assert r.result.stop_reason == "contract_unmet" and r.result.exit_code == 1
    assert len(r.requests) == 9
    rec = r.result.workflows["contract"]
    assert rec["id"] == "contract-md" and {a["status"] for a in rec["assertions"]} == {
        "failed",
        "pending",
    }


def test_checked_lines_count_as_done_and_edits_reimport(project: Path) -> None:
    from smallcode.agent.contracts import ContractSession
    from smallcode.events import EventBus

    md = user_contract(project, "- [x] set up\n- [ ] works: `true`\n")
    s = ContractSession(project, Settings.load(project), EventBus())
    s.refresh()
    assert s.active is not None and s.active.title == "contract.md"
    assert [a.status for a in s.active.assertions] == ["passed", "pending"]
    s.recheck()
    assert s.active.status == "met"
    md.write_text("- [x] set up\n- [ ] works: `true`\n- [ ] also: `false`\n")
    s.refresh()
    assert [a.status for a in s.active.assertions] == ["passed", "passed", "pending"]
    md.unlink()
    s.refresh()
    assert s.active is None


# ---------------------------------------------------------------- modes


def test_contract_false_means_no_tools_and_no_guard(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    user_contract(project, USER_MD)
    r = run_agent(script([text("All done!")]), "explain app.py", contract="false")
    assert not CONTRACT_TOOLS & set(tool_names(r.requests[0]))
    assert r.result.exit_code == 0 and len(r.requests) == 1
    assert "contract" not in r.result.workflows
    assert not (project / ".smallcode" / "contracts").exists()


def test_default_tool_list_is_unchanged(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(script([text("Hello.")]), "say hello")
    core = build_registry(Settings.load(project)).names()
    assert tool_names(r.requests[0]) == core
    assert r.result.workflows["contract"] == {
        "status": "none",
        "mode": "auto",
        "notes": 0,
        "max_notes": 2,
    }


def test_contract_true_offers_the_tools_without_a_contract(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(script([text("Hello.")]), "say hello", contract="true")
    assert set(tool_names(r.requests[0])) >= CONTRACT_TOOLS
    assert r.result.exit_code == 0 and len(r.requests) == 1


def test_prompt_floor_with_contracts_on(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    """System prompt + every schema (chars/4, as benchmarks/bench_context.py) within 1,200."""
    from smallcode import SmallCode
    from smallcode.types import Message

    srv = fake_server(script([text("ok")]))
    sc = SmallCode(model="fake", base_url=srv.base_url, cwd=project, contract="true")
    try:
        agent = sc.agent
        floor = len(json.dumps([Message("system", agent.messages[0].content).to_openai()])) // 4
        floor += len(json.dumps(agent.tool_schemas())) // 4
    finally:
        sc.close()
    assert floor <= 1200


# ---------------------------------------------------------------- parsing


def test_parsers() -> None:
    assert parse_assertion_text("tests pass: `pytest -q`") == ("tests pass", "pytest -q")
    assert parse_assertion_text("`app.f()` returns 2") == ("`app.f()` returns 2", "")
    assert parse_assertion_text("`pytest -q`") == ("pytest -q", "pytest -q")
    title, brief, items = parse_contract_md(USER_MD)
    assert title == "Ship f" and brief == "f must return 2 and be documented."
    assert items == [("f returns 2", CHECK, False), ("the README mentions f", "", False)]
    want = [("tests pass", "pytest -q")]
    assert normalize_assertions([{"description": "tests pass", "command": "pytest -q"}]) == want
    assert normalize_assertions([{"desc": "tests pass", "cmd": "pytest -q"}]) == want
    assert normalize_assertions(["tests pass: `pytest -q`"]) == want
    assert normalize_assertions('[{"description": "tests pass", "command": "pytest -q"}]') == want
    assert normalize_assertions("- tests pass: `pytest -q`\n- docs") == [*want, ("docs", "")]
    assert normalize_assertions([{"description": "x", "check": {"command": "true"}}]) == [
        ("x", "true")
    ]
    assert normalize_assertions([]) == [] and normalize_assertions(None) == []
    assert [normalize_id(x) for x in ("a1", "A01", "1", "a01: tests")] == ["a01"] * 4


# ---------------------------------------------------------------- the CLI


@pytest.mark.timeout(120)
def test_cli_json_reports_contract_unmet(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script(claim(WRONG)))
    out = cli(
        ["--base-url", srv.base_url, "-m", "fake", "--contract", "--json", "-P", "make f return 2"],
        project,
    )
    assert out.returncode == 1, out.stderr
    result = json.loads(out.stdout)
    assert result["stop_reason"] == "contract_unmet" and result["exit_code"] == 1
    assert result["workflows"]["contract"]["assertions"][0]["status"] == "failed"
    assert len(srv.requests) == 6
