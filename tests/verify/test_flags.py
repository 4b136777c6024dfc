"""A flag added to a script, checked by running the script (real subprocesses, temp project)."""

from __future__ import annotations

from pathlib import Path

from smallcode.verify.flags import flag_check, positionals

OLD = """import argparse


def main():
    p = argparse.ArgumentParser()
    p.add_argument("name")
{extra}    args = p.parse_args()
    message = f"Hello, {{args.name}}"
{shout}    print(message)


if __name__ == "__main__":
    main()
"""
ORIGINAL = OLD.format(extra="", shout="")
GOOD = OLD.format(
    extra='    p.add_argument("--shout", action="store_true")\n',
    shout="    if args.shout:\n        message = message.upper()\n",
)


def test_usage_lines_give_the_positional_names() -> None:
    assert positionals("usage: greet.py [-h] [--shout] name\n\noptions:\n") == ["name"]
    assert positionals("usage: x.py [-h] [--n N [N ...]]\n       src {a,b} dst\n") == [
        "src",
        "{a,b}",
        "dst",
    ]
    assert positionals("Greets people.") is None


def test_a_flag_that_works_and_keeps_the_default_passes(tmp_path: Path) -> None:
    (tmp_path / "greet.py").write_text(GOOD)
    out = flag_check(tmp_path, "greet.py", ORIGINAL, "--shout")
    assert out is not None and out["ok"], out
    assert out["command"] == "python greet.py x --shout"
    assert not (tmp_path / ".smallcode" / "tmp" / "flagcheck" / "greet.py").exists()


def test_a_changed_default_is_caught(tmp_path: Path) -> None:
    """The 0.5B model's greet.py: --shout added, but without it the greeting became 'Hi'."""
    broken = GOOD.replace('f"Hello, {args.name}"', 'f"Hi, {args.name}"')
    (tmp_path / "greet.py").write_text(broken)
    out = flag_check(tmp_path, "greet.py", ORIGINAL, "--shout")
    assert out is not None and not out["ok"]
    assert "without --shout, `python greet.py x` now prints 'Hi, x'" in out["evidence"]
    assert "it printed 'Hello, x'" in out["evidence"]


def test_a_flag_that_changes_nothing_or_is_missing_is_caught(tmp_path: Path) -> None:
    noop = OLD.format(extra='    p.add_argument("--shout", action="store_true")\n', shout="")
    (tmp_path / "greet.py").write_text(noop)
    out = flag_check(tmp_path, "greet.py", ORIGINAL, "--shout")
    assert out is not None and not out["ok"] and "the flag changes nothing" in out["evidence"]
    (tmp_path / "greet.py").write_text(ORIGINAL)
    out = flag_check(tmp_path, "greet.py", ORIGINAL, "--shout")
    assert out is not None and not out["ok"] and "failed" in out["evidence"]


def test_a_script_without_a_usage_line_is_not_judged(tmp_path: Path) -> None:
    plain = "import sys\nprint('hi', sys.argv[1:])\n"
    (tmp_path / "hi.py").write_text(plain + "print('more')\n")
    assert flag_check(tmp_path, "hi.py", plain, "--loud") is None
