"""Providers that plugins register: ``-p NAME`` (``SMALLCODE_PROVIDER``) chooses one like a
built-in kind. Checked only when the name is not a built-in kind, so a normal start never loads
plugins for this."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smallcode.errors import ConfigError, SmallCodeError

if TYPE_CHECKING:
    from smallcode.config import Settings
    from smallcode.llm.base import Provider


def plugin_provider(settings: Settings) -> Provider | None:
    """The provider a plugin registers under ``settings.provider`` (None for built-in kinds)."""
    from smallcode.llm.factory import KINDS

    kind = (settings.provider or "").strip().lower()
    if not kind or kind in KINDS:
        return None
    from smallcode.plugins import entrypoints, manifest
    from smallcode.plugins.host import load_host

    allowed = manifest.allowed_names(settings.plugins)
    eps = [(n, v) for n, v in entrypoints.find() if allowed is None or n in allowed]
    active = [p for p in manifest.discover(settings.cwd, settings.plugins) if p.active]
    host = load_host(eps, active)
    factory = host.providers.get(kind) if host is not None else None
    if factory is None:
        if host is not None and host.providers:
            raise ConfigError(
                f"SMALLCODE_PROVIDER={kind!r} is not known: use one of {', '.join(KINDS)} or a "
                f"plugin's ({', '.join(sorted(host.providers))})"
            )
        return None
    try:
        return factory(settings)
    except SmallCodeError:
        raise
    except Exception as exc:
        raise ConfigError(
            f"the plugin provider {kind!r} failed to start: {type(exc).__name__}: {exc}"
        ) from None
