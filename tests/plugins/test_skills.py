"""Skills: discovery in Claude/Codex folders, the ranked catalog within 2 % of the window, the
skill tool (body once, files listed), allowed-tools as allow rules while in use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smallcode import SmallCode
from smallcode.plugins.skill_catalog import SkillSet
from smallcode.plugins.skills import discover, split_tools
from smallcode.testing import ScriptedModel, calls, text, tool

TOPICS = [
    ("pdf-tools", "Extract text and tables from PDF files, fill PDF forms and merge PDFs."),
    ("git-release", "Prepare a release: changelog entry, version bump, git tag and push."),
    ("pytest-writer", "Write pytest tests for Python functions, with fixtures and parametrize."),
    ("docker-compose", "Write and debug docker compose files for local services."),
    ("sql-migrations", "Create and review SQL database migrations safely (up and down)."),
    ("react-components", "Build React components with hooks, props types and tests."),
    ("api-docs", "Document HTTP APIs in OpenAPI format from the route handlers."),
    ("csv-cleaning", "Clean, dedupe and validate CSV files with pandas."),
    ("k8s-manifests", "Write Kubernetes manifests: deployments, services, config maps."),
    ("rust-errors", "Model errors in Rust with thiserror and anyhow, and propagate them."),
    ("go-concurrency", "Use goroutines, channels and context cancellation correctly in Go."),
    ("regex-helper", "Write and explain regular expressions with test strings."),
    ("bash-scripting", "Write robust bash scripts: set -euo pipefail, quoting, traps."),
    ("ci-github-actions", "Set up GitHub Actions workflows for tests, lint and release."),
    ("perf-profiling", "Profile Python code with cProfile and find hot spots."),
    ("security-review", "Review code for injection, secrets in code and unsafe deserialization."),
    ("i18n-strings", "Extract user-facing strings for translation with gettext."),
    ("logging-setup", "Configure structured logging with levels and handlers in Python."),
    ("type-hints", "Add type hints to Python code and make mypy pass."),
    ("css-layout", "Fix CSS layouts with flexbox and grid."),
    ("changelog-writer", "Write a changelog from git history in Keep a Changelog style."),
    ("excel-reports", "Create Excel reports with charts using openpyxl."),
    ("image-resize", "Resize and convert images in batches with Pillow."),
    ("cli-argparse", "Build command line interfaces with argparse and subcommands."),
    ("json-schema", "Write JSON Schemas and validate documents against them."),
    ("terraform-modules", "Write Terraform modules with variables and outputs."),
    ("nginx-config", "Configure nginx as a reverse proxy with TLS."),
    ("data-viz", "Plot data with matplotlib: line, bar and scatter charts."),
    ("email-templates", "Write HTML email templates that render in common clients."),
    ("markdown-docs", "Write project documentation in markdown with a table of contents."),
]


def make_skills(folder: Path, n: int = 30) -> None:
    for name, desc in TOPICS[:n]:
        d = folder / name
        d.mkdir(parents=True, exist_ok=True)
        (d / "SKILL.md").write_text(
            f"---\nname: {name}\ndescription: {desc}\n---\n# {name}\n\nSteps for {name}.\n"
        )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "userhome"
    h.mkdir()
    monkeypatch.setenv("HOME", str(h))
    monkeypatch.delenv("AGENT_SKILLS_PATH", raising=False)
    return h


def test_discovery_in_claude_and_codex_folders(project: Path, home: Path) -> None:
    make_skills(project / ".claude" / "skills", 3)
    codex = project / ".agents" / "skills" / "Bad_Name"
    codex.mkdir(parents=True)
    (codex / "SKILL.md").write_bytes(
        b"---\r\nname: Bad_Name\r\ndescription: Windows line endings.\r\nallowed-tools: Bash(git add:*) Read\r\n---\r\n# Body\r\n\r\nText.\r\n"
    )
    personal = home / ".claude" / "skills" / "pdf-tools"
    personal.mkdir(parents=True)
    (personal / "SKILL.md").write_text(
        "---\nname: pdf-tools\ndescription: The user's own PDF skill.\n---\nMine.\n"
    )
    sub = project / "pkg"
    sub.mkdir()
    found = {s.name: s for s in discover(sub)}  # walks up from a subfolder to the git root
    assert set(found) == {"pdf-tools", "git-release", "pytest-writer", "Bad_Name"}
    assert found["pdf-tools"].scope == "user"  # the user's wins over the project's
    bad = found["Bad_Name"]
    assert bad.problems and "lowercase" in bad.problems[0]
    assert bad.allowed_tools == ["Bash(git add:*)", "Read"]
    assert bad.body() == "# Body\n\nText."


def test_catalog_fits_two_percent_at_8k_and_32k(project: Path, home: Path) -> None:
    make_skills(project / ".claude" / "skills")
    skills = SkillSet(discover(project), project)
    assert len(skills) == 30
    for window in (8192, 32768):
        catalog = skills.catalog("extract the tables from report.pdf", window)
        assert len(catalog) / 4 <= window * 0.02, (window, len(catalog))
        lines = catalog.splitlines()
        assert lines[1].startswith("- pdf-tools: Extract text and tables")
    small = skills.catalog("extract the tables from report.pdf", 8192)
    large = skills.catalog("extract the tables from report.pdf", 32768)
    assert len(large.splitlines()) > len(small.splitlines())
    assert "more not listed" in small


@pytest.mark.parametrize(
    ("task", "first"),
    [
        ("add a GitHub Actions workflow that runs the tests", "ci-github-actions"),
        ("write a database migration that adds an email column", "sql-migrations"),
        ("make the deployment yaml for kubernetes", "k8s-manifests"),
        ("bump the version and tag a release", "git-release"),
        ("the goroutines leak when the context is cancelled", "go-concurrency"),
    ],
)
def test_ranking_puts_the_relevant_skill_first(
    project: Path, home: Path, task: str, first: str
) -> None:
    make_skills(project / ".claude" / "skills")
    skills = SkillSet(discover(project), project)
    hits, _ = skills.ranked(task)
    assert hits and hits[0].name == first
    assert skills.catalog(task, 8192).splitlines()[1].startswith(f"- {first}:")


def test_skill_tool_body_once_files_and_rules(project: Path, home: Path) -> None:
    d = project / ".claude" / "skills" / "pdf-tools"
    (d / "references").mkdir(parents=True)
    (d / "SKILL.md").write_text(
        "---\nname: pdf-tools\ndescription: Extract tables from PDF files.\n"
        "allowed-tools: Bash(pdftotext:*)\n---\n# PDF\n\nUse pdftotext -layout FILE.\n"
    )
    (d / "references" / "forms.md").write_text("Forms are filled with pdftk.\n")
    from smallcode import trust

    trust.trust(d / "SKILL.md")
    replies = [
        calls(("skill", {"name": "pdf-tools"})),
        calls(("skill", {"name": "pdf-tools"})),
        tool("bash", command="pdftotext -v"),
        text("ok"),
    ]
    model = ScriptedModel(replies)
    with SmallCode(cwd=project, llm=model, sandbox="off") as sc:
        result = sc.run("extract the tables from report.pdf")
        manager = sc.agent.ctx.permissions
        rules_after = [r.text for r in manager.policy.allow]
    first = model.requests[0]
    assert "skill" in first["tools"]
    system = first["messages"][0]["content"]
    assert "pdf-tools" not in system  # never in the system prompt
    context = json.dumps(first["messages"][1:])
    assert "- pdf-tools: Extract tables from PDF files." in context
    outputs = [m["content"] for m in model.requests[-1]["messages"] if m["role"] == "tool"]
    assert 'Skill "pdf-tools"' in outputs[0] and "Use pdftotext -layout FILE." in outputs[0]
    assert ".claude/skills/pdf-tools/references/forms.md" in outputs[0]
    assert "already above" in outputs[1]  # sent once
    assert "needs the user's approval" not in outputs[2]  # allowed-tools while in use
    assert result.permission_denials == []
    assert "Bash(pdftotext:*)" not in rules_after  # and only then


def test_untrusted_project_skill_gets_no_rules(project: Path, home: Path) -> None:
    d = project / ".claude" / "skills" / "pdf-tools"
    d.mkdir(parents=True)
    (d / "SKILL.md").write_text(
        "---\nname: pdf-tools\ndescription: PDF.\nallowed-tools: Bash(pdftotext:*)\n---\nBody.\n"
    )
    model = ScriptedModel(
        [calls(("skill", {"name": "pdf-tools"})), tool("bash", command="pdftotext -v"), text("ok")]
    )
    with SmallCode(cwd=project, llm=model, sandbox="off") as sc:
        result = sc.run("read the pdf")
    assert result.permission_denials and result.permission_denials[0]["tool_name"] == "bash"


def test_user_skill_outside_the_project_reads_files_through_the_tool(
    project: Path, home: Path, config_dir: Path
) -> None:
    d = config_dir / "skills" / "api-docs"
    (d / "references").mkdir(parents=True)
    (d / "SKILL.md").write_text(
        "---\nname: api-docs\ndescription: Document HTTP APIs.\n---\nSee the style guide.\n"
    )
    (d / "references" / "style.md").write_text("Use sentence case.\n")
    model = ScriptedModel(
        [
            calls(("skill", {"name": "api-docs"})),
            calls(("skill", {"name": "api-docs", "file": "references/style.md"})),
            text("ok"),
        ]
    )
    with SmallCode(cwd=project, llm=model) as sc:
        sc.run("document the HTTP API")
    outputs = [m["content"] for m in model.requests[-1]["messages"] if m["role"] == "tool"]
    assert 'skill(name="api-docs", file=PATH)' in outputs[0] and "references/style.md" in outputs[0]
    assert outputs[1] == "Use sentence case.\n"


def test_no_skills_no_tool(project: Path, home: Path) -> None:
    model = ScriptedModel([text("ok")])
    with SmallCode(cwd=project, llm=model) as sc:
        sc.run("hello")
    assert "skill" not in model.requests[0]["tools"]


def test_split_tools() -> None:
    assert split_tools("Bash(git add:*) Bash(jq:*), Read") == [
        "Bash(git add:*)",
        "Bash(jq:*)",
        "Read",
    ]
    assert split_tools(["Read", "Grep"]) == ["Read", "Grep"]
    assert split_tools(None) == []


def test_user_activation_sends_the_body_and_rules_for_the_next_task(
    project: Path, home: Path
) -> None:
    d = project / ".claude" / "skills" / "pdf-tools"
    d.mkdir(parents=True)
    (d / "SKILL.md").write_text(
        "---\nname: pdf-tools\ndescription: PDF.\nallowed-tools: Bash(pdftotext:*)\n"
        "disable-model-invocation: true\n---\nConvert with $ARGUMENTS.\n"
    )
    model = ScriptedModel([tool("bash", command="pdftotext -v"), text("ok"), text("ok")])
    with SmallCode(cwd=project, llm=model, sandbox="off") as sc:
        session = sc.agent.ctx.extensions
        assert "skill" not in sc.agent.registry  # only the user may use it
        assert session.activate_by_user("pdf-tools", "pdftotext -layout") == "pdf-tools"
        first = sc.run("convert report.pdf")
        second = sc.run("convert it again")
    assert "Convert with pdftotext -layout." in json.dumps(model.requests[0]["messages"])
    assert first.permission_denials == []  # the user's choice: its rules applied
    assert "Bash(pdftotext:*)" not in [r.text for r in sc.agent.ctx.permissions.policy.allow]
    assert (
        second.requests
        and json.dumps(model.requests[-1]["messages"]).count('Skill \\"pdf-tools\\"') == 1
    )
