"""Choosing and building the provider for a session from Settings."""

from __future__ import annotations

from smallcode.config import Settings
from smallcode.errors import ConfigError
from smallcode.llm.base import Provider

HOW_TO_CONFIGURE = (
    "set SMALLCODE_BASE_URL (e.g. http://localhost:1234/v1 for LM Studio) and SMALLCODE_MODEL "
    "in the environment or a .env file, or pass --base-url and --model"
)


def make_provider(settings: Settings) -> Provider:
    """Build the provider for the configured endpoint. Raises ConfigError when incomplete."""
    from smallcode.llm.openai_compat import OpenAICompatProvider

    if not settings.base_url:
        raise ConfigError(f"no model endpoint configured: {HOW_TO_CONFIGURE}")
    if not settings.model:
        raise ConfigError(f"no model configured: {HOW_TO_CONFIGURE}")
    provider = OpenAICompatProvider(
        settings.base_url,
        settings.model,
        settings.api_key,
        name=settings.provider or "openai",
        timeout=settings.request_timeout,
    )
    if settings.context_window:
        provider.set_context_window(settings.context_window)
    return provider
