"""Model tiers and cloud escalation.

Routing rules (also in the README):

* Roles map to tiers: ``main`` -> MEDIUM, ``side`` (summaries, classification, compaction) ->
  FAST, ``hard`` (a step the main model failed) -> STRONG. Unknown roles use MEDIUM.
* A tier is configured by ``SMALLCODE_MODEL_<TIER>`` and/or ``SMALLCODE_BASE_URL_<TIER>``.
  A model without a URL runs on the main endpoint; a URL without a model uses the model that
  server has loaded. An unconfigured tier falls back to the main provider, so with nothing set
  every role gets the same provider (one model, one KV cache, no surprise side calls).
* Cloud escalation is a separate, explicit opt-in: ``SMALLCODE_ESCALATION=true``. An API key
  that merely exists in the environment never enables it. Each escalation can be confirmed by
  the UI (``confirm`` callback), is bounded per session (``SMALLCODE_ESCALATION_MAX`` requests
  and ``SMALLCODE_ESCALATION_MAX_COST`` USD, estimated), and its cost is accounted.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from smallcode.config import Settings
from smallcode.errors import ConfigError
from smallcode.llm import kinds
from smallcode.llm.base import Provider
from smallcode.types import Usage

ROLE_TIER = {
    "main": "medium",
    "side": "fast",
    "summary": "fast",
    "classify": "fast",
    "compact": "fast",
    "title": "fast",
    "cognition": "fast",
    "hard": "strong",
    "fallback": "strong",
}
ROLE_OF_TIER = {"fast": "side work: summaries, titles, typed prompt functions",
                "medium": "the main loop",
                "strong": "the fallback after a hard failure"}  # fmt: skip
TIERS = ("fast", "medium", "strong")

# Cloud -> (default model, its usual key variable): the kinds with an ``escalation_model``.
ESCALATION_DEFAULTS = {
    k.name: (k.escalation_model, k.key_env) for k in kinds.REGISTRY.values() if k.escalation_model
}
# USD per million tokens (input, output): list prices as published at the time of writing;
# used for an estimate shown to the user, not for billing.
PRICES = {
    "claude-opus": (15.0, 75.0),
    "claude-sonnet": (3.0, 15.0),
    "claude-haiku": (1.0, 5.0),
    "gpt-4.1-mini": (0.4, 1.6),
    "gpt-4.1": (2.0, 8.0),
    "gpt-4o-mini": (0.15, 0.6),
    "gpt-4o": (2.5, 10.0),
    "gpt-5": (1.25, 10.0),
    "deepseek-chat": (0.27, 1.10),
    "deepseek-reasoner": (0.55, 2.19),
}
UNKNOWN_PRICE = (5.0, 15.0)  # be pessimistic about a model we do not know


def price_of(model: str) -> tuple[float, float]:
    name = model.lower().split("/")[-1]
    for prefix in sorted(PRICES, key=len, reverse=True):
        if name.startswith(prefix):
            return PRICES[prefix]
    return UNKNOWN_PRICE


def cost_usd(model: str, usage: Usage) -> float:
    inp, out = price_of(model)
    return (usage.prompt_tokens * inp + usage.completion_tokens * out) / 1_000_000


MakeProvider = Callable[[Settings], Provider]


def _default_make(settings: Settings) -> Provider:
    from smallcode.llm.factory import make_provider

    return make_provider(settings)


@dataclass
class Tier:
    name: str
    model: str
    base_url: str

    @property
    def configured(self) -> bool:
        return bool(self.model or self.base_url)


class Router:
    """Gives the provider for a role; builds tier providers lazily and keeps them."""

    def __init__(
        self,
        settings: Settings,
        main: Provider,
        *,
        make: MakeProvider | None = None,
        escalation: Escalation | None = None,
    ) -> None:
        self.settings = settings
        self.main = main
        self._make = make or _default_make
        self._built: dict[str, Provider] = {}
        self.escalation = escalation or Escalation(settings, make=make)

    def tier(self, name: str) -> Tier:
        s = self.settings
        return Tier(
            name, getattr(s, f"model_{name}").strip(), getattr(s, f"base_url_{name}").strip()
        )

    def tiers(self) -> list[Tier]:
        return [self.tier(t) for t in TIERS]

    def tier_for(self, role: str) -> str:
        return ROLE_TIER.get(role, "medium")

    def configured(self, tier: str) -> bool:
        return self.tier(tier).configured

    @property
    def mode(self) -> str:
        """How requests are routed: one model for everything, or tiers."""
        named = [t.name.upper() for t in self.tiers() if t.configured]
        if not named:
            return "single model (every role on the main model)"
        return "tiers: " + ", ".join(named) + " configured; the rest on the main model"

    def provider_for(self, role: str) -> Provider:
        """The provider for ``role``: its tier's when configured, else the main provider."""
        tier = self.tier(self.tier_for(role))
        if not tier.configured:
            return self.main
        if tier.name not in self._built:
            self._built[tier.name] = self._make(self._tier_settings(tier))
        return self._built[tier.name]

    def _tier_settings(self, tier: Tier) -> Settings:
        from dataclasses import replace

        if tier.base_url:  # a different server: guess its kind from the URL
            return replace(self.settings, base_url=tier.base_url, model=tier.model, provider="")
        main_url = getattr(self.main, "base_url", "") or self.settings.base_url
        kind = self.main.name if self.main.name != "embedded" else ""
        if not main_url:
            return replace(self.settings, model=tier.model)
        return replace(self.settings, base_url=main_url, model=tier.model, provider=kind)

    def describe(self) -> list[str]:
        """One line per tier: which model serves it, and for what."""
        lines = []
        for t in self.tiers():
            built = self._built.get(t.name)
            if t.configured:
                model = built.model if built is not None and built.model else t.model
                where = t.base_url or "main endpoint"
                lines.append(
                    f"{t.name.upper()}: {model or '(loaded model)'} @ {where} - "
                    f"{ROLE_OF_TIER[t.name]}"
                )
            else:
                lines.append(
                    f"{t.name.upper()}: main model ({self.main.model}) - {ROLE_OF_TIER[t.name]}"
                )
        lines.append(self.escalation.describe())
        return lines

    def close(self) -> None:
        for p in self._built.values():
            p.close()
        self._built.clear()
        self.escalation.close()


class Escalation:
    """Bounded, opt-in use of a cloud model when the local one hard-fails.

    The loop calls :meth:`request` with a short reason; it returns a provider (or None when
    escalation is off, exhausted, over budget or declined) and the loop must pass the reply's
    usage to :meth:`record` so the session's cost is known.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        confirm: Callable[[str], bool] | None = None,
        make: MakeProvider | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.confirm = confirm
        self._make = make or _default_make
        self._environ = os.environ if environ is None else environ
        self.used = 0
        self.usage = Usage()
        self.cost = 0.0
        self.declined = 0
        self.last_refusal = ""
        self._provider: Provider | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.settings.escalation)

    @property
    def kind(self) -> str:
        return (self.settings.escalation_provider or "anthropic").strip().lower()

    @property
    def model(self) -> str:
        return self.settings.escalation_model or ESCALATION_DEFAULTS.get(self.kind, ("", ""))[0]

    def _key(self) -> str:
        if self.settings.escalation_api_key:
            return self.settings.escalation_api_key
        env_name = ESCALATION_DEFAULTS.get(self.kind, ("", ""))[1]
        return self._environ.get(env_name, "") if env_name else ""

    def available(self) -> tuple[bool, str]:
        """(can escalate now, why not)."""
        if not self.enabled:
            return False, "escalation is off (SMALLCODE_ESCALATION=true turns it on)"
        if self.kind not in ESCALATION_DEFAULTS:
            return (
                False,
                f"SMALLCODE_ESCALATION_PROVIDER={self.kind} is not "
                + kinds.or_list(list(ESCALATION_DEFAULTS)),
            )
        if not self._key():
            env_name = ESCALATION_DEFAULTS[self.kind][1]
            return False, f"no key for {self.kind}: set SMALLCODE_ESCALATION_API_KEY or {env_name}"
        if self.used >= self.settings.escalation_max:
            return False, f"escalation limit reached ({self.settings.escalation_max} per session)"
        if self.cost >= self.settings.escalation_max_cost:
            return (
                False,
                f"escalation budget spent (${self.cost:.2f} of ${self.settings.escalation_max_cost:.2f})",
            )
        return True, ""

    def request(self, reason: str) -> Provider | None:
        ok, why = self.available()
        if not ok:
            self.last_refusal = why
            return None
        if self.confirm is not None:
            question = (
                f"Escalate to {self.kind} {self.model}? ({reason}; {self.used} of "
                f"{self.settings.escalation_max} used, ${self.cost:.2f} spent so far)"
            )
            if not self.confirm(question):
                self.declined += 1
                self.last_refusal = "declined by the user"
                return None
        if self._provider is None:
            self._provider = self._build()
        self.used += 1
        return self._provider

    def _build(self) -> Provider:
        from dataclasses import replace

        base_url = self.settings.escalation_base_url or kinds.default_url(self.kind)
        cfg = replace(
            self.settings,
            provider=self.kind,
            model=self.model,
            api_key=self._key(),
            base_url=base_url,
            context_window=0,
        )
        try:
            return self._make(cfg)
        except ConfigError as exc:
            raise ConfigError(f"cannot set up escalation: {exc}") from None

    def record(self, usage: Usage) -> float:
        """Account one escalated reply; returns its estimated cost in USD."""
        self.usage.add(usage)
        spent = cost_usd(self.model, usage)
        self.cost += spent
        return spent

    def describe(self) -> str:
        if not self.enabled:
            return escalation_off_line(self._environ)
        return (
            f"escalation: {self.kind} {self.model}, {self.used}/{self.settings.escalation_max} "
            f"used, ~${self.cost:.4f} of ${self.settings.escalation_max_cost:.2f}"
        )

    def stats(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "provider": self.kind,
            "model": self.model,
            "used": self.used,
            "declined": self.declined,
            "cost_usd": round(self.cost, 6),
            **self.usage.to_dict(),
        }

    def close(self) -> None:
        if self._provider is not None:
            self._provider.close()
            self._provider = None


def escalation_off_line(environ: Mapping[str, str] | None = None) -> str:
    """What "escalation: off" means, said plainly: a key that exists sends nothing anywhere."""
    env = os.environ if environ is None else environ
    keys = [name for _, name in ESCALATION_DEFAULTS.values() if env.get(name)]
    if env.get("SMALLCODE_ESCALATION_API_KEY"):
        keys.insert(0, "SMALLCODE_ESCALATION_API_KEY")
    if keys:
        return (
            f"escalation: off ({', '.join(keys)} is set, but a key alone never sends code to "
            "the cloud; to opt in set SMALLCODE_ESCALATION=true)"
        )
    return (
        "escalation: off (nothing leaves this machine; to opt in set SMALLCODE_ESCALATION=true "
        "and a cloud key)"
    )
