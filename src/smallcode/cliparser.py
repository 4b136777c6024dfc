"""The argument parser of ``smallcode`` and the subcommands that share its error style.

A bad argument is one line on stderr and exit code 2 (``EXIT_USAGE``), never a usage dump.
Kept import-light: the CLI builds it on every start.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from smallcode.errors import EXIT_USAGE


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument as one line and exits 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"smallcode: error: {message} (see smallcode -h)\n")
        raise SystemExit(EXIT_USAGE)
