"""Benchmark of permissions and the sandbox (figures, not timed tests).

    python benchmarks/bench_sandbox.py            # a table
    python benchmarks/bench_sandbox.py --json

- **per-call overhead**: ``true`` run N times in the persistent shell, unsandboxed, in
  bubblewrap and under Landlock (where they work); the overhead is the difference of medians.
- **permission check**: the parse and decision for one typical command, in microseconds.
- **50 MB of output**: the bash tool on a command printing 50 MB, against the same command with
  its output sent to /dev/null.
- **approvals per task**: twelve small scripted tasks (typical small-model command sequences)
  through the real agent and the fake OpenAI server, in the default interactive mode with an
  approver that says yes and counts; with the sandbox on, and off.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.openai_server import FakeOpenAIServer, FakeReply, script, text, tool  # noqa: E402

from smallcode.config import Settings  # noqa: E402
from smallcode.permissions import sandbox as sb  # noqa: E402
from smallcode.permissions.engine import Policy  # noqa: E402
from smallcode.tools.shellsession import PersistentShell  # noqa: E402


def git_project() -> Path:
    root = Path(tempfile.mkdtemp(prefix="bench-sandbox-", dir="/var/tmp"))
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "config", "user.email", "b@example.com"], cwd=root, check=True)
    subprocess.run(["git", "config", "user.name", "Bench"], cwd=root, check=True)
    (root / "app.py").write_text("def add(a, b):\n    return a + b\n")
    (root / "test_app.py").write_text(
        "from app import add\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    )
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "init"], cwd=root, check=True)
    return root


def kinds() -> list[str]:
    out = ["off"]
    if sb.bwrap_works()[0]:
        out.append("bwrap")
    if sb.landlock_abi() >= 1:
        out.append("landlock")
    return out


def per_call(root: Path, n: int) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for kind in kinds():
        shell = PersistentShell(root, sandbox=sb.Sandbox(kind, root))
        t0 = time.perf_counter()
        shell.run("true", 30)
        start_ms = (time.perf_counter() - t0) * 1000
        for _ in range(10):
            shell.run("true", 10)
        times = []
        for _ in range(n):
            t = time.perf_counter()
            shell.run("true", 10)
            times.append((time.perf_counter() - t) * 1000)
        shell.close(quiet=True)
        rows[kind] = {
            "start_ms": round(start_ms, 1),
            "median_ms": round(statistics.median(times), 3),
        }
    base = rows["off"]["median_ms"]
    for row in rows.values():
        row["overhead_ms"] = round(row["median_ms"] - base, 3)
    return rows


def check_cost(root: Path, n: int = 2000) -> float:
    policy = Policy(root, sandboxed=True)
    cmd = "cd src && python -m pytest -q tests/ | tail -n 20 && git diff --stat"
    policy.bash(cmd, root)
    t = time.perf_counter()
    for _ in range(n):
        policy.bash(cmd, root)
    return round((time.perf_counter() - t) / n * 1e6, 1)


def big_output(root: Path) -> dict[str, Any]:
    from smallcode.tools.registry import ToolContext
    from smallcode.tools.shell import bash

    produce = "head -c 50000000 /dev/zero | tr '\\0' 'a' | fold -w 100"
    out: dict[str, Any] = {}
    for kind in kinds():
        ctx = ToolContext(root=root, settings=Settings.load(root))
        ctx.extras["sandbox"] = sb.Sandbox(kind, root)
        bash(ctx, "true")
        t = time.perf_counter()
        bash(ctx, f"{produce} > /dev/null", 120)
        alone = time.perf_counter() - t
        t = time.perf_counter()
        result = bash(ctx, produce, 120)
        shown = time.perf_counter() - t
        ctx.extras["shell"].close(quiet=True)
        out[kind] = {
            "command_s": round(alone, 2),
            "with_output_s": round(shown, 2),
            "extra_s": round(shown - alone, 2),
            "result_chars": len(result),
        }
    return out


# A small task set: the commands small models typically send for such tasks.
TASKS: list[tuple[str, list[FakeReply]]] = [
    ("create hello.py that prints hello", [
        tool("write_file", path="hello.py", content="print('hello')\n"),
        tool("bash", command="python hello.py")]),
    ("fix the failing test", [
        tool("bash", command="python -m pytest -q"), tool("read_file", path="app.py"),
        tool("bash", command="pytest -q test_app.py")]),
    ("count the lines of code", [
        tool("bash", command="ls -la"), tool("bash", command="wc -l *.py"),
        tool("bash", command="find . -name '*.py' | head")]),
    ("add a cli script", [
        tool("write_file", path="cli.py", content="import sys\nprint(sys.argv[1:])\n"),
        tool("bash", command="python cli.py --verbose a")]),
    ("use requests to fetch a page", [
        tool("bash", command="pip install requests")]),
    ("commit the change", [
        tool("bash", command="git add -A && git commit -qm 'add files'")]),
    ("copy the app into build", [
        tool("bash", command="mkdir -p build && cp app.py build/ && ls build")]),
    ("search for TODO notes", [
        tool("bash", command="grep -rn TODO . || true"), tool("bash", command="git status")]),
    ("run the tests in a folder", [
        tool("bash", command="mkdir -p tests && cp test_app.py tests/ && cd tests && ls")]),
    ("make a shell script and run it", [
        tool("write_file", path="run.sh", content="#!/bin/sh\necho ran\n"),
        tool("bash", command="chmod +x run.sh && ./run.sh")]),
    ("show what changed", [
        tool("bash", command="git diff --stat"), tool("bash", command="git log --oneline -3")]),
    ("format the code", [
        tool("bash", command="python -m py_compile app.py && sed -n 1,5p app.py")]),
]  # fmt: skip


def approvals(sandbox: str) -> dict[str, Any]:
    from smallcode.agent.session import build_agent, close_agent
    from smallcode.events import EventBus

    counts = []
    for task, steps in TASKS:
        root = git_project()
        srv = FakeOpenAIServer(script([*steps, text("done")])).start()
        settings = Settings.load(root, {"model": "fake", "base_url": srv.base_url,
                                        "sandbox": sandbox, "verify": False})  # fmt: skip

        def confirm(question: str) -> bool:
            return True

        confirm.choose = lambda req: "yes"  # type: ignore[attr-defined]
        agent = build_agent(settings, EventBus(), confirm=confirm)
        try:
            result = agent.run(task)
        finally:
            close_agent(agent)
            srv.stop()
        counts.append(int(result.permissions.get("prompts", 0)))
    return {
        "sandbox": sb.probe(sandbox)[0],
        "per_task": counts,
        "median": statistics.median(counts),
        "mean": round(statistics.mean(counts), 2),
        "max": max(counts),
    }


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--json", action="store_true")
    p.add_argument("-n", type=int, default=200, help="calls per sandbox kind")
    args = p.parse_args()
    root = git_project()
    report = {
        "per_call": per_call(root, args.n),
        "check_us": check_cost(root),
        "output_50mb": big_output(root),
        "approvals_sandboxed": approvals("auto"),
        "approvals_no_sandbox": approvals("off"),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print("persistent shell, `true` per call (median ms), start ms, overhead vs off:")
    for kind, row in report["per_call"].items():
        print(f"  {kind:9} {row['median_ms']:8.3f}  start {row['start_ms']:7.1f}  "
              f"overhead {row['overhead_ms']:+.3f} ms")  # fmt: skip
    print(f"permission check (parse + decide): {report['check_us']} us per command")
    print("50 MB of output through the bash tool:")
    for kind, row in report["output_50mb"].items():
        print(f"  {kind:9} command {row['command_s']}s, with output {row['with_output_s']}s, "
              f"extra {row['extra_s']}s, result {row['result_chars']} chars")  # fmt: skip
    for key in ("approvals_sandboxed", "approvals_no_sandbox"):
        a = report[key]
        print(f"approval prompts per task ({a['sandbox']}): median {a['median']}, "
              f"mean {a['mean']}, max {a['max']}  {a['per_task']}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
