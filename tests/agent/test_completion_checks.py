"""The completion check's deeper checks against the fake server: mistakes that parse but do
not work (undefined names, broken imports, a lost rename, a script that prints nothing, a
duplicated heading), tests that must stay as they are, and how text edits are cleaned."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.agent.conftest import Run
from tests.conftest import make_git_repo
from tests.fakes.openai_server import script, text
from tests.fakes.openai_server import tool as call


def user_texts(body: dict[str, Any]) -> list[str]:
    return [m["content"] for m in body["messages"] if m["role"] == "user"]


def failed_checks(r: Run) -> list[str]:
    return [c["name"] for c in r.result.verification["checks"] if not c["ok"]]


# ---------------------------------------------------------------- code that cannot run


def test_undefined_name_goes_back_to_the_model(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"calc.py": "def double(x):\n    return 2 * x\n"})
    replies = [
        call("patch", path="calc.py", old_str="return 2 * x", new_str="return times(2, x)"),
        text("Done."),
        call("patch", path="calc.py", old_str="return times(2, x)", new_str="return x + x"),
        text("Done."),
    ]
    r = run_agent(script(replies), "Rewrite double in calc.py without the * operator")
    assert r.result.exit_code == 0, r.result.error
    note = user_texts(r.requests[2])[-1]
    assert "calc.py:2: name 'times' is not defined" in note


def test_names_already_undefined_are_not_blamed(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(
        project, {"old.py": "def f():\n    return helper()\n\n\ndef g():\n    return 1\n"}
    )
    replies = [call("patch", path="old.py", old_str="return 1", new_str="return 2"), text("ok")]
    r = run_agent(script(replies), "Make g in old.py return 2")
    assert r.result.exit_code == 0 and "lint" not in failed_checks(r)


def test_function_pasted_twice_is_caught(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"m.py": "def f():\n    return 1\n"})
    replies = [
        call(
            "patch",
            path="m.py",
            old_str="    return 1\n",
            new_str="    return 1\n\n\ndef f():\n    return 2\n",
        ),
        text("Done."),
    ]
    r = run_agent(script(replies), "Change f in m.py to return 2", verify_max_reasks=0)
    assert r.result.stop_reason == "unverified"
    assert "name 'f' defined a second time" in r.result.error


def test_rename_that_breaks_an_import_is_caught(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(
        project,
        {
            "geometry.py": "def area_rect(w, h):\n    return w * h\n",
            "main.py": "from geometry import area_rect\n\nprint(area_rect(3, 4))\n",
        },
    )
    replies = [
        call("patch", path="geometry.py", old_str="def area_rect", new_str="def rectangle_area"),
        text("Renamed."),
    ]
    r = run_agent(
        script(replies), "Rename the function area_rect to rectangle_area", verify_max_reasks=0
    )
    assert r.result.exit_code == 1
    checks = {c["name"]: c for c in r.result.verification["checks"]}
    assert not checks["imports"]["ok"]
    assert (
        "main.py:1: cannot import name 'area_rect' from geometry.py"
        in checks["imports"]["evidence"]
    )
    assert not checks["renamed"]["ok"] and "main.py:1" in checks["renamed"]["evidence"]


def test_complete_rename_passes(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(
        project,
        {
            "geometry.py": "def area_rect(w, h):\n    return w * h\n",
            "main.py": "from geometry import area_rect\n\nprint(area_rect(3, 4))\n",
        },
    )
    replies = [
        call(
            "write_file",
            path="geometry.py",
            content="def rectangle_area(w, h):\n    return w * h\n",
        ),
        call(
            "write_file",
            path="main.py",
            content="from geometry import rectangle_area\n\nprint(rectangle_area(3, 4))\n",
        ),
        text("Renamed."),
    ]
    r = run_agent(script(replies), "Rename area_rect to rectangle_area", write_guard=False)
    assert r.result.exit_code == 0, r.result.error
    assert {"renamed", "syntax"} <= {c["name"] for c in r.result.verification["checks"]}


def test_new_script_that_prints_nothing_is_sent_back(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    never_called = "def main():\n    print('hello from smallcode')\n"
    replies = [
        call("write_file", path="hello.py", content=never_called),
        text("Done."),
        call("write_file", path="hello.py", content=never_called + "\n\nmain()\n"),
        text("Done."),
    ]
    r = run_agent(script(replies), "Create hello.py that prints exactly: hello from smallcode")
    assert r.result.exit_code == 0, r.result.error
    note = user_texts(r.requests[2])[-1]
    assert "`python hello.py` printed nothing" in note
    runs = [c for c in r.result.verification["checks"] if c["name"] == "runs"]
    assert runs and runs[0]["ok"] and runs[0]["exit_code"] == 0


def test_new_script_that_crashes_is_sent_back_but_usage_errors_are_not(  # type: ignore[no-untyped-def]
    project: Path, run_agent
) -> None:
    wants_args = "import sys\nprint(open(sys.argv[1]).read().count('\\n'))\n"
    r = run_agent(
        script([call("write_file", path="count.py", content=wants_args), text("Done.")]),
        "Create count.py that prints the number of lines of the file given as argument",
    )
    assert r.result.exit_code == 0, r.result.error
    crash = "print(undefined_thing)\n"
    r = run_agent(
        script([call("write_file", path="boom.py", content=crash), text("Done.")]),
        "Create boom.py that prints a greeting",
        verify_max_reasks=0,
        verify_run=True,
    )
    assert r.result.exit_code == 1 and "lint" in failed_checks(r)


def test_running_scripts_can_be_switched_off(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(
        script([call("write_file", path="hi.sh", content="greet() { echo hi; }\n"), text("ok")]),
        "Create hi.sh that prints hi",
        verify_run=False,
    )
    assert r.result.exit_code == 0 and "runs" not in {
        c["name"] for c in r.result.verification["checks"]
    }


def test_heading_copied_by_a_patch_is_caught(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"README.md": "# tool\n\n## Usage\n\nTODO\n\n## License\n\nMIT\n"})
    replies = [
        call("patch", path="README.md", old_str="TODO", new_str="## Usage\n\nRun `python app.py`."),
        text("Filled in."),
    ]
    r = run_agent(script(replies), "Fill in the Usage section of README.md", verify_max_reasks=0)
    result_text = [m for m in user_texts(r.requests[1]) if "[patch result]" in m] or [
        m["content"] for m in r.requests[1]["messages"] if m["role"] == "tool"
    ]
    assert "repeats the 1 line(s) just above it" in result_text[-1]
    assert r.result.exit_code == 1
    assert "heading '## Usage' twice" in r.result.error


# ---------------------------------------------------------------- tests as the goal


SHAPES_TEST = "from shapes import Square\n\n\ndef test_area():\n    assert Square(3).area() == 9\n"


def test_tests_that_are_the_goal_cannot_be_rewritten(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"test_shapes.py": SHAPES_TEST})
    reply = (
        "shapes.py\n```python\nclass Square:\n    def __init__(self, s):\n        self.s = s\n\n"
        "    def area(self):\n        return 0\n```\n\ntest_shapes.py\n```python\n"
        "from shapes import Square\n\n\ndef test_area():\n    assert Square(3).area() == 0\n```"
    )
    fixed = "shapes.py\n```python\nclass Square:\n    def __init__(self, s):\n        self.s = s\n\n    def area(self):\n        return self.s * self.s\n```"
    r = run_agent(
        script([text(reply), text(fixed)]),
        "Write shapes.py so that the tests in test_shapes.py pass.",
        test_runner=f"{sys.executable} -m pytest -q -p no:cacheprovider",
    )
    assert (project / "test_shapes.py").read_text() == SHAPES_TEST
    assert r.result.exit_code == 0, r.result.error
    second = "\n".join(user_texts(r.requests[1]))
    assert "test_shapes.py holds the tests this task must make pass" in second
    assert r.result.verification["tests"]["passed"] == 1
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project, check=True
    )


def test_tests_may_change_when_the_task_says_so(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"test_calc.py": "def test_add():\n    assert 1 + 1 == 3\n"})
    replies = [
        call("patch", path="test_calc.py", old_str="== 3", new_str="== 2"),
        text("Fixed the typo."),
    ]
    r = run_agent(
        script(replies),
        "Fix the typo in test_calc.py so that the test passes",
        test_runner=f"{sys.executable} -m pytest -q -p no:cacheprovider",
    )
    assert r.result.exit_code == 0, r.result.error


# ---------------------------------------------------------------- text edits, cleaned


def test_copied_line_numbers_and_listing_header_are_removed(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"greet.py": "print('hi')\n"})
    reply = "```python\n# greet.py (3 lines)\n    1 import sys\n    2 \n    3 print('hi', *sys.argv[1:])\n```"
    r = run_agent(script([text(reply)]), "Make greet.py also print its arguments")
    assert r.result.exit_code == 0, r.result.error
    assert (project / "greet.py").read_text() == "import sys\n\nprint('hi', *sys.argv[1:])\n"


def test_a_comment_naming_the_file_is_not_written_into_json(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    reply = '```json\n// config.json\n{"port": 8080}\n```'
    r = run_agent(script([text(reply)]), "Write config.json with port 8080")
    assert r.result.exit_code == 0, r.result.error
    assert (project / "config.json").read_text() == '{"port": 8080}\n'


def test_an_edit_that_did_not_apply_is_reported_before_the_check(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"a.py": "x = 1\n", "b.py": "y = 1\n"})
    reply = (
        "a.py\n```python\nx = 2\n```\n\n```diff\n--- a/b.py\n+++ b/b.py\n@@ -1 +1 @@\n"
        "-y = 5\n+y = 2\n```"
    )
    fixed = "b.py\n```python\ny = 2\n```"
    r = run_agent(script([text(reply), text(fixed)]), "Set x in a.py and y in b.py to 2")
    assert r.result.exit_code == 0, r.result.error
    assert len(r.requests) == 2
    assert "the diff for b.py does not match the file" in user_texts(r.requests[1])[-1]
    assert (project / "b.py").read_text() == "y = 2\n"


def test_unreadable_call_in_attribute_form_is_read(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    reply = (
        '<tools>\n<function name="write_file" arguments=\'{"path": "hello.py", '
        '"content": "print(\'hello from smallcode\')\\n"}\'/>\n</tools>'
    )
    r = run_agent(
        script([text(reply), text("Created hello.py.")]),
        "Create hello.py that prints hello from smallcode",
    )
    assert r.result.exit_code == 0, r.result.error
    out = subprocess.run([sys.executable, "hello.py"], cwd=project, capture_output=True, text=True)
    assert out.stdout == "hello from smallcode\n"


def test_exact_output_the_task_names_is_compared(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call("write_file", path="hello.py", content="print('Hello, World!')\n"),
        text("Done."),
        call("write_file", path="hello.py", content="print('hello from smallcode')\n"),
        text("Done."),
    ]
    r = run_agent(script(replies), "Create hello.py that prints exactly: hello from smallcode")
    assert r.result.exit_code == 0, r.result.error
    note = user_texts(r.requests[2])[-1]
    assert "printed 'Hello, World!'" in note and "exactly 'hello from smallcode'" in note
    assert r.result.verification["unverified"] == ["behaviour: no tests ran for the changed files"]


def test_what_was_not_checked_is_said(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(
        script([call("write_file", path="fizz.py", content="print(1)\n"), text("Done.")]),
        "Create fizz.py that prints the numbers from 1 to 15",
    )
    assert r.result.exit_code == 0
    assert any("what the program prints" in u for u in r.result.verification["unverified"])
    off = run_agent(script([text("Done.")]), "Add a README.md", verify=False)
    assert off.result.verification["unverified"][0].startswith("everything")


def test_a_rewrite_that_loses_a_heading_or_a_function_is_sent_back(
    project: Path, run_agent
) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(
        project,
        {
            "README.md": "# tool\n\nIntro.\n\n## Usage\n\nTODO\n",
            "util.py": "def a():\n    return 1\n\n\ndef b():\n    return 2\n",
        },
    )
    replies = [
        call("write_file", path="README.md", content="## Usage\n\nRun it.\n"),
        call("write_file", path="util.py", content="def b():\n    return 3\n"),
        text("Done."),
    ]
    r = run_agent(
        script(replies),
        "Fill in Usage in README.md and make b in util.py return 3",
        verify_max_reasks=0,
        write_guard=False,
    )
    assert r.result.exit_code == 1
    assert "README.md lost the heading '# tool'" in r.result.error
    assert "util.py no longer defines a" in r.result.error


def test_removal_tasks_may_lose_definitions(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"util.py": "def a():\n    return 1\n\n\ndef b():\n    return 2\n"})
    replies = [
        call("patch", path="util.py", old_str="def a():\n    return 1\n\n\n", new_str=""),
        text("ok"),
    ]
    r = run_agent(script(replies), "Remove the function a from util.py")
    assert r.result.exit_code == 0, r.result.error


def test_reading_the_file_to_create_says_to_write_it(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    replies = [
        call("read_file", path="shapes.py"),
        call("write_file", path="shapes.py", content="class Square:\n    pass\n"),
        text("Done."),
    ]
    r = run_agent(script(replies), "Create shapes.py with a Square class")
    assert r.result.exit_code == 0, r.result.error
    result = [m["content"] for m in r.requests[1]["messages"] if m["role"] in ("tool", "user")][-1]
    assert "shapes.py does not exist yet: the task asks you to create it" in result


def test_a_script_that_prints_just_the_number_is_run_with_the_file(
    project: Path, run_agent
) -> None:  # type: ignore[no-untyped-def]
    """The task says the script reads the file given as its argument and prints just the
    number: it is run with the project's data file, and `wc -l FILE` ("3 notes.txt") is sent
    back; `wc -l < FILE` passes."""
    make_git_repo(project, {"notes.txt": "a\nb\nc\n"})
    replies = [
        call("write_file", path="count_lines.sh", content='#!/bin/bash\nwc -l "$1"\n'),
        text("Done."),
        call("write_file", path="count_lines.sh", content='#!/bin/bash\nwc -l < "$1"\n'),
        text("Done."),
    ]
    task = (
        "Create a bash script count_lines.sh that prints the number of lines of the file "
        "given as its first argument (just the number)."
    )
    r = run_agent(script(replies), task)
    assert r.result.exit_code == 0, r.result.error
    note = user_texts(r.requests[2])[-1]
    assert "bash count_lines.sh notes.txt" in note and "3 notes.txt" in note, note
    assert "just the number" in note
    runs = [c for c in r.result.verification["checks"] if c["name"] == "runs"]
    assert runs and runs[-1]["ok"] and runs[-1]["command"] == "bash count_lines.sh notes.txt"


def test_no_data_file_means_no_argument_and_no_number_check(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"a.txt": "x\n", "b.txt": "y\n"})  # two candidates: not guessed
    r = run_agent(
        script([call("write_file", path="wc.sh", content='wc -l "$1"\n'), text("Done.")]),
        "Create wc.sh that prints the number of lines of the file given as its first "
        "argument (just the number).",
    )
    assert r.result.exit_code == 0, r.result.error
    runs = [c for c in r.result.verification["checks"] if c["name"] == "runs"]
    assert runs and runs[-1]["command"] == "bash wc.sh"


def test_tests_the_task_asks_for_must_be_written(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    """Tests put into the module (or nowhere) are not the tests the task asks for."""
    make_git_repo(
        project,
        {
            "mathx.py": "def half(x):\n    return x / 2\n",
            "test_mathx.py": "from mathx import half\n\n\ndef test_half():\n    assert half(4) == 2\n",
        },
    )
    module = "def half(x):\n    return x / 2\n\n\ndef double(x):\n    return 2 * x\n"
    tests = (
        "from mathx import double, half\n\n\ndef test_half():\n    assert half(4) == 2\n\n\n"
        "def test_double():\n    assert double(2) == 4\n"
    )
    replies = [
        call("write_file", path="mathx.py", content=module),
        text("Done."),
        call("write_file", path="test_mathx.py", content=tests),
        text("Done."),
    ]
    r = run_agent(
        script(replies),
        "Add a function double(x) to mathx.py. Also add tests for it to test_mathx.py.",
    )
    assert r.result.exit_code == 0, r.result.error
    note = user_texts(r.requests[2])[-1]
    assert "the task asks for tests, but no test file was written: add them to test_mathx.py" in (
        note
    )
    assert "tests_added" not in failed_checks(r)


def test_tests_that_are_only_the_measure_need_not_change(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(
        project, {"test_sq.py": "from sq import sq\n\n\ndef test_sq():\n    assert sq(3) == 9\n"}
    )
    r = run_agent(
        script(
            [call("write_file", path="sq.py", content="def sq(x):\n    return x * x\n"), text("ok")]
        ),
        "Write sq.py so that the tests in test_sq.py pass.",
    )
    assert r.result.exit_code == 0, r.result.error
    assert all(c["name"] != "tests_added" for c in r.result.verification["checks"])


def test_in_a_text_format_the_note_asks_for_the_file_again(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    never_called = "def main():\n    print('hello from smallcode')\n"
    replies = [
        text(f"hello.py\n```python\n{never_called}```"),
        text(f"hello.py\n```python\n{never_called}\n\nmain()\n```"),
    ]
    r = run_agent(
        script(replies),
        "Create hello.py that prints exactly: hello from smallcode",
        edit_format="whole",
    )
    assert r.result.exit_code == 0, r.result.error
    note = user_texts(r.requests[1])[-1]
    assert "`python hello.py` printed nothing" in note
    assert "Reply with the line hello.py and below it the complete corrected content" in note


def test_a_flag_that_changes_the_default_output_is_sent_back(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    """The 0.5B model added --shout to greet.py but made the plain greeting 'Hi' (a false
    done): without the flag the script must print what it did, with it something else."""
    base = (
        "import argparse\n\n\ndef main():\n    p = argparse.ArgumentParser()\n"
        '    p.add_argument("name")\n{extra}    args = p.parse_args()\n'
        '    print({expr})\n\n\nif __name__ == "__main__":\n    main()\n'
    )
    original = base.format(extra="", expr='f"Hello, {args.name}"')
    make_git_repo(project, {"greet.py": original})
    flag = '    p.add_argument("--shout", action="store_true")\n'
    broken = base.format(
        extra=flag, expr='f"Hello, {args.name}" if args.shout else f"Hi, {args.name}"'
    )
    good = base.format(
        extra=flag, expr='f"Hello, {args.name}".upper() if args.shout else f"Hello, {args.name}"'
    )
    replies = [
        call("write_file", path="greet.py", content=broken),
        text("Done."),
        call("write_file", path="greet.py", content=good),
        text("Done."),
    ]
    r = run_agent(
        script(replies),
        "Add a --shout flag to greet.py: with it, the greeting is printed in upper case.",
    )
    assert r.result.exit_code == 0, r.result.error
    assert (
        "without --shout, `python greet.py x` now prints 'Hi, x'" in user_texts(r.requests[2])[-1]
    )
    flag_checks = [c for c in r.result.verification["checks"] if c["name"] == "flag"]
    assert flag_checks and flag_checks[-1]["ok"]
    assert flag_checks[-1]["command"] == "python greet.py x --shout"


def test_nothing_changed_in_a_text_format_asks_for_a_file_block_not_a_call(  # type: ignore[no-untyped-def]
    project: Path, run_agent
) -> None:
    """The 0.5B model, told to 'call write_file', called it with no content and then read a
    made-up file until the loop guard stopped it: in a text format the note asks for text."""
    calc = "def add(a, b):\n    return a + b\n"
    test = "from calc import add\n\n\ndef test_add():\n    assert ad(2, 3) == 5\n"
    make_git_repo(project, {"calc.py": calc, "test_calc.py": test})
    fixed = test.replace("ad(2", "add(2")
    r = run_agent(
        script([text(f"```python\n{test}```"), text(f"test_calc.py\n```python\n{fixed}```")]),
        "Fix the typo in test_calc.py (calc.py is correct).",
        edit_format="whole",
    )
    assert r.result.exit_code == 0, r.result.error
    note = user_texts(r.requests[1])[-1]
    assert "Reply with the path of the file to change alone on a line" in note
    assert "(the files of this task: test_calc.py, calc.py)" in note
    assert "write_file" not in note
    assert (project / "test_calc.py").read_text() == fixed
