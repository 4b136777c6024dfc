"""Prompt floors with extensions declared, for bench_context.py.

For each window (8K, 32K) and each case (no extension, one MCP server of 20 tools, 30 skills)
a session answers one trivial task with a scripted model; the figures count what its first
request carried: the system prompt and tool schemas (the floor every request repeats) and the
task's extension context (the skills catalog, sent once with the task). chars/4 tokens.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FAKE_MCP = ROOT / "tests" / "plugins" / "fake_mcp_server.py"
WINDOWS = (8192, 32768)
TASK = "extract the tables from report.pdf into a CSV file"


def tokens(obj: Any) -> int:
    return len(json.dumps(obj)) // 4


def _skills(root: Path) -> None:
    from tests.plugins.test_skills import TOPICS

    for name, desc in TOPICS[:30]:
        d = root / ".claude" / "skills" / name
        d.mkdir(parents=True)
        (d / "SKILL.md").write_text(f"---\nname: {name}\ndescription: {desc}\n---\nSteps.\n")


def _mcp(config: Path) -> None:
    servers = {"srv": {"command": sys.executable, "args": [str(FAKE_MCP), "--tools", "20"]}}
    (config / "mcp.json").write_text(json.dumps({"mcpServers": servers}))


def _one(case: str, window: int) -> dict[str, Any]:
    from smallcode import SmallCode
    from smallcode.testing import ScriptedModel, text

    with tempfile.TemporaryDirectory() as d:
        root, config = Path(d) / "proj", Path(d) / "config"
        root.mkdir()
        config.mkdir()
        (root / ".git").mkdir()  # the skills walk stops here
        if case == "mcp_20_tools":
            _mcp(config)
        if case == "skills_30":
            _skills(root)
        old = {k: os.environ.get(k) for k in ("SMALLCODE_CONFIG_DIR", "SMALLCODE_DATA_DIR", "HOME")}
        os.environ.update(
            SMALLCODE_CONFIG_DIR=str(config), SMALLCODE_DATA_DIR=str(Path(d) / "data"), HOME=d
        )
        try:
            model = ScriptedModel([text("ok")], window=window)
            with SmallCode(cwd=root, llm=model) as sc:
                sc.run(TASK)
                schemas = sc.agent.tool_schemas()
                session = sc.agent.ctx.extras.get("extensions")
                hub = session.ext.hub if session is not None else None
                mode = hub.mode if hub is not None else ""
                direct = sum(t.tokens for t in hub.tools()) if hub is not None else 0
            first = model.requests[0]["messages"]
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    system, tools = tokens([first[0]]), tokens(schemas)
    context = [m for m in first[1:] if m["role"] == "user" and m["content"] != TASK]
    ext_tokens = 0
    for m in context:
        at = m["content"].find("Skills (call skill(name)")
        if at >= 0:
            ext_tokens += len(m["content"][at:].split("\n\n")[0]) // 4
    mcp_tokens = tokens([s for s in schemas if s["function"]["name"].startswith("mcp")])
    return {
        "floor_tokens": system + tools,
        "system_tokens": system,
        "tool_schema_tokens": tools,
        "tools": len(schemas),
        "mcp_schema_tokens": mcp_tokens,
        "mcp_share_of_window": round(mcp_tokens / window, 4),
        "mcp_mode": mode,  # direct, or search (mcp_search + mcp_call)
        "mcp_direct_tokens": direct,  # what offering every tool directly would cost
        "skills_catalog_tokens": ext_tokens,
        "skills_share_of_window": round(ext_tokens / window, 4),
    }


def extension_floors() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for window in WINDOWS:
        for case in ("none", "mcp_20_tools", "skills_30"):
            out[f"{case}@{window // 1024}K"] = _one(case, window)
    return out


def describe(figures: dict[str, Any]) -> list[str]:
    lines = ["With extensions (floor = system prompt + tool schemas; per task = skills catalog):"]
    for key, f in figures.items():
        extra = ""
        if f["mcp_schema_tokens"]:
            extra += (
                f", MCP {f['mcp_mode']}: {f['mcp_schema_tokens']} tokens "
                f"({f['mcp_share_of_window']:.1%}; all 20 directly {f['mcp_direct_tokens']})"
            )
        if f["skills_catalog_tokens"]:
            extra += f", catalog {f['skills_catalog_tokens']} ({f['skills_share_of_window']:.1%})"
        lines.append(f"  {key:18} floor {f['floor_tokens']} tokens, {f['tools']} tools{extra}")
    return lines
