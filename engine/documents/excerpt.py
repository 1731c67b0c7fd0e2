"""The excerpt of a hit: a short window of the chunk around the words of the query.

It is cut here rather than by FTS5's snippet(), which would run the query again for every hit
(with prefix expansion for Portuguese and Spanish words, several milliseconds each). Words
match the way the index matches them, closely enough for highlighting: case and accents are
ignored, and a word matches a query word of the same stem, approximated by a shared start of at
least five letters ("installing" for "install", "versiones" for "versión").

The window is the one holding the most distinct query words (then the most matches, then the
earliest); white space inside it is collapsed to single spaces, and "…" marks a cut.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable

from engine.documents.query import fold

WINDOW_WORDS = 32
MIN_STEM = 5

_WORD = re.compile(r"[^\W_]+(?:[’'][^\W_]+)*")


def _matcher(words: Iterable[str]) -> Callable[[str], bool]:
    exact = frozenset(fold(w) for w in words if w)
    # A long query word also matches words sharing its first letters, all but the last three
    # (five at least): the endings that inflections change.
    stems = {q[:MIN_STEM]: max(MIN_STEM, len(q) - 3) for q in exact if len(q) >= MIN_STEM}
    long_words = [(q, max(MIN_STEM, len(q) - 3)) for q in exact if len(q) >= MIN_STEM]

    def matches(folded: str) -> bool:
        if folded in exact:
            return True
        if len(folded) < MIN_STEM or folded[:MIN_STEM] not in stems:
            return False
        return any(folded[:need] == q[:need] for q, need in long_words)

    return matches


def excerpt(
    text: str, words: Iterable[str], window: int = WINDOW_WORDS
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The excerpt and the (start, end) spans in it of the words that matched."""
    matches = _matcher(words)
    tokens = list(_WORD.finditer(text))
    if not tokens:
        return " ".join(text.split()), ()
    fold_word = str.lower if text.isascii() else fold  # ASCII has no accents to remove
    folded = [fold_word(m.group()) for m in tokens]
    hits = [matches(f) for f in folded]
    at = [i for i, hit in enumerate(hits) if hit]
    best = (0, 0, 0)  # (distinct words, matches, -start) of the best window
    best_start = 0
    # A window worth showing starts at a match; each is scored by the matches it holds.
    for j, start in enumerate(at):
        inside = at[j : bisect.bisect_left(at, start + window)]
        score = (len({folded[i] for i in inside}), len(inside), -start)
        if score > best:
            best, best_start = score, start
    # Start a little before the first match, so it is read in context.
    lead = min(best_start, 4) if best[0] else 0
    first = best_start - lead
    last = min(len(tokens), first + window) - 1
    begin = tokens[first].start()
    end = tokens[last].end()
    # Keep the punctuation that closes the last word (a full stop, a bracket).
    while end < len(text) and not text[end].isspace() and not text[end].isalnum():
        end += 1
    return _collapse(text, begin, end, tokens[first : last + 1], hits[first : last + 1])


def _collapse(
    text: str,
    begin: int,
    end: int,
    tokens: list[re.Match[str]],
    hits: list[bool],
) -> tuple[str, tuple[tuple[int, int], ...]]:
    prefix = "…" if text[:begin].strip() else ""
    suffix = "…" if text[end:].strip() else ""
    out: list[str] = [prefix]
    length = len(prefix)
    spans: list[tuple[int, int]] = []
    pos = begin
    for m, hit in zip(tokens, hits, strict=True):
        gap = text[pos : m.start()]
        piece = " ".join(gap.split())
        if gap and gap[0].isspace() and length > len(prefix):
            piece = " " + piece
        if gap and gap[-1].isspace() and piece and not piece.endswith(" "):
            piece += " "
        out.append(piece)
        length += len(piece)
        if hit:
            spans.append((length, length + len(m.group())))
        out.append(m.group())
        length += len(m.group())
        pos = m.end()
    tail = " ".join(text[pos:end].split())
    out.append(tail)
    out.append(suffix)
    return "".join(out), tuple(spans)
