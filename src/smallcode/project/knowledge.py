"""``knowledge/`` notes: markdown files in the project that the model gets when they are relevant.

If all notes fit in the budget they all go in (most relevant first); otherwise only the notes
that match the task (BM25 over title and text), best first, within ``max_tokens``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from smallcode.store.fts import estimate_tokens, fts_or_query, identifier_words

KNOWLEDGE_DIR = "knowledge"
MAX_NOTE_CHARS = 40_000
MAX_NOTES = 500


@dataclass
class Note:
    path: str  # relative to the project root
    title: str
    text: str

    def block(self, max_chars: int | None = None) -> str:
        body = self.text
        if max_chars is not None and len(body) > max_chars:
            body = body[: max(0, max_chars - 20)].rstrip() + "\n[... note cut]"
        return f"## {self.path}\n{body}"


def read_notes(root: Path) -> list[Note]:
    base = Path(root) / KNOWLEDGE_DIR
    if not base.is_dir():
        return []
    notes: list[Note] = []
    for p in sorted(base.rglob("*.md"))[:MAX_NOTES]:
        try:
            text = p.read_text(encoding="utf-8", errors="replace")[:MAX_NOTE_CHARS].strip()
        except OSError:
            continue
        if not text:
            continue
        first = text.splitlines()[0].lstrip("#").strip()
        notes.append(Note(p.relative_to(root).as_posix(), first or p.stem, text))
    return notes


def rank_notes(notes: list[Note], task: str) -> list[tuple[Note, float]]:
    """Notes matching ``task``, best first, with their BM25 score (lower is better)."""
    match = fts_or_query(task)
    if not match or not notes:
        return []
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE VIRTUAL TABLE n USING fts5(title, text, tokenize='porter unicode61')")
        db.executemany(
            "INSERT INTO n(rowid, title, text) VALUES (?, ?, ?)",
            [
                (i, f"{n.title} {identifier_words(Path(n.path).stem)}", n.text)
                for i, n in enumerate(notes)
            ],
        )
        rows = db.execute(
            "SELECT rowid, bm25(n, 3.0, 1.0) AS s FROM n WHERE n MATCH ? ORDER BY s", (match,)
        ).fetchall()
    finally:
        db.close()
    return [(notes[i], s) for i, s in rows]


def load_knowledge(root: Path, task: str, max_tokens: int = 1500) -> str:
    """The knowledge notes for ``task`` as one block ('' when there are none or none match)."""
    notes = read_notes(root)
    if not notes or max_tokens <= 0:
        return ""
    ranked = [n for n, _ in rank_notes(notes, task)]
    total = sum(estimate_tokens(n.block()) for n in notes)
    if total <= max_tokens:
        rest = [n for n in notes if n not in ranked]
        chosen = ranked + rest
        blocks = [n.block() for n in chosen]
    else:
        blocks = []
        used = 0
        for n in ranked:
            cost = estimate_tokens(n.block())
            room = max_tokens - used
            if cost <= room:
                blocks.append(n.block())
                used += cost
            elif not blocks and room > 50:
                blocks.append(n.block(max_chars=room * 4 - 20))
                used = max_tokens
            if used >= max_tokens:
                break
    if not blocks:
        return ""
    return "Project knowledge (from knowledge/):\n\n" + "\n\n".join(blocks)
