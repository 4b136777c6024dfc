"""What SmallCode makes of a model from its name: family, size class and thinking style.

Shown by ``/profile`` with the edit format (agent/editformat.py) and whether the model's calls
arrive as native ``tool_calls`` (observed during the session, never guessed from the name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (pattern in the lower-cased name, family label); the first match wins.
_FAMILIES: tuple[tuple[str, str], ...] = (
    ("gpt-oss", "gpt-oss"),
    (r"qwen3[-.]?coder", "Qwen3-Coder"),
    ("qwen3", "Qwen3"),
    ("qwq", "QwQ"),
    (r"qwen2\.5[-.]?coder", "Qwen2.5-Coder"),
    ("qwen", "Qwen"),
    ("devstral", "Devstral"),
    ("codestral", "Codestral"),
    ("magistral", "Magistral"),
    ("mistral|mixtral|ministral", "Mistral"),
    (r"deepseek[-.]?r1|deepseek-reasoner", "DeepSeek-R1"),
    ("deepseek", "DeepSeek"),
    ("llama", "Llama"),
    ("gemma", "Gemma"),
    ("phi", "Phi"),
    ("granite", "Granite"),
    ("lfm", "LFM"),
    ("glm", "GLM"),
    ("kimi", "Kimi"),
    ("minimax", "MiniMax"),
    ("smollm", "SmolLM"),
    ("command-r", "Command-R"),
    (r"(^|/)o[134](-|$)", "OpenAI o-series"),
    ("gpt-5", "GPT-5"),
    ("gpt-4", "GPT-4"),
    ("claude", "Claude"),
)

THINKING_STYLES = {
    "qwen3": "switchable (enable_thinking), budget watched on the stream",
    "deepseek-v3.1": "switchable (thinking), budget watched on the stream",
    "always": "always thinks; budget watched on the stream",
    "gpt-oss": "reasoning effort (low/medium/high from the budget)",
    "openai-reasoning": "hidden reasoning: reasoning_effort and max_completion_tokens",
    "": "none",
}


_SIZE = re.compile(r"(?<![\w.])(?:[a-z]+[-_]?)?(\d+(?:\.\d+)?)\s*([bm])(?![a-z0-9])", re.I)


def model_size_b(model: str) -> float | None:
    """Parameters in billions from a model name (``qwen2.5-coder-1.5b`` -> 1.5), or None."""
    for part in re.split(r"[/:\s]", model.lower()):
        for m in _SIZE.finditer(part.replace("_", "-")):
            value = float(m.group(1))
            return value / 1000 if m.group(2) == "m" else value
    return None


@dataclass
class ModelProfile:
    model: str
    family: str
    size_b: float | None
    size_class: str
    thinking: str

    def lines(self) -> list[str]:
        size = f"{self.size_b:g}B" if self.size_b is not None else "size not in the name"
        return [
            f"model: {self.model}",
            f"family: {self.family}",
            f"size class: {self.size_class} ({size})",
            f"thinking: {self.thinking}",
        ]


def family_of(model: str) -> str:
    name = model.lower()
    for pattern, label in _FAMILIES:
        if re.search(pattern, name):
            return label
    return "unknown"


def size_class(size_b: float | None) -> str:
    if size_b is None:
        return "unknown"
    if size_b < 4:
        return "tiny (<4B)"
    if size_b < 14:
        return "small (4-13B)"
    if size_b <= 35:
        return "medium (14-35B)"
    return "large (>35B)"


def detect_profile(model: str) -> ModelProfile:
    from smallcode.llm.thinking import thinking_family

    size = model_size_b(model)
    style = THINKING_STYLES.get(thinking_family(model), "none")
    return ModelProfile(model, family_of(model), size, size_class(size), style)
