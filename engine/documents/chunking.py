"""Cutting an extracted document into passages small enough to retrieve and to quote.

Each section of an :class:`ExtractedDocument` (a PDF page, or the text under one heading) is
cut on its own, so a chunk never spans two pages or two headings and always has one citation.
Inside a section a chunk ends at the last paragraph break that keeps it under the target
length; where there is none, at the last sentence end, then the last line break, then the last
space, and only in an unbroken run of characters anywhere. Breaks in the first half of the
window are not taken, so a short paragraph does not make a short chunk.

Consecutive chunks of one section overlap by about ``overlap_chars``, starting at a sentence
start when one is near, else at a word start: a passage that straddles a cut is still whole in
one of the two chunks.

Every chunk carries its offsets in its section (``section.text[start:end] == chunk.text``), so
a citation can point back at the exact place, and an estimate of its size in tokens.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from engine.documents.model import ExtractedDocument

TARGET_CHARS = 1200
OVERLAP_CHARS = 200

# Token estimate for prompt budgeting: gpt-oss's o200k tokenizer averages about four characters
# per token on English prose. Code, numbers and non-Latin scripts run denser (fewer characters
# per token), so a budget built on this estimate keeps some headroom; whoever puts chunks into
# a prompt can count exactly with the model's tokenizer at that point.
CHARS_PER_TOKEN = 4

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
# A sentence ends at . ! ? … (or their CJK forms), optionally followed by closing quotes or
# brackets, then white space. Abbreviations ("e.g. this") also match: a cut there only costs a
# slightly odd chunk start, never lost text.
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*(?=\s)")
_LINE_BREAK = re.compile(r"\n")
_SPACE = re.compile(r"\s+")


def estimate_tokens(text: str) -> int:
    """Tokens ``text`` takes in a prompt, roughly (see ``CHARS_PER_TOKEN``)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


@dataclass(frozen=True)
class Chunk:
    path: str  # the document's path, as in ExtractedDocument.path
    ordinal: int  # 0-based position among the document's chunks
    text: str
    page: int | None  # 1-based PDF page, from the section
    heading: str | None  # heading path, from the section
    section: int  # index of the section in ExtractedDocument.sections
    start: int  # offsets in that section's text: section.text[start:end] == text
    end: int
    tokens: int  # estimate_tokens(text)


def chunk(
    doc: ExtractedDocument,
    target_chars: int = TARGET_CHARS,
    overlap_chars: int = OVERLAP_CHARS,
) -> list[Chunk]:
    """The document's chunks, in reading order; sections with no text give none."""
    if target_chars < 2:
        raise ValueError("target_chars must be at least 2")
    if not 0 <= overlap_chars < target_chars // 2:
        # The overlap must stay under the shortest chunk a cut can make (half the target),
        # or a chunk could start where the previous one started and never make progress.
        raise ValueError("overlap_chars must be between 0 and half of target_chars")
    chunks: list[Chunk] = []
    for index, section in enumerate(doc.sections):
        for start, end in split_spans(section.text, target_chars, overlap_chars):
            text = section.text[start:end]
            chunks.append(
                Chunk(
                    path=doc.path,
                    ordinal=len(chunks),
                    text=text,
                    page=section.page,
                    heading=section.heading,
                    section=index,
                    start=start,
                    end=end,
                    tokens=estimate_tokens(text),
                )
            )
    return chunks


def split_spans(text: str, target_chars: int, overlap_chars: int) -> list[tuple[int, int]]:
    """(start, end) offsets of the chunks of one section's text, white space trimmed."""
    spans: list[tuple[int, int]] = []
    text_end = len(text.rstrip())
    pos = _skip_space(text, 0, text_end)
    while pos < text_end:
        if text_end - pos <= target_chars:
            spans.append((pos, text_end))
            break
        end = _cut(text, pos, target_chars)
        spans.append((pos, end))
        nxt = _overlap_start(text, pos, end, overlap_chars)
        pos = _skip_space(text, nxt, text_end)
    return spans


def _skip_space(text: str, pos: int, limit: int) -> int:
    while pos < limit and text[pos].isspace():
        pos += 1
    return pos


def _trim_end(text: str, pos: int, end: int) -> int:
    while end > pos and text[end - 1].isspace():
        end -= 1
    return end


def _cut(text: str, pos: int, target_chars: int) -> int:
    """Where the chunk starting at ``pos`` (a non-space character) ends."""
    limit = pos + target_chars
    floor = pos + target_chars // 2
    last: re.Match[str] | None = None
    for m in _PARAGRAPH_BREAK.finditer(text, floor, limit):
        last = m
    if last is not None:
        return _trim_end(text, pos, last.start())
    for m in _SENTENCE_END.finditer(text, floor, limit):
        last = m
    if last is not None:
        return last.end()
    for m in _LINE_BREAK.finditer(text, floor, limit):
        last = m
    if last is None:
        for m in _SPACE.finditer(text, floor, limit):
            last = m
    if last is not None:
        return _trim_end(text, pos, last.start())
    # One unbroken run (a long URL, base64, a table without spaces): cut it, but not between a
    # letter and the accent that belongs to it.
    end = limit
    while end > floor and unicodedata.combining(text[end]):
        end -= 1
    return end


def _overlap_start(text: str, pos: int, end: int, overlap_chars: int) -> int:
    """Where the chunk after [pos, end) starts: about ``overlap_chars`` before ``end``."""
    lo = max(pos + 1, end - overlap_chars)
    if lo >= end:
        return end
    # A sentence start, unless it would leave only a sliver of overlap.
    sentence = _SENTENCE_END.search(text, lo, end - overlap_chars // 4)
    if sentence is not None:
        return sentence.end()
    space = _SPACE.search(text, lo, end)
    if space is not None:
        return space.end()
    return lo
