"""What one process stores, a later separate process reads back (memory, evidence, sessions)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

FIRST = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from smallcode.config import Settings
    from smallcode.events import EventBus
    from smallcode.project.context import start_evidence
    from smallcode.store.memory import MemoryStore
    from smallcode.store.sessions import SessionStore
    from smallcode.types import Message

    root = Path(sys.argv[1])
    settings = Settings.load(root)
    task = "upgrade the yaml parser used by the config loader"
    mem = MemoryStore.open(root, data_dir=settings.data_dir or None)
    mem.remember("gotcha", "YAML loader", "config/load.py must use yaml.safe_load, never yaml.load")
    mem.remember("convention", "Commits", "one topic per commit", scope="user")
    bus = EventBus()
    rec = start_evidence(root, settings, "first", task, bus)
    bus.emit("tool_end", name="bash", args={"command": "pip install pyyaml==7"}, ok=False,
             ms=900.0, id="1", output="ERROR: No matching distribution found for pyyaml==7")
    bus.emit("repair", name="bash", repairs=["unwrapped a JSON string argument"])
    rec.record_outcome(False, "stopped: the model kept retrying the same install")
    sessions = SessionStore.open(root)
    sessions.save("first", [Message("user", task), Message("assistant", "I could not finish.")])
    """
)

SECOND = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from smallcode.config import Settings
    from smallcode.project.context import task_context
    from smallcode.store.sessions import SessionStore

    root = Path(sys.argv[1])
    settings = Settings.load(root)
    ctx = task_context(root, settings, "the yaml config parser needs an upgrade", "second")
    latest = SessionStore.open(root).latest()
    print(json.dumps({"memory": ctx.memory, "failures": ctx.failures,
                      "latest": latest.info.id, "messages": len(latest.messages)}))
    """
)


def _run(code: str, root: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code, str(root)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_later_process_knows_what_failed_and_what_was_remembered(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    _run(FIRST, root)
    out = json.loads(_run(SECOND, root))
    assert "yaml.safe_load" in out["memory"]
    assert "one topic per commit" in out["memory"]  # the user store, via SMALLCODE_DATA_DIR
    assert "No matching distribution found for pyyaml==7" in out["failures"]
    assert "kept retrying the same install" in out["failures"]
    assert "unwrapped a JSON string argument" in out["failures"]
    assert out["latest"] == "first" and out["messages"] == 2
