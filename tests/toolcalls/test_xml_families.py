"""MiniMax / Claude-style <invoke> and Cline-style per-tool XML."""

from __future__ import annotations

from .conftest import calls


def test_minimax_invoke():
    text = (
        'Reading both.\n<minimax:tool_call>\n<invoke name="read_file">\n'
        '<parameter name="path">a.py</parameter>\n</invoke>\n<invoke name="read_file">\n'
        '<parameter name="path">b.py</parameter>\n<parameter name="limit">40</parameter>\n'
        "</invoke>\n</minimax:tool_call>"
    )
    assert calls(text) == [
        ("read_file", {"path": "a.py"}),
        ("read_file", {"path": "b.py", "limit": 40}),
    ]


def test_claude_style_function_calls_with_code():
    text = (
        '<function_calls>\n<invoke name="write_file">\n'
        '<parameter name="path">index.html</parameter>\n'
        '<parameter name="content"><div class="a">\n  <p>"hi" & bye</p>\n</div>\n'
        "</parameter>\n</invoke>\n</function_calls>"
    )
    assert calls(text) == [
        (
            "write_file",
            {"path": "index.html", "content": '<div class="a">\n  <p>"hi" & bye</p>\n</div>'},
        )
    ]


def test_invoke_with_json_body():
    text = '<invoke name="bash">{"command": "ls"}</invoke>'
    assert calls(text) == [("bash", {"command": "ls"})]


def test_cline_per_tool_xml():
    text = "I'll read the file first.\n\n<read_file>\n<path>src/index.ts</path>\n</read_file>"
    assert calls(text) == [("read_file", {"path": "src/index.ts"})]


def test_cline_multiline_content_with_tags_inside():
    text = (
        "<write_file>\n<path>App.tsx</path>\n<content>\n"
        "export const App = () => <div><span>{items.map(i => <Item key={i} />)}</span></div>;\n"
        "</content>\n</write_file>"
    )
    assert calls(text) == [
        (
            "write_file",
            {
                "path": "App.tsx",
                "content": "export const App = () => <div><span>{items.map(i => "
                "<Item key={i} />)}</span></div>;",
            },
        )
    ]


def test_cline_alias_child_tag_and_several_tools():
    text = (
        "<edit_file><file_path>a.py</file_path><search>x = 1</search><replace>x = 2</replace>"
        "</edit_file>\n<bash><command>pytest -q</command></bash>"
    )
    assert calls(text) == [
        ("edit_file", {"path": "a.py", "old_str": "x = 1", "new_str": "x = 2"}),
        ("bash", {"command": "pytest -q"}),
    ]


def test_cline_tag_in_prose_is_not_a_call():
    assert calls("Use the <read_file> tool when you need to see a file.") == []
    assert calls("Use <read_file></read_file> with a path.") == []


def test_function_element_with_json_in_a_single_quoted_attribute():
    """Qwen2.5 after its <tools> template block: the JSON holds the attribute's own quote."""
    text = (
        '<tools>\n    <function name="write_file" arguments=\'{"path": "fizz.py", '
        "\"content\": \"print('Fizz')\\nprint('a>b')\\n\"}'/>\n</tools>"
    )
    assert calls(text) == [
        ("write_file", {"path": "fizz.py", "content": "print('Fizz')\nprint('a>b')\n"})
    ]


def test_function_elements_in_a_row_and_escaped_quotes():
    text = (
        '<tool name="read_file" args="{&quot;path&quot;: &quot;a.py&quot;}"/>\n'
        "<call name='bash' parameters='{\"command\": \"ls\"}'></call>"
    )
    assert calls(text) == [("read_file", {"path": "a.py"}), ("bash", {"command": "ls"})]


def test_function_element_without_json_is_not_a_call():
    assert calls("<function name=\"read_file\" arguments='not json at all'/>") == []
