"""Test commands with a machine-readable report, a name filter or a path added.

Commands are edited in place (by character offsets of their shell words) so the user's own
quoting, variables and ``cd x && ...`` prefixes survive; only the segment that runs the tests
changes.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from smallcode.verify.runners import (
    Runner,
    Token,
    base_name,
    find_runner,
    script_text,
    segments,
    tokenize,
)

_REDIRECT = re.compile(r"^(\d*(>>?|<)|&>>?)")
_BARE_REDIRECT = re.compile(r"^(\d*(>>?|<)|&>>?)$")
_GONE = "\x00"  # marks a removed word until the spaces around it are merged


def _opts(text: str) -> set[str]:
    return set(text.split())


# Options that take their value as the next word: needed to tell positionals apart.
_VALUE_OPTS: dict[str, set[str]] = {
    "pytest": _opts(
        "-k -m -p -o -c -W -r -n --deselect --ignore --ignore-glob --rootdir --confcutdir "
        "--basetemp --maxfail --tb --durations --timeout --junitxml --junit-xml --log-level "
        "--import-mode --capture --cov --cov-report --cov-config --dist --override-ini "
        "--config-file --log-file --log-cli-level --junit-prefix --color --code-highlight"
    ),
    "node": _opts(
        "--test-reporter --test-reporter-destination --test-name-pattern --test-skip-pattern "
        "--import --require -r --loader --experimental-loader --test-concurrency "
        "--test-timeout --test-shard --conditions -C"
    ),
    "jest": _opts(
        "-t --testNamePattern -c --config --outputFile --reporters --testPathPattern "
        "--maxWorkers -w --testTimeout --shard --selectProjects --coverageReporters --env "
        "--testEnvironment --rootDir --roots --project --projects"
    ),
    "vitest": _opts(
        "-t --testNamePattern -c --config --outputFile --reporter --project --root --dir "
        "--environment --pool --shard --maxWorkers --minWorkers --testTimeout --mode"
    ),
    "mocha": _opts(
        "--grep -g --fgrep -f --reporter -R --reporter-option --reporter-options -O --require "
        "-r --timeout -t --ui -u --config --extension --spec --file --ignore --slow -s"
    ),
    "go": _opts(
        "-run -skip -bench -benchtime -count -timeout -tags -p -parallel -cpu -coverprofile "
        "-covermode -coverpkg -o -exec -shuffle -ldflags -gcflags -C -mod -modfile"
    ),
    "unittest": _opts("-k -s -p -t --start-directory --pattern --top-level-directory"),
}


def report_suffix(framework: str) -> str:
    """The report file's extension for a framework, "" when it writes none."""
    return {
        "pytest": ".xml",
        "node": ".xml",
        "mocha": ".xml",
        "jest": ".json",
        "vitest": ".json",
    }.get(framework, "")


def build_command(
    command: str,
    *,
    framework: str,
    filter: str | None = None,
    path: str | None = None,
    report_file: Path | None = None,
    root: Path | None = None,
) -> str:
    """``command`` with the runner's machine format (when ``report_file`` is given; for go it
    only asks for ``-json`` on stdout), a name ``filter`` and a ``path`` (replacing the
    command's own paths) added. ``root`` lets ``npm test`` be resolved through package.json.
    Shapes it cannot edit safely come back unchanged.
    """
    runner = find_runner(command, root)
    if runner is None or framework == "unknown":
        return command
    if runner.framework == "script":
        return _build_script(command, runner, framework, filter, path, report_file, root)
    return _build_direct(command, runner, framework, filter, path, report_file)


def _q(value: str) -> str:
    return shlex.quote(value)


def _positionals(runner: Runner, framework: str) -> list[Token]:
    """Words after the runner that are neither options nor option values nor redirections."""
    takes_value = _VALUE_OPTS.get(framework, set())
    out: list[Token] = []
    skip = False
    for word in runner.words[runner.at + 1 :]:
        val = word.value
        if skip:
            skip = False
            continue
        if val == "--":
            break
        if _REDIRECT.match(word.raw):
            skip = bool(_BARE_REDIRECT.match(word.raw))  # `> file`: the next word is its target
            continue
        if val.startswith("-"):
            skip = "=" not in val and val in takes_value
            continue
        if framework == "unittest" and val == "discover":
            continue
        out.append(word)
    return out


def _option_words(runner: Runner, names: set[str]) -> list[Token]:
    """The words of the given options and their values (``-s dir``, ``--pattern=x``)."""
    out: list[Token] = []
    words = runner.words[runner.at + 1 :]
    for i, word in enumerate(words):
        if word.value in names:
            out += words[i : i + 2]
        elif word.value.split("=", 1)[0] in names:
            out.append(word)
    return out


def _edit(
    command: str,
    runner: Runner,
    *,
    after_runner: Sequence[str] = (),
    append: Sequence[str] = (),
    before_dashdash: Sequence[str] = (),
    remove: Sequence[Token] = (),
) -> str:
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
    for word in remove:
        edits.append((word.start, word.end, _GONE))
    if after_runner:
        pos = runner.words[runner.at].end
        edits.append((pos, pos, " " + " ".join(after_runner)))
    tail = list(append)
    if before_dashdash:
        dash = next((w for w in runner.words[runner.at + 1 :] if w.value == "--"), None)
        if dash is None:
            tail = [*before_dashdash, *tail]
        else:
            edits.append((dash.start, dash.start, " ".join(before_dashdash) + " "))
    if tail:
        pos = runner.words[-1].end
        edits.append((pos, pos, " " + " ".join(tail)))
    out = command
    # right to left; at one offset the later edit goes in first so that it ends up last
    for k in sorted(range(len(edits)), key=lambda k: (edits[k][0], k), reverse=True):
        start, end, text = edits[k]
        out = out[:start] + text + out[end:]
    return re.sub(r"[ \t]*(?:\x00[ \t]*)+", " ", out).strip()


def _build_script(
    command: str,
    runner: Runner,
    framework: str,
    filter: str | None,
    path: str | None,
    report_file: Path | None,
    root: Path | None,
) -> str:
    script = script_text(runner, root)
    inner = find_runner(script, root) if script else None
    if inner is None or inner.framework == "script":
        return command
    if framework == "node":
        # node wants its flags right after --test, which `npm test -- ...` cannot do: run the
        # script's own command when it is one simple command.
        if len(segments(tokenize(script))) == 1:
            return _build_direct(script, inner, framework, filter, path, report_file)
        return command
    if not inner.last_segment or not runner.last_segment:
        return command  # appended flags would reach another program
    flags = _flags(framework, filter, path, report_file)
    if not flags:
        return command
    # npm hands a script only the words after `--`; pnpm, yarn and bun pass them all
    words = [w.value for w in runner.words[: runner.at]]
    tool = next((base_name(v) for v in reversed(words) if v not in ("run", "run-script")), "")
    if tool == "npm" and "--" not in [w.value for w in runner.words[runner.at + 1 :]]:
        flags = ["--", *flags]
    return _edit(command, runner, append=flags)


def _pytest_report_flags(report_file: Path) -> list[str]:
    return [
        f"--junitxml={_q(str(report_file))}",
        "-o",
        "junit_family=xunit1",  # xunit1 keeps the file/line attributes on each testcase
        "-p",
        "no:cacheprovider",  # no .pytest_cache written into the project
    ]


def _flags(
    framework: str, filter: str | None, path: str | None, report_file: Path | None
) -> list[str]:
    """Flags that can simply be appended (used for package scripts too)."""
    out: list[str] = []
    if framework == "jest":
        if report_file is not None:
            out += ["--json", f"--outputFile={_q(str(report_file))}", "--testLocationInResults"]
        if filter:
            out += ["-t", _q(filter)]
    elif framework == "vitest":
        if report_file is not None:
            out += ["--reporter=default", "--reporter=json", f"--outputFile={_q(str(report_file))}"]
        if filter:
            out += ["-t", _q(filter)]
    elif framework == "mocha":
        if report_file is not None:
            out += ["--reporter", "xunit", "--reporter-option", _q(f"output={report_file}")]
        if filter:
            out += ["--grep", _q(filter)]
    elif framework == "pytest":
        if report_file is not None:
            out += _pytest_report_flags(report_file)
        if filter:
            out += ["-k", _q(filter)]
    elif framework == "unittest" and filter:
        out += ["-k", _q(filter)]
    if path:
        out.append(_q(path))
    return out


def _build_direct(
    command: str,
    runner: Runner,
    framework: str,
    filter: str | None,
    path: str | None,
    report_file: Path | None,
) -> str:
    values = [w.value for w in runner.words]
    remove = _positionals(runner, framework) if path else []
    if framework in ("jest", "vitest", "mocha", "pytest"):
        flags = _flags(framework, filter, path, report_file)
        if framework == "pytest" and "no:cacheprovider" in values:
            flags = [f for f in flags if f not in ("-p", "no:cacheprovider")]
        return _edit(command, runner, append=flags, remove=remove)
    if framework == "node":
        after: list[str] = []
        if report_file is not None and not any(v.startswith("--test-reporter") for v in values):
            after += [
                "--test-reporter=junit",
                f"--test-reporter-destination={_q(str(report_file))}",
                "--test-reporter=spec",
                "--test-reporter-destination=stdout",
            ]
        if filter:
            after.append(f"--test-name-pattern={_q(filter)}")
        append = [_q(path)] if path else []
        return _edit(command, runner, after_runner=after, append=append, remove=remove)
    if framework == "unittest":
        return _build_unittest(command, runner, filter, path, remove)
    if framework == "go":
        after = ["-json"] if report_file is not None and "-json" not in values else []
        append = ["-run", _q(filter)] if filter else []
        if path:
            pkg = str(PurePosixPath(path).parent) if PurePosixPath(path).suffix else path
            append.append(_q(pkg if pkg.startswith((".", "/")) else f"./{pkg}"))
        return _edit(command, runner, after_runner=after, append=append, remove=remove)
    if framework == "cargo":
        before = [_q(filter)] if filter else []
        if path:
            p = PurePosixPath(path)
            if p.parts[:1] == ("tests",) and p.suffix == ".rs":
                before += ["--test", _q(p.stem)]
            elif p.name == "lib.rs":
                before.append("--lib")
            elif p.name == "main.rs":
                before.append("--bins")
        return _edit(command, runner, before_dashdash=before) if before else command
    if framework == "maven":
        target = PurePosixPath(path).stem if path else ""
        if filter or target:
            pattern = f"{target}#{filter}" if target and filter else (filter or target)
            return _edit(command, runner, append=[_q(f"-Dtest={pattern}")])
        return command
    if framework == "gradle":
        append = ["--console=plain"] if report_file is not None else []
        target = PurePosixPath(path).stem if path else ""
        if filter or target:
            pattern = f"{target}.{filter}" if target and filter else (filter or target)
            append += ["--tests", _q(pattern)]
        return _edit(command, runner, append=append) if append else command
    return command


def _build_unittest(
    command: str, runner: Runner, filter: str | None, path: str | None, remove: list[Token]
) -> str:
    values = [w.value for w in runner.words]
    append = ["-k", _q(filter)] if filter else []
    if path and any(base_name(v) == "manage.py" for v in values):
        label = path.removesuffix(".py").strip("/").replace("/", ".")
        return _edit(command, runner, append=[*append, _q(label)], remove=remove)
    if not path:
        return _edit(command, runner, append=append) if append else command
    p = PurePosixPath(path)
    is_file = p.suffix == ".py"
    if "discover" in values:
        names = {"-s", "-p", "--start-directory", "--pattern"}
        remove = [*remove, *_option_words(runner, names)]
        append += ["-s", _q(str(p.parent) if is_file else path)]
        if is_file:
            append += ["-p", _q(p.name)]
    elif is_file:
        append.append(_q(path))
    else:  # a folder needs discovery: insert `discover` after `-m unittest`
        pos = runner.words[runner.at].end
        with_discover = command[:pos] + " discover" + command[pos:]
        shifted = find_runner(with_discover)
        if shifted is not None:
            moved = _positionals(shifted, "unittest")
            return _build_unittest(with_discover, shifted, filter, path, moved)
    return _edit(command, runner, append=append, remove=remove)
