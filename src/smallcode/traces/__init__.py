"""Session traces for people and tests: list, view, export (traj, jsonl, md), and pytest
regression tests generated from a trace (``smallcode trace ...``, ``/trace``).

Recording is agent/trace_recorder.py; the files are store/traces.py; the replay that the
generated tests use is smallcode.testing.
"""
