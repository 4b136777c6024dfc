"""Prompt-evaluation suites (promptfoo-like YAML): ``smallcode eval FILE.yaml`` and ``/eval``.

spec.py reads a suite and checks assertions; run.py runs each case in a temp workspace through
the public API and reports counts and pass^k; cli.py is the command line and the REPL command.
"""
