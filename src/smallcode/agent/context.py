"""Context budget: what goes into each request, and how large tool results may be.

The loop calls ``prepare(messages)`` before every request and ``observe(request, usage)`` after
it. ``cap_result`` bounds a tool result before it enters history.
"""

from __future__ import annotations

from smallcode.config import Settings
from smallcode.types import Message, Usage

CHARS_PER_TOKEN = 4.0
DEFAULT_WINDOW = 8192


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


def message_tokens(m: Message) -> int:
    n = estimate_tokens(m.content) + 4
    for tc in m.tool_calls:
        n += estimate_tokens(tc.name) + estimate_tokens(str(tc.arguments)) + 4
    return n


class ContextManager:
    def __init__(self, settings: Settings, window: int | None = None) -> None:
        self.settings = settings
        self.window = settings.context_window or window or DEFAULT_WINDOW
        self.requests = 0
        self._reuse: list[float] = []
        self._last: list[dict] = []

    def output_reserve(self) -> int:
        # Never ask for the whole window as output: servers reject that.
        return max(256, min(self.settings.max_output_tokens, self.window // 4))

    def prepare(self, messages: list[Message]) -> list[Message]:
        return list(messages)

    def observe(self, request: list[Message], usage: Usage) -> None:
        """Track prefix reuse: the share of this request that repeats the previous one."""
        current = [m.to_openai() for m in request]
        if self._last:
            same = 0
            for a, b in zip(self._last, current, strict=False):
                if a != b:
                    break
                same += 1
            shared = sum(len(str(m)) for m in current[:same])
            total = sum(len(str(m)) for m in current) or 1
            self._reuse.append(shared / total)
        self._last = current
        self.requests += 1

    def prefix_reuse(self) -> float:
        return sum(self._reuse) / len(self._reuse) if self._reuse else 0.0

    def cap_result(self, text: str) -> str:
        limit = self.settings.max_tool_result_chars
        if len(text) <= limit:
            return text
        head = text[: int(limit * 0.6)]
        tail = text[-int(limit * 0.3) :]
        cut = len(text) - len(head) - len(tail)
        cut_lines = text.count("\n", len(head), len(text) - len(tail))
        return (
            f"{head}\n... [{cut} characters / {cut_lines} lines cut; read a range with "
            f"read_file(path, start_line, end_line) or narrow the command] ...\n{tail}"
        )
