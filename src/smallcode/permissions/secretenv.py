"""Secrets stay out of the shell: a scrubbed environment, and masking of echoed values.

The bash tool's environment drops ``*_API_KEY``, ``*_TOKEN``, ``*_SECRET*``, ``*PASSWORD*``,
``*_PRIVATE_KEY``, ``*_CREDENTIALS`` and the provider variables (``SMALLCODE_*``,
``OPENAI_*``, ``ANTHROPIC_*`` ...), unless ``SMALLCODE_SHELL_ENV_KEEP`` names one. Tool output
that echoes a secret-looking value of the user's environment is masked before it reaches the
model or the logs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

_SECRET_NAME = re.compile(
    r"(_API_KEY|_APIKEY|_TOKEN|_SECRET|SECRET_|PASSWORD|PASSWD|_PRIVATE_KEY|_CREDENTIALS|"
    r"_ACCESS_KEY|^API_KEY$|^TOKEN$|_AUTH$|_PAT$)",
    re.I,
)
PROVIDER_PREFIXES = (
    "SMALLCODE_",
    "OPENAI_",
    "ANTHROPIC_",
    "OPENROUTER_",
    "DEEPSEEK_",
    "GEMINI_",
    "GOOGLE_API",
    "MISTRAL_",
    "GROQ_",
    "TOGETHER_",
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "AZURE_OPENAI",
    "COHERE_",
)
_KEY_PREFIXES = re.compile(
    r"^(sk-|sk_|pk_|rk_|ghp_|gho_|ghs_|ghu_|github_pat_|glpat-|xox[abpr]-|hf_|AKIA|ASIA|AIza|"
    r"eyJ|npm_|pypi-|dop_v1_|SG\.)"
)
_OPAQUE = re.compile(r"^[A-Za-z0-9_\-]{24,}$")
MIN_SECRET_LEN = 8


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name)) or name.upper().startswith(PROVIDER_PREFIXES)


def keep_names(raw: str) -> set[str]:
    return {n.strip() for n in (raw or "").split(",") if n.strip()}


def scrub(env: Mapping[str, str], keep: Iterable[str] = ()) -> dict[str, str]:
    """``env`` without secrets (names in ``keep`` stay)."""
    kept = set(keep)
    return {k: v for k, v in env.items() if k in kept or not is_secret_name(k)}


def _looks_like_key(value: str) -> bool:
    """A known key format, or a long opaque token mixing upper, lower case and digits."""
    if " " in value or len(value) < 16:
        return False
    if _KEY_PREFIXES.match(value):
        return True
    if not _OPAQUE.match(value):
        return False
    return all(re.search(p, value) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))


class SecretMask:
    """Replaces secret values of the environment with ``[masked NAME]`` in text."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        found: dict[str, str] = {}
        for name, value in env.items():
            value = value.strip()
            if len(value) < MIN_SECRET_LEN:
                continue
            if (is_secret_name(name) and not _is_plain(value)) or _looks_like_key(value):
                found.setdefault(value, name)
        # longest first, so a value inside another is not half-masked
        self._items = sorted(found.items(), key=lambda kv: -len(kv[0]))
        self._pattern = (
            re.compile("|".join(re.escape(v) for v, _ in self._items)) if self._items else None
        )
        self._names = dict(self._items)

    def __call__(self, text: str) -> str:
        if not self._pattern or not text:
            return text
        return self._pattern.sub(lambda m: f"[masked {self._names[m.group(0)]}]", text)

    def __bool__(self) -> bool:
        return bool(self._items)


def _is_plain(value: str) -> bool:
    """Values too common to mask (paths, URLs, booleans, numbers)."""
    low = value.lower()
    return (
        low in ("true", "false", "none", "null")
        or value.isdigit()
        or value.startswith(("/", "http://", "https://", "~"))
    )
