"""Benchmark harness: ``smallcode bench`` (cli.py) runs suites of tasks in the Exercism / Aider
polyglot layout (tasks.py; the built-in ``smoke``, ``polyglot-mini`` and ``tool-use`` suites are
package data in ``suites/``), each in its own git workspace and ``smallcode`` process
(workspace.py, runner.py), verified by executing its tests, with BFCL-style single-call tasks
(bfcl.py), aider's report keys plus pass^k (report.py, stats.py), ``bench diff`` (diff.py) and
``--self-check`` (selfcheck.py)."""
