"""``smallcode provider``: choose, probe, validate and save a model provider.

Interactive (a terminal): pick a server kind (local servers found by probing are offered
first), confirm the URL, give a key for cloud APIs (hidden input, shown masked), pick a model
from the server's list, validate it with a tiny request, and save to the project ``.env`` or
the user config. Non-interactive: the same steps driven by flags::

    smallcode provider --kind lmstudio --model qwen2.5-coder-7b --save project --yes
    smallcode provider --kind custom --url http://gpu:8000/v1 --key sk-... --save user --yes
    smallcode provider status

Also the REPL's ``/provider``, ``/model`` and ``/profile`` (see :func:`register_commands`).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smallcode.config import Settings
from smallcode.errors import EXIT_OK, EXIT_USAGE, ConfigError, EndpointError, SmallCodeError
from smallcode.llm import kinds, setup
from smallcode.llm.httpcommon import mask_secret


@dataclass
class WizardIO:
    """Where the wizard reads and writes (plain input/print; replaceable for the REPL)."""

    ask: Callable[[str], str] = input
    secret: Callable[[str], str] = getpass.getpass
    say: Callable[[str], None] = print


@dataclass
class Choice:
    kind: str = ""
    base_url: str = ""
    model: str = ""
    api_key: str = ""
    scope: str = ""


class Aborted(Exception):
    pass


def _ask(io: WizardIO, prompt: str, default: str = "") -> str:
    suffix = f" [{default}]" if default else ""
    try:
        answer = io.ask(f"{prompt}{suffix}: ").strip()
    except EOFError:
        raise Aborted() from None
    return answer or default


def _choose(io: WizardIO, title: str, options: list[tuple[str, str]], default: int = 1) -> str:
    io.say(title)
    for i, (_, label) in enumerate(options, 1):
        io.say(f"  {i}) {label}")
    while True:
        raw = _ask(io, "choose a number", str(default))
        if raw.isdigit() and 1 <= int(raw) <= len(options):
            return options[int(raw) - 1][0]
        for key, _ in options:
            if raw == key:
                return key
        io.say(f"please type a number from 1 to {len(options)}")


def interactive(settings: Settings, io: WizardIO, preset: Choice | None = None) -> Choice | None:
    """The dialogue. Returns the saved choice, or None when the user stopped."""
    from smallcode.llm import detect

    choice = preset or Choice()
    found = detect.probe_local(detect.probe_urls(settings.probe_urls))
    if not choice.kind:
        options: list[tuple[str, str]] = []
        for ep in found:
            label = f"{kinds.label(ep.kind)} found at {ep.root} ({len(ep.models)} models)"
            options.append((f"found:{ep.root}", label))
        options += setup.KIND_MENU
        picked = _choose(io, "Which model server?", options)
        if picked.startswith("found:"):
            ep = next(e for e in found if e.root == picked[6:])
            choice.kind = ep.kind
            choice.base_url = ep.base_url
        else:
            choice.kind = picked
    if not choice.base_url:
        choice.base_url = _ask(io, "Server URL", setup.default_url(choice.kind))
        if not choice.base_url:
            io.say("a custom endpoint needs a URL, e.g. http://localhost:8000/v1")
            return None
    if setup.needs_key(choice.kind, choice.base_url) and not choice.api_key:
        current = settings.api_key
        prompt = "API key" + (f" (Enter keeps {mask_secret(current)})" if current else "")
        try:
            choice.api_key = io.secret(f"{prompt}: ").strip() or current
        except EOFError:
            raise Aborted() from None
        if not choice.api_key:
            io.say("an API key is needed for this provider")
            return None
    listing = setup.list_models(choice.kind, choice.base_url, choice.api_key)
    if listing.error:
        io.say(f"could not list models: {listing.error}")
    if not choice.model:
        choice.model = _pick_model(io, listing)
        if not choice.model:
            return None
    io.say(f"checking {choice.model} with a tiny request ...")
    result = setup.validate(settings, choice.kind, choice.base_url, choice.model, choice.api_key)
    _report(io, result)
    if not result.ok and _ask(io, "Save anyway? (y/N)", "n").lower() not in ("y", "yes"):
        return None
    scope = choice.scope or _choose(
        io,
        "Save where?",
        [
            ("project", f"this project's .env ({settings.cwd / '.env'})"),
            ("user", "your user config"),
        ],
    )
    choice.scope = scope
    _save(io, settings.cwd, choice)
    return choice


def _pick_model(io: WizardIO, listing: setup.Listing) -> str:
    models = listing.models
    if not models:
        return _ask(io, "Model name")
    default = 1
    options = []
    for i, m in enumerate(models[:30], 1):
        extra = []
        if m in listing.loaded:
            extra.append("loaded")
            default = i if default == 1 and m in listing.loaded else default
        if m in listing.windows:
            extra.append(f"{listing.windows[m]:,} tokens")
        options.append((m, m + (f"  ({', '.join(extra)})" if extra else "")))
    if len(models) > 30:
        io.say(f"({len(models)} models; showing 30 — type any name)")
    io.say("Which model?")
    for i, (_, label) in enumerate(options, 1):
        io.say(f"  {i}) {label}")
    raw = _ask(io, "number or name", str(default))
    if raw.isdigit() and 1 <= int(raw) <= len(options):
        return options[int(raw) - 1][0]
    return raw


def _report(io: WizardIO, result: setup.Validation) -> None:
    if result.ok:
        window = f"; context window {result.window:,} tokens" if result.window else ""
        io.say(f"ok: {result.message} (reply: {result.reply!r}){window}")
    else:
        io.say(f"failed: {result.message}")


def _save(io: WizardIO, cwd: Path, choice: Choice) -> Path:
    path, lines = setup.save(
        choice.scope, cwd, choice.kind, choice.base_url, choice.model, choice.api_key
    )
    io.say(f"saved to {path}:")
    for line in lines:
        io.say(f"  {line}")
    return path


status_lines = setup.status_lines


# ---------------------------------------------------------------------- command line


def build_parser() -> argparse.ArgumentParser:
    from smallcode.cliparser import Parser

    p = Parser(prog="smallcode provider", description="Choose, check and save the model provider.")
    p.add_argument("action", nargs="?", choices=["setup", "status"], default="setup")
    p.add_argument("--kind", choices=[k for k, _ in setup.KIND_MENU], help="server kind")
    p.add_argument("--url", help="server URL (default per kind)")
    p.add_argument("--model", help="model name (default: the loaded one)")
    p.add_argument("--key", help="API key (or SMALLCODE_API_KEY)")
    p.add_argument("--save", choices=["project", "user"], help="where to save")
    p.add_argument("--yes", action="store_true", help="no questions: use flags and defaults")
    p.add_argument("--no-validate", action="store_true", help="skip the test request")
    p.add_argument("-C", "--cwd", help="project directory")
    return p


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.load(args.cwd)
    io = WizardIO()
    if args.action == "status":
        return _status(settings, io)
    preset = Choice(
        args.kind or "", args.url or "", args.model or "", args.key or "", args.save or ""
    )
    if args.yes or not sys.stdin.isatty():
        return _non_interactive(settings, preset, io, validate=not args.no_validate)
    try:
        done = interactive(settings, io, preset)
    except (Aborted, KeyboardInterrupt):
        io.say("stopped: nothing saved")
        return EXIT_USAGE
    return EXIT_OK if done else EXIT_USAGE


def _status(settings: Settings, io: WizardIO) -> int:
    from dataclasses import replace

    from smallcode.llm.factory import make_provider

    try:  # a status never downloads a model
        provider = make_provider(replace(settings, auto_fetch="false"))
    except SmallCodeError as exc:
        for line in status_lines(settings):
            io.say(line)
        io.say(f"not ready: {exc}")
        return exc.exit_code
    try:
        for line in status_lines(settings, provider):
            io.say(line)
    finally:
        provider.close()
    return EXIT_OK


def _non_interactive(settings: Settings, c: Choice, io: WizardIO, validate: bool) -> int:
    if not c.kind and not c.base_url:
        raise ConfigError(
            "smallcode provider needs --kind (or --url) when it cannot ask: e.g. --kind lmstudio"
        )
    guessed = not c.kind
    if guessed:
        from smallcode.llm.detect import guess_kind

        c.kind = guess_kind(c.base_url)
    c.base_url = c.base_url or setup.default_url(c.kind)
    if not c.base_url:
        raise ConfigError(f"--kind {c.kind} needs --url")
    if setup.needs_key(c.kind, c.base_url):
        c.api_key = c.api_key or settings.api_key
        if not c.api_key:
            raise ConfigError(
                f"{kinds.label(c.kind)} needs an API key: pass --key or set SMALLCODE_API_KEY"
            )
    if not c.model or guessed:
        listing = setup.list_models(c.kind, c.base_url, c.api_key)
        if listing.error:
            raise EndpointError(listing.error)
        if guessed and listing.kind:
            c.kind = listing.kind
    if not c.model:
        c.model = next((m for m in listing.loaded if m in listing.models), "") or (
            listing.models[0] if len(listing.models) == 1 else ""
        )
        if not c.model:
            names = ", ".join(listing.models[:10]) or "none"
            raise ConfigError(f"pass --model: {c.base_url} has no loaded model (models: {names})")
    if validate:
        result = setup.validate(settings, c.kind, c.base_url, c.model, c.api_key)
        result.raise_error()
        _report(io, result)
    if not c.scope:
        io.say(f"not saved (pass --save project or --save user): {c.kind} {c.base_url} {c.model}")
        return EXIT_OK
    _save(io, settings.cwd, c)
    return EXIT_OK


# ---------------------------------------------------------------------- REPL commands


def _rebuild(ui: Any, settings: Settings) -> str:
    """Switch the running session to new settings (a new provider; history is kept)."""
    from smallcode.llm.factory import make_provider

    provider = make_provider(settings)
    old = ui.agent.provider
    ui.agent.provider = provider
    ui.settings = settings
    if hasattr(ui.agent, "settings"):
        ui.agent.settings = settings
    window = provider.context_window()
    context = getattr(ui.agent, "context", None)
    if context is not None and window and not settings.context_window:
        context.window = window
    old.close()
    return f"now using {kinds.label(provider.name)} · {provider.model}" + (
        f" ({window:,} tokens)" if window else ""
    )


def cmd_provider(ui: Any, arg: str) -> str | None:
    """/provider [status]: show the provider, or run the wizard and switch to the result."""
    if arg.strip() == "status":
        return "\n".join(f"- {line}" for line in status_lines(ui.settings, ui.agent.provider))
    io = WizardIO(say=lambda text: ui.console.print(text, markup=False, highlight=False))
    try:
        choice = interactive(ui.settings, io)
    except (Aborted, KeyboardInterrupt):
        return "Provider unchanged."
    if choice is None:
        return "Provider unchanged."
    from dataclasses import replace

    settings = replace(
        ui.settings,
        provider=choice.kind,
        base_url=choice.base_url,
        model=choice.model,
        api_key=choice.api_key,
    )
    try:
        return _rebuild(ui, settings)
    except SmallCodeError as exc:
        return f"Saved, but could not switch: {exc}"


def cmd_model(ui: Any, arg: str) -> str | None:
    """/model [name]: show the model and what the server offers, or switch to another model."""
    from dataclasses import replace

    provider = ui.agent.provider
    if not arg.strip():
        url = getattr(provider, "base_url", "")
        listing = (
            setup.list_models(provider.name, url, ui.settings.api_key) if url else setup.Listing()
        )
        lines = [f"model: **{provider.model}** ({kinds.label(provider.name)})"]
        for m in listing.models[:30]:
            mark = " (loaded)" if m in listing.loaded else ""
            lines.append(f"- {m}{mark}")
        if listing.models:
            lines.append("Switch with `/model NAME`.")
        router = session_router(ui)
        if router is not None:
            lines.append("")
            lines.append("Tiers:")
            lines += [f"- {t}" for t in router.describe()]
        return "\n".join(lines)
    name = arg.strip()
    url = getattr(provider, "base_url", "") or ui.settings.base_url
    kind = provider.name if provider.name != "embedded" else ""
    settings = replace(ui.settings, model=name, base_url=url if kind else "", provider=kind)
    try:
        return _rebuild(ui, settings)
    except SmallCodeError as exc:
        return f"Model unchanged: {exc}"


def session_router(ui: Any) -> Any:
    """The session's Router (llm/router.py), or one over the current provider (no tiers
    built) when the session has none."""
    router = getattr(ui, "router", None)
    router = router or getattr(getattr(ui.agent, "ctx", None), "router", None)
    if router is None:
        from smallcode.llm.router import Router

        router = Router(ui.settings, ui.agent.provider)
    return router


def cmd_profile(ui: Any, arg: str) -> str | None:
    """/profile: the detected model profile, the routing mode and which model serves each
    tier (``/provider status`` has the endpoint and settings)."""
    from smallcode.ui.insight_commands import profile_lines

    lines = profile_lines(ui.agent, session_router(ui))
    return (
        "\n".join(f"- {line}" for line in lines) + "\n\nEndpoint and settings: `/provider status`."
    )


def register_commands() -> None:
    """Add /provider, /model and /profile to the REPL's command registry."""
    from smallcode.ui.commands import command

    command("provider", "show (/provider status) or change the model provider")(cmd_provider)
    command("model", "show the model and the server's models, or switch: /model NAME")(cmd_model)
    command("profile", "the model's profile, the routing mode, which model serves each tier")(
        cmd_profile
    )
