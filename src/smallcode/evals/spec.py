"""Eval suites in a promptfoo-like YAML subset, and their assertions.

    description: file tasks
    repeat: 3                      # or evaluateOptions: {repeat: 3}; pass^k over the repeats
    settings: {max_turns: 6}       # SmallCode settings for every case (optional)
    defaultTest:
      assert: [{type: exit-code, value: 0}]
    tests:
      - description: writes hello.py
        vars:
          task: create hello.py that prints hello
          files: {README.md: "# demo\\n"}     # the workspace at the start (optional)
        assert:
          - {type: file-contains, value: {path: hello.py, contains: print}}
          - {type: tool-call, value: {name: write_file, arguments: {path: hello.py}}}
          - {type: max-requests, value: 3}

The task is ``vars.task`` (or ``vars.prompt``), or the first of ``prompts`` with ``{{var}}``
filled in. Output assertions look at the final answer: ``equals``, ``contains``,
``icontains``, ``regex``, ``is-json``; agent assertions look at the run: ``tool-call`` (an
executed call with that name whose arguments include the given ones), ``file-contains``
(``contains`` or ``regex``), ``exit-code``, ``max-requests``. ``not-`` before a type negates it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smallcode.errors import ConfigError

OUTPUT_TYPES = ("equals", "contains", "icontains", "regex", "is-json")
AGENT_TYPES = ("tool-call", "file-contains", "exit-code", "max-requests")
ASSERT_TYPES = OUTPUT_TYPES + AGENT_TYPES


@dataclass
class Assertion:
    type: str
    value: Any = None
    negate: bool = False

    @property
    def label(self) -> str:
        shown = self.value if isinstance(self.value, str | int) else json.dumps(self.value)
        return f"{'not-' if self.negate else ''}{self.type} {str(shown)[:60]}".strip()


@dataclass
class EvalCase:
    description: str
    task: str
    files: dict[str, str] = field(default_factory=dict)
    asserts: list[Assertion] = field(default_factory=list)


@dataclass
class EvalSuite:
    description: str
    cases: list[EvalCase]
    repeat: int = 1
    settings: dict[str, Any] = field(default_factory=dict)
    model: str = ""
    base_url: str = ""


def _fill(template: str, variables: dict[str, Any]) -> str:
    return re.sub(
        r"\{\{\s*(\w+)\s*\}\}", lambda m: str(variables.get(m.group(1), m.group(0))), template
    )


def _assertion(raw: Any, where: str) -> Assertion:
    if not isinstance(raw, dict) or "type" not in raw:
        raise ConfigError(f"{where}: an assertion needs a type (e.g. {{type: contains, value: x}})")
    kind = str(raw["type"]).strip()
    negate = kind.startswith("not-")
    base = kind[4:] if negate else kind
    if base not in ASSERT_TYPES:
        raise ConfigError(
            f"{where}: unknown assertion type {kind!r}; known: {', '.join(ASSERT_TYPES)}"
        )
    value = raw.get("value")
    if base in ("equals", "contains", "icontains", "regex") and not isinstance(
        value, str | int | float
    ):
        raise ConfigError(f"{where}: {kind} needs a text value")
    if base == "regex":
        try:
            re.compile(str(value))
        except re.error as exc:
            raise ConfigError(f"{where}: bad regex {value!r}: {exc}") from None
    if base == "tool-call" and not (
        isinstance(value, str) or (isinstance(value, dict) and value.get("name"))
    ):
        raise ConfigError(f"{where}: tool-call needs a name (value: {{name: write_file}})")
    if base == "file-contains" and not (isinstance(value, dict) and value.get("path")):
        raise ConfigError(f"{where}: file-contains needs value: {{path: FILE, contains: TEXT}}")
    if base in ("exit-code", "max-requests") and not isinstance(value, int):
        raise ConfigError(f"{where}: {kind} needs a whole number")
    return Assertion(base, value, negate)


def load_suite(path: Path | str) -> EvalSuite:
    path = Path(path)
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("tests"), list) or not doc["tests"]:
        raise ConfigError(f"{path.name}: expected a mapping with a non-empty `tests:` list")
    default = doc.get("defaultTest") or {}
    prompts = doc.get("prompts") or []
    template = prompts[0] if prompts and isinstance(prompts[0], str) else ""
    cases = []
    for i, raw in enumerate(doc["tests"], 1):
        where = f"{path.name}: tests[{i}]"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where} is not a mapping")
        variables = {**(default.get("vars") or {}), **(raw.get("vars") or {})}
        task = (
            _fill(template, variables)
            if template
            else variables.get("task") or variables.get("prompt")
        )
        if not task or not isinstance(task, str):
            raise ConfigError(f"{where}: no task (set vars.task, or prompts: ['{{{{task}}}}'])")
        files = variables.get("files") or {}
        if not isinstance(files, dict):
            raise ConfigError(f"{where}: vars.files must map paths to contents")
        asserts = [
            _assertion(a, where)
            for a in [*(default.get("assert") or []), *(raw.get("assert") or [])]
        ]
        cases.append(
            EvalCase(
                str(raw.get("description") or f"case {i}"),
                task,
                {str(k): str(v) for k, v in files.items()},
                asserts,
            )
        )
    options = doc.get("evaluateOptions") or {}
    repeat = doc.get("repeat", options.get("repeat", 1))
    if not isinstance(repeat, int) or repeat < 1:
        raise ConfigError(f"{path.name}: repeat must be a whole number >= 1")
    settings = doc.get("settings") or {}
    if not isinstance(settings, dict):
        raise ConfigError(f"{path.name}: settings must be a mapping of SmallCode settings")
    model, base_url = _provider(doc.get("providers"))
    return EvalSuite(
        str(doc.get("description") or path.stem), cases, repeat, settings, model, base_url
    )


def _provider(providers: Any) -> tuple[str, str]:
    """promptfoo's ``providers: ["openai:chat:NAME"]`` or ``[{id, config: {apiBaseUrl}}]``."""
    if not isinstance(providers, list) or not providers:
        return "", ""
    first = providers[0]
    ident = first if isinstance(first, str) else str((first or {}).get("id", ""))
    config = {} if isinstance(first, str) else (first or {}).get("config") or {}
    model = ident.split(":")[-1] if ":" in ident else ident
    base_url = str(config.get("apiBaseUrl") or config.get("base_url") or "")
    return model, base_url


# ---------------------------------------------------------------------------- checking


def check(a: Assertion, output: str, result: Any, workdir: Path) -> tuple[bool, str]:
    """(passed, why it failed)."""
    ok, why = _check(a, output, result, workdir)
    if a.negate:
        return (not ok), ("" if not ok else f"expected not: {a.label}")
    return ok, why


def _check(a: Assertion, output: str, result: Any, workdir: Path) -> tuple[bool, str]:
    v = a.value
    if a.type == "equals":
        return output.strip() == str(v).strip(), f"output is {output.strip()[:80]!r}"
    if a.type == "contains":
        return str(v) in output, f"{v!r} not in the output"
    if a.type == "icontains":
        return str(v).lower() in output.lower(), f"{v!r} not in the output (any case)"
    if a.type == "regex":
        return re.search(str(v), output) is not None, f"/{v}/ does not match the output"
    if a.type == "is-json":
        try:
            json.loads(output.strip())
            return True, ""
        except ValueError:
            return False, "the output is not JSON"
    if a.type == "exit-code":
        return result.exit_code == v, f"exit code {result.exit_code}"
    if a.type == "max-requests":
        return result.requests <= v, f"{result.requests} model requests"
    if a.type == "tool-call":
        name = v if isinstance(v, str) else v["name"]
        want = {} if isinstance(v, str) else (v.get("arguments") or {})
        for c in result.tool_calls:
            if c.name == name and all(c.arguments.get(k) == w for k, w in want.items()):
                return True, ""
        made = ", ".join(c.name for c in result.tool_calls) or "none"
        return False, f"no {name} call with {want or 'any arguments'} (calls: {made})"
    if a.type == "file-contains":
        target = workdir / str(v["path"])
        if not target.is_file():
            return False, f"{v['path']} does not exist"
        text = target.read_text(encoding="utf-8", errors="replace")
        if "regex" in v:
            return re.search(
                str(v["regex"]), text
            ) is not None, f"/{v['regex']}/ not in {v['path']}"
        return str(v.get("contains", "")) in text, f"{v.get('contains')!r} not in {v['path']}"
    return False, f"unknown assertion {a.type}"
