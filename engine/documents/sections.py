"""Cutting a document with headings (Markdown, HTML, DOCX) into sections under heading paths."""

from __future__ import annotations

import io

from engine.documents.limits import SECTION_OVERHEAD, TextBudget
from engine.documents.model import HEADING_SEPARATOR, Section
from engine.documents.whitespace import (
    normalize_inline,
    normalize_paragraphs,
    normalize_preformatted,
)


class SectionBuilder:
    """Collects paragraphs under the current heading path and starts a new section at each
    heading. Text before the first heading forms a section without a heading; a heading with
    no text under it makes no section of its own (it still appears in its children's paths).

    A heading of a level no other heading has ("# Lanterna" over "## Install", "## Use") names
    the document when it opens it or is a top-level heading (level 0 or 1: a badge line may come
    first): it is the title, and it is left out of the paths, which then read "Install › Linux"
    rather than "Lanterna › Install › Linux".

    Everything kept is charged to the budget; once it is spent, ``full`` is true and further
    text is ignored, so a caller can stop reading.
    """

    def __init__(self, budget: TextBudget, max_heading_chars: int) -> None:
        self._budget = budget
        self._max_heading = max_heading_chars
        self._path: list[tuple[int, str]] = []
        self._text = io.StringIO()  # linear in the text kept, however many paragraphs
        self._empty = True
        self._done: list[tuple[tuple[tuple[int, str], ...], str]] = []
        self._first: tuple[int, str] | None = None
        self._first_is_alone = True  # no other heading at or above the first one's level
        self._text_before_first = False

    @property
    def full(self) -> bool:
        return self._budget.exhausted

    @property
    def title(self) -> str | None:
        """The first heading: the document's title when it has no better one."""
        return self._first[1] if self._first else None

    def heading(self, level: int, text: str) -> None:
        title = normalize_inline(text)[: self._max_heading]
        if not title:
            return
        self._flush()
        if self._first is None:
            self._first = (level, title)
            self._text_before_first = bool(self._done)
        elif level <= self._first[0]:
            self._first_is_alone = False
        while self._path and self._path[-1][0] >= level:
            self._path.pop()
        self._path.append((level, title))

    def paragraph(self, text: str, *, preformatted: bool = False) -> None:
        if self.full:
            return
        text = normalize_preformatted(text) if preformatted else normalize_paragraphs(text)
        if not text:
            return
        # A new section costs its heading path; a further paragraph the blank line before it.
        path_chars = sum(len(t) + 3 for _, t in self._path)
        overhead = SECTION_OVERHEAD + path_chars if self._empty else 2
        text = self._budget.take(text, overhead)
        if not text:
            return
        if not self._empty:
            self._text.write("\n\n")
        self._text.write(text)
        self._empty = False

    def sections(self) -> tuple[Section, ...]:
        self._flush()
        drop_title = (
            self._first is not None
            and self._first_is_alone
            and (self._first[0] <= 1 or not self._text_before_first)
        )
        out = []
        for path, text in self._done:
            names = [t for i, (_, t) in enumerate(path) if not (drop_title and i == 0)]
            heading = HEADING_SEPARATOR.join(names) or None
            out.append(Section(text=text, heading=heading))
        return tuple(out)

    def _flush(self) -> None:
        if self._empty:
            return
        self._done.append((tuple(self._path), self._text.getvalue()))
        self._text = io.StringIO()
        self._empty = True
