"""Start-up figures: `smallcode --version` wall time, and time from process start to the first
model request arriving at a (fake) server on 127.0.0.1.

    python benchmarks/bench_startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.openai_server import FakeOpenAIServer, script, text  # noqa: E402


def smallcode_cmd() -> list[str]:
    script_path = Path(sys.executable).parent / "smallcode"
    return [str(script_path)] if script_path.exists() else [sys.executable, "-m", "smallcode"]


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMALLCODE_")}
    env["SMALLCODE_CONFIG_DIR"] = tempfile.mkdtemp()
    env["SMALLCODE_DATA_DIR"] = tempfile.mkdtemp()
    env["SMALLCODE_PROBE_URLS"] = "none"
    return env


def bench_version(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([*smallcode_cmd(), "--version"], capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return times


def mcp_env() -> dict[str, str]:
    """A clean environment whose user config declares one stdio MCP server (the stdlib fake
    of the tests, 20 tools)."""
    import json

    env = clean_env()
    server = ROOT / "tests" / "plugins" / "fake_mcp_server.py"
    decl = {
        "mcpServers": {"srv": {"command": sys.executable, "args": [str(server), "--tools", "20"]}}
    }
    Path(env["SMALLCODE_CONFIG_DIR"], "mcp.json").write_text(json.dumps(decl))
    return env


def bench_first_request(runs: int, mcp: bool = False) -> tuple[list[float], list[float]]:
    first, total = [], []
    for _ in range(runs):
        arrivals: list[float] = []

        def policy(body, n, arrivals=arrivals):  # type: ignore[no-untyped-def]
            arrivals.append(time.perf_counter())
            return text("ok")

        with FakeOpenAIServer(script([text("ok")])) as srv, tempfile.TemporaryDirectory() as d:
            srv.policy = policy
            t = time.perf_counter()
            subprocess.run(
                [
                    *smallcode_cmd(),
                    "--base-url",
                    srv.base_url,
                    "-m",
                    "m",
                    "-P",
                    "say ok",
                    "--non-interactive",
                ],
                cwd=d,
                capture_output=True,
                env=mcp_env() if mcp else clean_env(),
                check=True,
            )
            total.append(time.perf_counter() - t)
            first.append(arrivals[0] - t)
    return first, total


def fmt(xs: list[float]) -> str:
    return f"median {statistics.median(xs) * 1000:.0f} ms (min {min(xs) * 1000:.0f}, max {max(xs) * 1000:.0f})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    print(f"smallcode --version:            {fmt(bench_version(args.runs))}")
    first, total = bench_first_request(args.runs)
    print(f"process start -> first request: {fmt(first)}")
    print(f"one trivial task end to end:    {fmt(total)}")
    first, total = bench_first_request(args.runs, mcp=True)
    print("  with one stdio MCP server declared (its tools in the first request):")
    print(f"process start -> first request: {fmt(first)}")
    print(f"one trivial task end to end:    {fmt(total)}")


if __name__ == "__main__":
    main()
