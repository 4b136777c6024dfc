"""Running an eval suite: each case (times ``repeat``) in a fresh temp workspace, through the
public API, then its assertions; counts and pass^k over the repeats."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smallcode.bench.stats import pass_hat_table
from smallcode.evals.spec import EvalCase, EvalSuite, check


@dataclass
class CaseRun:
    case: str
    attempt: int
    passed: bool
    failures: list[str] = field(default_factory=list)
    exit_code: int | None = None
    requests: int = 0
    seconds: float = 0.0
    output: str = ""


@dataclass
class EvalReport:
    suite: str
    repeat: int
    runs: list[CaseRun] = field(default_factory=list)

    def per_case(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for r in self.runs:
            n, c = out.get(r.case, (0, 0))
            out[r.case] = (n + 1, c + int(r.passed))
        return out

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.passed for r in self.runs)

    def to_dict(self) -> dict[str, Any]:
        cases = self.per_case()
        return {
            "suite": self.suite,
            "repeat": self.repeat,
            "cases": len(cases),
            "passed_cases": sum(1 for n, c in cases.values() if n == c),
            "runs": len(self.runs),
            "passed_runs": sum(r.passed for r in self.runs),
            "pass_hat_k": pass_hat_table(list(cases.values())),
            "results": [r.__dict__ for r in self.runs],
        }

    def text(self) -> str:
        lines = []
        for name, (n, c) in self.per_case().items():
            mark = "PASS" if n == c else "FAIL"
            lines.append(f"{mark}  {name}  ({c}/{n})")
            seen: set[str] = set()
            for r in self.runs:
                if r.case == name and not r.passed:
                    for f in r.failures:
                        if f not in seen:
                            seen.add(f)
                            lines.append(f"      - {f}")
        d = self.to_dict()
        hat = ", ".join(f"pass^{k} {v:.2f}" for k, v in d["pass_hat_k"].items())
        lines.append(
            f"\n{d['passed_cases']}/{d['cases']} cases passed, {d['passed_runs']}/{d['runs']} "
            f"runs; {hat}"
        )
        return "\n".join(lines)


def write_files(files: dict[str, str], root: Path) -> None:
    for rel, content in files.items():
        target = (root / rel).resolve()
        if not target.is_relative_to(root.resolve()):
            continue  # a path leaving the workspace is never written
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


def run_case(case: EvalCase, attempt: int, overrides: dict[str, Any], llm: Any = None) -> CaseRun:
    from smallcode import SmallCode
    from smallcode.errors import SmallCodeError

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="smallcode-eval-") as tmp:
        root = Path(tmp)
        write_files(case.files, root)
        try:
            with SmallCode(cwd=root, llm=llm, **overrides) as agent:
                result = agent.run(case.task)
        except SmallCodeError as exc:
            return CaseRun(case.description, attempt, False, [f"could not run: {exc}"])
        output = result.response or ""
        failures = []
        for a in case.asserts:
            ok, why = check(a, output, result, root)
            if not ok:
                failures.append(f"{a.label}: {why}")
    return CaseRun(
        case.description,
        attempt,
        not failures,
        failures,
        result.exit_code,
        result.requests,
        round(time.monotonic() - started, 2),
        output[:500],
    )


def run_suite(
    suite: EvalSuite,
    overrides: dict[str, Any] | None = None,
    on_run: Callable[[CaseRun], None] | None = None,
    llm: Any = None,
) -> EvalReport:
    settings = {
        **suite.settings,
        **({"model": suite.model} if suite.model else {}),
        **({"base_url": suite.base_url} if suite.base_url else {}),
        **{k: v for k, v in (overrides or {}).items() if v not in (None, "")},
    }
    report = EvalReport(suite.description, suite.repeat)
    for case in suite.cases:
        for attempt in range(1, suite.repeat + 1):
            run = run_case(case, attempt, settings, llm)
            report.runs.append(run)
            if on_run is not None:
                on_run(run)
    return report
