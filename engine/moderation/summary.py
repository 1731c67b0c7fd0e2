"""The "summary" display mode: the loaded model sums up its own reasoning, and the summary is
filtered like any reasoning before it leaves the worker."""

from __future__ import annotations

from dataclasses import dataclass

from engine.conversation import ChatMessage
from engine.moderation.pii import Redaction
from engine.moderation.pipeline import Moderator
from engine.moderation.segmenter import SentenceStream
from engine.prompting import PromptFormat

SUMMARY_MAX_TOKENS = 320
# Enough of a long reasoning to summarise, well inside any context the app offers; the middle
# of a longer one is dropped (the start says what was asked, the end what was concluded).
MAX_REASONING_CHARS = 12_000

INSTRUCTIONS = (
    "You summarise an assistant's private reasoning for the person who asked the question. "
    "Write at most three short sentences saying what was considered and what was concluded, "
    "in the language the reasoning is written in. Do not add facts, do not quote personal data, "
    "and do not repeat harmful details; say only that such a request was declined if it was."
)


def summary_messages(reasoning: str, fmt: PromptFormat) -> list[ChatMessage]:
    if len(reasoning) > MAX_REASONING_CHARS:
        half = MAX_REASONING_CHARS // 2
        reasoning = f"{reasoning[:half]}\n[…]\n{reasoning[-half:]}"
    passage = f"Reasoning to summarise:\n<<<\n{reasoning.strip()}\n>>>"
    if fmt == "harmony":
        return [ChatMessage("developer", INSTRUCTIONS), ChatMessage("user", passage)]
    # Many templates refuse a system role; one user turn works everywhere.
    return [ChatMessage("user", f"{INSTRUCTIONS}\n\n{passage}")]


@dataclass(frozen=True)
class FilteredText:
    text: str
    redactions: tuple[Redaction, ...]
    categories: tuple[str, ...]
    withheld_segments: int


def filter_text(text: str, moderator: Moderator) -> FilteredText:
    """Filter a whole text sentence by sentence; withheld sentences are left out."""
    stream = SentenceStream()
    parts: list[str] = []
    redactions: list[Redaction] = []
    categories: dict[str, None] = {}
    withheld = 0
    offset = 0
    for sentence in [*stream.feed(text), *stream.finish()]:
        seg = moderator.check(sentence)
        categories.update(dict.fromkeys(seg.categories))
        if seg.withheld:
            withheld += 1
            continue
        for r in seg.redactions:
            redactions.append(Redaction(r.kind, r.start + offset, r.end + offset))
        parts.append(seg.text)
        offset += len(seg.text)
    joined = "".join(parts)
    lead = len(joined) - len(joined.lstrip())
    moved = tuple(Redaction(r.kind, r.start - lead, r.end - lead) for r in redactions)
    return FilteredText(joined.strip(), moved, tuple(categories), withheld)
