"""Logging: failures the agent survives (a guard, a listener or a hook that raised, a failed
compaction summary) are logged under the ``smallcode`` logger, one logger per module.

They stay silent unless ``Settings.debug`` (``SMALLCODE_DEBUG=1``) is on: then
:func:`configure_logging` shows them on stderr with their tracebacks. A program embedding
SmallCode may configure the ``smallcode`` logger itself instead.
"""

from __future__ import annotations

import logging
import sys

LOGGER = "smallcode"
_HANDLER_NAME = "smallcode-debug"


def configure_logging(debug: bool) -> None:
    """Show the package's log on stderr (DEBUG and up) when ``debug``; idempotent."""
    logger = logging.getLogger(LOGGER)
    ours = [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]
    if not debug:
        for h in ours:
            logger.removeHandler(h)
        return
    if ours:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("smallcode %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
