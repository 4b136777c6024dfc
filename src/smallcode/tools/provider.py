"""Agent tools to inspect and (with the user's confirmation) change the model provider.

``configure_provider`` never runs unattended: it needs ``ctx.confirm`` (a
``Callable[[str], bool]`` the interactive UI installs, asking the user) to say yes, or
``SMALLCODE_ALLOW_PROVIDER_CHANGE=true`` for non-interactive runs. It takes no API key: keys
are typed by the user in ``smallcode provider``, never passed through the model. A saved change
is recorded in ``ctx.provider_changed`` for the UI to switch the running session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from smallcode.errors import ToolError
from smallcode.llm import kinds
from smallcode.tools.registry import Tool, ToolContext, tool

if TYPE_CHECKING:
    Kind = str
else:  # the kinds the wizard offers (llm/kinds.py), as the schema's enum
    Kind = Literal[kinds.menu_names()]


@tool(read_only=True, core=False)
def provider_status(ctx: ToolContext) -> str:
    """Show the model provider: endpoint, model, context window, tiers and escalation.

    Args:
    """
    from smallcode.llm.setup import status_lines

    provider = ctx.provider
    router = ctx.router
    return "\n".join(status_lines(ctx.settings, provider, router))


@tool(core=False)
def configure_provider(
    ctx: ToolContext,
    kind: Kind,
    model: str = "",
    base_url: str = "",
    save: Literal["project", "user"] = "project",
) -> str:
    """Switch the model provider after the user confirms; checks it with a tiny request first.

    Args:
        kind: Server kind.
        model: Model name (default: the model the server has loaded).
        base_url: Server URL (default: the usual one for the kind).
        save: Where to save: the project's .env or the user config.
    """
    from smallcode.llm import setup

    base_url = base_url.strip() or setup.default_url(kind)
    if not base_url:
        raise ToolError(f"kind '{kind}' needs base_url")
    api_key = ctx.settings.api_key
    if setup.needs_key(kind, base_url) and not api_key:
        raise ToolError(
            f"{kind} needs an API key: ask the user to run `smallcode provider` (keys are never "
            "passed through tools)"
        )
    if not model:
        listing = setup.list_models(kind, base_url, api_key)
        if listing.error:
            raise ToolError(listing.error)
        model = next((m for m in listing.loaded if m in listing.models), "")
        if not model and len(listing.models) == 1:
            model = listing.models[0]
        if not model:
            raise ToolError(f"give model: one of {', '.join(listing.models[:15]) or '(none)'}")
    question = f"Switch the model provider to {kind} {model} at {base_url} (saved to {save})?"
    confirm = ctx.confirm
    if callable(confirm):
        if not confirm(question):
            raise ToolError("the user declined the provider change; keep the current provider")
    elif not ctx.settings.allow_provider_change:
        raise ToolError(
            "changing the provider needs the user's confirmation, which is not possible in a "
            "non-interactive run (SMALLCODE_ALLOW_PROVIDER_CHANGE=true allows it); tell the user "
            "to run `smallcode provider`"
        )
    result = setup.validate(ctx.settings, kind, base_url, model, api_key)
    if not result.ok:
        raise ToolError(f"not changed: {result.message}")
    path, lines = setup.save(save, ctx.root, kind, base_url, model, api_key)
    ctx.provider_changed = {"kind": kind, "base_url": base_url, "model": model}
    window = f", context window {result.window}" if result.window else ""
    return f"Saved to {path} ({'; '.join(lines)}){window}. It applies from the next session."


def provider_tools() -> list[Tool]:
    return [provider_status.__tool__, configure_provider.__tool__]
