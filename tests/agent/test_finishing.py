"""Finishing a task against the fake server: edits written as text are applied, "done" is
checked before it is believed, re-asks are bounded and the exit code tells the truth."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.agent.conftest import Run
from tests.conftest import make_git_repo
from tests.fakes.openai_server import FakeCall, FakeReply, script, text
from tests.fakes.openai_server import tool as call

HELLO = "Create hello.py that prints exactly: hello from smallcode"


def user_texts(body: dict[str, Any]) -> list[str]:
    return [m["content"] for m in body["messages"] if m["role"] == "user"]


def run_py(path: Path) -> str:
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=30)
    return out.stdout


# ---------------------------------------------------------------- edits written as text


def test_code_block_after_file_name_is_written(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    reply = (
        "Here is the script.\n\n**hello.py**\n```python\nprint('hello from smallcode')\n```\n\n"
        "Run it with `python hello.py`."
    )
    r: Run = run_agent(script([text(reply)]), HELLO)
    assert r.result.exit_code == 0 and r.result.stop_reason == "done"
    assert run_py(project / "hello.py") == "hello from smallcode\n"
    assert [c.name for c in r.result.tool_calls] == ["write_file"]
    assert r.result.files_created == ["hello.py"]
    assert len(r.requests) == 1  # applied and verified: no extra request
    assert r.result.verification["status"] == "passed"
    starts = [e for e in r.events if e["type"] == "tool_start"]
    assert starts and starts[0]["name"] == "write_file"


def test_first_line_comment_names_the_file(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    reply = "```python\n# hello.py\nprint('hello from smallcode')\n```"
    r = run_agent(script([text(reply)]), HELLO)
    assert r.result.exit_code == 0
    assert run_py(project / "hello.py") == "hello from smallcode\n"


def test_command_block_is_never_a_file(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        text("Run this:\n\n```bash\npython hello.py\n```"),
        call("write_file", path="hello.py", content="print('hello from smallcode')\n"),
        text("Created hello.py."),
    ]
    r = run_agent(script(replies), HELLO)
    assert r.result.exit_code == 0
    assert len(r.requests) == 3
    note = user_texts(r.requests[1])[-1]
    assert "not done" in note and "hello.py" in note
    assert run_py(project / "hello.py") == "hello from smallcode\n"


def test_nameless_block_goes_to_the_one_file_the_task_names(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"calc.py": "def add(a, b):\n    return a - b\n"})
    reply = "The fix:\n\n```python\ndef add(a, b):\n    return a + b\n```"
    r = run_agent(script([text(reply)]), "Fix the add function in calc.py")
    assert r.result.exit_code == 0
    assert (project / "calc.py").read_text() == "def add(a, b):\n    return a + b\n"
    assert r.result.files_edited == ["calc.py"]


def test_nameless_block_without_a_target_asks_for_a_call(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        text("```python\nprint('hi')\n```"),
        call("write_file", path="greet.py", content="print('hi')\n"),
        text("done"),
    ]
    r = run_agent(script(replies), "Write a script that greets the user")
    assert r.result.exit_code == 0
    note = user_texts(r.requests[1])[-1]
    assert "no file name" in note and "write_file" in note
    assert sorted(p.name for p in project.iterdir() if p.suffix == ".py") == ["greet.py"]


def test_search_replace_block_goes_through_patch(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"app.py": "def total(n):\n    return sum(range(1, n))\n"})
    reply = (
        "app.py\n<<<<<<< SEARCH\n    return sum(range(1, n))\n=======\n"
        "    return sum(range(1, n + 1))\n>>>>>>> REPLACE\n"
    )
    r = run_agent(script([text(reply)]), "Fix the off-by-one in app.py")
    assert r.result.exit_code == 0
    assert "range(1, n + 1)" in (project / "app.py").read_text()
    assert [c.name for c in r.result.tool_calls] == ["patch"]


def test_unified_diff_applies_only_when_every_hunk_fits(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"app.py": "a = 1\nb = 2\nc = 3\n"})
    good = (
        "```diff\n--- a/app.py\n+++ b/app.py\n@@ -1,3 +1,3 @@\n a = 1\n-b = 2\n+b = 20\n c = 3\n```"
    )
    bad = "```diff\n--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n-x = 9\n+x = 10\n```"
    r = run_agent(script([text(bad), text(good)]), "Change b to 20 in app.py")
    assert r.result.exit_code == 0
    assert (project / "app.py").read_text() == "a = 1\nb = 20\nc = 3\n"
    assert "does not match" in user_texts(r.requests[1])[-1]


def test_edits_in_a_question_are_not_applied(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"app.py": "x = 1\n"})
    reply = "It sets x:\n\napp.py\n```python\nx = 2\n```"
    r = run_agent(script([text(reply)]), "What does app.py do?")
    assert r.result.exit_code == 0
    assert (project / "app.py").read_text() == "x = 1\n"
    assert r.result.tool_calls == []


def test_cut_off_block_is_not_written(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    cut = FakeReply(content="hello.py\n```python\nprint('hel", finish_reason="length")
    replies = [cut, call("write_file", path="hello.py", content="print('hello from smallcode')\n")]
    r = run_agent(script([*replies, text("done")]), HELLO)
    assert r.result.exit_code == 0
    assert run_py(project / "hello.py") == "hello from smallcode\n"
    assert r.result.tool_calls[0].arguments["content"].startswith("print('hello from")


# ---------------------------------------------------------------- "done" is checked


def test_done_without_a_change_is_reasked_then_unverified(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call("patch", path="app.py", old_str="invented", new_str="x"),
        text("All done! I fixed the bug."),
    ]
    r = run_agent(script(replies), "Fix the bug in app.py")
    assert r.result.exit_code == 1 and r.result.stop_reason == "unverified"
    assert len(r.requests) == 4  # the failed call, then "done" three times (2 re-asks)
    assert r.result.verification["reasks"] == 2
    failed = [c for c in r.result.verification["checks"] if not c["ok"]]
    assert failed[0]["name"] == "changed"
    assert "nothing was changed" in r.result.error
    # The failed patch's result does not invite a summary.
    results = user_texts(r.requests[1]) + [
        m["content"] for m in r.requests[1]["messages"] if m["role"] == "tool"
    ]
    assert not any("answer with a short summary" in t for t in results)


def test_reasks_follow_the_setting(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(script([text("Done.")]), "Add a README.md", verify_max_reasks=0)
    assert r.result.exit_code == 1 and len(r.requests) == 1


def test_verify_off_believes_the_model(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(script([text("Done.")]), "Add a README.md", verify=False)
    assert r.result.exit_code == 0 and r.result.verification["status"] == "off"


def test_syntax_error_goes_back_to_the_model(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call("write_file", path="app.py", content="def f(:\n    return 1\n"),
        text("Created app.py."),
        call("write_file", path="app.py", content="def f():\n    return 1\n"),
        text("Fixed."),
    ]
    r = run_agent(script(replies), "Create app.py with a function f that returns 1")
    assert r.result.exit_code == 0 and len(r.requests) == 4
    note = user_texts(r.requests[2])[-1]
    assert "SyntaxError" in note and "app.py:1" in note


def test_named_file_must_exist(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call("write_file", path="main.py", content="print('hello from smallcode')\n"),
        text("Done."),
        call("write_file", path="hello.py", content="print('hello from smallcode')\n"),
        text("Done."),
    ]
    r = run_agent(script(replies), HELLO)
    assert r.result.exit_code == 0
    assert "hello.py does not exist" in user_texts(r.requests[2])[-1]


def test_failing_tests_are_summarised_for_the_model(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(
        project,
        {
            "rangesum.py": "def total(n):\n    return sum(range(1, n))\n",
            "test_rangesum.py": "from rangesum import total\n\n\ndef test_total():\n"
            "    assert total(3) == 6\n",
        },
    )
    replies = [
        call("patch", path="rangesum.py", old_str="range(1, n)", new_str="range(0, n)"),
        text("Fixed."),
        call("patch", path="rangesum.py", old_str="range(0, n)", new_str="range(1, n + 1)"),
        text("Fixed now."),
    ]
    r = run_agent(
        script(replies),
        "Fix the off-by-one bug in rangesum.py",
        test_runner=f"{sys.executable} -m pytest",
    )
    assert r.result.exit_code == 0, r.result.error
    note = user_texts(r.requests[2])[-1]
    assert "1 failed" in note and "test_rangesum.py" in note and len(note) < 1500
    tests = [c for c in r.result.verification["checks"] if c["name"] == "tests"]
    assert tests and tests[0]["ok"] and tests[0]["exit_code"] == 0
    assert r.result.verification["tests"]["passed"] == 1


def test_tests_that_still_fail_end_unverified(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(
        project,
        {
            "rangesum.py": "def total(n):\n    return sum(range(1, n))\n",
            "test_rangesum.py": "from rangesum import total\n\n\ndef test_total():\n"
            "    assert total(3) == 6\n",
        },
    )
    replies = [
        call("patch", path="rangesum.py", old_str="range(1, n)", new_str="range(0, n)"),
        text("All tests pass now."),
    ]
    r = run_agent(
        script(replies), "Fix the bug in rangesum.py", test_runner=f"{sys.executable} -m pytest"
    )
    assert r.result.exit_code == 1 and r.result.stop_reason == "unverified"
    assert "tests" in r.result.error


def test_a_question_has_nothing_to_check(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(script([text("It prints hello.")]), "What does hello.py do?")
    assert r.result.exit_code == 0 and r.result.verification["status"] == "skipped"


# ---------------------------------------------------------------- edit style


def test_small_models_get_the_whole_file_format(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    from smallcode import SmallCode

    srv = fake_server(script([text("hello.py\n```python\nprint('hello from smallcode')\n```")]))
    sc = SmallCode(model="qwen2.5-coder-1.5b-instruct", base_url=srv.base_url, cwd=project)
    try:
        result = sc.run(HELLO)
    finally:
        sc.close()
    system = srv.requests[0]["messages"][0]["content"]
    assert "complete new file in a fenced code block" in system
    assert "main.py" not in system
    assert result.exit_code == 0


def test_a_model_answering_with_code_switches_format_once(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    from smallcode import SmallCode

    replies = [
        text("hello.py\n```python\nprint('hello from smallcode')\n```"),
        call("read_file", path="hello.py"),
        text("ok"),
    ]
    srv = fake_server(script(replies))
    sc = SmallCode(model="big-coder-32b", base_url=srv.base_url, cwd=project)
    try:
        sc.run(HELLO)
        sc.run("Read hello.py")
    finally:
        sc.close()
    systems = [r["messages"][0]["content"] for r in srv.requests]
    assert "Edit with patch" in systems[0]
    assert all("complete new file" in s for s in systems[1:])
    assert len(set(systems[1:])) == 1  # changed once, then stable


def test_text_format_setting(project: Path, fake_server) -> None:  # type: ignore[no-untyped-def]
    from smallcode import SmallCode

    srv = fake_server(script([text("ok")]))
    sc = SmallCode(
        model="qwen2.5-coder-0.5b", base_url=srv.base_url, cwd=project, edit_format="tools"
    )
    try:
        sc.run("hi")
    finally:
        sc.close()
    assert "Edit with patch" in srv.requests[0]["messages"][0]["content"]


def test_named_files_are_shown_with_the_task(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"calc.py": "def add(a, b):\n    return a - b\n"})
    reply = "calc.py\n```python\ndef add(a, b):\n    return a + b\n```"
    r = run_agent(script([text(reply)]), "Fix add in calc.py")
    context = [t for t in user_texts(r.requests[0]) if t.startswith("Context for the next task")]
    assert context and "calc.py\n```python\ndef add(a, b):\n    return a - b\n```" in context[0]
    # Shown counts as read: the whole-file edit is not blocked by the write guard.
    assert r.result.exit_code == 0 and "a + b" in (project / "calc.py").read_text()


def test_example_path_is_refused(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call("write_file", path="path/to/file.py", content="print('hello from smallcode')\n"),
        call("write_file", path="hello.py", content="print('hello from smallcode')\n"),
        text("done"),
    ]
    r = run_agent(script(replies), HELLO)
    assert r.result.exit_code == 0
    assert not (project / "path").exists()


def test_example_folders_around_the_named_file_are_dropped(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call("write_file", path="path/to/hello.py", content="print('hello from smallcode')\n"),
        text("done"),
    ]
    r = run_agent(script(replies), HELLO)
    assert r.result.exit_code == 0, r.result.error
    assert run_py(project / "hello.py") == "hello from smallcode\n"
    assert not (project / "path").exists()


def test_an_invented_tool_name_that_plainly_means_write_file(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    reply = (
        '{"name": "create_hello.py", "arguments": {"path": "hello.py", '
        '"content": "print(\'hello from smallcode\')\\n"}}'
    )
    r = run_agent(script([text(reply), text("Created hello.py.")]), HELLO)
    assert r.result.exit_code == 0, r.result.error
    assert run_py(project / "hello.py") == "hello from smallcode\n"
    assert "is not a tool; its arguments are write_file's" in " ".join(
        rep for e in r.events if e["type"] == "repair" for rep in e.get("repairs", [])
    )


def test_an_invented_name_with_other_arguments_stays_unknown(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    reply = '{"name": "append_to_file", "arguments": {"path": "hello.py", "text": "x"}}'
    r = run_agent(script([text(reply), text("ok")]), "What is in hello.py?")
    assert r.result.tool_calls == []
    assert "unknown tool(s) append_to_file" in user_texts(r.requests[1])[-1]


def test_a_file_name_with_a_placeholder_path_is_not_read_as_read_file(  # type: ignore[no-untyped-def]
    project: Path, run_agent
) -> None:
    """The 0.5B model "called" count_lines.sh (the script to write) with path "<file-path>":
    that is not a read of some file, so it stays an unknown tool, and the note says it is the
    file to write; a name that says which file to read still reads it."""
    make_git_repo(project, {"config.json": "{}\n"})
    reads = run_agent(
        script(
            [text('{"name": "read_config.json", "arguments": {"path": "config.json"}}'), text("{}")]
        ),
        "What is in config.json?",
    )
    assert [c.name for c in reads.result.tool_calls] == ["read_file"]
    bad = '{"name": "count_lines.sh", "arguments": {"path": "<file-path>"}}'
    r = run_agent(
        script(
            [
                text(bad),
                call("write_file", path="count_lines.sh", content='wc -l < "$1"\n'),
                text("ok"),
            ]
        ),
        "Create a bash script count_lines.sh that prints the number of lines of the file "
        "given as its first argument (just the number).",
    )
    assert [c.name for c in r.result.tool_calls] == ["write_file"]
    assert (
        "count_lines.sh is not a tool: it is the file count_lines.sh"
        in user_texts(r.requests[1])[-1]
    )


def test_an_unknown_tool_in_a_text_format_gets_how_to_write_files(  # type: ignore[no-untyped-def]
    project: Path, run_agent
) -> None:
    """The 0.5B model "called" rectangle_area, the new name of a rename: in a text format the
    note says how to write the files (the tool list made it call read_file with the schema)."""
    files = {
        "geometry.py": "def area_rect(w, h):\n    return w * h\n",
        "main.py": "from geometry import area_rect\n\nprint(area_rect(3, 4))\n",
    }
    make_git_repo(project, files)
    new_geo = "def rectangle_area(w, h):\n    return w * h\n"
    new_main = "from geometry import rectangle_area\n\nprint(rectangle_area(3, 4))\n"
    fixed = (
        f"path/to/geometry.py\n```python\n{new_geo}```\n\npath/to/main.py\n```python\n{new_main}```"
    )
    r = run_agent(
        script([text('{"name": "rectangle_area", "arguments": {"w": 1}}'), text(fixed)]),
        "Rename the function area_rect to rectangle_area in geometry.py and main.py.",
        edit_format="whole",
    )
    note = user_texts(r.requests[1])[-1]
    assert note.startswith("rectangle_area is not a tool. To create or change a file, reply")
    assert "(the files of this task: geometry.py, main.py)" in note and "Valid tools" not in note
    assert r.result.exit_code == 0, r.result.error
    assert (project / "geometry.py").read_text() == new_geo
    assert (project / "main.py").read_text() == new_main
    assert not (project / "path").exists()


def test_calling_the_function_the_task_asks_for_is_told_it_is_code(
    project: Path, run_agent
) -> None:  # type: ignore[no-untyped-def]
    """The packaged 0.5B model answered aider's benchmark prompt "Write `add(a, b)` ..." with
    {"name": "add", ...} three times: the note says add is code to write, and where."""
    make_git_repo(project, {"add_numbers.py": "def add(a, b):\n    pass\n"})
    reply = '{"name": "add", "arguments": {"a": 1, "b": 2}}'
    fixed = "def add(a, b):\n    return a + b\n"
    r = run_agent(
        script([text(reply), call("write_file", path="add_numbers.py", content=fixed), text("ok")]),
        "Write `add(a, b)` so that it returns the sum. Modify the supplied files: add_numbers.py",
    )
    note = user_texts(r.requests[1])[-1]
    assert "unknown tool(s) add" in note
    assert "add is not a tool: it is code the task asks you to write in add_numbers.py" in note
    assert r.result.exit_code == 0, r.result.error


def test_calling_the_module_or_rereading_the_file_gets_the_next_step(
    project: Path, run_agent
) -> None:  # type: ignore[no-untyped-def]
    """The 0.5B model "called" reverse_text (the module) and then read reverse_text.py again
    and again: it is told that reverse_text is the file, and after the third read to write it."""
    make_git_repo(project, {"reverse_text.py": "def reverse(text):\n    pass\n"})
    module_call = '{"name": "reverse_text", "arguments": {"text": "stressed"}}'
    read = call("read_file", path="reverse_text.py")
    fixed = "def reverse(text):\n    return text[::-1]\n"
    r = run_agent(
        script(
            [
                text(module_call),
                read,
                call("bash", command="true"),
                read,
                call("bash", command="true"),
                read,
                call("write_file", path="reverse_text.py", content=fixed),
                text("ok"),
            ]
        ),
        "`reverse(text)` returns the text reversed. Modify the supplied files: reverse_text.py",
    )
    first = user_texts(r.requests[1])[-1]
    assert "reverse_text is not a tool: it is the file reverse_text.py" in first
    sent = json.dumps(r.requests[-1]["messages"])
    assert "You have read reverse_text.py: now change it. Call write_file" in sent
    assert r.result.exit_code == 0, r.result.error


def test_a_reply_that_changed_nothing_is_not_kept_for_the_re_ask(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    """The 0.5B model echoed test_shapes.py; shown that echo and the note, it sent the echo
    again (3 of 4 tries), and without it wrote shapes.py (4 of 4): the echo is dropped."""
    test = "from shapes import Square\n\n\ndef test_area():\n    assert Square(3).area() == 9\n"
    make_git_repo(project, {"test_shapes.py": test})
    square = "class Square:\n    def __init__(self, s):\n        self.s = s\n\n    def area(self):\n        return self.s ** 2\n"
    r = run_agent(
        script([text(f"```python\n{test}```"), text(f"shapes.py\n```python\n{square}```")]),
        "Write shapes.py so that the tests in test_shapes.py pass.",
        edit_format="whole",
    )
    assert r.result.exit_code == 0, r.result.error
    second = r.requests[1]["messages"]
    assert [m for m in second if m["role"] == "assistant"] == []
    assert second[-1]["role"] == "user" and "nothing was changed" in second[-1]["content"]
    assert second[-2]["content"] == "Write shapes.py so that the tests in test_shapes.py pass."


def test_a_reply_with_tool_results_is_kept_for_the_re_ask(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"a.txt": "x\n"})
    r = run_agent(
        script([call("read_file", path="a.txt"), text("It says x."), text("Still x.")]),
        "Create b.txt with the text of a.txt",
        verify_max_reasks=1,
    )
    assert r.result.exit_code == 1
    second_ask = r.requests[2]["messages"]
    roles = [m["role"] for m in second_ask]
    assert "tool" in roles or any("[read_file result]" in (m["content"] or "") for m in second_ask)
    assert not any(m["role"] == "assistant" and m["content"] == "It says x." for m in second_ask)


def test_calling_the_script_in_a_text_format_asks_for_the_file_as_text(
    project: Path, run_agent
) -> None:  # type: ignore[no-untyped-def]
    """The 0.5B model sent {"name": "count_lines", ...} three times, each time after seeing
    its call and the tool list: now the call is dropped and the note is the way to write it."""
    make_git_repo(project, {"notes.txt": "a\nb\nc\n"})
    bad = '{"name": "count_lines", "arguments": {"path": "<file-path>"}}'
    good = 'count_lines.sh\n```bash\n#!/bin/bash\nwc -l < "$1"\n```'
    r = run_agent(
        script([text(bad), text(good)]),
        "Create a bash script count_lines.sh that prints the number of lines of the file "
        "given as its first argument (just the number).",
        edit_format="whole",
    )
    assert r.result.exit_code == 0, r.result.error
    second = r.requests[1]["messages"]
    assert [m for m in second if m["role"] == "assistant"] == []
    note = second[-1]["content"]
    assert note.startswith("count_lines is not a tool: it is the file count_lines.sh")
    assert "Reply with the line count_lines.sh" in note and "Valid tools" not in note


# ---------------------------------------------------------------- the CLI


def test_cli_unverified_exit_code_and_json(project: Path, fake_server, cli) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([text("Done!")]))
    out = cli(["--base-url", srv.base_url, "-m", "fake", "-P", HELLO, "--json"], project)
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert data["stop_reason"] == "unverified" and data["verification"]["status"] == "failed"
    assert "smallcode: not verified" in out.stderr and "Traceback" not in out.stderr


def test_cli_bad_edit_format_is_one_line(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = cli(["-P", "hi"], project, env={"SMALLCODE_EDIT_FORMAT": "sideways"})
    assert out.returncode == 2
    assert "SMALLCODE_EDIT_FORMAT" in out.stderr and "Traceback" not in out.stderr


def test_native_write_call_then_done(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        FakeReply(calls=[FakeCall("write_file", {"path": "hello.py", "content": "print(1)\n"})]),
        text("Created hello.py."),
    ]
    r = run_agent(script(replies), "create hello.py that prints 1")
    assert r.result.exit_code == 0 and len(r.requests) == 2


def test_a_repeated_write_to_the_example_path_still_finishes(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    again = call("write_file", path="path/to/hello.py", content="print('hello from smallcode')\n")
    r = run_agent(script([again, again, again, again, again, text("Created hello.py.")]), HELLO)
    assert r.result.exit_code == 0, r.result.error
    assert len(r.requests) <= 5  # the third identical write asks for the summary, no tools
    assert run_py(project / "hello.py") == "hello from smallcode\n"
