"""The places an answer cites, read from its own words.

The documents in a prompt ask the model to cite like ``[report.pdf, p. 3]`` or ``[guide.md, §
Install › Linux]`` (see :mod:`engine.documents.prompt_text`). An answer that does so names the
pages it rests on better than any search can guess them, so those places lead its sources.

Read leniently, because models vary the form: several places in one bracket (``[a.pdf, p. 2; b.pdf,
p. 7]``), ``page 3`` or ``pp. 3–4`` (the first page counts), no space after ``p.``, a file named
without its folder or in another case, and a bare ``[p. 3]`` when only one document is attached.
A citation of a file that is not attached, or of a page it does not have, is ignored: what is
shown as a source must exist.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine.documents.chunking import Chunk
from engine.documents.model import HEADING_SEPARATOR

MAX_CITATIONS = 12  # an answer citing more is listing, not resting on each
_BRACKET = re.compile(r"\[([^\[\]\n]{1,400})\]")
_PAGE = re.compile(r"^(?:p{1,2}\.?|pages?|pág(?:ina)?s?\.?)\s*(\d{1,5})", re.IGNORECASE)
_SECTION = re.compile(r"^§\s*(.+)$")


@dataclass(frozen=True)
class Citation:
    path: str
    page: int | None = None
    heading: str | None = None


def parse_citations(answer: str, paths: Sequence[str]) -> list[Citation]:
    """The distinct places of the attached ``paths`` that ``answer`` cites, in order."""
    by_name: dict[str, str] = {}
    for path in paths:
        by_name.setdefault(os.path.basename(path).casefold(), path)
    only = paths[0] if len(set(paths)) == 1 else None
    out: list[Citation] = []
    for bracket in _BRACKET.finditer(answer):
        for part in bracket.group(1).split(";"):
            found = _citation(part.strip(), by_name, only)
            if found is not None and found not in out:
                out.append(found)
                if len(out) == MAX_CITATIONS:
                    return out
    return out


def _citation(part: str, by_name: dict[str, str], only: str | None) -> Citation | None:
    name, _, place = part.rpartition(",")
    if not name:  # "[p. 3]": the place alone
        if only is None:
            return None
        path, place = only, part
    else:
        path_or_none = by_name.get(os.path.basename(name.strip().strip("\"'“”`")).casefold())
        if path_or_none is None:
            return None
        path = path_or_none
    place = place.strip()
    page = _PAGE.match(place)
    if page:
        return Citation(path, page=int(page.group(1)))
    section = _SECTION.match(place)
    if section:
        return Citation(path, heading=section.group(1).strip())
    return None


def cited_chunks(citation: Citation, chunks: Sequence[Chunk]) -> list[Chunk]:
    """The chunks of a document at the place ``citation`` names (empty if it has none).

    A heading matches its own chunks and those of the sections under it; the model may also
    cite only the last part of a heading path (``§ Linux`` for ``Install › Linux``).
    """
    if citation.page is not None:
        return [c for c in chunks if c.page == citation.page]
    want = (citation.heading or "").casefold()
    if not want:
        return []

    def under(heading: str | None) -> bool:
        if not heading:
            return False
        have = heading.casefold()
        parts = have.split(HEADING_SEPARATOR.strip().casefold())
        return (
            have == want
            or have.startswith(want + HEADING_SEPARATOR.casefold())
            or parts[-1].strip() == want
        )

    return [c for c in chunks if under(c.heading)]
