"""Cut streaming reasoning text into sentences, so each can be filtered as soon as it is whole.

A segment ends at a sentence end (``.``, ``!``, ``?``, ``…``, ``。`` followed by white space, with
closing quotes or brackets kept on the sentence), at a blank line or at a list-item line break.
Known abbreviations ("e.g.", "Dr.", "Sra.", "etc.") and initials do not end a sentence; decimal
points and dotted names never do, because a sentence end needs white space after it, which is why
the last character seen is held back until the next piece (or the end) shows what follows.

A sentence that runs on is cut at ``MAX_CHARS`` at the last space, so a model that never writes a
full stop still streams (and a filter never sees an unbounded input).
"""

from __future__ import annotations

import re

MAX_CHARS = 400

# Lower-cased, without the final dot: en / pt / es abbreviations common in reasoning text. Words
# that also end sentences ("ago", "set", "out", "max") are left out on purpose.
_ABBREVIATIONS = frozenset(
    {
        "e.g",
        "i.e",
        "etc",
        "vs",
        "cf",
        "approx",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "jr",
        "fig",
        "nos",
        "vol",
        "pp",
        "ch",
        "sec",
        "eq",
        "inc",
        "ltd",
        "corp",
        "dept",
        "jan",
        "feb",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "oct",
        "nov",
        "sr",
        "sra",
        "srta",
        "dra",
        "profa",
        "exmo",
        "exma",
        "ilmo",
        "ilma",
        "lda",
        "ltda",
        "arts",
        "pág",
        "obs",
        "fev",
        "abr",
        "dez",
        "ud",
        "uds",
        "vd",
        "vds",
        "aprox",
        "ej",
        "núm",
        "ene",
    }
)

# A sentence end: terminal punctuation, closing quotes/brackets, then white space.
_END = re.compile(r"""([.!?…。]+["'”’»)\]]*)(\s+)""")
# A paragraph break or a new list item ends a segment whatever came before.
_BREAK = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")
_WORD_BEFORE = re.compile(r"(\S+)$")


def _is_abbreviation(text_before_dot: str) -> bool:
    line = text_before_dot[text_before_dot.rfind("\n") + 1 :].strip()
    if line.isdigit():
        return True  # a numbered list item: "1. first step"
    match = _WORD_BEFORE.search(text_before_dot)
    if match is None:
        return False
    word = match.group(1).lstrip("([\"'“‘«").lower()
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. R. R. Tolkien"
    return word in _ABBREVIATIONS


class SentenceStream:
    """Feed text as it arrives; get back the segments that are complete."""

    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        self._buf = ""
        self._lead = ""
        self._max = max_chars

    def feed(self, text: str) -> list[str]:
        self._buf += text
        out: list[str] = []
        while True:
            cut = self._next_cut()
            if cut is None:
                break
            segment, self._buf = self._buf[:cut], self._buf[cut:]
            if segment.strip():
                out.append(self._lead + segment)
                self._lead = ""
            else:
                # White space alone is no sentence: it leads the next one, so that joining the
                # segments gives back the text.
                self._lead += segment
        return out

    def finish(self) -> list[str]:
        rest, self._buf = self._lead + self._buf, ""
        self._lead = ""
        return [rest] if rest.strip() else []

    def _next_cut(self) -> int | None:
        buf = self._buf
        best: int | None = None
        for match in _END.finditer(buf):
            if match.end() == len(buf) and "\n" not in match.group(2):
                # White space at the very end: more may follow ("3." then "14"), unless the
                # white space already holds a newline.
                break
            punct = match.group(1)
            if punct.startswith(".") and len(punct) == 1 and _is_abbreviation(buf[: match.start()]):
                continue
            best = match.end()
            break
        brk = _BREAK.search(buf)
        if brk is not None and (best is None or brk.end() < best):
            best = brk.end()
        if best is None and len(buf) > self._max:
            space = buf.rfind(" ", 0, self._max)
            best = space + 1 if space > 0 else self._max
        return best
