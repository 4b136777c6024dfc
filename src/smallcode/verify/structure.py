"""What a rewritten file lost or doubled without being asked to: markdown headings and
Python top-level definitions.

Small models rewrite a whole file to change one part and drop the rest (the title of a
README, a function next to the one they changed), or paste a section a second time. These
checks compare a changed file with its text before the change and report only what the
change did. A task that asks to remove, rename or restructure something turns the
"lost" check off for it.
"""

from __future__ import annotations

import ast
import re
from collections import Counter

from smallcode.verify.syntax import CheckOutcome

_MD_HEADING = re.compile(r"^(#{1,6})\s+\S")
_REMOVING = re.compile(
    r"\b(?:remov|delet|drop|renam|replac|rewrit|mov|get rid|merg|split|consolidat|refactor|"
    r"restructur|clean(?:\s|-)?up|simplif|reorgani[sz]|trim|shorten|strip)\w*",
    re.I,
)
MARKDOWN = (".md", ".markdown", ".mdx")


def headings(text: str) -> list[str]:
    """Markdown headings outside code fences, in order."""
    out = []
    fence = ""
    for ln in text.split("\n"):
        st = ln.strip()
        if st.startswith(("```", "~~~")):
            if not fence:
                fence = st[:3]
            elif st.startswith(fence) and not st[3:].strip("`~"):
                fence = ""
            continue
        if not fence and _MD_HEADING.match(ln):
            out.append(st)
    return out


def _definitions(text: str) -> set[str] | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return {
        n.name
        for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }


def structure_problems(rel: str, original: str, now: str, task: str) -> CheckOutcome | None:
    """Headings or definitions the change lost (unless the task removes things) or doubled."""
    problems: list[str] = []
    may_remove = _REMOVING.search(task) is not None
    if rel.lower().endswith(MARKDOWN):
        before, after = Counter(headings(original)), Counter(headings(now))
        twice = [h for h, n in after.items() if n > 1 and n > before[h]]
        if twice:
            problems.append(f"{rel} now has the heading {twice[0]!r} twice: remove the copy")
        lost = [h for h in before if h not in after]
        if lost and not may_remove:
            problems.append(
                f"{rel} lost the heading {lost[0]!r}"
                + (f" and {len(lost) - 1} more" if len(lost) > 1 else "")
                + " and what was under it, which the task does not ask to remove: put it back"
            )
    elif rel.endswith(".py") and not may_remove:
        before_defs, after_defs = _definitions(original), _definitions(now)
        if before_defs is not None and after_defs is not None:
            lost_defs = sorted(before_defs - after_defs)
            if lost_defs:
                problems.append(
                    f"{rel} no longer defines {', '.join(lost_defs[:4])}, which the task does "
                    "not ask to remove: put it back (change only what the task asks for)"
                )
    if not problems:
        return None
    return CheckOutcome("structure", rel, False, evidence="\n".join(problems))
