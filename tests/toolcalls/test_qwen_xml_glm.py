"""Qwen3-Coder XML and GLM-4.5/4.6 key/value calls."""

from __future__ import annotations

from smallcode.toolcalls import parse_tool_calls

from .conftest import TOOLS, calls


def test_qwen3_coder_multiline_code_keeps_indentation():
    text = """I'll create the module.

<tool_call>
<function=write_file>
<parameter=path>
pkg/util.py
</parameter>
<parameter=content>
import os


def home() -> str:
    \"\"\"The user's "home" dir.\"\"\"
    return os.path.expanduser('~')
</parameter>
</function>
</tool_call>"""
    content = (
        "import os\n\n\ndef home() -> str:\n"
        '    """The user\'s "home" dir."""\n'
        "    return os.path.expanduser('~')"
    )
    assert calls(text) == [("write_file", {"path": "pkg/util.py", "content": content})]


def test_qwen3_coder_values_typed_by_schema():
    text = (
        "<tool_call>\n<function=read_file>\n<parameter=path>\nREADME.md\n</parameter>\n"
        "<parameter=start_line>\n20\n</parameter>\n</function>\n</tool_call>\n"
        "<tool_call>\n<function=grep>\n<parameter=pattern>\nTODO\n</parameter>\n"
        '<parameter=paths>\n["src", "tests"]\n</parameter>\n'
        "<parameter=ignore_case>\ntrue\n</parameter>\n</function>\n</tool_call>"
    )
    assert calls(text) == [
        ("read_file", {"path": "README.md", "start_line": 20}),
        ("grep", {"pattern": "TODO", "paths": ["src", "tests"], "ignore_case": True}),
    ]


def test_qwen3_coder_without_wrapper_and_unclosed():
    # LM Studio leaves this in content; the stream ended before the closing tags
    text = "<function=bash>\n<parameter=command>\nmake test\n"
    assert calls(text) == [("bash", {"command": "make test"})]


def test_qwen3_coder_two_functions_in_one_wrapper():
    text = (
        "<tool_call>\n<function=read_file>\n<parameter=path>\na.py\n</parameter>\n</function>\n"
        "<function=read_file>\n<parameter=path>\nb.py\n</parameter>\n</function>\n</tool_call>"
    )
    assert calls(text) == [("read_file", {"path": "a.py"}), ("read_file", {"path": "b.py"})]


def test_qwen3_coder_wrong_parameter_name_is_mapped():
    text = (
        "<tool_call>\n<function=edit_file>\n<parameter=file_path>\nx.py\n</parameter>\n"
        "<parameter=old_string>\na = 1\n</parameter>\n<parameter=new_string>\na = 2\n"
        "</parameter>\n</function>\n</tool_call>"
    )
    [call] = parse_tool_calls(text, TOOLS)
    assert call.arguments == {"path": "x.py", "old_str": "a = 1", "new_str": "a = 2"}
    assert len(call.repairs) == 3


def test_functionary_v31_json_body():
    text = '<function=read_file>{"path": "docs/index.md"}</function>'
    assert calls(text) == [("read_file", {"path": "docs/index.md"})]


def test_glm_key_value_tags():
    text = (
        "Checking the config.\n<tool_call>read_file\n<arg_key>path</arg_key>\n"
        "<arg_value>config/settings.toml</arg_value>\n<arg_key>limit</arg_key>\n"
        "<arg_value>50</arg_value>\n</tool_call>"
    )
    assert calls(text) == [("read_file", {"path": "config/settings.toml", "limit": 50})]


def test_glm_several_calls_and_code_value():
    text = (
        "<tool_call>write_file\n<arg_key>path</arg_key>\n<arg_value>run.sh</arg_value>\n"
        '<arg_key>content</arg_key>\n<arg_value>#!/bin/sh\necho "hi <there>"\n</arg_value>\n'
        "</tool_call>\n<tool_call>bash\n<arg_key>command</arg_key>\n"
        "<arg_value>sh run.sh</arg_value>\n</tool_call>"
    )
    assert calls(text) == [
        ("write_file", {"path": "run.sh", "content": '#!/bin/sh\necho "hi <there>"\n'}),
        ("bash", {"command": "sh run.sh"}),
    ]


def test_xml_mentioned_in_prose_without_a_known_tool():
    text = "Qwen3-Coder writes <function=NAME> blocks with <parameter=KEY> children."
    assert calls(text) == []
