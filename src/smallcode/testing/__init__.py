"""Testing helpers for SmallCode users: a scripted model and session replay.

from smallcode import SmallCode
from smallcode.testing import ScriptedModel, text, tool

model = ScriptedModel([tool("write_file", path="a.py", content="x = 1\\n"), text("Done.")])
with SmallCode(cwd=tmp_path, llm=model) as agent:
    assert agent.run("create a.py").success

from smallcode.testing import replay   # what `smallcode trace test ID` generates uses
run = replay("tests/smallcode_traces/trace_ID.json", tmp_path)
assert run.exit_codes == [0]
"""

from smallcode.testing.replay import ReplayRun, args_hash, replay, replay_data
from smallcode.testing.scripted import (
    END_OF_SCRIPT,
    ScriptedCall,
    ScriptedModel,
    ScriptedReply,
    calls,
    text,
    tool,
)

__all__ = [
    "END_OF_SCRIPT",
    "ReplayRun",
    "ScriptedCall",
    "ScriptedModel",
    "ScriptedReply",
    "args_hash",
    "calls",
    "replay",
    "replay_data",
    "text",
    "tool",
]
