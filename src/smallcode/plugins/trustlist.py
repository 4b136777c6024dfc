"""Project extension files that wait for the user's trust: ``.mcp.json`` /
``.smallcode/mcp.json`` servers and project plugin folders (hooks in settings files are held
by permissions/settingsfiles.py). ``smallcode trust`` and the REPL's question at start list
them with what they would run; trusting stores the path and content hash (trust.py)."""

from __future__ import annotations

from pathlib import Path


def pending(root: Path) -> list[tuple[Path, list[str]]]:
    from smallcode import trust
    from smallcode.plugins.locations import MCP_PROJECT_FILES, PLUGINS_DIR

    out: list[tuple[Path, list[str]]] = []
    for rel in MCP_PROJECT_FILES:
        path = root / rel
        if not path.is_file() or trust.is_trusted(path):
            continue
        from smallcode.plugins import mcp_config

        servers = mcp_config.read_servers(path, [])
        items = []
        for name, raw in servers.items():
            if isinstance(raw, dict):
                what = raw.get("url") or " ".join(
                    [str(raw.get("command") or ""), *(str(a) for a in raw.get("args") or [])]
                )
                items.append(f"MCP server {name} ({_short(str(what))})")
        if items:
            out.append((path, items))
    if (root / PLUGINS_DIR).is_dir():
        from smallcode.plugins import manifest

        for p in manifest.discover(root):
            if p.scope == "project" and p.enabled and not p.trusted:
                out.append((p.root, [f"plugin {p.name}: {p.summary()}"]))
    return out


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."
