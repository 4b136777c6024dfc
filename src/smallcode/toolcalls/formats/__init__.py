"""One module per family of tool-call notations; each has ``find(text, index)``.

``PARSERS`` is the order in which they claim text: the most specific notations first, so a
call wrapped in several notations (a fenced block inside ``<tool_call>``, JSON inside
``[TOOL_CALLS]``) is read once, by the parser that knows the outer one.
"""

from __future__ import annotations

from collections.abc import Callable

from smallcode.toolcalls.candidates import Candidate
from smallcode.toolcalls.formats import (
    bare_json,
    cline_xml,
    deepseek,
    dsml,
    fenced_json,
    functionary,
    gemma,
    glm,
    harmony,
    hermes,
    kimi,
    lfm2,
    llama,
    marker_json,
    mistral,
    qwen_xml,
    react,
    xml_attr,
    xml_invoke,
    yaml_calls,
)
from smallcode.toolcalls.schema import ToolIndex

Finder = Callable[[str, ToolIndex], list[Candidate]]

PARSERS: list[tuple[str, Finder]] = [
    ("harmony", harmony.find),
    ("deepseek", deepseek.find),
    ("dsml", dsml.find),
    ("kimi-k2", kimi.find),
    ("mistral", mistral.find),
    ("gemma", gemma.find),
    ("lfm2", lfm2.find),
    ("marker-json", marker_json.find),
    ("llama-tag", llama.find_tagged),
    ("hermes", hermes.find),
    ("xml-invoke", xml_invoke.find),
    ("xml-attributes", xml_attr.find),
    ("qwen3-coder-xml", qwen_xml.find),
    ("functionary", functionary.find),
    ("fenced-json", fenced_json.find),
    ("yaml", yaml_calls.find),
    ("react", react.find),
    ("cline-xml", cline_xml.find),
    ("json", bare_json.find),
    ("pythonic", llama.find_pythonic),
]

__all__ = ["PARSERS", "Finder", "glm"]
