"""Telling a model's thinking from its answer while both stream.

Servers that split reasoning out send it apart (``reasoning`` events); others leave it in the
content between ``<think>`` tags (Qwen3, DeepSeek-R1 on a plain llama.cpp server). The
splitter routes each piece of streamed content to "thinking" or "answer", also when a tag is
cut across two pieces, so the UI can show thinking as a dim block above the answer
(``SMALLCODE_SHOW_THINKING=true``) or leave it out of the answer altogether.
"""

from __future__ import annotations

OPENERS = ("<think>", "<thinking>", "<reasoning>")
CLOSERS = ("</think>", "</thinking>", "</reasoning>")
_LONGEST = max(len(t) for t in OPENERS + CLOSERS)


class ThinkSplitter:
    def __init__(self) -> None:
        self.inside = False
        self._held = ""  # the end of the last piece, when it may be the start of a tag

    def reset(self) -> None:
        self.inside = False
        self._held = ""

    def feed(self, text: str) -> list[tuple[str, str]]:
        """``[(kind, text), ...]`` with kind "thinking" or "answer", in stream order."""
        s = self._held + text
        self._held = ""
        out: list[tuple[str, str]] = []
        while s:
            tags = CLOSERS if self.inside else OPENERS
            low = s.lower()
            hits = [(low.find(t), t) for t in tags if low.find(t) >= 0]
            if hits:
                k, tag = min(hits)
                self._emit(out, s[:k])
                self.inside = not self.inside
                s = s[k + len(tag) :]
                continue
            keep = _partial_tag(low, tags)
            self._emit(out, s[: len(s) - keep])
            self._held = s[len(s) - keep :]
            break
        return out

    def flush(self) -> list[tuple[str, str]]:
        """What is still held back (a lone '<' at the very end, say)."""
        out: list[tuple[str, str]] = []
        self._emit(out, self._held)
        self._held = ""
        return out

    def _emit(self, out: list[tuple[str, str]], text: str) -> None:
        if text:
            out.append(("thinking" if self.inside else "answer", text))


def _partial_tag(low: str, tags: tuple[str, ...]) -> int:
    """How many characters at the end of ``low`` could begin one of ``tags``."""
    for n in range(min(_LONGEST - 1, len(low)), 0, -1):
        tail = low[-n:]
        if any(t.startswith(tail) for t in tags):
            return n
    return 0
