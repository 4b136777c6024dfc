"""Typed prompt functions ("cognition"): small side questions to the FAST tier.

Each function (cognition/functions.py) has a prompt file (prompts/cognition/), a rule that
answers without a model where it can, a cache, a timeout, retries, validation with repair,
and a deterministic fallback. ``/cognition`` shows their statistics. None of them runs for a
trivial task: the word rules decide those, and functions that are only niceties ask a model
only when a FAST tier is configured.
"""

from __future__ import annotations

from typing import Any

from smallcode.cognition.core import Cognition, FunctionStats, Outcome, PromptFunction

__all__ = ["Cognition", "FunctionStats", "Outcome", "PromptFunction", "install_cognition"]


def install_cognition(
    settings: Any, router: Any, context: Any = None, events: Any = None
) -> Cognition:
    """The session's Cognition over ``router`` (llm/router.py), with every function."""
    from smallcode.cognition.functions import ALL

    cog = Cognition(
        router.provider_for,
        lambda: router.configured("fast"),
        settings=settings,
        on_usage=context.note_side_request if context is not None else None,
        emit=events.emit if events is not None else None,
    )
    for fn in ALL:
        cog.register(fn)
    return cog
