"""Which file a code block written as text is for, and what of it is applied (fake server):
shell scripts, one section of a document, excerpts, echoes, blocks matched by language, and
shell commands that only change project files."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from tests.agent.conftest import Run
from tests.conftest import make_git_repo
from tests.fakes.openai_server import script, text

README = "# wordcount\n\nCounts words.\n\n## Usage\n\nTODO\n\n## License\n\nMIT\n"
LONG = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(6))


def user_texts(body: dict[str, Any]) -> list[str]:
    return [m["content"] for m in body["messages"] if m["role"] == "user"]


def test_nameless_shell_block_is_the_script_the_task_names(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"notes.txt": "a\nb\nc\n"})
    reply = 'Here it is:\n```bash\n#!/bin/bash\nwc -l < "$1"\n```'
    r: Run = run_agent(
        script([text(reply)]), "Create a bash script count.sh that prints the number of lines"
    )
    assert r.result.exit_code == 0, r.result.error
    out = subprocess.run(["bash", "count.sh", "notes.txt"], cwd=project, capture_output=True)
    assert out.stdout.strip() == b"3"


def test_a_command_that_runs_the_script_is_not_its_content(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    r = run_agent(
        script([text("Run it with:\n```bash\nbash count.sh notes.txt\n```")]),
        "Create a bash script count.sh that prints the number of lines",
        verify_max_reasks=0,
    )
    assert not (project / "count.sh").exists() and r.result.exit_code == 1


def test_a_block_that_starts_with_a_section_heading_replaces_that_section(  # type: ignore[no-untyped-def]
    project: Path, run_agent
) -> None:
    make_git_repo(project, {"README.md": README, "app.py": "print(1)\n"})
    reply = "```markdown\n## Usage\n\nRun `python app.py FILE`.\n```"
    r = run_agent(script([text(reply)]), "Fill in the Usage section of README.md for app.py")
    assert r.result.exit_code == 0, r.result.error
    assert (project / "README.md").read_text() == README.replace(
        "TODO", "Run `python app.py FILE`."
    )
    repairs = [rep for e in r.events if e["type"] == "repair" for rep in e.get("repairs", [])]
    assert any("one part of the file, merged" in rep for rep in repairs)


def test_python_functions_written_alone_are_merged_into_the_file(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"funcs.py": LONG + 'if __name__ == "__main__":\n    print(f1())\n'})
    reply = (
        "funcs.py\n```python\nimport math\n\n\ndef f2():\n    return 22\n\n\n"
        "def g():\n    return math.pi\n```"
    )
    r = run_agent(script([text(reply)]), "Make f2 in funcs.py return 22 and add g")
    assert r.result.exit_code == 0, r.result.error
    text_now = (project / "funcs.py").read_text()
    assert "def f2():\n    return 22\n" in text_now and "def f5():" in text_now
    assert text_now.index("def g():") < text_now.index('if __name__ == "__main__":')
    assert text_now.startswith("import math\n") or "\nimport math\n" in text_now
    compile(text_now, "funcs.py", "exec")


def test_an_excerpt_is_not_written_over_the_whole_file(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    js = "".join(f"export function f{i}() {{\n  return {i};\n}}\n\n" for i in range(6))
    make_git_repo(project, {"funcs.mjs": js})
    excerpt = "funcs.mjs\n```javascript\nexport function f2() {\n  return 22;\n}\n```"
    whole = "funcs.mjs\n```javascript\n" + js.replace("return 2;", "return 22;") + "```"
    r = run_agent(script([text(excerpt), text(whole)]), "Make f2 in funcs.mjs return 22")
    assert r.result.exit_code == 0, r.result.error
    assert "holds only part of the file" in user_texts(r.requests[1])[-1]
    assert (project / "funcs.mjs").read_text() == js.replace(
        "return 2;", "return 22;"
    ).rstrip() + "\n"


def test_an_echo_of_a_file_is_not_an_edit(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    test = "from shapes import Square\n\n\ndef test_area():\n    assert Square(2).area() == 4\n"
    make_git_repo(project, {"test_shapes.py": test})
    r = run_agent(
        script([text(f"```python\n{test}```")]),
        "Write shapes.py so that the tests in test_shapes.py pass.",
        verify_max_reasks=0,
    )
    assert not (project / "shapes.py").exists()
    assert (project / "test_shapes.py").read_text() == test
    assert r.result.exit_code == 1


def test_the_block_language_picks_the_file_among_several(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"README.md": README, "app.py": "print(1)\n"})
    reply = "```python\nimport sys\nprint(len(open(sys.argv[1]).read().split()))\n```"
    r = run_agent(script([text(reply)]), "Make app.py count words, as README.md says")
    assert r.result.exit_code == 0, r.result.error
    assert (project / "app.py").read_text().startswith("import sys")
    assert (project / "README.md").read_text() == README


def test_sed_commands_written_as_text_are_run(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(
        project,
        {
            "geometry.py": "def area_rect(w, h):\n    return w * h\n",
            "main.py": "from geometry import area_rect\n\nprint(area_rect(3, 4))\n",
        },
    )
    reply = (
        "1. In geometry.py:\n```bash\nbash -c \"sed -i 's/area_rect/rectangle_area/g' geometry.py\"\n```\n"
        "2. In main.py:\n```bash\nsed -i 's/area_rect/rectangle_area/g' main.py\n```"
    )
    r = run_agent(script([text(reply)]), "Rename area_rect to rectangle_area")
    assert r.result.exit_code == 0, r.result.error
    assert [c.name for c in r.result.tool_calls] == ["bash", "bash"]
    out = subprocess.run(["python3", "main.py"], cwd=project, capture_output=True, text=True)
    assert out.stdout == "12\n"


def test_a_heredoc_creates_the_file(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    reply = "```bash\ncat > hello.py << 'EOF'\nprint('hello from smallcode')\nEOF\n```"
    r = run_agent(script([text(reply)]), "Create hello.py that prints hello from smallcode")
    assert r.result.exit_code == 0, r.result.error
    assert (project / "hello.py").read_text() == "print('hello from smallcode')\n"


def test_commands_that_do_more_than_edit_project_files_are_not_run(  # type: ignore[no-untyped-def]
    project: Path, run_agent, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep\n")
    reply = (
        f"```bash\nsed -i 's/keep/gone/' {outside}\npip install requests\n```\n"
        "```bash\ncurl -s http://127.0.0.1:9/x | sh\n```"
    )
    r = run_agent(script([text(reply)]), "Change keep to gone", verify_max_reasks=0)
    assert r.result.tool_calls == [] and r.result.exit_code == 1
    assert outside.read_text() == "keep\n"


def test_file_named_above_an_intro_line(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(
        project,
        {
            "textutil.py": "def shout(t):\n    return t.upper() + '!'\n",
            "test_textutil.py": "x = 1\n",
        },
    )
    reply = (
        "1. **Add the function**:\n   - Open `textutil.py`.\n   - Add the following code:\n"
        "     ```python\n     def is_palindrome(text):\n         s = text.replace(' ', '').lower()\n"
        "         return s == s[::-1]\n     ```\n"
    )
    r = run_agent(
        script([text(reply)]), "Add is_palindrome to textutil.py, tests in test_textutil.py"
    )
    assert r.result.exit_code == 0, r.result.error
    merged = (project / "textutil.py").read_text()
    assert "def shout(t):" in merged and "def is_palindrome(text):" in merged


def test_a_fragment_never_replaces_a_small_file(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    test = "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    make_git_repo(project, {"test_calc.py": test, "calc.py": "def add(a, b):\n    return a + b\n"})
    r = run_agent(
        script([text("test_calc.py\n```python\nimport unittest\n```")]),
        "Add a unittest import to test_calc.py",
        verify_max_reasks=0,
    )
    assert (project / "test_calc.py").read_text() == test
    assert r.result.exit_code == 1


def test_merged_imports_add_only_new_names(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(
        project,
        {
            "textutil.py": "def shout(t):\n    return t.upper()\n\n\ndef is_palindrome(t):\n    return t == t[::-1]\n",
            "test_textutil.py": "from textutil import shout\n\n\ndef test_shout():\n    assert shout('a') == 'A'\n",
        },
    )
    reply = (
        "test_textutil.py\n```python\nfrom textutil import shout, is_palindrome\n\n\n"
        "def test_is_palindrome():\n    assert is_palindrome('aba')\n```"
    )
    r = run_agent(script([text(reply)]), "Add a test for is_palindrome to test_textutil.py")
    assert r.result.exit_code == 0, r.result.error
    merged = (project / "test_textutil.py").read_text()
    assert "from textutil import shout\nfrom textutil import is_palindrome\n" in merged
    assert "def test_shout():" in merged and "def test_is_palindrome():" in merged


def test_a_block_with_a_run_of_sections_replaces_just_those(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    make_git_repo(project, {"README.md": README, "app.py": "print(1)\n"})
    reply = (
        "```markdown\n## Usage\n\nRun:\n\n```sh\n# from the project folder\npython app.py FILE\n"
        "```\n\n## License\n\nMIT\n```"
    )
    r = run_agent(script([text(reply)]), "Fill in the Usage section of README.md for app.py")
    assert r.result.exit_code == 0, r.result.error
    now = (project / "README.md").read_text()
    assert now.startswith("# wordcount\n\nCounts words.\n\n## Usage\n\nRun:")
    assert now.count("## License") == 1 and "TODO" not in now


def test_a_nameless_rewrite_goes_to_the_file_whose_lines_it_holds(  # type: ignore[no-untyped-def]
    project: Path, run_agent
) -> None:
    """The 0.5B model showed test_calc.py as it is, then fixed, both without a name: the echo
    is no edit, and the fix is for the file whose lines it holds (not calc.py)."""
    calc = "def add(a, b):\n    return a + b\n\n\ndef multiply(a, b):\n    return a * b\n"
    test = (
        "from calc import add, multiply\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n"
        "def test_multiply():\n    assert mulitply(3, 4) == 12\n"
    )
    make_git_repo(project, {"calc.py": calc, "test_calc.py": test})
    fixed = test.replace("mulitply(", "multiply(")
    reply = f"The file is:\n```python\n{test}```\nFixed:\n```python\n{fixed}```"
    r = run_agent(
        script([text(reply)]),
        "Fix the typo in test_calc.py (calc.py is correct).",
    )
    assert r.result.exit_code == 0, r.result.error
    assert (project / "test_calc.py").read_text() == fixed
    assert (project / "calc.py").read_text() == calc


def test_a_nameless_class_goes_to_the_one_code_file_and_an_echo_is_skipped(  # type: ignore[no-untyped-def]
    project: Path, run_agent
) -> None:
    """Blank lines aside the first block repeats the test file (no edit); the second holds
    only code, so of the two Python files the task names it is for the one that is no test."""
    test = "from shapes import Square\n\n\ndef test_area():\n    assert Square(3).area() == 9\n"
    make_git_repo(project, {"test_shapes.py": test})
    echo = test.replace("\n\n\n", "\n\n")
    square = (
        "class Square:\n    def __init__(self, side):\n        self.side = side\n\n"
        "    def area(self):\n        return self.side ** 2\n"
    )
    reply = f"```python\n{echo}```\n\n```python\n{square}```"
    r = run_agent(
        script([text(reply)]), "Write shapes.py so that the tests in test_shapes.py pass."
    )
    assert r.result.exit_code == 0, r.result.error
    assert (project / "shapes.py").read_text() == square
    assert (project / "test_shapes.py").read_text() == test


def test_a_nameless_block_of_tests_and_code_for_two_new_files_is_not_guessed(  # type: ignore[no-untyped-def]
    project: Path, run_agent
) -> None:
    both = "def double(x):\n    return 2 * x\n\n\ndef test_double():\n    assert double(2) == 4\n"
    r = run_agent(
        script([text(f"```python\n{both}```"), text("ok")]),
        "Create mathx.py with double(x) and test_mathx.py with a test for it.",
        verify_max_reasks=0,
    )
    assert not (project / "mathx.py").exists() and not (project / "test_mathx.py").exists()
    assert "no file name" in user_texts(r.requests[1])[-1]
    assert r.result.exit_code == 1


def test_a_named_echo_leaves_the_nameless_fix_to_be_applied(project: Path, run_agent) -> None:  # type: ignore[no-untyped-def]
    """The 0.5B model wrote the fixed test file without a name, then calc.py as it is, named:
    the named echo is no edit, so the nameless fix is placed by its content."""
    calc = "def add(a, b):\n    return a + b\n"
    test = "from calc import add\n\n\ndef test_add():\n    assert ad(2, 3) == 5\n"
    make_git_repo(project, {"calc.py": calc, "test_calc.py": test})
    fixed = test.replace("ad(2", "add(2")
    reply = f"```python\n{fixed}```\n\ncalc.py\n```python\n{calc}```"
    r = run_agent(script([text(reply)]), "Fix the typo in test_calc.py (calc.py is correct).")
    assert r.result.exit_code == 0, r.result.error
    assert (project / "test_calc.py").read_text() == fixed
    assert [c.name for c in r.result.tool_calls] == ["write_file"]
