"""Scores shared by the benchmark and the evals: pass^k over repeated runs (tau-bench)."""

from __future__ import annotations

from collections.abc import Iterable
from math import comb


def pass_hat_k(outcomes: Iterable[tuple[int, int]], k: int) -> float:
    """Mean over tasks of C(c, k) / C(n, k): the chance that k runs of a task all succeed.

    ``outcomes`` holds (n runs, c successes) per task; tasks with fewer than k runs are left
    out. 0.0 when no task has k runs.
    """
    values = [comb(c, k) / comb(n, k) for n, c in outcomes if n >= k >= 1]
    return round(sum(values) / len(values), 4) if values else 0.0


def pass_hat_table(outcomes: list[tuple[int, int]]) -> dict[str, float]:
    """``{"1": ..., "2": ..., ...}`` up to the fewest runs any task had."""
    if not outcomes:
        return {}
    most = min(n for n, _ in outcomes)
    return {str(k): pass_hat_k(outcomes, k) for k in range(1, most + 1)}
