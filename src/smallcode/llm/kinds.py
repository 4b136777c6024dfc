"""Provider kinds: one record per kind of model server, and every table derived from them.

A *kind* is what ``SMALLCODE_PROVIDER`` (``-p``) names: a server (LM Studio, Ollama, ...), a
cloud API (OpenAI, Anthropic, ...), the embedded engine, or a custom OpenAI-compatible URL.
Its record says everything the rest of the package needs to know about it: how to reach it,
which client speaks its wire protocol, how its context window is learned, which thinking
switches it takes, how the wizard offers it and which key variable it uses.

Adding a provider:

* A server that speaks a protocol SmallCode already has (most do: OpenAI-compatible): add one
  :class:`ProviderKind` to :data:`REGISTRY` below, and tests (``tests/llm/test_kinds.py`` checks
  that every record is complete and consistent).
* A new wire protocol: also write its client module in ``llm/`` (a class that satisfies
  :class:`smallcode.llm.base.Provider`, and a ``from_resolved(resolved, settings, on_notice)``
  function that builds it) and name that function in :data:`PROTOCOLS`.

This module imports nothing from SmallCode, so any layer may read it (config's help texts do).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Wire protocol -> "module:function" building its client from a resolved endpoint:
# function(resolved: factory.Resolved, settings: Settings, on_notice) -> Provider.
PROTOCOLS: dict[str, str] = {
    "openai": "smallcode.llm.openai_compat:from_resolved",
    "ollama": "smallcode.llm.ollama:from_resolved",
    "anthropic": "smallcode.llm.anthropic:from_resolved",
    "embedded": "smallcode.llm.embedded:from_resolved",
}

# How a kind's context window is learned (llm/detect.py ``detect_context_window``).
WINDOW_STRATEGIES = {
    # The server's info routes (``window_routes``, in order), then its /v1/models entry, then
    # (llama-cpp-python) the overflow probe, then the table of known windows.
    "server": "info routes, the model list, the overflow probe, the known table",
    # Ollama's /api/show (the trained context; the session then fixes num_ctx).
    "ollama": "/api/show",
    # The API's model list (``context_length``), else the known table (OpenRouter).
    "listing": "the model list's context_length, else the known table",
    # A cloud API without such a route: the known table (a URL on this machine: "server").
    "table": "the known table",
    # The model file's own header (embedded).
    "file": "the GGUF header",
}
# Info routes "server" asks first: LM Studio's /api/v0/models, llama.cpp's /props.
WINDOW_ROUTES = ("lmstudio", "props")

# How the wizard and configure_provider list a server's models (llm/setup.py).
LISTINGS = {
    "auto": "identify the server at its root (a URL on a known cloud host: as cloud)",
    "cloud": "GET /v1/models with the key as a Bearer token",
    "anthropic": "GET /v1/models with x-api-key",
    "none": "no listing (embedded: the packaged models)",
}


@dataclass(frozen=True)
class ThinkingControls:
    """The switches a kind's requests take to keep a model's thinking short or off
    (llm/thinking.py)."""

    # "openai": OpenAI-compatible fields (chat_template_kwargs.enable_thinking / thinking,
    # reasoning_effort); "openrouter": its ``reasoning`` object; "ollama": the ``think`` field;
    # "none": no switch (the stream watch is the only lever).
    dialect: str = "openai"
    # Takes OpenAI's own fields for GPT-5 and the o-series: reasoning_effort and
    # max_completion_tokens (no max_tokens, no temperature).
    openai_reasoning: bool = False
    # gpt-oss's effort also goes in chat_template_kwargs (llama.cpp's template reads it there).
    effort_in_template: bool = False


DIALECTS = ("openai", "openrouter", "ollama", "none")
NO_THINKING_CONTROLS = ThinkingControls("none")
# A provider whose name is blank: treated as a generic OpenAI-compatible server.
GENERIC_THINKING = ThinkingControls("openai", openai_reasoning=True)


@dataclass(frozen=True)
class ProviderKind:
    """Everything SmallCode knows about one kind of model server."""

    name: str  # the SMALLCODE_PROVIDER value, and the Provider's ``name``
    label: str  # shown to people: "LM Studio"
    protocol: str  # the wire protocol: a key of PROTOCOLS
    default_url: str = ""  # "" = the user must give one
    api_path: str = "/v1"  # the API's path below the server root ("" for Ollama's native API)
    aliases: tuple[str, ...] = ()  # other spellings SMALLCODE_PROVIDER accepts
    local_port: int | None = None  # its usual port: a URL on it is guessed to be this kind
    probe: bool = False  # probed on localhost when nothing is configured
    cloud_hosts: tuple[str, ...] = ()  # a cloud API: hosts that identify it (they need a key)
    key_env: str = ""  # the vendor's usual API key variable (read for escalation)
    escalation_model: str = ""  # default model when escalating to it ("" = not offered)
    window: str = "server"  # how its context window is learned: a key of WINDOW_STRATEGIES
    window_routes: tuple[str, ...] = ()  # for "server" (and "table" on loopback): WINDOW_ROUTES
    thinking: ThinkingControls = field(default_factory=ThinkingControls)
    listing: str = "auto"  # how its models are listed: a key of LISTINGS
    menu: str = ""  # its line in the wizard's menu ("" = not offered there)
    headers: tuple[tuple[str, str], ...] = ()  # extra HTTP headers sent with every request

    @property
    def cloud(self) -> bool:
        return bool(self.cloud_hosts)

    @property
    def wizard(self) -> bool:
        return bool(self.menu)


REGISTRY: dict[str, ProviderKind] = {
    k.name: k
    for k in (
        ProviderKind(
            "lmstudio",
            "LM Studio",
            "openai",
            "http://127.0.0.1:1234/v1",
            aliases=("lm-studio",),
            local_port=1234,
            probe=True,
            window_routes=("lmstudio", "props"),
            menu="LM Studio (localhost:1234)",
        ),
        ProviderKind(
            "ollama",
            "Ollama",
            "ollama",
            "http://127.0.0.1:11434",
            api_path="",
            local_port=11434,
            probe=True,
            window="ollama",
            thinking=ThinkingControls("ollama"),
            menu="Ollama (localhost:11434, native API)",
        ),
        ProviderKind(
            "llamacpp",
            "llama.cpp",
            "openai",
            "http://127.0.0.1:8080/v1",
            aliases=("llama.cpp", "llama-cpp"),
            local_port=8080,
            probe=True,
            window_routes=("props",),
            thinking=ThinkingControls(effort_in_template=True),
            menu="llama.cpp server (localhost:8080)",
        ),
        ProviderKind(
            "vllm",
            "vLLM",
            "openai",
            "http://127.0.0.1:8000/v1",
            local_port=8000,
            menu="vLLM (localhost:8000)",
        ),
        ProviderKind(
            "openrouter",
            "OpenRouter",
            "openai",
            "https://openrouter.ai/api/v1",
            cloud_hosts=("openrouter.ai",),
            key_env="OPENROUTER_API_KEY",
            window="listing",
            thinking=ThinkingControls("openrouter"),
            listing="cloud",
            menu="OpenRouter (API key)",
            headers=(("X-Title", "SmallCode"),),
        ),
        ProviderKind(
            "openai",
            "OpenAI-compatible",
            "openai",
            "https://api.openai.com/v1",
            cloud_hosts=("api.openai.com",),
            key_env="OPENAI_API_KEY",
            escalation_model="gpt-4.1",
            window="table",
            window_routes=("lmstudio", "props"),
            thinking=ThinkingControls(openai_reasoning=True),
            menu="OpenAI (API key)",
        ),
        ProviderKind(
            "anthropic",
            "Anthropic",
            "anthropic",
            "https://api.anthropic.com",
            api_path="",
            cloud_hosts=("api.anthropic.com",),
            key_env="ANTHROPIC_API_KEY",
            escalation_model="claude-sonnet-4-5",
            window="table",
            thinking=NO_THINKING_CONTROLS,
            listing="anthropic",
            menu="Anthropic (API key)",
        ),
        ProviderKind(
            "deepseek",
            "DeepSeek",
            "openai",
            "https://api.deepseek.com/v1",
            cloud_hosts=("api.deepseek.com",),
            key_env="DEEPSEEK_API_KEY",
            escalation_model="deepseek-chat",
            window="table",
            listing="cloud",
            menu="DeepSeek (API key)",
        ),
        ProviderKind(
            "custom",
            "custom endpoint",
            "openai",
            window_routes=("lmstudio", "props"),
            thinking=GENERIC_THINKING,
            menu="custom OpenAI-compatible URL",
        ),
        ProviderKind(
            "embedded",
            "embedded llama.cpp",
            "embedded",
            api_path="",
            window="file",
            thinking=NO_THINKING_CONTROLS,
            listing="none",
        ),
    )
}

# The kind of a server found by probing that is none of the above, and of an unknown URL.
FALLBACK_KIND = "openai"

_ALIASES = {alias: k.name for k in REGISTRY.values() for alias in (k.name, *k.aliases)}


# ---------------------------------------------------------------------- derived tables


def canonical(name: str) -> str:
    """The kind a SMALLCODE_PROVIDER value names ('' when it names none)."""
    return _ALIASES.get((name or "").strip().lower(), "")


def get(name: str) -> ProviderKind | None:
    """The record for a kind (or one of its aliases), None for an unknown name."""
    return REGISTRY.get(canonical(name))


def label(name: str) -> str:
    """A kind's label; an unknown name (a plugin's provider) is shown as is."""
    kind = get(name)
    return kind.label if kind else name


def default_url(name: str) -> str:
    kind = get(name)
    return kind.default_url if kind else ""


def names() -> tuple[str, ...]:
    """Every kind, in the wizard's order (embedded last)."""
    return tuple(REGISTRY)


def menu() -> list[tuple[str, str]]:
    """The wizard's menu: (kind, line), in order."""
    return [(k.name, k.menu) for k in REGISTRY.values() if k.menu]


def menu_names() -> tuple[str, ...]:
    """The kinds the wizard and the configure_provider tool offer."""
    return tuple(k for k, _ in menu())


def cloud_kinds() -> tuple[str, ...]:
    return tuple(k.name for k in REGISTRY.values() if k.cloud)


def cloud_hosts() -> dict[str, str]:
    """Host -> kind for the cloud APIs."""
    return {host: k.name for k in REGISTRY.values() for host in k.cloud_hosts}


def port_kinds() -> dict[int, str]:
    """The usual local port -> kind."""
    return {k.local_port: k.name for k in REGISTRY.values() if k.local_port is not None}


def probe_ports() -> tuple[int, ...]:
    """The local ports probed when nothing is configured, in order."""
    return tuple(k.local_port for k in REGISTRY.values() if k.probe and k.local_port is not None)


def probe_urls() -> tuple[str, ...]:
    return tuple(f"http://127.0.0.1:{p}" for p in probe_ports())


def probed_servers() -> str:
    """``LM Studio :1234, Ollama :11434, llama.cpp :8080`` (for messages)."""
    return ", ".join(
        f"{k.label} :{k.local_port}" for k in REGISTRY.values() if k.probe and k.local_port
    )


def escalation_kinds() -> tuple[str, ...]:
    """The clouds SMALLCODE_ESCALATION_PROVIDER may name."""
    return tuple(k.name for k in REGISTRY.values() if k.escalation_model)


def thinking_controls(provider_name: str) -> ThinkingControls:
    """The thinking switches of a Provider by its ``name``: a blank name is a generic
    OpenAI-compatible server; an unknown one (a plugin's) has none."""
    if not (provider_name or "").strip():
        return GENERIC_THINKING
    kind = get(provider_name)
    return kind.thinking if kind else NO_THINKING_CONTROLS


def or_list(items: tuple[str, ...] | list[str]) -> str:
    """``a, b or c``."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
