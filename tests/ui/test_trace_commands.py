"""/trace and /eval in the REPL (through the command registry)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from smallcode import SmallCode
from smallcode.ui import commands, trace_commands  # noqa: F401  (registers /trace and /eval)
from tests.fakes.openai_server import script, text, tool


class FakeUI:
    def __init__(self, sc: SmallCode) -> None:
        self.agent = sc.agent
        self.settings = sc.settings


def test_trace_and_eval_commands(project: Path, fake_server: Any) -> None:
    srv = fake_server(
        script([tool("write_file", path="a.txt", content="a\n"), text("Wrote a.txt.")])
    )
    sc = SmallCode(model="fake-model", base_url=srv.base_url, cwd=project)
    try:
        ui: Any = FakeUI(sc)
        assert "No traces yet" in (commands.dispatch(ui, "/trace") or "")
        sc.run("write a.txt")
        listed = commands.dispatch(ui, "/trace list") or ""
        assert "write a.txt" in listed and "fake-model" in listed
        assert "## Task: write a.txt" in (commands.dispatch(ui, "/trace view last") or "")
        traj = commands.dispatch(ui, "/trace export last --format traj") or ""
        assert "mini-swe-agent-1.1" in traj
        made = commands.dispatch(ui, "/trace test last") or ""
        assert "tests/smallcode_traces/test_trace_" in made
        assert "Usage" in (commands.dispatch(ui, "/trace view") or "")
        assert "No eval suites" in (commands.dispatch(ui, "/eval") or "")
        evals = project / ".smallcode" / "evals"
        evals.mkdir(parents=True)
        (evals / "one.yaml").write_text(
            "tests: [{vars: {task: say hi}, assert: [{type: icontains, value: wrote}]}]\n"
        )
        assert "one.yaml" in (commands.dispatch(ui, "/eval") or "")
        ran = commands.dispatch(ui, "/eval one.yaml") or ""
        assert "1/1 cases passed" in ran
        assert "cannot read" in (commands.dispatch(ui, "/eval missing.yaml") or "")
    finally:
        sc.close()
