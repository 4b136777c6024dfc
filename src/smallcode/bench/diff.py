"""``smallcode bench diff A.json B.json [--threshold 0.02]``: did B get better than A?

The score is the final pass rate (``pass_rate_2``, or ``pass_rate_1`` for single-try runs) as
a fraction. Exit codes (as the original harness's diff): 0 improved (B - A > threshold),
1 regressed (B - A < -threshold), 2 noise (within the threshold), 3 usage error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from smallcode.cliparser import Parser

EXIT_IMPROVED, EXIT_REGRESSED, EXIT_NOISE, EXIT_DIFF_USAGE = 0, 1, 2, 3


def _load(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError:
        raise ValueError(f"{path} is not JSON") from None
    if not isinstance(data, dict) or "pass_rate_1" not in data or "results" not in data:
        raise ValueError(f"{path} is not a smallcode bench result")
    return data


def score(data: dict[str, Any]) -> float:
    rate = data.get("pass_rate_2")
    if rate is None:
        rate = data.get("pass_rate_1") or 0.0
    return float(rate) / 100.0


def _outcomes(data: dict[str, Any]) -> dict[str, float]:
    runs: dict[str, list[int]] = {}
    for r in data.get("results") or []:
        runs.setdefault(r["id"], []).append(int(bool(r.get("passed_try"))))
    return {k: sum(v) / len(v) for k, v in runs.items()}


def compare(a: dict[str, Any], b: dict[str, Any], threshold: float) -> tuple[int, list[str]]:
    sa, sb = score(a), score(b)
    delta = sb - sa
    lines = [
        f"A: {a.get('suite')} {a.get('model')} {sa:.1%} ({a.get('test_cases')} runs)",
        f"B: {b.get('suite')} {b.get('model')} {sb:.1%} ({b.get('test_cases')} runs)",
    ]
    oa, ob = _outcomes(a), _outcomes(b)
    for task in sorted(set(oa) | set(ob)):
        x, y = oa.get(task), ob.get(task)
        if x is None or y is None:
            lines.append(f"  {task}: only in {'B' if x is None else 'A'}")
        elif x != y:
            lines.append(f"  {task}: {x:.0%} -> {y:.0%}")
    for key in ("seconds_per_case", "requests_per_case", "prompt_tokens_per_case"):
        if key in a and key in b:
            lines.append(f"{key}: {a[key]} -> {b[key]}")
    if delta > threshold:
        verdict, code = "improved", EXIT_IMPROVED
    elif delta < -threshold:
        verdict, code = "regressed", EXIT_REGRESSED
    else:
        verdict, code = "noise", EXIT_NOISE
    lines.append(f"{verdict}: {delta:+.1%} (threshold {threshold:.1%})")
    return code, lines


def main(argv: list[str]) -> int:
    p = Parser(
        prog="smallcode bench diff",
        description=__doc__.splitlines()[0],
        usage_exit=EXIT_DIFF_USAGE,
    )
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--threshold", type=float, default=0.02, help="fraction (default 0.02)")
    args = p.parse_args(argv)
    if not 0 <= args.threshold < 1:
        sys.stderr.write("smallcode bench diff: --threshold is a fraction between 0 and 1\n")
        return EXIT_DIFF_USAGE
    try:
        a, b = _load(args.a), _load(args.b)
    except ValueError as exc:
        sys.stderr.write(f"smallcode bench diff: {exc}\n")
        return EXIT_DIFF_USAGE
    code, lines = compare(a, b, args.threshold)
    sys.stdout.write("\n".join(lines) + "\n")
    return code
