"""The argument parser of ``smallcode`` and the subcommands that share its error style.

A bad argument is one line on stderr, ``PROG: error: MESSAGE (see PROG -h)``, and exit code 2
(``EXIT_USAGE``), never a usage dump. Kept import-light: the CLI builds it on every start.
"""

from __future__ import annotations

import argparse
import functools
import sys
from typing import Any, NoReturn

from smallcode.errors import EXIT_USAGE


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument as one line and exits 2.

    ``usage_exit``: another exit code for a bad argument (``smallcode bench diff`` has 3 by its
    spec). ``usage_error``: raise this exception with the bare message instead of printing and
    exiting, for callers that show the message themselves (the REPL's ``/trace``). Sub-parsers
    made with ``add_subparsers`` inherit both.
    """

    def __init__(
        self,
        *args: Any,
        usage_exit: int = EXIT_USAGE,
        usage_error: type[Exception] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.usage_exit = usage_exit
        self.usage_error = usage_error

    def add_subparsers(self, **kwargs: Any) -> Any:
        kwargs.setdefault(
            "parser_class",
            functools.partial(type(self), usage_exit=self.usage_exit, usage_error=self.usage_error),
        )
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        if self.usage_error is not None:
            raise self.usage_error(message)
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} -h)\n")
        raise SystemExit(self.usage_exit)
