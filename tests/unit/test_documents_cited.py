"""Reading the places an answer cites: ``[report.pdf, p. 3]`` and the forms models vary it to."""

from __future__ import annotations

import pytest

from engine.documents.chunking import Chunk
from engine.documents.cited import MAX_CITATIONS, Citation, cited_chunks, parse_citations

PATHS = ["/docs/Report.pdf", "/docs/guide.md"]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("See [Report.pdf, p. 3].", [Citation("/docs/Report.pdf", page=3)]),
        ("See [report.pdf, p.3] and [REPORT.PDF, page 3].", [Citation("/docs/Report.pdf", page=3)]),
        ("[report.pdf, pp. 4–5]", [Citation("/docs/Report.pdf", page=4)]),
        ("[report.pdf, pág. 7]", [Citation("/docs/Report.pdf", page=7)]),
        ("[/elsewhere/report.pdf, p. 2]", [Citation("/docs/Report.pdf", page=2)]),
        (
            "[guide.md, § Install › Linux; report.pdf, p. 1]",
            [
                Citation("/docs/guide.md", heading="Install › Linux"),
                Citation("/docs/Report.pdf", page=1),
            ],
        ),
        ("[p. 3] alone names no file when two are attached", []),
        ("[other.pdf, p. 3] is not attached", []),
        ("[report.pdf] names no place", []),
        ("a list [1, 2, 3] or a link [here](x)", []),
        ("", []),
    ],
)
def test_citations(answer: str, expected: list[Citation]) -> None:
    assert parse_citations(answer, PATHS) == expected


def test_a_bare_page_cites_the_only_document() -> None:
    assert parse_citations("It says so [p. 12].", ["/d/a.pdf"]) == [Citation("/d/a.pdf", page=12)]


def test_citations_are_bounded() -> None:
    answer = " ".join(f"[report.pdf, p. {n}]" for n in range(1, 100))
    assert len(parse_citations(answer, PATHS)) == MAX_CITATIONS


def _chunk(ordinal: int, page: int | None = None, heading: str | None = None) -> Chunk:
    return Chunk("/d/x", ordinal, "text", page, heading, 0, 0, 4, 1)


def test_chunks_at_a_page_or_under_a_heading() -> None:
    pages = [_chunk(0, 1), _chunk(1, 2), _chunk(2, 2), _chunk(3, 3)]
    assert [c.ordinal for c in cited_chunks(Citation("/d/x", page=2), pages)] == [1, 2]
    assert cited_chunks(Citation("/d/x", page=9), pages) == []
    sections = [
        _chunk(0, heading="Install"),
        _chunk(1, heading="Install › Linux"),
        _chunk(2, heading="Installer notes"),
        _chunk(3, heading="Usage › Linux"),
    ]
    install = cited_chunks(Citation("/d/x", heading="install"), sections)
    assert [c.ordinal for c in install] == [0, 1]
    # The last part of a heading path alone matches it wherever it is.
    linux = cited_chunks(Citation("/d/x", heading="Linux"), sections)
    assert [c.ordinal for c in linux] == [1, 3]
