"""Ctrl-C latency in the interactive UI (figures, not timed tests).

    python benchmarks/bench_interrupt.py            # fake stalled server, and the packaged
                                                    # model in-process when it is installed
    python benchmarks/bench_interrupt.py --runs 5 --json

The real REPL runs in a pseudo-terminal (pexpect). A task is sent; after ``--after`` seconds
(the model is still silent: a stalled server, or the embedded model reading its prompt) Ctrl-C
is sent, and the time until "Stopped" appears is measured. Then "say OK" is sent and the time
until its answer is measured too: how long the engine needs to let go of the cancelled work.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pexpect  # noqa: E402
from tests.fakes.openai_server import FakeOpenAIServer, FakeReply, text  # noqa: E402

LONG_TASK = "Explain what this code does, line by line:\n" + "x = compute(x) + 1\n" * 120


def _stall(body: dict[str, Any], n: int) -> FakeReply:
    task = body["messages"][-1].get("content", "")
    return text("OK") if "say OK" in task else FakeReply(fault="stall", stall_s=60)


def _spawn(env_extra: dict[str, str]) -> pexpect.spawn:
    home = Path(tempfile.mkdtemp(prefix="intr-home-"))
    project = Path(tempfile.mkdtemp(prefix="intr-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMALLCODE_")}
    env.update(
        SMALLCODE_CONFIG_DIR=str(home / "config"),
        SMALLCODE_DATA_DIR=str(home / "data"),
        SMALLCODE_VERIFY="false",
        SMALLCODE_APPROVAL="bypassPermissions",
        TERM="xterm",
        PROMPT_TOOLKIT_NO_CPR="1",
        **env_extra,
    )
    exe = Path(sys.executable).parent / "smallcode"
    cmd, args = (str(exe), []) if exe.exists() else (sys.executable, ["-m", "smallcode"])
    child = pexpect.spawn(
        cmd, args, cwd=str(project), env=env, encoding="utf-8", timeout=600, dimensions=(40, 120)
    )
    child.expect("›")
    return child


def measure(env_extra: dict[str, str], runs: int, after: float) -> dict[str, Any]:
    child = _spawn(env_extra)
    stop_ms: list[float] = []
    next_s: list[float] = []
    for _ in range(runs):
        child.sendline(LONG_TASK.replace("\n", " "))
        time.sleep(after)
        sent = time.monotonic()
        child.sendintr()
        child.expect("Stopped")
        stop_ms.append((time.monotonic() - sent) * 1000)
        child.expect("›")
        time.sleep(0.3)
        sent = time.monotonic()
        child.sendline("say OK")
        child.expect([r"requests · [\d,]+ in", "Stopped"])
        next_s.append(time.monotonic() - sent)
        child.expect("›")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    return {
        "runs": runs,
        "ctrl_c_to_stopped_ms": {
            "median": round(statistics.median(stop_ms)),
            "max": round(max(stop_ms)),
        },
        "next_answer_s": {
            "median": round(statistics.median(next_s), 1),
            "max": round(max(next_s), 1),
        },
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--after", type=float, default=3.0, help="seconds before Ctrl-C")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results: dict[str, Any] = {}
    srv = FakeOpenAIServer(_stall).start()
    results["stalled server"] = measure(
        {"SMALLCODE_BASE_URL": srv.base_url, "SMALLCODE_MODEL": "m"}, args.runs, args.after
    )
    srv.stop()
    from smallcode.llm import packaged_models as models
    from smallcode.llm.embedded import backend_for

    model = models.model_path(models.lookup(models.DEFAULT_MODEL), models.models_dir())
    for engine in ("xllamacpp", "llama-cpp-python"):
        if model.is_file() and backend_for(engine) == engine:
            results[f"embedded ({engine})"] = measure(
                {
                    "SMALLCODE_MODEL": str(model),
                    "SMALLCODE_EMBEDDED_BACKEND": engine,
                    "SMALLCODE_PROBE_URLS": "none",
                },
                args.runs,
                args.after,
            )
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{'provider':<30} {'Ctrl-C to Stopped (ms)':>24} {'next answer (s)':>18}")
    for name, r in results.items():
        c, n = r["ctrl_c_to_stopped_ms"], r["next_answer_s"]
        print(f"{name:<30} {c['median']:>12} (max {c['max']:>5}) {n['median']:>8} (max {n['max']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
