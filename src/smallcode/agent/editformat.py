"""Which edit style the model is asked for: tool calls, whole files, or SEARCH/REPLACE blocks.

Native tools stay the default. A model under 4B parameters, or one whose first reply in the
session has code blocks and no call, is asked once, for the rest of the session, to write files
as text (whole files; SEARCH/REPLACE for large ones), which such models do far more reliably
than calls. The choice is made early and once, so the system prompt stays a stable prefix.
``SMALLCODE_EDIT_FORMAT`` overrides it.
"""

from __future__ import annotations

from smallcode.llm.profile import model_size_b
from smallcode.prompts import load_prompt

TEXT_FORMATS = ("whole", "diff")
SMALL_MODEL_B = 4.0


def initial_format(setting: str, model: str) -> str:
    """The edit format a session starts with."""
    if setting in ("tools", *TEXT_FORMATS):
        return setting
    size = model_size_b(model)
    if size is not None and size < SMALL_MODEL_B:
        return "whole"
    return "tools"


def edit_rules(fmt: str) -> str:
    """The system prompt's line(s) about editing files in this format."""
    name = {"whole": "edit_whole.md", "diff": "edit_diff.md"}.get(fmt, "edit_tools.md")
    return load_prompt(name)


def system_prompt_for(template: str, fmt: str) -> str:
    return template.replace("{edit_rules}", edit_rules(fmt))


def switch_format(system_prompt: str, old: str, new: str) -> str:
    """The system prompt with the editing rules of ``old`` replaced by those of ``new``."""
    return system_prompt.replace(edit_rules(old), edit_rules(new), 1)
