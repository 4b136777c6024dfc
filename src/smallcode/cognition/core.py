"""A typed prompt function: a small question to a model with a typed answer, and a way out.

Each call goes, in order: the function's own rule (no request when it decides), the cache, the
model on the FAST tier (a timeout per request, ``retries`` more tries, the reply validated and
else repaired), and at last the deterministic fallback, so a caller always gets a value of the
promised type. Functions marked ``own_tier`` ask a model only when a FAST tier is configured:
their answer is a nicety (a title, a hint), not worth a request to the main model, which would
also push the conversation out of a one-slot server's prompt cache.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from smallcode.types import Message, Usage

T = TypeVar("T")
CACHE_SIZE = 64


@dataclass
class PromptFunction(Generic[T]):
    """``prompt`` names a file in smallcode/prompts/cognition/ (the system message)."""

    name: str
    prompt: str
    parse: Callable[[str], T | None]  # the reply as a value, or None when it is not valid
    fallback: Callable[[str], T]  # deterministic: always a value, never a request
    rule: Callable[[str], T | None] | None = None  # decides without the model when it can
    repair: Callable[[str], T | None] | None = None  # a second chance for an invalid reply
    role: str = "cognition"  # the router role: FAST tier
    own_tier: bool = False  # ask a model only when a FAST tier is configured
    max_tokens: int = 64
    timeout_s: float = 30.0
    retries: int = 1
    description: str = ""


@dataclass
class FunctionStats:
    calls: int = 0
    rule_hits: int = 0
    cache_hits: int = 0
    requests: int = 0
    failures: int = 0  # requests that failed or gave nothing usable
    fallbacks: int = 0
    repaired: int = 0
    latency_ms: list[float] = field(default_factory=list)

    @property
    def mean_ms(self) -> float | None:
        return sum(self.latency_ms) / len(self.latency_ms) if self.latency_ms else None


@dataclass
class Outcome(Generic[T]):
    value: T
    source: str  # rule | cache | model | repaired | fallback


class Cognition:
    """The session's prompt functions: where they run, their cache and their statistics.

    ``provider_for(role)`` gives the provider (llm/router.py); ``fast_configured()`` says
    whether a FAST tier exists; ``on_usage(usage)`` hears each request (the context's side
    requests); ``settings`` give the thinking switches.
    """

    def __init__(
        self,
        provider_for: Callable[[str], Any],
        fast_configured: Callable[[], bool],
        settings: Any = None,
        on_usage: Callable[[Usage], None] | None = None,
        emit: Callable[..., None] | None = None,
    ) -> None:
        self.provider_for = provider_for
        self.fast_configured = fast_configured
        self.settings = settings
        self.on_usage = on_usage
        self.emit = emit
        self.functions: dict[str, PromptFunction[Any]] = {}
        self.stats: dict[str, FunctionStats] = {}
        self._cache: OrderedDict[str, Any] = OrderedDict()

    def register(self, fn: PromptFunction[Any]) -> None:
        self.functions[fn.name] = fn
        self.stats.setdefault(fn.name, FunctionStats())

    def __call__(self, name: str, text: str) -> Any:
        return self.call(name, text).value

    def call(self, name: str, text: str, max_tokens: int | None = None) -> Outcome[Any]:
        """The function's value for ``text``; ``max_tokens`` overrides its reply size."""
        fn = self.functions[name]
        if max_tokens:
            from dataclasses import replace

            fn = replace(fn, max_tokens=max_tokens)
        st = self.stats[name]
        st.calls += 1
        if fn.rule is not None:
            decided = fn.rule(text)
            if decided is not None:
                st.rule_hits += 1
                return Outcome(decided, "rule")
        key = hashlib.sha1(f"{name}\0{text}".encode("utf-8", "replace")).hexdigest()
        if key in self._cache:
            st.cache_hits += 1
            self._cache.move_to_end(key)
            return Outcome(self._cache[key], "cache")
        if fn.own_tier and not self.fast_configured():
            st.fallbacks += 1
            return Outcome(fn.fallback(text), "fallback")
        for attempt in range(1 + max(0, fn.retries)):
            reply = self._ask(fn, st, text, attempt)
            if reply is None:
                continue
            value = fn.parse(reply)
            source = "model"
            if value is None and fn.repair is not None:
                value, source = fn.repair(reply), "repaired"
            if value is not None:
                st.repaired += source == "repaired"
                self._remember(key, value)
                return Outcome(value, source)
            st.failures += 1
        st.fallbacks += 1
        if self.emit is not None:
            self.emit("notice", message=f"{name}: the model gave no usable answer; used the rule")
        return Outcome(fn.fallback(text), "fallback")

    def _remember(self, key: str, value: Any) -> None:
        self._cache[key] = value
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def _ask(
        self, fn: PromptFunction[Any], st: FunctionStats, text: str, attempt: int
    ) -> str | None:
        """One request within the function's timeout; None when it failed."""
        from smallcode.errors import SmallCodeError
        from smallcode.llm.base import RequestOptions, complete
        from smallcode.llm.waiting import WaitPolicy
        from smallcode.prompts import load_prompt

        provider = self.provider_for(fn.role)
        system = load_prompt(f"cognition/{fn.prompt}")
        if attempt:
            system += "\n\nYour last answer could not be used. Follow the format exactly."
        extra: dict[str, Any] = {}
        if self.settings is not None:
            from smallcode.llm.thinking import thinking_extra_body

            extra = thinking_extra_body(
                provider.model, provider.name, 0, True, max_tokens=fn.max_tokens
            )
        started = time.monotonic()
        st.requests += 1
        try:
            reply = complete(
                provider,
                [Message("system", system), Message("user", text)],
                None,
                RequestOptions(temperature=0.0, max_tokens=fn.max_tokens, extra_body=extra),
                max_retries=1,
                wait=WaitPolicy(
                    first_token_s=fn.timeout_s,
                    idle_s=fn.timeout_s,
                    total_s=fn.timeout_s,
                    notice_every_s=0,
                    where=f"the {fn.name} model",
                ),
            )
        except (SmallCodeError, OSError) as exc:
            st.failures += 1
            if self.emit is not None:
                self.emit("notice", message=f"{fn.name}: {exc}")
            return None
        finally:
            st.latency_ms.append((time.monotonic() - started) * 1000)
        if self.on_usage is not None:
            self.on_usage(reply.usage)
        if reply.finish_reason == "error":
            st.failures += 1
            return None
        return reply.content

    # ------------------------------------------------------------------ reporting

    def rows(self) -> list[dict[str, Any]]:
        """One row per function, for ``/cognition``."""
        out = []
        for name, fn in self.functions.items():
            st = self.stats[name]
            where = self._where(fn)
            mean = st.mean_ms
            out.append(
                {
                    "function": name,
                    "tier": where[0],
                    "model": where[1],
                    "calls": st.calls,
                    "rule": st.rule_hits,
                    "cache_hits": st.cache_hits,
                    "requests": st.requests,
                    "failures": st.failures,
                    "fallbacks": st.fallbacks,
                    "mean_ms": round(mean, 1) if mean is not None else None,
                }
            )
        return out

    def _where(self, fn: PromptFunction[Any]) -> tuple[str, str]:
        if fn.own_tier and not self.fast_configured():
            return "none", "rule only (no FAST tier)"
        tier = "FAST" if self.fast_configured() else "main"
        try:
            return tier, str(self.provider_for(fn.role).model)
        except Exception as exc:
            return tier, f"unavailable ({exc})"
