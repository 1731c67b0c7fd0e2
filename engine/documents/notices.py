"""What an extractor has to say about a document it did read: the notice beside its pages.

A notice is stored and sent as one English text ("only the first 500 of 812 pages were read;
scanned PDF: 3 pages have no text") — in the document index, in a message's metadata, in the
CLI's output. This module writes each kind of part and reads them back, so a window can show
them in its own language without a second format to store: ``parse_notice`` returns each part's
kind and numbers, and a text it does not know (an older or a newer engine) stays as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

SEPARATOR = "; "


@dataclass(frozen=True)
class NoticePart:
    """``kind`` is "first_pages" (``read`` of ``total``), "scanned" or "textless" (``count``
    pages with no text), "unreadable_pages" (``count``), "truncated" (at ``size``, a text
    such as "64 MB"), or "other" (``text`` only)."""

    kind: str
    text: str
    count: int = 0
    total: int = 0
    size: str = ""


def _pages(n: int) -> str:
    return "1 page" if n == 1 else f"{n:,} pages"


def first_pages(read: int, total: int) -> str:
    return f"only the first {read:,} of {total:,} pages were read"


def textless_pages(count: int, *, scanned: bool) -> str:
    text = f"{_pages(count)} {'has' if count == 1 else 'have'} no text"
    return f"scanned PDF: {text}" if scanned else text


def unreadable_pages(count: int) -> str:
    return f"{_pages(count)} could not be read"


def truncated(size: str) -> str:
    return f"truncated at {size} of text"


def join(parts: Iterable[str | None]) -> str | None:
    return SEPARATOR.join(p for p in parts if p) or None


_NUMBER = r"(\d[\d,]*)"
_COUNT = rf"(?:1 page|{_NUMBER} pages)"
_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("first_pages", re.compile(rf"only the first {_NUMBER} of {_NUMBER} pages were read")),
    ("scanned", re.compile(rf"scanned PDF: {_COUNT} (?:has|have) no text")),
    ("textless", re.compile(rf"{_COUNT} (?:has|have) no text")),
    ("unreadable_pages", re.compile(rf"{_COUNT} could not be read")),
    ("truncated", re.compile(r"truncated at (\S+ [KMG]B) of text")),
)


def parse_notice(notice: str | None) -> list[NoticePart]:
    """The parts of a notice, in order; an unknown part is kind "other"."""
    out: list[NoticePart] = []
    for text in (notice or "").split(SEPARATOR):
        if not text:
            continue
        out.append(_part(text))
    return out


def _part(text: str) -> NoticePart:
    for kind, form in _FORMS:
        m = form.fullmatch(text)
        if m is None:
            continue
        if kind == "first_pages":
            return NoticePart(kind, text, count=_int(m.group(1)), total=_int(m.group(2)))
        if kind == "truncated":
            return NoticePart(kind, text, size=m.group(1))
        return NoticePart(kind, text, count=_int(m.group(1)) if m.group(1) else 1)
    return NoticePart("other", text)


def _int(text: str) -> int:
    return int(text.replace(",", ""))
