"""The benchmark's summary (aider's report keys plus pass^k, tokens and time per task), its
JSON file and the table at the end of a run."""

from __future__ import annotations

import json
import statistics
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smallcode.bench.runner import TaskResult
from smallcode.bench.stats import pass_hat_table


def _pct(n: int, d: int) -> float:
    return round(100.0 * n / d, 1) if d else 0.0


def _mean(values: list[float]) -> float:
    return round(statistics.fmean(values), 2) if values else 0.0


def commit_hash() -> str:
    """The SmallCode checkout's short commit, when it runs from one."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def summarize(
    results: list[TaskResult], meta: dict[str, Any], skipped: list[dict[str, str]]
) -> dict[str, Any]:
    from smallcode import __version__

    runs = len(results)
    tries = int(meta.get("tries", 2))
    per_task: dict[str, tuple[int, int]] = {}
    by_lang: dict[str, dict[str, int]] = {}
    for r in results:
        n, c = per_task.get(r.id, (0, 0))
        per_task[r.id] = (n + 1, c + int(r.passed))
        lang = by_lang.setdefault(r.lang, {"runs": 0, "passed": 0})
        lang["runs"] += 1
        lang["passed"] += int(r.passed)
    malformed_tasks = sum(1 for r in results if r.malformed_calls)
    summary: dict[str, Any] = {
        # aider's keys (benchmark/benchmark.py summarize_results)
        "test_cases": runs,
        "model": meta.get("model", ""),
        "edit_format": meta.get("edit_format", "auto"),
        "commit_hash": commit_hash(),
        "pass_rate_1": _pct(sum(r.passed_try == 1 for r in results), runs),
        "pass_rate_2": _pct(sum(1 <= r.passed_try <= 2 for r in results), runs)
        if tries >= 2
        else None,
        "percent_cases_well_formed": _pct(runs - malformed_tasks, runs),
        "error_outputs": sum(1 for r in results if r.exit_code in (2, 3) or r.error),
        "num_malformed_responses": sum(r.malformed_calls for r in results),
        "num_with_malformed_responses": malformed_tasks,
        "user_asks": 0,
        "lazy_comments": sum(r.lazy_comments for r in results),
        "syntax_errors": sum(r.syntax_errors for r in results),
        "indentation_errors": sum(r.indentation_errors for r in results),
        "exhausted_context_windows": sum(1 for r in results if r.exhausted_context),
        "test_timeouts": sum(r.test_timeouts for r in results),
        "seconds_per_case": _mean([r.seconds for r in results]),
        "total_cost": 0.0,
        "versions": f"smallcode {__version__}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        # ours
        "suite": meta.get("suite", ""),
        "tasks": len(per_task),
        "repeats": int(meta.get("repeats", 1)),
        "tries": tries,
        "pass_hat_k": pass_hat_table(list(per_task.values())),
        "passed": sum(r.passed for r in results),
        "timed_out": sum(r.timed_out for r in results),
        "requests_per_case": _mean([float(r.requests) for r in results]),
        "prompt_tokens_per_case": _mean([float(r.prompt_tokens) for r in results]),
        "completion_tokens_per_case": _mean([float(r.completion_tokens) for r in results]),
        "model_seconds_per_case": _mean([r.model_seconds for r in results]),
        "harness_seconds_per_case": _mean([r.harness_seconds for r in results]),
        "verify_seconds_per_case": _mean([r.verify_seconds for r in results]),
        "by_language": by_lang,
        "server": meta.get("base_url", ""),
        "provider": meta.get("provider", ""),
        "window": meta.get("window"),
        "smallcode_version": __version__,
        "started": meta.get("started", ""),
        "skipped": skipped,
        "results": [r.to_dict() for r in results],
    }
    return summary


def save(summary: dict[str, Any], root: Path, out: str = "", path: Path | None = None) -> Path:
    """``<root>/.smallcode/benchmarks/<time>-<suite>.json`` (rewritten as tasks finish, so an
    interrupted run keeps what it measured), and ``out`` when given."""
    from smallcode.store.db import project_store_dir

    if path is None:
        d = project_store_dir(root) / "benchmarks"
        d.mkdir(parents=True, exist_ok=True)
        path = d / f"{time.strftime('%Y%m%d-%H%M%S')}-{summary.get('suite', 'bench')}.json"
    text = json.dumps(summary, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text, encoding="utf-8")
    return path


def progress_line(i: int, n: int, r: TaskResult) -> str:
    if r.passed:
        state = f"pass (try {r.passed_try})"
    elif r.timed_out:
        state = "TIMEOUT"
    elif r.error and not r.tries:
        state = "ERROR"
    else:
        state = "FAIL"
    tokens = r.prompt_tokens + r.completion_tokens
    return (
        f"[{i}/{n}] {r.id:34} {state:14} {r.seconds:6.1f} s  {r.requests:3} req  "
        f"{tokens:7,} tok  {r.error[:60] if r.error else r.stop_reason}"
    )


def print_table(summary: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    table = Table(title=f"smallcode bench --suite {summary['suite']} · {summary['model']}")
    for col in ("task", "passed", "s", "model s", "req", "tokens", "calls", "malformed", "guards"):
        table.add_column(col, justify="left" if col == "task" else "right")
    for r in summary["results"]:
        passed = f"try {r['passed_try']}" if r["passed_try"] else "no"
        table.add_row(
            r["id"] + (f" #{r['repeat']}" if summary["repeats"] > 1 else ""),
            passed,
            f"{r['seconds']:.1f}",
            f"{r['model_seconds']:.1f}",
            str(r["requests"]),
            f"{r['prompt_tokens'] + r['completion_tokens']:,}",
            str(r["tool_calls"]),
            str(r["malformed_calls"]),
            str(r["guard_interventions"]),
        )
    console.print(table)
    hat = ", ".join(f"pass^{k} {v:.2f}" for k, v in summary["pass_hat_k"].items())
    rate2 = summary["pass_rate_2"]
    console.print(
        f"pass_rate_1 {summary['pass_rate_1']}%"
        + (f", pass_rate_2 {rate2}%" if rate2 is not None else "")
        + f", {summary['passed']}/{summary['test_cases']} passed; {hat}; "
        f"well formed {summary['percent_cases_well_formed']}%; "
        f"{summary['seconds_per_case']} s per case "
        f"(model {summary['model_seconds_per_case']} s, harness "
        f"{summary['harness_seconds_per_case']} s, tests {summary['verify_seconds_per_case']} s)",
        highlight=False,
    )
    for s in summary["skipped"]:
        console.print(f"skipped {s['what']}: {s['reason']}", style="yellow", highlight=False)
