"""Benchmark of the context budget: prompt floor, prefix reuse, requests per trivial task, and
an 8K-window reading session (figures, not timed tests).

    python benchmarks/bench_context.py           # a table
    python benchmarks/bench_context.py --json

Sessions run against the scripted fake OpenAI server (tests/fakes) over real HTTP, so the
figures count exactly what a server would receive. Token counts are chars/4 of the request
JSON, the same measure the fake server reports as prompt_tokens.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.openai_server import FakeOpenAIServer, FakeReply, text, tool  # noqa: E402

from smallcode import SmallCode  # noqa: E402
from smallcode.agent.session import build_registry, build_system_prompt  # noqa: E402
from smallcode.config import Settings  # noqa: E402
from smallcode.types import Message  # noqa: E402

FLOOR_TARGET = 1200


def tokens(obj: Any) -> int:
    return len(json.dumps(obj)) // 4


def prompt_floor(root: Path) -> dict[str, Any]:
    settings = Settings.load(root)
    system = build_system_prompt(settings)
    schemas = build_registry(settings).schemas()
    per_tool = {s["function"]["name"]: tokens(s) for s in schemas}
    sys_tokens = tokens([Message("system", system).to_openai()])
    total = sys_tokens + tokens(schemas)
    return {
        "system_prompt_tokens": sys_tokens,
        "tool_schema_tokens": tokens(schemas),
        "tools": per_tool,
        "floor_tokens": total,
        "target": FLOOR_TARGET,
        "under_target": total <= FLOOR_TARGET,
    }


# Each workflow mode turned on alone (its tools join at the session start).
MODES: dict[str, dict[str, Any]] = {
    "plan": {"plan": "true"},
    "tdd": {"tdd": True},
    "contract": {"contract": "true"},
    "web": {"web_browse": True},  # web_search + web_fetch (smallcode[web])
}


def mode_floors(root: Path) -> dict[str, Any]:
    """The prompt floor of a session with one workflow mode on (no request is sent)."""
    out: dict[str, Any] = {}
    with FakeOpenAIServer(lambda body, n: text("ok")) as srv:
        for mode, settings in MODES.items():
            sc = SmallCode(model="fake", base_url=srv.base_url, cwd=root, **settings)
            try:
                agent = sc.agent
                schemas = agent.tool_schemas()
                total = tokens([agent.messages[0].to_openai()]) + tokens(schemas)
            finally:
                sc.close()
            out[mode] = {
                "floor_tokens": total,
                "tools": len(schemas),
                "under_target": total <= FLOOR_TARGET,
            }
    return out


def _session(root: Path, steps: list[FakeReply], task: str, **settings: Any) -> dict[str, Any]:
    state = {"n": 0}

    def policy(body: dict[str, Any], n: int) -> FakeReply:
        if "tools" not in body:  # a compaction summary request
            return text("Summary: read the modules under pkg/; handlers call compute_something.")
        step = steps[min(state["n"], len(steps) - 1)]
        state["n"] += 1
        return step

    with FakeOpenAIServer(policy, n_ctx=settings.pop("n_ctx", 8192)) as srv:
        sc = SmallCode(model="fake", base_url=srv.base_url, cwd=root, **settings)
        result = sc.run(task)
        ctx = sc.agent.context
        window = ctx.window
        sc.close()
        bodies = srv.requests
    main = [b for b in bodies if "tools" in b]
    return {
        "success": result.success,
        "requests_total": len(bodies),
        "requests_main": len(main),
        "side_requests": len(bodies) - len(main),
        "prefix_reuse": result.prefix_reuse,
        "prefix_reuse_per_request": round(ctx.prefix_reuse_mean(), 3),
        "prefix_kept": round(ctx.prefix_kept(), 3),
        "compactions": ctx.compactions,
        "max_request_share_of_window": round(
            max(tokens(b) + b.get("max_tokens", 0) for b in bodies) / window, 3
        ),
        "prompt_tokens": result.usage.prompt_tokens,
    }


def trivial_task(root: Path) -> dict[str, Any]:
    steps = [
        tool("write_file", path="hello.py", content="print('hello')\n"),
        text("Created hello.py."),
    ]
    return _session(root, steps, "create hello.py that prints hello")


def multi_step(root: Path) -> dict[str, Any]:
    (root / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    steps = [
        tool("find_files", pattern="*.py"),
        tool("read_file", path="calc.py"),
        tool("patch", path="calc.py", old_str="return a - b", new_str="return a + b"),
        tool(
            "write_file",
            path="test_calc.py",
            content="from calc import add\n\nassert add(2, 3) == 5\n",
        ),
        tool("bash", command="python test_calc.py && echo ok"),
        tool("search", pattern="def add"),
        tool("read_file", path="test_calc.py"),
        text("Fixed add() and added a test."),
    ]
    return _session(root, steps, "fix add() in calc.py and add a test")


def plan_session(root: Path) -> dict[str, Any]:
    """A three-step plan (plan mode on): todo_write before and after each step."""
    names = ["Create calc.py with add and sub", "Write test_calc.py", "Write README.md"]

    def plan(*status: str) -> list[dict[str, str]]:
        return [
            {"id": str(i), "content": c, "status": st}
            for i, (c, st) in enumerate(zip(names, status, strict=True), start=1)
        ]

    steps = [
        tool("todo_write", todos=plan("in_progress", "pending", "pending")),
        tool("write_file", path="calc.py", content="def add(a, b):\n    return a + b\n"),
        tool("todo_write", todos=plan("completed", "in_progress", "pending")),
        tool(
            "write_file",
            path="test_calc.py",
            content="from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n",
        ),
        tool("todo_write", todos=plan("completed", "completed", "in_progress")),
        tool("write_file", path="README.md", content="# calc\n"),
        tool("todo_write", todos=plan("completed", "completed", "completed")),
        text("Created calc.py, its test and a README."),
    ]
    task = "Create calc.py with add and sub, write test_calc.py, and write a README.md"
    return _session(root, steps, task, plan="auto")


def reading_8k(root: Path, files: int = 12) -> dict[str, Any]:
    (root / "pkg").mkdir()
    steps: list[FakeReply] = []
    for i in range(files):
        body = []
        for k in range(60):
            body += [
                f"def handler_{i}_{k}(request, options=None):",
                f"    value = compute_something(request, {k}) + {i}",
                "    return value",
                "",
            ]
        (root / "pkg" / f"mod{i}.py").write_text("\n".join(body))
        steps += [
            tool("read_file", path=f"pkg/mod{i}.py"),
            tool("read_file", path=f"pkg/mod{i}.py", start_line=1, end_line=150),
            tool("bash", command=f"cat pkg/mod{i}.py"),
        ]
    steps.append(text("Read every module."))
    return _session(root, steps, "read all modules in pkg/", max_turns=80, n_ctx=8192)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    figures: dict[str, Any] = {}
    for name, fn in (
        ("prompt_floor", prompt_floor),
        ("mode_floors", mode_floors),
        ("trivial_task", trivial_task),
        ("multi_step", multi_step),
        ("plan_session", plan_session),
        ("reading_8k", reading_8k),
    ):
        with tempfile.TemporaryDirectory() as d:
            figures[name] = fn(Path(d))
    from benchmarks.extension_floors import describe, extension_floors

    figures["extension_floors"] = extension_floors()  # hooks/MCP/skills (plugins/)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    f = figures["prompt_floor"]
    print(
        f"Prompt floor: {f['floor_tokens']} tokens (system {f['system_prompt_tokens']}, "
        f"tools {f['tool_schema_tokens']}; target <= {f['target']})"
    )
    print("  per tool: " + ", ".join(f"{k} {v}" for k, v in f["tools"].items()))
    print(
        "  with one mode on: "
        + ", ".join(
            f"{m} {v['floor_tokens']} ({v['tools']} tools)"
            for m, v in figures["mode_floors"].items()
        )
    )
    for name in ("trivial_task", "multi_step", "plan_session", "reading_8k"):
        s = figures[name]
        print(
            f"{name}: success={s['success']} requests={s['requests_main']} "
            f"(+{s['side_requests']} side) prefix_reuse={s['prefix_reuse']:.0%} "
            f"(per request {s['prefix_reuse_per_request']:.0%}, previous request kept "
            f"{s['prefix_kept']:.0%}) "
            f"compactions={s['compactions']} max_request={s['max_request_share_of_window']:.0%} "
            f"of window, prompt_tokens={s['prompt_tokens']:,}"
        )
    print("\n".join(describe(figures["extension_floors"])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
