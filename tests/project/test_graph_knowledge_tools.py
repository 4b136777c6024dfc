from __future__ import annotations

from pathlib import Path

import pytest

from smallcode.config import Settings
from smallcode.project.context import project_prefix, task_context
from smallcode.project.graph import explain, find_definitions
from smallcode.project.index import CodeIndex
from smallcode.project.knowledge import load_knowledge
from smallcode.tools.knowledge import KNOWLEDGE_TOOLS
from smallcode.tools.memory import MEMORY_TOOLS
from smallcode.tools.registry import ToolContext, ToolRegistry

APP = {
    "pyproject.toml": '[project]\nname = "shop"\ndependencies = ["flask"]\n\n[tool.pytest.ini_options]\n',
    "shop/cart.py": '''"""Shopping cart."""
from shop.pricing import apply_discount


class Cart:
    def __init__(self):
        self.items = []

    def total(self):
        """Sum of the item prices after discounts."""
        return apply_discount(sum(i.price for i in self.items))


def checkout(cart):
    # charge the customer's card
    amount = cart.total()
    return charge_card(amount)


def charge_card(amount):
    return {"charged": amount}
''',
    "shop/pricing.py": '''def apply_discount(amount):
    """Ten percent off orders over one hundred."""
    return amount * 0.9 if amount > 100 else amount
''',
    "web/src/api.ts": """export async function fetchOrders(userId: string) {
  return request(`/orders/${userId}`)
}
function request(url: string) { return fetch(url) }
""",
    "web/package.json": '{"name": "web", "scripts": {"test": "vitest run"}, "devDependencies": {"vitest": "1"}}',
}


@pytest.fixture
def app(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    for rel, text in APP.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def test_explain_symbol_shows_signature_callers_and_callees(app: Path) -> None:
    with CodeIndex(app) as ix:
        ix.update()
        defs, text = explain(ix, "Cart.total")
        assert defs[0].qualname == "Cart.total"
        assert "shop/cart.py:9-11" in text
        assert "signature: def total(self)" in text
        assert "Sum of the item prices" in text
        assert "checkout at shop/cart.py:16" in text  # caller
        assert "apply_discount (shop/pricing.py:1)" in text  # callee, resolved
        assert find_definitions(ix, "apply_discount()")[0].path == "shop/pricing.py"
        assert explain(ix, "nothing_like_this")[0] == []


def _ctx(root: Path) -> tuple[ToolRegistry, ToolContext]:
    reg = ToolRegistry([*KNOWLEDGE_TOOLS, *MEMORY_TOOLS])
    return reg, ToolContext(root=root, settings=Settings.load(root, {"embeddings": "off"}))


def test_tools_are_offered_on_demand_and_work(app: Path) -> None:
    reg, ctx = _ctx(app)
    assert reg.schemas(only_core=True) == []  # none is sent by default
    names = {t.name for t in reg}
    assert names == {
        "hybrid_search",
        "graph_search",
        "explain_symbol",
        "list_projects",
        "memory_remember",
        "memory_load",
        "memory_list",
        "memory_forget",
    }

    r = reg.call("hybrid_search", {"query": "take money from the customer"}, ctx)
    assert r.ok and r.output.splitlines()[0].startswith("shop/cart.py:")
    assert " checkout " in r.output.splitlines()[0] or " charge_card " in r.output.splitlines()[0]
    r = reg.call("hybrid_search", {"query": "request", "path": "web"}, ctx)
    assert r.ok and all(ln.startswith("web/") for ln in r.output.splitlines())
    r = reg.call("hybrid_search", {"query": "x", "path": "../outside"}, ctx)
    assert not r.ok and "outside the project root" in r.output

    r = reg.call("graph_search", {"query": "discount on big orders"}, ctx)
    assert r.ok and "apply_discount" in r.output and "<- Cart.total" in r.output
    r = reg.call("explain_symbol", {"symbol": "checkout"}, ctx)
    assert r.ok and "calls: total" in r.output
    r = reg.call("explain_symbol", {"symbol": "missing_fn"}, ctx)
    assert not r.ok and "hybrid_search" in r.output

    r = reg.call("list_projects", {}, ctx)
    assert r.ok
    lines = r.output.splitlines()
    assert lines[0].startswith(".: python; 4 files")
    assert lines[1] == "web: node; 1 files, 2 symbols, 5 lines (typescript 1)"


def test_memory_tools_roundtrip(app: Path) -> None:
    reg, ctx = _ctx(app)
    r = reg.call(
        "memory_remember",
        {
            "type": "gotcha",
            "title": "Discount rounding",
            "content": "apply_discount returns floats; round in views",
            "tags": ["pricing"],
        },
        ctx,
    )
    assert r.ok and r.output.startswith("Remembered p1")
    r = reg.call("memory_remember", {"type": "opinion", "title": "x", "content": "y"}, ctx)
    assert not r.ok and "unknown memory type" in r.output
    r = reg.call("memory_load", {"task": "show prices rounded in the pricing views"}, ctx)
    assert "round in views" in r.output
    assert "Discount rounding" in reg.call("memory_list", {}, ctx).output
    assert reg.call("memory_forget", {"ref": "p1"}, ctx).ok
    assert reg.call("memory_list", {}, ctx).output == "No memories yet."
    assert not reg.call("memory_forget", {"ref": "p1"}, ctx).ok


def test_knowledge_notes_relevance_and_budget(tmp_path: Path) -> None:
    kdir = tmp_path / "knowledge"
    kdir.mkdir()
    (kdir / "deploy.md").write_text("# Deploying\nUse the blue-green switch in ops/deploy.sh.\n")
    (kdir / "auth.md").write_text(
        "# Authentication\nTokens are JWT, signed with RS256.\n" + "detail " * 400
    )
    (kdir / "style.md").write_text("# Style\nFour spaces, double quotes.\n")
    small = load_knowledge(tmp_path, "rotate the JWT signing key", max_tokens=60)
    assert "## knowledge/auth.md" in small and "deploy" not in small
    assert "[... note cut]" in small
    both = load_knowledge(tmp_path, "deploy after changing tokens", max_tokens=2000)
    assert both.index("deploy.md") < both.index("style.md")  # all fit: relevant first
    assert load_knowledge(tmp_path, "anything", max_tokens=0) == ""
    assert load_knowledge(tmp_path / "none", "x", 100) == ""


def test_session_start_strings(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (app / "AGENTS.md").write_text("Always run the tests.")
    settings = Settings.load(app)
    prefix = project_prefix(app, settings)
    assert prefix.startswith("Project: python; pip; Flask")
    assert "Test: python -m pytest" in prefix and "Always run the tests." in prefix
    monkeypatch.setenv("SMALLCODE_BOOTSTRAP", "0")
    assert project_prefix(app, Settings.load(app)).startswith("# Instructions from AGENTS.md")
    assert task_context(app, settings, "anything").text() == ""


def test_warm_index_builds_the_index(app: Path) -> None:
    import threading

    from smallcode.project import embeddings
    from smallcode.project.context import warm_index
    from smallcode.project.vectors import pending_count

    stop = threading.Event()
    result = warm_index(app, Settings.load(app), stop)
    assert result["indexed"] == 4
    with CodeIndex(app) as ix:
        assert ix.stats()["symbols"] == 8
        if embeddings.available():
            assert result["embedded"] > 0 and pending_count(ix) == 0
    assert warm_index(app, Settings.load(app, {"embeddings": "off"}))["indexed"] == 0


def test_close_knowledge_releases_connections(app: Path) -> None:
    from smallcode.tools.knowledge import close_knowledge

    reg, ctx = _ctx(app)
    assert reg.call("hybrid_search", {"query": "cart"}, ctx).ok
    assert reg.call("memory_list", {}, ctx).ok
    assert {"code_index", "memory_store"} <= set(ctx.extras)
    close_knowledge(ctx)
    assert "code_index" not in ctx.extras and "memory_store" not in ctx.extras
