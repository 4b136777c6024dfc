"""Soak benchmark: 200 consecutive scripted tasks in one interactive session (figures, not a
timed test).

    python benchmarks/bench_soak.py                # 200 tasks, a table
    python benchmarks/bench_soak.py --tasks 50 --json

The real REPL runs in a pseudo-terminal (pexpect) against the scripted fake OpenAI server
(tests/fakes) over real HTTP. Each task makes the model call tools (write_file, read_file,
patch, bash, with a Ctrl-C stop now and then) and answer. Every ``--every`` tasks the
session's process is measured from /proc: open files, threads, child processes (the whole
tree), resident memory. The run passes when, after a warm-up, none grows past its bound.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pexpect  # noqa: E402
from tests.fakes.openai_server import FakeOpenAIServer, FakeReply, text, tool  # noqa: E402

BOUNDS = {"open_files": 4, "threads": 4, "children": 1, "rss_mb": 40.0}
WARMUP = 20


def policy(body: dict[str, Any], n: int) -> FakeReply:
    """Each task: a tool call chosen by the task number, then an answer."""
    msgs = body.get("messages", [])
    last = msgs[-1] if msgs else {}
    task = next((m.get("content", "") for m in reversed(msgs) if m.get("role") == "user"), "")
    if last.get("role") == "user" and task.startswith("task "):
        k = int(task.split()[1])
        name = f"notes/n{k % 10}.txt"
        kind = k % 5
        if kind == 0:
            return tool("write_file", path=name, content=f"note {k}\nline two\n")
        if kind == 1:
            return tool("read_file", path="README.txt")
        if kind == 2:
            return tool("bash", command=f"echo run {k} && ls notes | wc -l")
        if kind == 3:
            return tool("patch", path="README.txt", old_str="count:", new_str="count:")
        return tool("bash", command="sleep 0.2; echo slept")
    return text(f"Done with {task[:30]}.")


def proc_tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def measure(pid: int) -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = next(int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmRSS:"))
    return {
        "open_files": len(os.listdir(f"/proc/{pid}/fd")),
        "threads": len(os.listdir(f"/proc/{pid}/task")),
        "children": len(proc_tree(pid)),
        "rss_mb": round(rss_kb / 1024, 1),
    }


def run(n_tasks: int, every: int) -> dict[str, Any]:
    srv = FakeOpenAIServer(policy).start()
    project = Path(tempfile.mkdtemp(prefix="soak-"))
    (project / "README.txt").write_text("soak project\ncount: 0\n")
    (project / "notes").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMALLCODE_")}
    home = Path(tempfile.mkdtemp(prefix="soak-home-"))
    env.update(
        SMALLCODE_BASE_URL=srv.base_url,
        SMALLCODE_MODEL="fake-model",
        SMALLCODE_CONFIG_DIR=str(home / "config"),
        SMALLCODE_DATA_DIR=str(home / "data"),
        SMALLCODE_PROBE_URLS="none",
        SMALLCODE_VERIFY="false",
        SMALLCODE_APPROVAL="bypassPermissions",
        TERM="xterm",
        PROMPT_TOOLKIT_NO_CPR="1",  # no cursor-position query that typed input could race
    )
    exe = Path(sys.executable).parent / "smallcode"
    cmd, args = (str(exe), []) if exe.exists() else (sys.executable, ["-m", "smallcode"])
    child = pexpect.spawn(
        cmd, args, cwd=str(project), env=env, encoding="utf-8", timeout=60, dimensions=(40, 120)
    )
    child.expect("›")
    samples: list[dict[str, float]] = []
    started = time.monotonic()
    stops = 0
    for k in range(1, n_tasks + 1):
        child.sendline(f"task {k} please")
        if k % 25 == 0:  # now and then a Ctrl-C during the slow command
            time.sleep(0.1)
            child.sendintr()
            stops += 1
        child.expect([r"requests · [\d,]+ in", "Stopped"])  # the turn's closing line
        child.expect("›")
        if k % every == 0 or k == 1:
            m = measure(child.pid)
            m["task"] = k
            samples.append(m)
    took = time.monotonic() - started
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    srv.stop()
    base = next((s for s in samples if s["task"] >= WARMUP), samples[0])
    last = samples[-1]
    growth = {key: round(last[key] - base[key], 1) for key in BOUNDS}
    ok = all(growth[key] <= bound for key, bound in BOUNDS.items())
    return {
        "tasks": n_tasks,
        "ctrl_c_stops": stops,
        "seconds": round(took, 1),
        "per_task_ms": round(took / n_tasks * 1000),
        "requests": len(srv.requests),
        "samples": samples,
        "growth_after_warmup": growth,
        "bounds": BOUNDS,
        "ok": ok,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=200)
    ap.add_argument("--every", type=int, default=20)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = run(args.tasks, args.every)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{'task':>5} {'open files':>10} {'threads':>8} {'children':>9} {'RSS MB':>8}")
        for s in result["samples"]:
            print(
                f"{s['task']:>5} {s['open_files']:>10} {s['threads']:>8} {s['children']:>9} "
                f"{s['rss_mb']:>8}"
            )
        print(
            f"{result['tasks']} tasks ({result['ctrl_c_stops']} stopped with Ctrl-C), "
            f"{result['requests']} requests in {result['seconds']} s "
            f"({result['per_task_ms']} ms a task)"
        )
        print(
            f"growth after task {WARMUP}: {result['growth_after_warmup']} "
            f"(bounds {BOUNDS}): {'OK' if result['ok'] else 'TOO MUCH'}"
        )
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
