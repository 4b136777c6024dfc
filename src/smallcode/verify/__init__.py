"""Verification engine: run checks, parse their results, summarise them for a small model.

- ``syntax``: per-file syntax checks (``check_file_syntax``, ``check_files_syntax``) giving
  ``CheckOutcome`` records.
- ``testrun``: ``run_tests`` runs a project's test command with the runner's machine-readable
  report and returns a ``TestReport`` whose ``summary()`` stays under 1,000 chars.
- ``runners`` / ``commands``: which runner a command uses, and the command with report flags,
  a name filter or a path added. ``junit`` / ``parsers``: the result parsers.
- ``classify``: why a test failed (assertion, missing name, syntax, other error) and whether a
  report shows a new test failing for the right reason (TDD red).

Sits at the level of ``tools/`` and ``project/``: it imports config, errors, project and the
standard library, never ``agent`` or ``tools``. Import the submodules directly (kept lazy so
``import smallcode.verify`` costs nothing).
"""
