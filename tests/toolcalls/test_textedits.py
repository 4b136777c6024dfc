"""File edits written as text (fenced files, SEARCH/REPLACE blocks, unified diffs)."""

from __future__ import annotations

import pytest

from smallcode.toolcalls.textedits import (
    Hunk,
    TextEdit,
    apply_hunks,
    extract_text_edits,
    is_command_block,
    looks_like_path,
)

CALC = "def add(a, b):\n    return a + b\n"


def one(text: str) -> TextEdit:
    [edit] = extract_text_edits(text)
    return edit


def file_edits(text: str) -> list:
    """Edits that are files by themselves (nameless shell blocks are only candidates for a
    shell-script target, marked ``command_like``)."""
    return [e for e in extract_text_edits(text) if not e.command_like]


def wholes(text: str) -> list[tuple[str | None, str]]:
    edits = file_edits(text)
    assert all(e.kind == "whole" for e in edits)
    return [(e.path, e.content) for e in edits]


# ---------------------------------------------------------------------------- whole files


def test_first_line_comment_names_the_file_and_stays_in_the_content():
    text = (
        "Here's the updated code:\n\n```python\n# calc.py\ndef add(a, b):\n    return a + b\n"
        "```\n\nThis function takes two numbers and returns their sum."
    )
    edit = one(text)
    assert edit == TextEdit("whole", "calc.py", content="# calc.py\n" + CALC, lang="python")


@pytest.mark.parametrize(
    "before",
    [
        "calc.py",
        "calc.py:",
        "`calc.py`",
        "`calc.py`:",
        "**calc.py**",
        "**calc.py:**",
        "**File:** `calc.py`",
        "### calc.py",
        "## File: calc.py",
        "### `calc.py`",
        "1. **calc.py**",
        "File: calc.py",
        "Filename: calc.py",
        "Here is `calc.py`:",
        "Create a file named calc.py with:",
        "Updated calc.py:",
        "calc.py (new file):",
        "### Step 2: create calc.py",
    ],
)
def test_name_on_the_line_before_the_fence(before):
    assert wholes(f"{before}\n```python\n{CALC}```\n") == [("calc.py", CALC)]


def test_one_blank_line_between_name_and_fence_is_fine_two_are_not():
    assert wholes(f"**calc.py**\n\n```python\n{CALC}```")[0][0] == "calc.py"
    assert wholes(f"**calc.py**\n\n\n```python\n{CALC}```")[0][0] is None


def test_name_with_directory_and_dot_slash():
    assert wholes("`./src/app.js`:\n```js\nconsole.log(1);\n```")[0][0] == "src/app.js"
    assert wholes("src/app.js:\n```javascript\nconsole.log(1);\n```")[0][0] == "src/app.js"


def test_prose_that_does_not_introduce_the_block_names_nothing():
    text = "I changed calc.py so that it handles floats, as you asked\n```python\n" + CALC + "```"
    assert wholes(text) == [(None, CALC)]
    long_line = "Here is " + "a very long explanation " * 5 + "of calc.py:"
    assert wholes(f"{long_line}\n```python\n{CALC}```")[0][0] is None


@pytest.mark.parametrize(
    "info",
    [
        "python calc.py",
        "calc.py",
        'python title="calc.py"',
        "python title='calc.py'",
        "python path=calc.py",
        "python file=calc.py",
        "python filename=calc.py",
        "py:calc.py",
        "{.python file=calc.py}",
    ],
)
def test_name_in_the_info_string(info):
    assert wholes(f"```{info}\n{CALC}```") == [("calc.py", CALC)]


def test_lang_is_lowercased_and_kept():
    assert one(f"```Python calc.py\n{CALC}```").lang == "python"
    assert one(f"```calc.py\n{CALC}```").lang == ""
    assert one(f"```py:calc.py\n{CALC}```").lang == "py"


def test_info_string_wins_over_the_line_before():
    assert wholes(f"Here is `other.py`:\n```python calc.py\n{CALC}```")[0][0] == "calc.py"


@pytest.mark.parametrize(
    ("lang", "first", "name"),
    [
        ("python", "# file: calc.py", "calc.py"),
        ("python", "# calc.py - the calculator", "calc.py"),
        ("javascript", "// src/app.js", "src/app.js"),
        ("sql", "-- query.sql", "query.sql"),
        ("html", "<!-- index.html -->", "index.html"),
        ("css", "/* style.css */", "style.css"),
    ],
)
def test_name_in_a_first_line_comment(lang, first, name):
    body = f"{first}\nsome code\n"
    assert wholes(f"Here you go:\n```{lang}\n{body}```") == [(name, body)]


def test_comment_after_a_shebang_names_the_file():
    body = "#!/usr/bin/env python3\n# tool.py\nprint('hi')\n"
    assert wholes(f"```python\n{body}```") == [("tool.py", body)]


def test_a_comment_sentence_or_include_is_not_a_name():
    assert wholes("```python\n# Calculator using math.py helpers\nx = 1\n```")[0][0] is None
    assert wholes("```c\n#include <stdio.h>\nint main(void) { return 0; }\n```")[0][0] is None


def test_block_without_a_name_has_path_none():
    assert wholes(f"Here's the updated code:\n\n```python\n{CALC}```") == [(None, CALC)]
    assert wholes(f"```\n{CALC}```") == [(None, CALC)]


def test_content_ends_with_exactly_one_newline_and_keeps_the_body():
    assert one("```python\nx = 1\n\n\n```").content == "x = 1\n"
    assert one("```python\n    indented = True\n```").content == "    indented = True\n"


def test_two_files_in_one_reply_come_in_order():
    text = (
        "Sure! First create `calc.py`:\n\n```python\n" + CALC + "```\n\n"
        "Then the tests in **test_calc.py**:\n\n```python\nfrom calc import add\n\n"
        "def test_add():\n    assert add(1, 2) == 3\n```\n\nRun `pytest` to check."
    )
    assert [e.path for e in extract_text_edits(text)] == ["calc.py", "test_calc.py"]


def test_the_previous_blocks_lines_do_not_name_the_next_block():
    text = "```python\n# a.py\nx = 1\n```\n```python\ny = 2\n```"
    assert wholes(text) == [("a.py", "# a.py\nx = 1\n"), (None, "y = 2\n")]


def test_json_tool_call_in_a_fence_is_just_a_nameless_json_block():
    text = '```json\n{"name": "write_file", "arguments": {"path": "a.py", "content": "x"}}\n```'
    edit = one(text)
    assert (edit.kind, edit.path, edit.lang) == ("whole", None, "json")


def test_mermaid_diagram_is_not_a_file():
    assert extract_text_edits("```mermaid\ngraph TD; A-->B;\n```") == []


def test_prose_with_inline_code_and_no_fence_has_no_edits():
    text = "Open `calc.py` and change `return a - b` to `return a + b`. Then run `python calc.py`."
    assert extract_text_edits(text) == []


def test_empty_block_is_no_edit():
    assert extract_text_edits("calc.py:\n```python\n```") == []


# ---------------------------------------------------------------------------- command blocks


def test_bash_command_block_after_run_it_is_not_a_file():
    text = "Run it with python hello.py:\n```bash\npython hello.py\n```"
    assert file_edits(text) == []


def test_run_line_still_names_a_real_code_block():
    assert wholes(f"Run it with python calc.py:\n```python\n{CALC}```") == [("calc.py", CALC)]


def test_untagged_output_after_a_run_line_is_not_a_file():
    assert extract_text_edits("Run `python hello.py` and you'll get:\n```\nHello\n```") == []
    assert extract_text_edits("Output:\n```\nHello, World!\n```") == []
    assert wholes("Create requirements.txt with:\n```\nflask\n```") == [
        ("requirements.txt", "flask\n")
    ]


def test_python_tagged_command_is_not_a_file_even_after_a_colon_line():
    assert extract_text_edits("Run it with python hello.py:\n```python\npython hello.py\n```") == []


@pytest.mark.parametrize("lang", ["console", "text", "output", "sh", "shell", "powershell"])
def test_output_and_shell_blocks_without_a_name_are_not_files(lang):
    edits = extract_text_edits(f"You should see:\n```{lang}\nHello, World!\n3\n```")
    assert file_edits(f"You should see:\n```{lang}\nHello, World!\n3\n```") == []
    # Shell code may still be the content of the one shell script a task asks for.
    assert all(e.command_like and e.path is None for e in edits)
    assert bool(edits) == (lang in ("sh", "shell", "powershell"))


def test_dollar_prompt_lines_are_not_a_file():
    assert extract_text_edits("```\n$ python x.py\nHello\n```") == []
    assert extract_text_edits("```\n$ pip install flask\n$ flask run\n```") == []
    assert extract_text_edits(">>> add(1, 2)\n```\n>>> add(1, 2)\n3\n```") == []


def test_plain_install_commands_without_a_language_are_not_a_file():
    assert extract_text_edits("Install it:\n```\npip install requests\n```") == []
    assert extract_text_edits("```\n# install\ncd app && npm install\n```") == []


def test_bash_script_named_by_a_heading_or_bold_is_a_file():
    body = "set -e\nrsync -a dist/ server:/var/www\n"
    assert wholes(f"### deploy.sh\n\n```bash\n{body}```") == [("deploy.sh", body)]
    shebang = "#!/bin/bash\ntar czf backup.tgz ~/docs\n"
    assert wholes(f"**backup.sh**\n```bash\n{shebang}```") == [("backup.sh", shebang)]


def test_shebang_script_is_a_file_even_when_named_in_prose():
    body = "#!/bin/bash\necho hi\n"
    assert wholes(f"Create a file named hi.sh with:\n```bash\n{body}```") == [("hi.sh", body)]


def test_bash_block_named_in_info_string_or_first_comment_is_a_file():
    assert wholes("```bash deploy.sh\nmake build\n```")[0][0] == "deploy.sh"
    assert wholes("```bash\n# deploy.sh\nmake build\n```")[0][0] == "deploy.sh"


def test_bash_block_under_a_heading_naming_a_python_file_is_not_that_file():
    assert extract_text_edits("### main.py\n```bash\npython main.py\n```") == []


def test_requirements_in_a_text_block_named_plainly_is_a_file():
    assert wholes("**requirements.txt**\n```text\nflask\nrequests\n```") == [
        ("requirements.txt", "flask\nrequests\n")
    ]


def test_is_command_block():
    assert is_command_block("bash", "python hello.py")
    assert is_command_block("TEXT", "anything")
    assert is_command_block("", "$ ls\nfile.txt")
    assert is_command_block("", "> npm start")
    assert is_command_block("python", "pip install flask")
    assert not is_command_block("bash", "#!/bin/bash\necho hi")
    assert not is_command_block("python", CALC)
    assert not is_command_block("", "flask\nrequests")
    assert not is_command_block("python", "make = 1\nsource = 'x'")
    assert not is_command_block("markdown", "> a quote")


# ---------------------------------------------------------------------------- fences


def test_markdown_file_with_inner_fence_inside_a_tilde_fence():
    body = "# Demo\n\nInstall:\n\n```bash\npip install demo\n```\n"
    assert wholes(f"README.md:\n~~~~markdown\n{body}~~~~\n") == [("README.md", body)]


def test_four_backtick_fence_holds_three_backtick_lines():
    body = "Usage:\n```\nrun it\n```\nDone.\n"
    assert wholes(f"**docs/usage.md**\n````md\n{body}````") == [("docs/usage.md", body)]


def test_markdown_three_backtick_fence_with_nested_tagged_fences():
    body = "# App\n\n```bash\nnpm start\n```\n\nMore text.\n"
    assert wholes(f"```markdown README.md\n{body}```\n\nThat's it.") == [("README.md", body)]


def test_unclosed_final_fence_from_a_truncated_reply():
    assert wholes(f"calc.py:\n```python\n{CALC}\n") == [("calc.py", CALC)]
    assert extract_text_edits("calc.py:\n```python\n\n") == []


def test_indented_fence_in_a_list_is_dedented():
    text = "1. Create `a.py`:\n\n   ```python\n   def f():\n       return 1\n   ```\n"
    assert wholes(text) == [("a.py", "def f():\n    return 1\n")]


def test_forgotten_closing_fence_does_not_swallow_the_next_block():
    text = (
        "calc.py:\n```python\n" + CALC + "\nThen run it:\n```bash\npython calc.py\n```\n"
        "utils.py:\n```python\nX = 1\n```"
    )
    assert wholes(text) == [("calc.py", CALC), ("utils.py", "X = 1\n")]


def test_shorter_tagged_fence_inside_a_longer_fence_is_content():
    body = 'def f():\n    """\n    ```python\n    f()\n    ```\n    """\n'
    assert wholes(f"`f.py`:\n````python\n{body}````") == [("f.py", body)]


def test_crlf_reply():
    assert wholes("calc.py:\r\n```python\r\nx = 1\r\n```\r\n") == [("calc.py", "x = 1\n")]


# ---------------------------------------------------------------------------- SEARCH/REPLACE


def test_search_replace_with_name_before_the_fence():
    text = (
        "I'll fix the bug.\n\ncalc.py\n```python\n<<<<<<< SEARCH\n    return a - b\n=======\n"
        "    return a + b\n>>>>>>> REPLACE\n```\n"
    )
    edit = one(text)
    assert edit == TextEdit(
        "search_replace",
        "calc.py",
        search="    return a - b\n",
        replace="    return a + b\n",
        lang="python",
    )


def test_search_replace_with_name_inside_the_fence_and_several_blocks():
    text = (
        "```python\ncalc.py\n<<<<<<< SEARCH\nimport os\n=======\nimport sys\n>>>>>>> REPLACE\n\n"
        "<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n"
        "`util.py`\n<<<<<<< SEARCH\ny = 1\n=======\n>>>>>>> REPLACE\n```"
    )
    edits = extract_text_edits(text)
    assert [(e.path, e.search, e.replace) for e in edits] == [
        ("calc.py", "import os\n", "import sys\n"),
        ("calc.py", "x = 1\n", "x = 2\n"),
        ("util.py", "y = 1\n", ""),
    ]


def test_search_replace_name_from_info_string():
    text = "```python calc.py\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```"
    assert one(text).path == "calc.py"


def test_bare_search_replace_blocks_outside_fences():
    text = (
        "**calc.py**\n<<<<<<< SEARCH\ndef add(a, b):\n=======\ndef add(a: int, b: int):\n"
        ">>>>>>> REPLACE\n\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n"
        ">>>>>>> REPLACE\n\nNow the other one:\n<<<<<<< SEARCH\nq\n=======\nr\n>>>>>>> REPLACE\n"
    )
    edits = extract_text_edits(text)
    assert [(e.kind, e.path) for e in edits] == [
        ("search_replace", "calc.py"),
        ("search_replace", "calc.py"),
        ("search_replace", None),
    ]
    assert edits[1].replace == "    return a + b\n"


def test_search_replace_without_any_name():
    edit = one("<<<<<<< SEARCH\na = 1\n=======\na = 2\n>>>>>>> REPLACE")
    assert (edit.kind, edit.path, edit.search, edit.replace) == (
        "search_replace",
        None,
        "a = 1\n",
        "a = 2\n",
    )


def test_empty_search_creates_the_file():
    text = "hello.py\n```python\n<<<<<<< SEARCH\n=======\nprint('hello')\n>>>>>>> REPLACE\n```"
    edit = one(text)
    assert (edit.path, edit.search, edit.replace) == ("hello.py", "", "print('hello')\n")


def test_marker_lengths_and_trailing_words_vary():
    text = "a.py\n<<<<< SEARCH\nx\n=========\ny\n>>>>>>>>> REPLACE"
    assert (one(text).search, one(text).replace) == ("x\n", "y\n")


def test_search_replace_fence_is_not_also_a_whole_edit():
    text = "calc.py\n```python\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```"
    assert [e.kind for e in extract_text_edits(text)] == ["search_replace"]


def test_search_replace_of_a_markdown_file_with_fences_inside():
    text = (
        "README.md\n```markdown\n<<<<<<< SEARCH\n```bash\nnpm i\n```\n=======\n```bash\n"
        "npm ci\n```\n>>>>>>> REPLACE\n```\nDone."
    )
    edit = one(text)
    assert edit.search == "```bash\nnpm i\n```\n"
    assert edit.replace == "```bash\nnpm ci\n```\n"


def test_git_conflict_markers_are_not_an_edit():
    assert extract_text_edits("<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> feature\n") == []


def test_truncated_search_replace_is_dropped():
    assert extract_text_edits("a.py\n<<<<<<< SEARCH\nx\n=======\ny") == []


# ---------------------------------------------------------------------------- unified diffs

DIFF = """\
--- a/calc.py
+++ b/calc.py
@@ -1,2 +1,2 @@
 def add(a, b):
-    return a - b
+    return a + b
"""


def test_unified_diff_in_a_diff_fence():
    edit = one(f"Here's the fix:\n\n```diff\n{DIFF}```\n")
    assert (edit.kind, edit.path, edit.lang, edit.is_new_file) == (
        "udiff",
        "calc.py",
        "diff",
        False,
    )
    assert edit.hunks == [
        Hunk(["def add(a, b):", "    return a - b"], ["def add(a, b):", "    return a + b"], 1)
    ]
    assert apply_hunks("def add(a, b):\n    return a - b\n", edit.hunks) == CALC


def test_bare_unified_diff_with_git_header():
    text = f"Apply this:\n\ndiff --git a/calc.py b/calc.py\nindex 1..2 100644\n{DIFF}\nDone!"
    edit = one(text)
    assert (edit.kind, edit.path, edit.lang) == ("udiff", "calc.py", "")
    assert edit.hunks[0].new_lines[-1] == "    return a + b"


def test_multi_file_diff_gives_one_edit_per_file_and_new_file():
    text = (
        "```patch\n" + DIFF + "--- /dev/null\n+++ b/tests/test_calc.py\n@@ -0,0 +1,2 @@\n"
        "+from calc import add\n+assert add(1, 2) == 3\n```"
    )
    edits = extract_text_edits(text)
    assert [(e.path, e.is_new_file) for e in edits] == [
        ("calc.py", False),
        ("tests/test_calc.py", True),
    ]
    assert edits[1].hunks[0].new_lines == ["from calc import add", "assert add(1, 2) == 3"]


def test_hunk_without_line_numbers_aider_style():
    text = "```diff\n--- calc.py\n+++ calc.py\n@@ ... @@\n-    return a - b\n+    return a + b\n```"
    edit = one(text)
    assert edit.path == "calc.py"
    assert edit.hunks == [Hunk(["    return a - b"], ["    return a + b"], 0)]


def test_headerless_hunks_take_the_name_before_the_fence():
    edit = one("In `calc.py`:\n```diff\n@@ -2 +2 @@\n-x\n+y\n```")
    assert (edit.path, edit.hunks) == ("calc.py", [Hunk(["x"], ["y"], 2)])


def test_diff_fence_is_never_a_whole_edit():
    assert extract_text_edits("calc.py:\n```diff\nsomething that is no diff\n```") == []


def test_blank_lines_in_hunks_are_context_but_not_at_the_end():
    text = "--- a/f.py\n+++ b/f.py\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n\nThat's all."
    assert one(text).hunks == [Hunk(["a", "", "b"], ["a", "", "c"], 1)]


def test_no_newline_marker_is_ignored():
    text = "```diff\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n```"
    assert one(text).hunks == [Hunk(["a"], ["b"], 1)]


# ---------------------------------------------------------------------------- apply_hunks


def test_apply_two_hunks():
    original = "a\nb\nc\nd\ne\n"
    hunks = [Hunk(["a", "b"], ["a", "B"], 1), Hunk(["d"], ["D", "d2"], 4)]
    assert apply_hunks(original, hunks) == "a\nB\nc\nD\nd2\ne\n"


def test_apply_returns_none_when_one_of_two_hunks_does_not_fit():
    original = "a\nb\nc\n"
    assert apply_hunks(original, [Hunk(["a"], ["A"], 1), Hunk(["zzz"], ["y"], 3)]) is None


def test_apply_ambiguous_hunk_without_line_number_is_none_but_the_line_decides():
    original = "x = 1\ny\nx = 1\n"
    assert apply_hunks(original, [Hunk(["x = 1"], ["x = 2"])]) is None
    assert apply_hunks(original, [Hunk(["x = 1"], ["x = 2"], 3)]) == "x = 1\ny\nx = 2\n"


def test_apply_finds_the_hunk_when_the_line_number_is_off():
    original = "import os\n\ndef f():\n    return 1\n"
    assert apply_hunks(original, [Hunk(["    return 1"], ["    return 2"], 9)]) == (
        "import os\n\ndef f():\n    return 2\n"
    )


def test_apply_hunks_in_order_only():
    original = "a\nb\nc\n"
    assert apply_hunks(original, [Hunk(["c"], ["C"]), Hunk(["a"], ["A"])]) is None


def test_apply_keeps_crlf():
    original = "a\r\nb\r\nc\r\n"
    assert apply_hunks(original, [Hunk(["b"], ["B", "B2"], 2)]) == "a\r\nB\r\nB2\r\nc\r\n"


def test_apply_keeps_a_missing_final_newline():
    assert apply_hunks("a\nb", [Hunk(["b"], ["B"], 2)]) == "a\nB"
    assert apply_hunks("a\nb", [Hunk(["b"], ["b", "c"], 2)]) == "a\nb\nc"
    assert apply_hunks("a\nb\n", [Hunk(["b"], ["B"], 2)]) == "a\nB\n"


def test_apply_tolerates_trailing_whitespace_only():
    assert apply_hunks("x = 1   \ny\n", [Hunk(["x = 1"], ["x = 2"])]) == "x = 2\ny\n"
    assert apply_hunks("    x = 1\n", [Hunk(["x = 1"], ["x = 2"])]) is None


def test_apply_pure_insertion_uses_the_line_number():
    assert apply_hunks("a\nb\n", [Hunk([], ["new"], 1)]) == "a\nnew\nb\n"
    assert apply_hunks("a\n", [Hunk([], ["new"], 0)]) is None
    assert apply_hunks("", [Hunk([], ["new"], 0)]) == "new\n"


def test_apply_a_parsed_diff_end_to_end():
    original = "def add(a, b):\n    return a - b\n\n\ndef sub(a, b):\n    return a + b\n"
    text = (
        "```diff\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n"
        "-    return a - b\n+    return a + b\n@@ -5,2 +5,2 @@\n def sub(a, b):\n"
        "-    return a + b\n+    return a - b\n```"
    )
    result = apply_hunks(original, one(text).hunks)
    assert result == "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"


# ---------------------------------------------------------------------------- looks_like_path


@pytest.mark.parametrize(
    "name",
    [
        "hello.py",
        "src/app.js",
        "`hello.py`",
        "**hello.py**",
        "hello.py:",
        "hello.py.",
        "./hello.py",
        "'config.yaml',",
        "Makefile",
        "Dockerfile",
        ".gitignore",
        ".env",
        ".env.local",
        "__init__.py",
        "pkg/module.weird",
        "app/[id]/page.tsx",
        "README.md",
        "go.mod",
    ],
)
def test_looks_like_path_accepts(name):
    assert looks_like_path(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "hello",
        "e.g.",
        "i.e.",
        "1.2",
        "v1.2.3",
        "python3.11",
        "https://example.com/a.py",
        "www.example.com",
        "-rf",
        "my file.py",
        "/etc/passwd.conf",
        "Node.js",
        "hello.world",
        ".py",
        "U.S.",
        "a.b,c.py",
    ],
)
def test_looks_like_path_rejects(name):
    assert not looks_like_path(name)
