"""``smallcode bench --self-check``: every task's reference solution passes its tests, and every
stub (the workspace the model starts from) fails them. No model involved."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smallcode.bench.tasks import BenchTask


@dataclass
class SelfCheck:
    id: str
    stub_fails: bool
    reference_passes: bool
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.stub_fails and self.reference_passes

    def line(self) -> str:
        stub = "fails" if self.stub_fails else "PASSES (bad)"
        ref = "passes" if self.reference_passes else "FAILS (bad)"
        extra = f"  {self.detail}" if self.detail and not self.ok else ""
        return f"{'ok ' if self.ok else 'BAD'} {self.id:38} stub {stub:13} reference {ref}{extra}"


def check_task(task: BenchTask, timeout: float = 120.0) -> SelfCheck:
    if task.bfcl is not None:
        return _check_bfcl(task)
    from smallcode.bench.workspace import install_reference, make_workspace, verify

    with tempfile.TemporaryDirectory(prefix="smallcode-selfcheck-") as tmp:
        stub_ws = make_workspace(task, Path(tmp) / "stub")
        stub = verify(task, stub_ws, timeout)
        ref_ws = make_workspace(task, Path(tmp) / "reference")
        install_reference(task, ref_ws)
        ref = verify(task, ref_ws, timeout)
    detail = "" if ref.ok else ref.summary(400)
    return SelfCheck(task.id, not stub.ok, ref.ok, detail)


def _check_bfcl(task: BenchTask) -> SelfCheck:
    from smallcode.bench.bfcl import check_calls, reference_calls

    assert task.bfcl is not None
    answer = task.bfcl["answer"]
    reference = reference_calls(answer)
    functions = task.bfcl.get("function") or [{"name": "none"}]
    stub: list[tuple[str, dict[str, Any]]] = [] if answer else [(functions[0]["name"], {})]
    ref_problem = check_calls(reference, answer)
    return SelfCheck(task.id, bool(check_calls(stub, answer)), not ref_problem, ref_problem)


def run_self_check(
    tasks: list[BenchTask], on_result: Callable[[SelfCheck], None] | None = None
) -> list[SelfCheck]:
    out = []
    for task in tasks:
        result = check_task(task)
        out.append(result)
        if on_result is not None:
            on_result(result)
    return out
