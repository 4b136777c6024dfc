"""Families inference servers added in 2025-2026, from their documented wire formats: Gemma 4,
DeepSeek V3.2 / V4 DSML, Kimi K3 XTML, MiniMax M3, MiniCPM5, Hunyuan HY3 / HY4, GLM-4.7,
Seed-OSS, Apertus, Olmo 3, Step3, LongCat, Command A, Nemotron."""

from __future__ import annotations

from smallcode.toolcalls import extract_calls_with_reasoning, split_reasoning

from .conftest import TOOLS, calls

CODE = 'def f(x):\n    if x < 1:\n        return {"a": "}"}\n    print("done, <ok>")\n'
G = '<|"|>'  # Gemma 4's string delimiter

# --------------------------------------------------------------------------- Gemma 4


def test_gemma4_strings_numbers_and_booleans():
    text = f"<|tool_call>call:read_file{{path:{G}src/a.py{G},start_line:10}}<tool_call|>"
    assert calls(text) == [("read_file", {"path": "src/a.py", "start_line": 10})]


def test_gemma4_string_with_newlines_quotes_and_braces():
    text = f"<|tool_call>call:write_file{{path:{G}f.py{G},content:{G}{CODE}{G}}}<tool_call|>"
    assert calls(text) == [("write_file", {"path": "f.py", "content": CODE})]


def test_gemma4_lists_and_objects():
    text = (
        f"<|tool_call>call:task_done{{summary:{G}ok, done{G},options:{{retry:false,"
        f"tags:[{G}a{G},{G}b, c{G}],depth:2.5}}}}<tool_call|>"
    )
    assert calls(text) == [
        (
            "task_done",
            {
                "summary": "ok, done",
                "options": {"retry": False, "tags": ["a", "b, c"], "depth": 2.5},
            },
        )
    ]


def test_gemma4_several_calls_one_after_another():
    text = (
        f"<|tool_call>call:read_file{{path:{G}a.py{G}}}<tool_call|>"
        f"<|tool_call>call:bash{{command:{G}ls -la{G}}}<tool_call|>"
    )
    assert calls(text) == [("read_file", {"path": "a.py"}), ("bash", {"command": "ls -la"})]


def test_gemma4_thought_channel_is_reasoning_and_the_call_after_it_counts():
    text = (
        f"<|channel>thought\nI could call:read_file{{path:{G}old.py{G}}} but no.<channel|>"
        f"<|tool_call>call:read_file{{path:{G}new.py{G}}}<tool_call|>"
    )
    visible, reasoning = split_reasoning(text)
    assert "old.py" in reasoning and "old.py" not in visible
    found = extract_calls_with_reasoning(text, "", TOOLS)
    assert [(c.name, c.arguments) for c in found] == [("read_file", {"path": "new.py"})]


def test_gemma4_turn_end_and_cut_off_call():
    assert calls(f"<|tool_call>call:bash{{command:{G}make{G}}}<turn|>") == [
        ("bash", {"command": "make"})
    ]
    assert calls(f"<|tool_call>call:bash{{command:{G}make test") == [
        ("bash", {"command": "make test"})
    ]


def test_gemma4_tokens_dropped_by_the_server():
    assert calls("call:list_files{path:src}") == [("list_files", {"path": "src"})]
    assert calls("You can call:list_files{path:src} later.") == []


# --------------------------------------------------------------------------- DeepSeek DSML


def _dsml(block: str, *invokes: str) -> str:
    return f"<｜DSML｜{block}>\n" + "\n".join(invokes) + f"\n</｜DSML｜{block}>"


def _invoke(name: str, *params: tuple[str, str, bool]) -> str:
    body = "\n".join(
        f'<｜DSML｜parameter name="{k}" string="{str(s).lower()}">{v}</｜DSML｜parameter>'
        for k, v, s in params
    )
    return f'<｜DSML｜invoke name="{name}">\n{body}\n</｜DSML｜invoke>'


def test_dsml_v32_two_invokes_string_and_json_values():
    text = "Reading both.\n\n" + _dsml(
        "function_calls",
        _invoke("read_file", ("path", "a.py", True), ("limit", "50", False)),
        _invoke("grep", ("pattern", 'def "x"', True), ("paths", '["src", "lib"]', False)),
    )
    assert calls(text) == [
        ("read_file", {"path": "a.py", "limit": 50}),
        ("grep", {"pattern": 'def "x"', "paths": ["src", "lib"]}),
    ]


def test_dsml_v4_tool_calls_block_keeps_raw_code():
    text = _dsml(
        "tool_calls",
        _invoke("write_file", ("path", "f.py", True), ("content", CODE, True)),
    )
    assert calls(text) == [("write_file", {"path": "f.py", "content": CODE})]


def test_dsml_ascii_bars_and_cut_off_reply():
    text = (
        '<|DSML|function_calls>\n<|DSML|invoke name="bash">\n'
        '<|DSML|parameter name="command" string="true">pytest -q'
    )
    assert calls(text) == [("bash", {"command": "pytest -q"})]


def test_dsml_string_false_object():
    text = _dsml(
        "function_calls",
        _invoke("task_done", ("summary", "ok", True), ("options", '{"verbose": true}', False)),
    )
    assert calls(text) == [("task_done", {"summary": "ok", "options": {"verbose": True}})]


# --------------------------------------------------------------------------- Kimi K3


def test_kimi_k3_xtml_typed_arguments():
    text = (
        "<|open|>response<|sep|>Let me look.<|close|>response<|sep|>"
        "<|open|>tools<|sep|>"
        '<|open|>call tool="read_file" index="1"<|sep|>'
        '<|open|>argument key="path" type="string"<|sep|>a &amp; b.py<|close|>argument<|sep|>'
        '<|open|>argument key="limit" type="integer"<|sep|>20<|close|>argument<|sep|>'
        "<|close|>call<|sep|>"
        '<|open|>call tool="bash" index="2"<|sep|>'
        '<|open|>argument key="command" type="string"<|sep|>echo "hi"<|close|>argument<|sep|>'
        "<|close|>call<|sep|><|close|>tools<|sep|>"
    )
    assert calls(text) == [
        ("read_file", {"path": "a &amp; b.py", "limit": 20}),
        ("bash", {"command": 'echo "hi"'}),
    ]


# --------------------------------------------------------------------------- MiniMax, MiniCPM5

M3 = "]<]minimax[>["


def test_minimax_m3_namespaced_elements_lists_and_objects():
    text = (
        f'Checking.{M3}<tool_call>\n{M3}<invoke name="grep">\n'
        f"{M3}<pattern>TODO{M3}</pattern>\n"
        f"{M3}<paths>{M3}<item>src{M3}</item>{M3}<item>tests{M3}</item>{M3}</paths>\n"
        f'{M3}</invoke>\n{M3}<invoke name="task_done">\n{M3}<summary>done{M3}</summary>\n'
        f"{M3}<options>{M3}<retries>3{M3}</retries>{M3}</options>\n"
        f"{M3}</invoke>\n{M3}</tool_call>"
    )
    assert calls(text) == [
        ("grep", {"pattern": "TODO", "paths": ["src", "tests"]}),
        ("task_done", {"summary": "done", "options": {"retries": 3}}),
    ]


def test_minimax_m3_string_argument_holding_markup_stays_text():
    html = "<div>\n<b>hi</b>\n</div>"
    text = (
        '<tool_call>\n<invoke name="write_file">\n<path>index.html</path>\n'
        f"<content>{html}</content>\n</invoke>\n</tool_call>"
    )
    assert calls(text) == [("write_file", {"path": "index.html", "content": html})]


def test_minicpm5_function_with_param_elements():
    text = (
        '<function name="edit_file"><param name="path">a.py</param>'
        '<param name="old_str">x = 1</param><param name="new_str">x = 2</param></function>'
    )
    assert calls(text) == [("edit_file", {"path": "a.py", "old_str": "x = 1", "new_str": "x = 2"})]


# --------------------------------------------------------------------------- GLM-4.7, Hunyuan


def test_glm47_inline_and_without_arguments():
    text = (
        "<tool_call>read_file<arg_key>path</arg_key><arg_value>a.py</arg_value>"
        "<arg_key>limit</arg_key><arg_value>5</arg_value></tool_call>"
        "<tool_call>list_files</tool_call>"
    )
    assert calls(text) == [("read_file", {"path": "a.py", "limit": 5}), ("list_files", {})]


def test_hunyuan_hy3_tool_sep_and_hy4_suffixed_tags():
    hy3 = (
        "<tool_calls><tool_call>bash<tool_sep><arg_key>command</arg_key>"
        "<arg_value>make</arg_value></tool_call></tool_calls>"
    )
    assert calls(hy3) == [("bash", {"command": "make"})]
    s = ":a1b2c3d4"
    hy4 = (
        f"<tool_calls{s}><tool_call{s}>grep<arg_key{s}>pattern</arg_key{s}>"
        f"<arg_value{s}>TODO</arg_value{s}><arg_key{s}>paths</arg_key{s}>"
        f'<arg_value{s}>["src"]</arg_value{s}></tool_call{s}></tool_calls{s}>'
    )
    assert calls(hy4) == [("grep", {"pattern": "TODO", "paths": ["src"]})]


# --------------------------------------------------------------------------- others


def test_seed_oss_think_then_tool_call():
    text = (
        "<seed:think>Need the file.</seed:think>\n<seed:tool_call>\n<function=read_file>\n"
        "<parameter=path>a.py</parameter>\n</function>\n</seed:tool_call>"
    )
    assert split_reasoning(text)[1] == "Need the file."
    assert calls(text) == [("read_file", {"path": "a.py"})]


def test_apertus_calls_named_by_their_only_key():
    text = (
        'Sure. <|tools_prefix|>[{"read_file": {"path": "a.py"}}, '
        '{"bash": {"command": "ls"}}]<|tools_suffix|>'
    )
    assert calls(text) == [("read_file", {"path": "a.py"}), ("bash", {"command": "ls"})]


def test_olmo3_newline_separated_python_calls_with_json_literals():
    text = (
        '<function_calls>\nread_file(path="a.py", limit=null)\n'
        'grep(pattern="x", ignore_case=true)\n</function_calls>'
    )
    assert calls(text) == [
        ("read_file", {"path": "a.py"}),
        ("grep", {"pattern": "x", "ignore_case": True}),
    ]


def test_step3_steptml_invoke():
    text = (
        "<｜tool_calls_begin｜><｜tool_call_begin｜>function<｜tool_sep｜>"
        '<steptml:invoke name="bash"><steptml:parameter name="command">ls</steptml:parameter>'
        "</steptml:invoke><｜tool_call_end｜><｜tool_calls_end｜>"
    )
    assert calls(text) == [("bash", {"command": "ls"})]


def test_longcat_nemotron_and_command_a_wrappers():
    j = '{"name": "bash", "arguments": {"command": "ls"}}'
    assert calls(f"<longcat_tool_call>{j}</longcat_tool_call>") == [("bash", {"command": "ls"})]
    assert calls(f"<TOOLCALL>[{j}]</TOOLCALL>") == [("bash", {"command": "ls"})]
    text = (
        "<|START_THINKING|>List it.<|END_THINKING|><|START_ACTION|>[\n"
        '  {"tool_call_id": "0", "tool_name": "bash", "parameters": {"command": "ls"}}\n'
        "]<|END_ACTION|>"
    )
    assert split_reasoning(text)[1] == "List it."
    assert calls(text) == [("bash", {"command": "ls"})]
