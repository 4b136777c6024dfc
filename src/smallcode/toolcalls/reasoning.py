"""Reasoning inside replies: keep it apart from the answer, find calls written in it, and
recover an answer that a reasoning model left only in its reasoning.

Handled: ``<think>``, ``<thinking>``, ``<reasoning>``, Seed-OSS ``<seed:think>`` and
Magistral's ``[THINK]`` blocks; a block left open (the stream stopped mid-thought); a lone
``</think>`` (Qwen3 and DeepSeek-R1 templates open the block in the prompt, so the reply
starts inside it); harmony (gpt-oss) ``analysis`` channels, whose ``final`` channel is the
answer; Gemma 4's ``<|channel>thought ... <channel|>`` and Command A's
``<|START_THINKING|> ... <|END_THINKING|>``.
"""

from __future__ import annotations

import re
from typing import Any

from smallcode.toolcalls.parser import find_tool_calls
from smallcode.types import ToolCall

# An opening tag counts only at the start of a line (a model writing about "<think>" in code
# or prose mid-line is not thinking); a closing tag anywhere.
_TAG = re.compile(
    r"(?P<open>^[ \t]*(?:<(?P<o>think|thinking|reasoning|seed:think)>|\[(?P<ob>THINK)\]))"
    r"|(?P<close></(?P<c>think|thinking|reasoning|seed:think)>|\[/(?P<cb>THINK)\])",
    re.MULTILINE | re.IGNORECASE,
)
# Thinking between a pair of special tokens: (opener, closer, channel names that are thought)
_PAIRS = (
    ("<|channel>", "<channel|>", ("thought", "thinking", "analysis", "reasoning")),
    ("<|START_THINKING|>", "<|END_THINKING|>", ()),
)
_CHANNEL_NAME = re.compile(r"[ \t]*([A-Za-z_]{1,20})[ \t]*\n?")


def _split_pairs(text: str) -> tuple[str, list[str]]:
    """(visible text, thoughts) for thinking written between special-token pairs."""
    reasoning: list[str] = []
    for opener, closer, names in _PAIRS:
        if opener not in text:
            continue
        visible: list[str] = []
        pos = 0
        while (k := text.find(opener, pos)) >= 0:
            visible.append(text[pos:k])
            body_start = k + len(opener)
            e = text.find(closer, body_start)
            body_end = e if e >= 0 else len(text)
            body = text[body_start:body_end]
            if names:  # a named channel: only the thought channels are reasoning
                m = _CHANNEL_NAME.match(body)
                if m is None or m.group(1).lower() not in names:
                    visible.append(body[m.end() :] if m else body)
                    pos = body_end + len(closer) if e >= 0 else len(text)
                    continue
                body = body[m.end() :]
            reasoning.append(body.strip())
            pos = body_end + len(closer) if e >= 0 else len(text)
        visible.append(text[pos:])
        text = "".join(visible)
    return text, reasoning


_H_CHANNEL = "<|channel|>"
_H_MESSAGE = "<|message|>"
_H_END = re.compile(r"<\|end\|>|<\|return\|>|<\|call\|>|<\|start\|>|<\|channel\|>")
_H_TOKENS = re.compile(r"<\|(?:start|end|return|call|channel|message|constrain)\|>(?:assistant)?")


def _split_harmony(text: str) -> tuple[str, list[str]]:
    """(visible text, analysis bodies) of a harmony-formatted reply."""
    visible: list[str] = []
    reasoning: list[str] = []
    first = text.find(_H_CHANNEL)
    visible.append(_H_TOKENS.sub("", text[:first]))
    pos = first
    while pos >= 0 and pos < len(text):
        k = text.find(_H_MESSAGE, pos)
        if k < 0:
            break
        header = text[pos + len(_H_CHANNEL) : k]
        m = _H_END.search(text, k + len(_H_MESSAGE))
        body_end = m.start() if m else len(text)
        body = text[k + len(_H_MESSAGE) : body_end]
        channel = header.strip().split(" ", 1)[0].lower()
        if "to=" in header:  # a call: kept whole so the call parser can read it
            visible.append(f"{_H_CHANNEL}{header}{_H_MESSAGE}{body}<|call|>")
        elif channel == "analysis":
            reasoning.append(body.strip())
        else:  # final, or commentary preamble
            visible.append(body)
        nxt = text.find(_H_CHANNEL, body_end)
        pos = nxt
    return "\n".join(v for v in visible if v.strip()), reasoning


def _mentions_opener(low: str, pos: int, closer: re.Match[str], seen: dict[str, int]) -> bool:
    """Is there an opening tag (mid-line, so not a block) between ``pos`` and ``closer``?"""
    name = (closer.group("c") or closer.group("cb") or "").lower()
    opener = "[think]" if closer.group("cb") else f"<{name}>"
    k = seen.get(opener, -1)
    if k < pos:  # not looked up since pos moved: one search, remembered
        k = low.find(opener, pos)
        seen[opener] = k if k >= 0 else len(low)
        k = seen[opener]
    return k < closer.start()


def split_reasoning(text: str) -> tuple[str, str]:
    """(visible_text, reasoning_text): thinking blocks and analysis channels moved apart."""
    if not text:
        return "", ""
    reasoning: list[str] = []
    if _H_CHANNEL in text and _H_MESSAGE in text:
        text, parts = _split_harmony(text)
        reasoning.extend(parts)
    if "<|channel>" in text or "<|START_THINKING|>" in text:
        text, parts = _split_pairs(text)
        reasoning.extend(parts)
    low = text.lower()
    if "think" not in low and "reasoning" not in low:
        return text.strip(), "\n\n".join(p for p in reasoning if p)
    visible: list[str] = []
    pos = 0
    inside = False
    first_token = True
    mentions: dict[str, int] = {}
    for m in _TAG.finditer(text):
        if m.group("open"):
            if not inside:
                visible.append(text[pos : m.start()])
                pos = m.end()
                inside = True
        elif inside:
            reasoning.append(text[pos : m.start()].strip())
            pos = m.end()
            inside = False
        elif _mentions_opener(low, pos, m, mentions):
            pass  # "<think>...</think>" written mid-line: text about tags, not a block
        elif first_token:  # a lone closing tag: the reply began inside the block
            reasoning.append(text[: m.start()].strip())
            visible.clear()
            pos = m.end()
        else:  # a stray closing tag: drop it
            visible.append(text[pos : m.start()])
            pos = m.end()
        first_token = False
    if inside:
        reasoning.append(text[pos:].strip())
    else:
        visible.append(text[pos:])
    return "".join(visible).strip(), "\n\n".join(p for p in reasoning if p)


# A visible reply longer than this is an answer: calls drafted in the reasoning are not run.
MAX_VISIBLE_FOR_REASONING_CALLS = 600


def extract_calls_with_reasoning(
    content: str, reasoning: str, tools: list[dict[str, Any]]
) -> list[ToolCall]:
    """Calls of one reply, given its content and its separate reasoning (reasoning_content).

    A call after the reasoning (in the visible text) wins. If there is none, the calls the
    model wrote inside its reasoning are used: the last group of adjacent calls (earlier
    ones are usually drafts it thought better of), marked in ``repairs``. Not when the
    visible text is a full answer (over MAX_VISIBLE_FOR_REASONING_CALLS characters): a call
    the model drafted and then decided against is never run.
    """
    visible, inline = split_reasoning(content or "")
    found = find_tool_calls(visible, tools)
    if found:
        return [f.call for f in found]
    if len(visible.strip()) > MAX_VISIBLE_FOR_REASONING_CALLS:
        return []
    thought = "\n\n".join(p for p in (reasoning or "", inline) if p)
    found = find_tool_calls(thought, tools)
    if not found:
        return []
    cluster = [found[-1]]
    for f in reversed(found[:-1]):
        if thought[f.end : cluster[0].start].strip():
            break
        cluster.insert(0, f)
    calls = []
    for f in cluster:
        f.call.repairs.append("call taken from the model's reasoning")
        calls.append(f.call)
    return calls


# ---------------------------------------------------------------------- answer recovery

_FINAL_MARK = re.compile(
    r"^[ \t>#*_]*(?:final answer|answer)[ \t*_]*[:：][ \t*_]*", re.MULTILINE | re.IGNORECASE
)
_MARKERS = re.compile(r"</?(?:think|thinking|reasoning)>|\[/?THINK\]", re.IGNORECASE)


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs; a fenced code block stays in one piece."""
    paras: list[list[str]] = [[]]
    fence = False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if not line.strip() and not fence:
            if paras[-1]:
                paras.append([])
            continue
        paras[-1].append(line)
    return ["\n".join(p).strip() for p in paras if p]


def _last_part(text: str) -> str:
    paras = _paragraphs(text)
    if not paras:
        return ""
    last = paras[-1]
    if last.startswith(("```", "~~~")) and len(paras) > 1 and paras[-2].rstrip().endswith(":"):
        return paras[-2] + "\n\n" + last
    return last


def recover_visible_answer(content: str, reasoning: str) -> str:
    """The answer to show and return for one reply.

    The visible content when there is any; otherwise (a reasoning model that put everything
    in reasoning_content) the final part of the reasoning: what follows an explicit
    "Final answer:" / <answer> / harmony final channel, else its last paragraph. Thinking
    markers are removed.
    """
    visible, inline = split_reasoning(content or "")
    if visible.strip():
        return visible.strip()
    thought = "\n\n".join(p for p in (reasoning or "", inline) if p)
    if not thought.strip():
        return ""
    after, _ = split_reasoning(thought)
    if after.strip() and after.strip() != thought.strip():
        return after.strip()  # the reasoning text itself held a closed thinking block
    thought = _MARKERS.sub("", thought).strip()
    low = thought.lower()
    k = low.rfind("<answer>")
    if k >= 0:
        e = low.find("</answer>", k)
        answer = thought[k + 8 : e if e >= 0 else len(thought)].strip()
        if answer:
            return answer
    marks = list(_FINAL_MARK.finditer(thought))
    if marks:
        tail = thought[marks[-1].end() :].strip()
        if tail:
            return tail
    return _last_part(thought)
