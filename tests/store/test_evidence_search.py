"""What was tried, what worked and what failed, searchable across sessions; a failing bash
command is a failure (evidence and trust decay); a run is a success in the store only when
its completion checks held."""

from __future__ import annotations

import json
import types

from smallcode import SmallCode
from smallcode.agent.guards.trust import TrustDecay
from smallcode.store.evidence import EvidenceStore
from tests.agent.conftest import after, call, make_state
from tests.fakes.openai_server import script, text, tool


def base_args(srv) -> list[str]:  # type: ignore[no-untyped-def]
    return ["--base-url", srv.base_url, "-m", "fake-model", "--non-interactive"]


def test_failing_command_is_recorded_as_a_failure_and_searchable(project, fake_server, cli):
    srv = fake_server(
        script(
            [
                tool("bash", command="python -c 'import nosuchmodule_xyz'"),
                tool("bash", command="echo fine"),
                text("Tried it."),
            ]
        )
    )
    r = cli([*base_args(srv), "-P", "check whether nosuchmodule_xyz imports"], project)
    assert r.returncode in (0, 1), r.stderr
    store = EvidenceStore.open(project)
    try:
        rows = [e for e in store.conn.execute("SELECT tool, ok, error FROM evidence")]
    finally:
        store.close()
    bash = [(row["ok"], row["error"]) for row in rows if row["tool"] == "bash"]
    assert bash[0][0] == 0 and "[exit code: 1]" in bash[0][1]
    assert bash[1][0] == 1
    # across sessions, from the command line
    s = cli(["evidence", "search", "nosuchmodule_xyz"], project)
    assert s.returncode == 0, s.stderr
    assert "bash(command=python -c 'import nosuchmodule_xyz') failed: " in s.stdout
    j = cli(["evidence", "search", "nosuchmodule_xyz", "--failures", "--json"], project)
    assert all(
        row["ok"] in (False, None) or row["kind"] == "repair" for row in json.loads(j.stdout)
    )


def test_evidence_command_in_the_repl_and_an_empty_project(project, fake_server, cli):
    from smallcode.ui import commands, insight_commands  # noqa: F401

    r = cli(["evidence", "search", "anything"], project)
    assert r.returncode == 1 and "nothing recorded" in r.stderr
    assert not (project / ".smallcode" / "smallcode.db").exists()
    srv = fake_server(script([tool("bash", command="false"), text("done")]))
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project) as sc:
        sc.run("run false to see it fail")
        ui = types.SimpleNamespace(agent=sc.agent, settings=sc.settings)
        out = commands.dispatch(ui, "/evidence false --failures")
        usage = commands.dispatch(ui, "/evidence")
    assert out is not None and "bash(command=false) failed: (no output) [exit code: 1]" in out
    assert usage is not None and usage.startswith("Usage")


def test_trust_decay_counts_failing_commands(tmp_path):
    state = make_state(tmp_path)
    trust = TrustDecay(demote_at=3, remove_at=5)
    c = call("bash", command="pytest -q")
    for _ in range(2):
        trust.observe(after(state, c, ok=True, output="1 failed\n[exit code: 1]"))
    assert trust.fails["bash"] == 2
    trust.observe(after(state, c, ok=True, output="ok\n[exit code: 0]"))
    assert trust.fails["bash"] == 0


def test_success_in_the_store_only_when_checks_held(project, fake_server):
    srv = fake_server(script([text("Done, created it.")]))  # claims work, changes nothing
    with SmallCode(model="fake", base_url=srv.base_url, cwd=project, verify_max_reasks=0) as sc:
        result = sc.run("create notes.md with a title")
    assert result.stop_reason == "unverified"
    srv2 = fake_server(script([text("The answer is 4.")]))
    with SmallCode(model="fake", base_url=srv2.base_url, cwd=project, verify=False) as sc:
        sc.run("create todo.md with a title")  # no check ran: not counted as a success
    store = EvidenceStore.open(project)
    try:
        outcomes = [
            (row["task"], row["ok"], row["error"])
            for row in store.conn.execute("SELECT * FROM evidence WHERE kind='outcome'")
        ]
    finally:
        store.close()
    assert outcomes[0][0] == "create notes.md with a title" and outcomes[0][1] == 0
    assert outcomes[1][1] is None and "unverified" in outcomes[1][2]
