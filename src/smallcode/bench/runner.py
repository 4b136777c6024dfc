"""Running one task: its own workspace, its own ``smallcode`` process per try (the whole process
group is killed on timeout), the tests restored and run after each try, and the numbers.

The first try gets aider's benchmark prompt (the instructions, the files to edit, "don't change
the names ... only standard libraries") plus where the tests are and how to run them; a failed
try is followed (``--tries 2``) by the same session resumed with the compact test summary
(verify.TestReport.summary, <= 1,000 chars) and aider's "fix the code" request.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from smallcode.bench.tasks import BenchTask
from smallcode.bench.workspace import make_workspace, restore_tests, verify

ADDENDUM = """####

Use the above instructions to modify the supplied files: {files}
Don't change the names of existing functions or classes, as they may be referenced from other code like unit tests, etc.
Only use standard libraries, don't suggest installing any packages."""
TESTS_HINT = "The tests are in {tests}; run them with `{command}`. Don't change the tests."
FIX_REQUEST = """####

See the testing errors above.
The tests are correct, don't try and change them.
Fix the code in {files} to resolve the errors."""
LAZY = re.compile(r"^[+]? *[#/]+.* [.][.][.] ", re.M)  # aider's "lazy comment" pattern
SUMMARY_CHARS = 1000


@dataclass
class TaskResult:
    id: str
    lang: str
    passed_try: int = 0  # 1 or 2: the try after which the tests passed; 0: never
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tool_calls: int = 0
    malformed_calls: int = 0
    repairs: int = 0
    guard_interventions: int = 0
    seconds: float = 0.0  # the smallcode processes, all tries
    exit_code: int | None = None  # of the last try
    timed_out: bool = False
    # beyond the keys
    tries: int = 0
    model_seconds: float = 0.0  # time inside model requests (from the traces)
    harness_seconds: float = 0.0  # seconds - model_seconds: start-up, tools, checks
    verify_seconds: float = 0.0  # the benchmark's own test runs
    test_timeouts: int = 0
    syntax_errors: int = 0
    indentation_errors: int = 0
    lazy_comments: int = 0
    exhausted_context: int = 0
    tests_changed: list[str] = field(default_factory=list)
    stop_reason: str = ""
    error: str = ""
    tests: str = ""  # the last test summary
    repeat: int = 1

    @property
    def passed(self) -> bool:
        return self.passed_try > 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def first_prompt(task: BenchTask) -> str:
    tests = ", ".join(task.tests) or "the test files"
    hint = TESTS_HINT.format(tests=tests, command=task.shown_command)
    if task.custom.get("prompt") == "task":
        return f"{task.instructions}\n\n{hint}"
    files = " ".join(task.solution)
    return f"{task.instructions}\n\n{ADDENDUM.format(files=files)}\n{hint}"


def fix_prompt(task: BenchTask, summary: str) -> str:
    files = " ".join(task.solution) or "the project"
    return f"{summary}\n\n{FIX_REQUEST.format(files=files)}"


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux /proc; [] elsewhere). The agent's persistent shell
    runs in its own session (a pty), so killing the process group alone would miss it."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def kill_tree(pid: int) -> None:
    """SIGKILL a task's process group and everything it started."""
    below = _descendants(pid)
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    for child in below:
        try:
            os.kill(child, signal.SIGKILL)
        except OSError:
            pass


def run_agent(
    ws: Path, prompt: str, agent_args: list[str], env: dict[str, str], timeout: float, resume: bool
) -> tuple[int | None, dict[str, Any], str, bool, float]:
    """One ``smallcode`` process: (exit code, JSON result, stderr tail, timed out, seconds)."""
    cmd = [sys.executable, "-m", "smallcode", "-C", str(ws), "--json", "--non-interactive"]
    cmd += [*agent_args, *(["--resume"] if resume else []), "-P", prompt]
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    timed_out = False
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_tree(proc.pid)
        stdout, stderr = proc.communicate()
    seconds = time.monotonic() - started
    try:
        result = json.loads(stdout) if stdout.strip() else {}
    except ValueError:
        result = {}
    code = None if timed_out else proc.returncode
    return code, result if isinstance(result, dict) else {}, stderr[-2000:], timed_out, seconds


def trace_stats(ws: Path) -> dict[str, Any]:
    """Counts from the traces the task's sessions wrote (store/traces.py)."""
    from smallcode.errors import SmallCodeError
    from smallcode.store.traces import list_traces, load_trace

    stats = {"model_ms": 0.0, "malformed": 0, "repairs": 0, "guards": 0, "lazy": 0, "context": 0}
    stats.update(traces=0, requests=0, prompt=0, completion=0, calls=0)
    for path in list_traces(ws):
        try:
            trace = load_trace(path)
        except SmallCodeError:
            continue
        stats["traces"] += 1
        for r in trace.records:
            kind = r.get("type")
            if kind == "usage":
                stats["prompt"] += int(r.get("prompt_tokens") or 0)
                stats["completion"] += int(r.get("completion_tokens") or 0)
            elif kind == "tool_end":
                stats["calls"] += 1
                out = str(r.get("output") or "")[:300]
                if "missing required argument" in out or "unknown argument(s)" in out:
                    stats["malformed"] += 1  # a call the schema could not accept
            if kind == "model_reply":
                stats["requests"] += 1
                stats["model_ms"] += float(r.get("ms") or 0.0)
                stats["lazy"] += len(LAZY.findall(r.get("content") or ""))
            elif kind == "parsed":
                stats["malformed"] += len(r.get("unknown_tools") or [])
                stats["malformed"] += sum(1 for c in r.get("calls") or [] if c.get("error"))
            elif kind == "repair":
                stats["repairs"] += 1
            elif kind == "guard":
                stats["guards"] += 1
                stats["context"] += r.get("guard") in ("context_window", "server_truncation")
            elif kind == "tool_start" and r.get("name") in ("write_file", "patch"):
                args = r.get("args") or {}
                stats["lazy"] += len(
                    LAZY.findall(str(args.get("content") or args.get("new_str") or ""))
                )
    return stats


def _error_lines(report: Any) -> tuple[int, int]:
    text = report.output_tail + "\n" + "\n".join(f.message for f in report.failures)
    return (
        len(re.findall(r"^\s*SyntaxError", text, re.M)),
        len(re.findall(r"^\s*(?:IndentationError|TabError)", text, re.M)),
    )


def run_task(
    task: BenchTask,
    agent_args: list[str],
    env: dict[str, str],
    *,
    tries: int = 2,
    timeout: float = 600.0,
    verify_timeout: float = 120.0,
    keep: Path | None = None,
    repeat: int = 1,
) -> TaskResult:
    res = TaskResult(task.id, task.lang, repeat=repeat)
    with tempfile.TemporaryDirectory(prefix="smallcode-bench-") as tmp:
        ws = make_workspace(task, Path(tmp) / task.slug)
        prompt = first_prompt(task)
        for attempt in range(1, max(1, tries) + 1):
            res.tries = attempt
            code, result, stderr, timed_out, seconds = run_agent(
                ws, prompt, agent_args, env, timeout, resume=attempt > 1
            )
            res.seconds += seconds
            res.exit_code = code
            res.timed_out = res.timed_out or timed_out
            usage = result.get("usage") or {}
            res.requests += int(result.get("requests") or result.get("turns") or 0)
            res.prompt_tokens += int(usage.get("prompt_tokens") or 0)
            res.completion_tokens += int(usage.get("completion_tokens") or 0)
            res.tool_calls += len(result.get("tool_calls") or [])
            res.stop_reason = "timeout" if timed_out else str(result.get("stop_reason") or "")
            if not result and not timed_out:
                res.error = (stderr.strip().splitlines() or ["no JSON result"])[-1][:300]
            changed = restore_tests(task, ws)
            res.tests_changed += [c for c in changed if c not in res.tests_changed]
            t0 = time.monotonic()
            report = verify(task, ws, verify_timeout)
            res.verify_seconds += time.monotonic() - t0
            res.test_timeouts += int(report.timed_out)
            syntax, indentation = _error_lines(report)
            res.syntax_errors += syntax
            res.indentation_errors += indentation
            res.tests = report.summary(SUMMARY_CHARS)
            if report.ok:
                res.passed_try = attempt
                break
            if code in (2, 3):  # configuration or endpoint failure: another try cannot help
                break
            prompt = fix_prompt(task, res.tests)
        stats = trace_stats(ws)
        if keep is not None:
            import shutil

            dest = keep / f"{task.id.replace('/', '__')}-{repeat}"
            shutil.copytree(ws, dest, dirs_exist_ok=True, symlinks=True)
    if stats["traces"]:  # also counts the tries that were killed before printing a result
        res.requests = stats["requests"]
        res.prompt_tokens, res.completion_tokens = stats["prompt"], stats["completion"]
        res.tool_calls = stats["calls"]
    res.model_seconds = round(stats["model_ms"] / 1000, 2)
    res.malformed_calls = stats["malformed"]
    res.repairs = stats["repairs"]
    res.guard_interventions = stats["guards"]
    res.lazy_comments = stats["lazy"]
    res.exhausted_context = stats["context"]
    res.seconds = round(res.seconds, 2)
    res.verify_seconds = round(res.verify_seconds, 2)
    res.harness_seconds = round(max(0.0, res.seconds - res.model_seconds), 2)
    return res


def run_bfcl_task(task: BenchTask, provider: Any, repeat: int = 1) -> TaskResult:
    from smallcode.bench.bfcl import ask
    from smallcode.errors import SmallCodeError

    res = TaskResult(task.id, task.lang, repeat=repeat, tries=1, requests=1)
    started = time.monotonic()
    try:
        out = ask(task, provider)
    except SmallCodeError as exc:
        res.error = str(exc)[:300]
        res.exit_code = exc.exit_code
        res.seconds = round(time.monotonic() - started, 2)
        return res
    res.seconds = round(time.monotonic() - started, 2)
    res.exit_code = 0 if not out["problem"] else 1
    res.passed_try = 0 if out["problem"] else 1
    res.prompt_tokens = out["prompt_tokens"]
    res.completion_tokens = out["completion_tokens"]
    res.tool_calls = len(out["calls"])
    res.malformed_calls = out["malformed"]
    res.repairs = out["repairs"]
    res.model_seconds = round(out["model_ms"] / 1000, 2)
    res.harness_seconds = round(max(0.0, res.seconds - res.model_seconds), 2)
    res.tests = out["problem"] or "the calls match"
    return res
