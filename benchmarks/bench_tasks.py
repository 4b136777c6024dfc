"""Does a real small model finish real tasks? Ten small tasks whose checks execute code.

    python benchmarks/bench_tasks.py                          # the packaged 0.5B model
    python benchmarks/bench_tasks.py --model qwen2.5-coder-1.5b
    python benchmarks/bench_tasks.py --base-url http://localhost:1234/v1 -m MODEL
    python benchmarks/bench_tasks.py --check-solutions        # the checks themselves, no model

Each task (``benchmarks/tasks/<id>/``) has ``task.json`` (``prompt``, ``check``: a shell
command whose exit code 0 means the task is done), the project's files at the start
(``files/``) and one known-good result (``solution/``, used only by ``--check-solutions``).
Every task runs in a fresh git repository in a temp folder, through the real CLI
(``smallcode -P TASK --non-interactive --json``), then its check runs there.

Without ``--base-url`` the benchmark serves the model itself with ``smallcode models serve``
(llama-cpp-python, one slot, the window from ``--n-ctx``) on a free loopback port, and the
tasks run one after another against that one warm server, as a user's session would.

Reported per task and in total: done by the check, the exit code, **false done** (exit 0
while the check fails: must be 0), seconds, model requests and tokens; and the prompt floor
(system prompt + tool schemas) the model was given.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TASKS = HERE / "tasks"
CHECK_TIMEOUT = 60


@dataclass
class TaskRun:
    id: str
    done: bool  # the task's own check passed
    exit_code: int | None
    stop_reason: str = ""
    seconds: float = 0.0
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    verification: str = ""  # the completion check's status
    check_output: str = ""
    error: str = ""
    tool_calls: list[str] = field(default_factory=list)

    @property
    def false_done(self) -> bool:
        return self.exit_code == 0 and not self.done


def load_tasks(only: list[str]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for d in sorted(TASKS.iterdir()):
        if d.is_dir() and (d / "task.json").is_file() and (not only or d.name in only):
            found.append((d.name, json.loads((d / "task.json").read_text())))
    missing = set(only) - {t for t, _ in found}
    if missing:
        raise SystemExit(f"unknown task(s): {', '.join(sorted(missing))}")
    return found


def make_project(task_id: str, dest: Path, solution: bool = False) -> None:
    src = TASKS / task_id / "files"
    if src.is_dir():
        shutil.copytree(src, dest, dirs_exist_ok=True)
    dest.mkdir(parents=True, exist_ok=True)
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run([*git, "init", "-q"], cwd=dest, check=True)
    subprocess.run([*git, "add", "-A"], cwd=dest, check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "start"], cwd=dest, check=True)
    if solution:
        shutil.copytree(TASKS / task_id / "solution", dest, dirs_exist_ok=True)


def run_check(spec: dict[str, Any], project: Path) -> tuple[bool, str]:
    try:
        r = subprocess.run(
            ["bash", "-c", spec["check"]],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=CHECK_TIMEOUT,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
    except subprocess.TimeoutExpired:
        return False, f"check timed out after {CHECK_TIMEOUT}s"
    return r.returncode == 0, (r.stdout + r.stderr)[-600:]


def check_solutions(tasks: list[tuple[str, dict[str, Any]]]) -> int:
    """Every check must fail on the starting files and pass on the known-good solution."""
    bad = 0
    for task_id, spec in tasks:
        with tempfile.TemporaryDirectory(prefix=f"bench-{task_id}-") as tmp:
            start = Path(tmp) / "start"
            make_project(task_id, start)
            fails_at_start, _ = run_check(spec, start)
            good = Path(tmp) / "good"
            make_project(task_id, good, solution=True)
            passes, out = run_check(spec, good)
        ok = passes and not fails_at_start
        bad += not ok
        print(
            f"{task_id:22} start: {'PASSES (bad)' if fails_at_start else 'fails'}  "
            f"solution: {'passes' if passes else 'FAILS: ' + out.strip()[-200:]}"
        )
    return 1 if bad else 0


def run_task(
    task_id: str,
    spec: dict[str, Any],
    agent_args: list[str],
    env: dict[str, str],
    timeout: float,
    keep: Path | None = None,
) -> TaskRun:
    with tempfile.TemporaryDirectory(prefix=f"bench-{task_id}-") as tmp:
        project = Path(tmp) / "project"
        make_project(task_id, project)
        cmd = [sys.executable, "-m", "smallcode", "-C", str(project), "--json"]
        cmd += [*agent_args, "--non-interactive", "-P", spec["prompt"]]
        start = time.monotonic()
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
            code: int | None = r.returncode
            stdout, stderr = r.stdout, r.stderr
        except subprocess.TimeoutExpired as exc:
            code, stdout = None, ""
            stderr = (exc.stderr or b"").decode("utf-8", "replace") if exc.stderr else ""
        seconds = time.monotonic() - start
        done, check_out = run_check(spec, project)
        if keep is not None:  # the project as the agent left it, with its log and sessions
            shutil.copytree(project, keep / task_id, dirs_exist_ok=True, symlinks=True)
            (keep / task_id / "agent-stderr.log").write_text(stderr)
    run = TaskRun(task_id, done, code, seconds=round(seconds, 1), check_output=check_out)
    try:
        result = json.loads(stdout)
    except ValueError:
        run.error = (stderr.strip().splitlines() or ["no JSON result"])[-1][:300]
        if code is None:
            run.stop_reason = "timeout"
        return run
    usage = result.get("usage") or {}
    run.stop_reason = result.get("stop_reason", "")
    run.requests = int(result.get("requests") or result.get("turns") or 0)
    run.prompt_tokens = int(usage.get("prompt_tokens") or 0)
    run.completion_tokens = int(usage.get("completion_tokens") or 0)
    run.verification = (result.get("verification") or {}).get("status", "")
    run.error = (result.get("error") or "")[:300]
    run.tool_calls = [c["name"] for c in result.get("tool_calls", [])]
    return run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(model: str, n_ctx: int, log: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    """Start ``smallcode models serve`` on a free port; (process, base_url, alias)."""
    port = free_port()
    alias = Path(model).stem if model.endswith(".gguf") else model
    cmd = [sys.executable, "-m", "smallcode.llm.serve", "--model", model, "--port", str(port)]
    cmd += ["--n-ctx", str(n_ctx), "--alias", alias]
    fh = open(log, "wb")  # noqa: SIM115 - kept open for the server's lifetime
    proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    from smallcode.llm.detect import http_json

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the model server exited: {log.read_text()[-1500:]}")
        try:
            status, _ = http_json(f"{url}/v1/models", timeout=1.0)
            if status == 200:
                return proc, f"{url}/v1", alias
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("the model server did not start within 180 s")


def prompt_floor(model: str, edit_format: str) -> int:
    """Tokens (chars/4) of the system prompt and tool schemas this model starts with."""
    from smallcode.agent.editformat import initial_format
    from smallcode.agent.session import build_registry, build_system_prompt
    from smallcode.config import Settings
    from smallcode.types import Message

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(Path(tmp))
        fmt = initial_format(edit_format or settings.edit_format, model)
        system = build_system_prompt(settings, fmt)
        schemas = build_registry(settings).schemas()
    return len(json.dumps([Message("system", system).to_openai()])) // 4 + (
        len(json.dumps(schemas)) // 4
    )


def summarize(runs: list[TaskRun], model: str, floor: int) -> dict[str, Any]:
    def med(values: list[float]) -> float:
        return round(statistics.median(values), 1) if values else 0.0

    return {
        "model": model,
        "tasks": len(runs),
        "done": sum(r.done for r in runs),
        "false_done": sum(r.false_done for r in runs),
        "exit_0": sum(r.exit_code == 0 for r in runs),
        "median_seconds": med([r.seconds for r in runs]),
        "median_requests": med([r.requests for r in runs]),
        "median_tokens": med([r.prompt_tokens + r.completion_tokens for r in runs]),
        "prompt_floor_tokens": floor,
        "runs": [{**asdict(r), "false_done": r.false_done} for r in runs],
    }


def print_table(summary: dict[str, Any]) -> None:
    print(f"\nmodel: {summary['model']}   prompt floor: {summary['prompt_floor_tokens']} tokens")
    print(f"{'task':22} {'done':5} {'exit':>4} {'s':>6} {'req':>4} {'tokens':>7}  stop / error")
    for r in summary["runs"]:
        flag = "FALSE-DONE " if r["false_done"] else ""
        tokens = r["prompt_tokens"] + r["completion_tokens"]
        exit_code = "-" if r["exit_code"] is None else r["exit_code"]
        print(
            f"{r['id']:22} {'yes' if r['done'] else 'no':5} {exit_code:>4} {r['seconds']:>6.1f} "
            f"{r['requests']:>4} {tokens:>7}  {flag}{r['stop_reason']} {r['error'][:60]}"
        )
    print(
        f"\ndone {summary['done']}/{summary['tasks']}, false done {summary['false_done']}, "
        f"exit 0 {summary['exit_0']}, median {summary['median_seconds']} s, "
        f"{summary['median_requests']} requests, {summary['median_tokens']:.0f} tokens per task"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="qwen2.5-coder-0.5b", help="packaged model or .gguf path")
    p.add_argument("--base-url", default="", help="use this server instead of serving --model")
    p.add_argument("-m", dest="server_model", default="", help="model name on --base-url")
    p.add_argument("--n-ctx", type=int, default=8192, help="window of the served model")
    p.add_argument("--task", action="append", default=[], help="only this task (repeatable)")
    p.add_argument("--timeout", type=float, default=900, help="seconds per task")
    p.add_argument("--max-turns", type=int, default=0, help="--max-turns for each run")
    p.add_argument("--edit-format", default="", help="SMALLCODE_EDIT_FORMAT for each run")
    p.add_argument("--check-solutions", action="store_true", help="test the checks, no model")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--out", default="", help="also write the JSON summary to this file")
    p.add_argument("--keep", default="", help="keep each project, its log and sessions here")
    args = p.parse_args(argv)

    tasks = load_tasks(args.task)
    if args.check_solutions:
        return check_solutions(tasks)

    proc = None
    log_dir = Path(tempfile.mkdtemp(prefix="bench-tasks-"))
    if args.base_url:
        base_url, model = args.base_url, args.server_model or args.model
    else:
        sys.stderr.write(f"serving {args.model} (n_ctx {args.n_ctx}) ...\n")
        proc, base_url, model = serve(args.model, args.n_ctx, log_dir / "server.log")
    agent_args = ["--base-url", base_url, "-m", model]
    if args.max_turns:
        agent_args += ["--max-turns", str(args.max_turns)]
    env = {**os.environ, "SMALLCODE_PROBE_URLS": "off", "SMALLCODE_AUTO_FETCH": "false"}
    if args.edit_format:
        env["SMALLCODE_EDIT_FORMAT"] = args.edit_format
    runs: list[TaskRun] = []
    try:
        for task_id, spec in tasks:
            keep = Path(args.keep) if args.keep else None
            run = run_task(task_id, spec, agent_args, env, args.timeout, keep)
            runs.append(run)
            sys.stderr.write(
                f"{task_id}: {'done' if run.done else 'NOT done'}, exit {run.exit_code}, "
                f"{run.seconds:.0f} s, {run.requests} requests, {run.stop_reason}\n"
            )
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    summary = summarize(runs, model, prompt_floor(model, args.edit_format))
    if args.out:
        Path(args.out).write_text(json.dumps(summary, indent=2))
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print_table(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
