"""Pass rate of the tool-call parser on model outputs written from documented wire formats.

Each case is a model reply in one family's notation (from that family's chat template or
its inference-server parser documentation: vLLM, SGLang, llama.cpp) and the calls it must
give, after SmallCode's schema repair. Cases that must give no call are listed too (prose,
shell examples, broken arguments, names cut off mid-string). This is a measurement, not a
unit test: the figure is the share of cases read exactly right.

    .venv/bin/python benchmarks/parser_corpus.py [-v]
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from smallcode.toolcalls import parse_tool_calls
from smallcode.types import tool_schema


def _obj(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required}


S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741
TOOLS = [
    tool_schema(
        "get_weather",
        "Weather for a place.",
        _obj(
            {
                "location": S,
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": ["integer", "null"]},
            },
            ["location"],
        ),
    ),
    tool_schema(
        "search",
        "Search the web.",
        _obj(
            {
                "query": S,
                "limit": I,
                "filters": {"type": "object"},
                "tags": {"type": "array", "items": S},
            },
            ["query"],
        ),
    ),
    tool_schema("say_hello", "Say hello.", _obj({}, [])),
    tool_schema("say_hello_world", "Say hello to the world.", _obj({"name": S}, [])),
    tool_schema("read_file", "Read a file.", _obj({"path": S, "limit": I}, ["path"])),
    tool_schema(
        "write_file", "Write a file.", _obj({"path": S, "content": S}, ["path", "content"])
    ),
    tool_schema("run", "Run a shell command.", _obj({"command": S, "timeout": I}, ["command"])),
    tool_schema(
        "set_flag",
        "Set a flag.",
        _obj(
            {"enabled": {"type": "boolean"}, "note": {"type": ["string", "null"]}, "count": I},
            ["enabled"],
        ),
    ),
]

W = ("get_weather", {"location": "Paris"})
CODE = 'def f(x):\n    if x > 1:\n        return {"a": "}"}\n    print("done")\n'

# (id, model output, expected calls)
CASES: list[tuple[str, str, list[tuple[str, dict[str, Any]]]]] = [
    # --- Hermes / Qwen2.5 / Qwen3 / ERNIE / Granite 4 / LongCat / Trinity
    (
        "hermes-one",
        '<tool_call>\n{"name": "get_weather", "arguments": {"location": "Paris"}}\n</tool_call>',
        [W],
    ),
    (
        "hermes-two",
        '<tool_call>{"name": "get_weather", "arguments": {"location": "Paris"}}</tool_call>\n'
        '<tool_call>{"name": "search", "arguments": {"query": "louvre", "limit": 3}}</tool_call>',
        [W, ("search", {"query": "louvre", "limit": 3})],
    ),
    (
        "longcat",
        '<longcat_tool_call>{"name": "get_weather", "arguments": {"location": "Paris"}}'
        "</longcat_tool_call>",
        [W],
    ),
    (
        "trinity-call-in-think",
        "<think>I need the weather.\n<tool_call>\n"
        '{"name": "get_weather", "arguments": {"location": "Paris"}}\n</tool_call>',
        [W],
    ),
    # --- Qwen3-Coder / Qwen3.5 / Qwen3.6 / MiMo / Step-3.5 XML
    (
        "qwen3-coder-code",
        "<tool_call>\n<function=write_file>\n<parameter=path>\nf.py\n</parameter>\n"
        f"<parameter=content>\n{CODE}\n</parameter>\n</function>\n</tool_call>",
        [("write_file", {"path": "f.py", "content": CODE})],
    ),
    (
        "qwen3.5-unclosed-params",
        "<tool_call>\n<function=search>\n<parameter=query>\nlouvre\n<parameter=limit>\n5\n"
        "</function>\n</tool_call>",
        [("search", {"query": "louvre", "limit": 5})],
    ),
    (
        "qwen3-coder-null-none",
        "<tool_call>\n<function=set_flag>\n<parameter=enabled>\nTrue\n</parameter>\n"
        "<parameter=note>\nNone\n</parameter>\n</function>\n</tool_call>",
        [("set_flag", {"enabled": True, "note": None})],
    ),
    (
        "qwen3-coder-null-int",
        "<tool_call>\n<function=get_weather>\n<parameter=location>\nParis\n</parameter>\n"
        "<parameter=days>\nnull\n</parameter>\n</function>\n</tool_call>",
        [("get_weather", {"location": "Paris", "days": None})],
    ),
    (
        "qwen3-coder-null-string-stays",
        "<tool_call>\n<function=search>\n<parameter=query>\nnull\n</parameter>\n"
        "</function>\n</tool_call>",
        [("search", {"query": "null"})],
    ),
    (
        "seed-oss",
        "<seed:think>The user wants weather.</seed:think>\n<seed:tool_call>\n"
        "<function=get_weather>\n<parameter=location>Paris</parameter>\n"
        "<parameter=days>3</parameter>\n</function>\n</seed:tool_call>",
        [("get_weather", {"location": "Paris", "days": 3})],
    ),
    # --- GLM-4.5 / 4.6 / 4.7, Hunyuan, Poolside
    (
        "glm45",
        "<tool_call>get_weather\n<arg_key>location</arg_key>\n<arg_value>Paris</arg_value>\n"
        "<arg_key>days</arg_key>\n<arg_value>2</arg_value>\n</tool_call>",
        [("get_weather", {"location": "Paris", "days": 2})],
    ),
    (
        "glm47-inline",
        "<tool_call>get_weather<arg_key>location</arg_key><arg_value>Paris</arg_value>"
        "<arg_key>unit</arg_key><arg_value>celsius</arg_value></tool_call>",
        [("get_weather", {"location": "Paris", "unit": "celsius"})],
    ),
    ("glm47-no-args", "<tool_call>say_hello</tool_call>", [("say_hello", {})]),
    (
        "glm-null",
        "<tool_call>set_flag<arg_key>enabled</arg_key><arg_value>false</arg_value>"
        "<arg_key>note</arg_key><arg_value>null</arg_value></tool_call>",
        [("set_flag", {"enabled": False, "note": None})],
    ),
    (
        "hunyuan-a13b",
        '<tool_calls>[{"name": "get_weather", "arguments": {"location": "Paris"}}]</tool_calls>',
        [W],
    ),
    (
        "hy-v3",
        "<tool_calls><tool_call>get_weather<tool_sep><arg_key>location</arg_key>"
        "<arg_value>Paris</arg_value></tool_call></tool_calls>",
        [W],
    ),
    (
        "hy-v4-suffix",
        "<tool_calls:6124c78e><tool_call:6124c78e>search<arg_key:6124c78e>query</arg_key:6124c78e>"
        "<arg_value:6124c78e>louvre</arg_value:6124c78e><arg_key:6124c78e>tags</arg_key:6124c78e>"
        '<arg_value:6124c78e>["art", "paris"]</arg_value:6124c78e></tool_call:6124c78e>'
        "</tool_calls:6124c78e>",
        [("search", {"query": "louvre", "tags": ["art", "paris"]})],
    ),
    # --- DeepSeek V3 / R1 / V3.1 / V3.2 / V4, Step3
    (
        "deepseek-v3-one",
        "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n"
        '```json\n{"location": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
        [W],
    ),
    (
        "deepseek-v3-several-fenced",
        "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n"
        '```json\n{"location": "Paris"}\n```<｜tool▁call▁end｜>\n'
        "<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n"
        '```json\n{"location": "Tokyo"}\n```<｜tool▁call▁end｜>\n'
        "<｜tool▁call▁begin｜>function<｜tool▁sep｜>search\n"
        '```json\n{"query": "rain"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
        [W, ("get_weather", {"location": "Tokyo"}), ("search", {"query": "rain"})],
    ),
    (
        "deepseek-v31",
        '<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{"location": "Paris"}'
        "<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
        [W],
    ),
    (
        "deepseek-v32-dsml",
        "I'll check both.\n\n<｜DSML｜function_calls>\n"
        '<｜DSML｜invoke name="get_weather">\n'
        '<｜DSML｜parameter name="location" string="true">Paris</｜DSML｜parameter>\n'
        '<｜DSML｜parameter name="days" string="false">3</｜DSML｜parameter>\n'
        "</｜DSML｜invoke>\n"
        '<｜DSML｜invoke name="search">\n'
        '<｜DSML｜parameter name="query" string="true">museums "open" {today}</｜DSML｜parameter>\n'
        '<｜DSML｜parameter name="tags" string="false">["art"]</｜DSML｜parameter>\n'
        "</｜DSML｜invoke>\n</｜DSML｜function_calls>",
        [
            ("get_weather", {"location": "Paris", "days": 3}),
            ("search", {"query": 'museums "open" {today}', "tags": ["art"]}),
        ],
    ),
    (
        "deepseek-v4-dsml",
        "<｜DSML｜tool_calls>\n"
        '<｜DSML｜invoke name="search">\n'
        '<｜DSML｜parameter name="query" string="true">rain</｜DSML｜parameter>\n'
        '<｜DSML｜parameter name="filters" string="false">{"lang": "en", "safe": true}'
        "</｜DSML｜parameter>\n</｜DSML｜invoke>\n</｜DSML｜tool_calls>",
        [("search", {"query": "rain", "filters": {"lang": "en", "safe": True}})],
    ),
    (
        "deepseek-v32-code-value",
        '<｜DSML｜function_calls>\n<｜DSML｜invoke name="write_file">\n'
        '<｜DSML｜parameter name="path" string="true">f.py</｜DSML｜parameter>\n'
        f'<｜DSML｜parameter name="content" string="true">{CODE}</｜DSML｜parameter>\n'
        "</｜DSML｜invoke>\n</｜DSML｜function_calls>",
        [("write_file", {"path": "f.py", "content": CODE})],
    ),
    (
        "step3",
        "<｜tool_calls_begin｜><｜tool_call_begin｜>function<｜tool_sep｜>"
        '<steptml:invoke name="get_weather"><steptml:parameter name="location">Paris'
        "</steptml:parameter></steptml:invoke><｜tool_call_end｜><｜tool_calls_end｜>",
        [W],
    ),
    # --- Gemma 4, FunctionGemma
    (
        "gemma4-one",
        '<|tool_call>call:get_weather{location:<|"|>Paris<|"|>,days:3}<tool_call|>',
        [("get_weather", {"location": "Paris", "days": 3})],
    ),
    (
        "gemma4-tricky-string",
        '<|tool_call>call:write_file{path:<|"|>f.py<|"|>,content:<|"|>'
        + CODE
        + '<|"|>}<tool_call|>',
        [("write_file", {"path": "f.py", "content": CODE})],
    ),
    (
        "gemma4-nested",
        '<|tool_call>call:search{query:<|"|>rain<|"|>,limit:5,filters:{lang:<|"|>en<|"|>,'
        'safe:true},tags:[<|"|>a, b<|"|>,<|"|>c<|"|>]}<tool_call|>',
        [
            (
                "search",
                {
                    "query": "rain",
                    "limit": 5,
                    "filters": {"lang": "en", "safe": True},
                    "tags": ["a, b", "c"],
                },
            )
        ],
    ),
    (
        "gemma4-several-with-thought",
        "<|channel>thought\nTwo places, call:get_weather twice.<channel|>"
        '<|tool_call>call:get_weather{location:<|"|>Paris<|"|>}<tool_call|>'
        '<|tool_call>call:get_weather{location:<|"|>Tokyo<|"|>}<tool_call|>',
        [W, ("get_weather", {"location": "Tokyo"})],
    ),
    (
        "gemma4-turn-end",
        'Sure.<|tool_call>call:get_weather{location:<|"|>Paris<|"|>}<turn|>',
        [W],
    ),
    (
        "functiongemma",
        "<start_function_call>call:get_weather{location:<escape>Paris<escape>}<end_function_call>",
        [W],
    ),
    # --- Kimi K2 / K3
    (
        "kimi-k2-two",
        "<|tool_calls_section_begin|>"
        '<|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{"location": "Paris"}'
        "<|tool_call_end|>"
        '<|tool_call_begin|>functions.search:1<|tool_call_argument_begin|>{"query": "rain"}'
        "<|tool_call_end|><|tool_calls_section_end|>",
        [W, ("search", {"query": "rain"})],
    ),
    (
        "kimi-k3-xtml",
        "<|open|>response<|sep|>Checking.<|close|>response<|sep|>"
        "<|open|>tools<|sep|>"
        '<|open|>call tool="search" index="1"<|sep|>'
        '<|open|>argument key="query" type="string"<|sep|>rain "today"<|close|>argument<|sep|>'
        '<|open|>argument key="limit" type="integer"<|sep|>4<|close|>argument<|sep|>'
        '<|open|>argument key="filters" type="object"<|sep|>{"lang": "en"}<|close|>argument<|sep|>'
        "<|close|>call<|sep|><|close|>tools<|sep|>",
        [("search", {"query": 'rain "today"', "limit": 4, "filters": {"lang": "en"}})],
    ),
    # --- MiniMax M2 / M3, MiniCPM5
    (
        "minimax-m2",
        '<minimax:tool_call>\n<invoke name="get_weather">\n'
        '<parameter name="location">Paris</parameter>\n<parameter name="days">2</parameter>\n'
        "</invoke>\n</minimax:tool_call>",
        [("get_weather", {"location": "Paris", "days": 2})],
    ),
    (
        "minimax-m2-none",
        '<minimax:tool_call>\n<invoke name="set_flag">\n'
        '<parameter name="enabled">true</parameter>\n<parameter name="note">None</parameter>\n'
        "</invoke>\n</minimax:tool_call>",
        [("set_flag", {"enabled": True, "note": None})],
    ),
    (
        "minimax-m3",
        "]<]minimax[>[<tool_call>\n"
        ']<]minimax[>[<invoke name="search">\n'
        "]<]minimax[>[<query>rain]<]minimax[>[</query>\n"
        "]<]minimax[>[<tags>]<]minimax[>[<item>a]<]minimax[>[</item>"
        "]<]minimax[>[<item>b]<]minimax[>[</item>]<]minimax[>[</tags>\n"
        "]<]minimax[>[</invoke>\n]<]minimax[>[</tool_call>",
        [("search", {"query": "rain", "tags": ["a", "b"]})],
    ),
    (
        "minimax-m3-tokens-dropped",
        '<tool_call>\n<invoke name="get_weather">\n<location>Paris</location>\n'
        "<days>2</days>\n</invoke>\n</tool_call>",
        [("get_weather", {"location": "Paris", "days": 2})],
    ),
    (
        "minicpm5",
        '<function name="get_weather"><param name="location">Paris</param>'
        '<param name="unit">celsius</param></function>',
        [("get_weather", {"location": "Paris", "unit": "celsius"})],
    ),
    # --- Mistral / Devstral / Magistral
    (
        "mistral-v3",
        '[TOOL_CALLS][{"name": "get_weather", "arguments": {"location": "Paris"}}]',
        [W],
    ),
    ("mistral-v11", '[TOOL_CALLS]get_weather[ARGS]{"location": "Paris"}', [W]),
    (
        "prose-object-before-block",
        'I will use {"name": "get_weather"} for this.\n'
        '[TOOL_CALLS][{"name": "get_weather", "arguments": {"location": "Paris"}}]',
        [W],
    ),
    # --- Llama 3.x / 4, Olmo 3, LFM2, Apertus, Granite, Phi-4, InternLM, Cohere, xLAM
    ("llama-json", '{"name": "get_weather", "parameters": {"location": "Paris"}}', [W]),
    (
        "llama-python-tag",
        '<|python_tag|>{"name": "get_weather", "parameters": {"location": "Paris"}}',
        [W],
    ),
    (
        "llama-pythonic-list",
        '[get_weather(location="Paris"), search(query="rain", limit=2)]',
        [W, ("search", {"query": "rain", "limit": 2})],
    ),
    (
        "olmo3",
        '<function_calls>\nget_weather(location="Paris", days=null)\n'
        'search(query="rain", filters={"safe": true})\n</function_calls>',
        [
            ("get_weather", {"location": "Paris", "days": None}),
            ("search", {"query": "rain", "filters": {"safe": True}}),
        ],
    ),
    (
        "lfm2",
        '<|tool_call_start|>[get_weather(location="Paris")]<|tool_call_end|>Checking.',
        [W],
    ),
    (
        "apertus",
        'I will check. <|tools_prefix|>[{"get_weather": {"location": "Paris"}}, '
        '{"search": {"query": "rain"}}]<|tools_suffix|>',
        [W, ("search", {"query": "rain"})],
    ),
    (
        "granite",
        '<|tool_call|>[{"name": "get_weather", "arguments": {"location": "Paris"}}]',
        [W],
    ),
    ("phi4", 'functools[{"name": "get_weather", "arguments": {"location": "Paris"}}]', [W]),
    (
        "internlm",
        '<|action_start|><|plugin|>{"name": "get_weather", "parameters": {"location": "Paris"}}'
        "<|action_end|>",
        [W],
    ),
    (
        "cohere-command-a",
        "<|START_THINKING|>Look it up.<|END_THINKING|><|START_ACTION|>[\n"
        '    {"tool_call_id": "0", "tool_name": "search", "parameters": {"query": "rain"}}\n'
        "]<|END_ACTION|>",
        [("search", {"query": "rain"})],
    ),
    (
        "xlam",
        '[{"name": "get_weather", "arguments": {"location": "Paris"}}, '
        '{"name": "say_hello", "arguments": {}}]',
        [W, ("say_hello", {})],
    ),
    (
        "nemotron",
        '<TOOLCALL>[{"name": "get_weather", "arguments": {"location": "Paris"}}]</TOOLCALL>',
        [W],
    ),
    # --- gpt-oss harmony
    (
        "harmony",
        "<|channel|>analysis<|message|>Need weather.<|end|><|start|>assistant<|channel|>"
        'commentary to=functions.get_weather <|constrain|>json<|message|>{"location": "Paris"}'
        "<|call|>",
        [W],
    ),
    # --- fenced blocks
    (
        "fenced-json",
        'Calling:\n```json\n{"name": "get_weather", "arguments": {"location": "Paris"}}\n```',
        [W],
    ),
    (
        "fenced-bash-json",
        '```bash\n{"name": "run", "arguments": {"command": "ls -la"}}\n```',
        [("run", {"command": "ls -la"})],
    ),
    (
        "fenced-sh-json-list",
        '```sh\n[{"name": "run", "arguments": {"command": "make test"}}]\n```',
        [("run", {"command": "make test"})],
    ),
    ("fenced-bash-commands", "Run these:\n```bash\nls -la\nrun --verbose\n```", []),
    (
        "fenced-python-example",
        "```python\nresult = get_weather(location='Paris')\nprint(result)\n```",
        [],
    ),
    # --- broken arguments: no call
    ("broken-bare-word", '{"name": "get_weather", "arguments": invalid}', []),
    (
        "broken-hermes-number",
        '<tool_call>{"name": "search", "arguments": 42}</tool_call>',
        [],
    ),
    (
        "broken-deepseek-body",
        "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>search\n"
        "```json\nquery = rain\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
        [],
    ),
    (
        "broken-kimi-body",
        "<|tool_calls_section_begin|><|tool_call_begin|>functions.search:0"
        "<|tool_call_argument_begin|>query: rain<|tool_call_end|><|tool_calls_section_end|>",
        [],
    ),
    # --- names cut off mid-string
    ("cut-name-ambiguous", '<tool_call>\n{"name": "say_hello', []),
    ("cut-name-partial", '<tool_call>\n{"name": "say_hello_wor', []),
    ("cut-name-fuzzy", '<tool_call>\n{"name": "get_weath', []),
    (
        "cut-after-complete-name",
        '<tool_call>\n{"name": "say_hello_world", "arguments": {',
        [("say_hello_world", {})],
    ),
    # --- not calls
    ("prose", "To check the weather I would use get_weather with a location like Paris.", []),
    ("json-data", '{"name": "Alice", "location": "Paris", "days": 3}', []),
]


def _same(got: list[tuple[str, dict[str, Any]]], want: list[tuple[str, dict[str, Any]]]) -> bool:
    return got == want


def run(verbose: bool = False) -> tuple[int, int, list[str]]:
    passed = 0
    failed: list[str] = []
    for case_id, text, want in CASES:
        got = [(c.name, c.arguments) for c in parse_tool_calls(text, TOOLS)]
        if _same(got, want):
            passed += 1
        else:
            failed.append(case_id)
            if verbose:
                print(f"FAIL {case_id}\n  want {want}\n  got  {got}")
    return passed, len(CASES), failed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    passed, total, failed = run(args.verbose)
    print(f"parser corpus: {passed}/{total} ({100 * passed / total:.0f} %)")
    if failed:
        print("failed: " + ", ".join(failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
