"""Mistral / Devstral, DeepSeek V3 / R1 / V3.1, Kimi-K2 token formats."""

from __future__ import annotations

from .conftest import calls


def test_mistral_v3_json_list():
    text = (
        '[TOOL_CALLS][{"name": "read_file", "arguments": {"path": "a.py"}}, '
        '{"name": "bash", "arguments": {"command": "make"}}]'
    )
    assert calls(text) == [("read_file", {"path": "a.py"}), ("bash", {"command": "make"})]


def test_devstral_name_args_form_with_prose_after():
    text = (
        'Running the tests now.[TOOL_CALLS]bash[ARGS]{"command": "pytest -x", "timeout": "120"}'
        "\nI will report back."
    )
    assert calls(text) == [("bash", {"command": "pytest -x", "timeout": 120})]


def test_devstral_call_id_and_several_calls():
    text = (
        '[TOOL_CALLS]read_file[CALL_ID]a1B2c3D4e[ARGS]{"path": "x.py"}'
        '[TOOL_CALLS]read_file[ARGS]{"path": "y.py"}</s>'
    )
    assert calls(text) == [("read_file", {"path": "x.py"}), ("read_file", {"path": "y.py"})]


def test_devstral_code_value():
    text = (
        '[TOOL_CALLS]write_file[ARGS]{"path": "m.py", "content": "if x:\\n    print(\\"}\\")\\n"}'
    )
    assert calls(text) == [("write_file", {"path": "m.py", "content": 'if x:\n    print("}")\n'})]


def test_deepseek_v3_r1_format():
    text = (
        "Let me check.<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>read_file\n"
        '```json\n{"path": "src/main.rs"}\n```<｜tool▁call▁end｜>'
        "<｜tool▁call▁begin｜>function<｜tool▁sep｜>bash\n"
        '```json\n{"command": "cargo test"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>'
    )
    assert calls(text) == [
        ("read_file", {"path": "src/main.rs"}),
        ("bash", {"command": "cargo test"}),
    ]


def test_deepseek_v31_format():
    text = (
        "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>grep<｜tool▁sep｜>"
        '{"pattern": "unsafe", "paths": "src"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>'
    )
    assert calls(text) == [("grep", {"pattern": "unsafe", "paths": ["src"]})]


def test_deepseek_ascii_spelling_of_the_tokens():
    text = (
        "<|tool_calls_begin|><|tool_call_begin|>read_file<|tool_sep|>"
        '{"path": "a.py"}<|tool_call_end|><|tool_calls_end|>'
    )
    assert calls(text) == [("read_file", {"path": "a.py"})]


def test_kimi_k2_section():
    text = (
        "<|tool_calls_section_begin|>"
        '<|tool_call_begin|>functions.read_file:0<|tool_call_argument_begin|>{"path": "a.py"}'
        "<|tool_call_end|>"
        '<|tool_call_begin|>functions.bash:1<|tool_call_argument_begin|>{"command": "ls"}'
        "<|tool_call_end|><|tool_calls_section_end|>"
    )
    assert calls(text) == [("read_file", {"path": "a.py"}), ("bash", {"command": "ls"})]


def test_mistral_marker_mentioned_without_call():
    assert calls("Mistral models emit [TOOL_CALLS] before their calls.") == []
