"""Chunking: where chunks are cut, what they carry, and that no text is lost."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.documents.chunking import (
    CHARS_PER_TOKEN,
    OVERLAP_CHARS,
    TARGET_CHARS,
    Chunk,
    chunk,
    estimate_tokens,
    split_spans,
)
from engine.documents.model import ExtractedDocument, Section
from tests.support.real_documents import MissingDocuments, gpl3, python_tutorial


def _doc(*sections: Section, path: str = "/docs/guide.pdf") -> ExtractedDocument:
    return ExtractedDocument(
        path=path,
        kind="pdf",
        title="Guide",
        sections=sections,
        pages=len(sections),
        size=sum(len(s.text) for s in sections),
    )


def _sentences(n: int, start: int = 0) -> str:
    return " ".join(
        f"Sentence number {i} tells the reader something about lighthouses."
        for i in range(start, start + n)
    )


def _check_invariants(doc: ExtractedDocument, chunks: list[Chunk], target: int) -> None:
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        section = doc.sections[c.section]
        assert section.text[c.start : c.end] == c.text
        assert c.text == c.text.strip() and c.text
        assert len(c.text) <= target
        assert (c.page, c.heading, c.path) == (section.page, section.heading, doc.path)
        assert c.tokens == estimate_tokens(c.text)


def _covered(text: str, spans: list[tuple[int, int]]) -> bool:
    """Every non-space character of ``text`` is inside some span."""
    inside = [False] * len(text)
    for start, end in spans:
        for i in range(start, end):
            inside[i] = True
    return all(inside[i] or text[i].isspace() for i in range(len(text)))


def test_a_short_section_is_one_chunk_trimmed() -> None:
    doc = _doc(Section("\n  A lighthouse guides ships.  \n", page=1))
    [only] = chunk(doc)
    assert only.text == "A lighthouse guides ships."
    assert (only.start, only.end, only.page, only.section, only.ordinal) == (3, 29, 1, 0, 0)


def test_chunks_never_cross_pages_and_keep_their_page() -> None:
    pages = [Section(_sentences(30, start=100 * p), page=p) for p in range(1, 4)]
    chunks = chunk(_doc(*pages))
    assert {c.page for c in chunks} == {1, 2, 3}
    for c in chunks:
        assert c.text in pages[c.page - 1].text  # type: ignore[operator]
    # Pages in order, and each page's chunks in order.
    assert [c.page for c in chunks] == sorted(c.page for c in chunks)  # type: ignore[type-var]
    _check_invariants(_doc(*pages), chunks, TARGET_CHARS)


def test_cuts_at_paragraph_breaks_when_there_are_some() -> None:
    paragraphs = [_sentences(6, start=10 * i) for i in range(6)]  # about 400 chars each
    text = "\n\n".join(paragraphs)
    chunks = chunk(_doc(Section(text, page=1)))
    assert len(chunks) > 1
    for c in chunks[:-1]:
        # Each chunk but the last ends where a paragraph ends.
        assert text[c.end : c.end + 2] == "\n\n"


def test_cuts_after_a_sentence_when_there_is_no_paragraph_break() -> None:
    text = _sentences(60)
    chunks = chunk(_doc(Section(text, page=1)))
    assert len(chunks) > 1
    for c in chunks[:-1]:
        assert c.text.endswith(".")


def test_cuts_between_words_when_there_is_no_sentence_end() -> None:
    text = " ".join(f"word{i}" for i in range(1000))
    chunks = chunk(_doc(Section(text)))
    for c in chunks:
        assert c.start == 0 or text[c.start - 1] == " "
        assert c.end == len(text) or text[c.end] == " "


def test_an_unbroken_run_is_cut_anyway_but_not_inside_a_letter() -> None:
    text = "ã" * 1000 + "x" * 3000  # decomposed accents would be "a\u0303"
    decomposed = ("a\u0303" * 700) + "b" * 2000
    for body in (text, decomposed):
        chunks = chunk(_doc(Section(body)), target_chars=500, overlap_chars=50)
        assert _covered(body, [(c.start, c.end) for c in chunks])
        for c in chunks:
            assert len(c.text) <= 500
            assert not c.text.startswith("\u0303")


def test_consecutive_chunks_overlap_and_start_at_a_sentence() -> None:
    text = _sentences(80)
    chunks = chunk(_doc(Section(text)), target_chars=1200, overlap_chars=200)
    for prev, nxt in itertools.pairwise(chunks):
        assert prev.start < nxt.start < prev.end  # overlap, and progress
        assert prev.end - nxt.start <= 200
        assert nxt.text.startswith("Sentence number")


def test_no_overlap_across_sections() -> None:
    chunks = chunk(_doc(Section(_sentences(40), page=1), Section(_sentences(40), page=2)))
    first_of_page2 = next(c for c in chunks if c.page == 2)
    assert first_of_page2.start == 0


def test_zero_overlap() -> None:
    text = _sentences(60)
    spans = split_spans(text, 600, 0)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start >= end


def test_headings_and_empty_sections() -> None:
    doc = ExtractedDocument(
        path="/docs/readme.md",
        kind="markdown",
        title="Readme",
        sections=(
            Section("Intro text."),
            Section("   \n\n  "),
            Section("Use apt.", heading="Install › Linux"),
        ),
        pages=None,
        size=30,
    )
    chunks = chunk(doc)
    assert [(c.heading, c.section, c.page) for c in chunks] == [
        (None, 0, None),
        ("Install › Linux", 2, None),
    ]


def test_token_estimate_is_four_characters_a_token() -> None:
    assert CHARS_PER_TOKEN == 4
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2
    [c] = chunk(_doc(Section("x" * 401)))
    assert c.tokens == math.ceil(401 / 4) == 101


def test_bad_parameters() -> None:
    doc = _doc(Section("text"))
    with pytest.raises(ValueError):
        chunk(doc, target_chars=1)
    with pytest.raises(ValueError):
        chunk(doc, target_chars=100, overlap_chars=50)
    with pytest.raises(ValueError):
        chunk(doc, target_chars=100, overlap_chars=-1)


def test_defaults() -> None:
    assert (TARGET_CHARS, OVERLAP_CHARS) == (1200, 200)


@pytest.mark.parametrize("load", [python_tutorial, gpl3], ids=["python-tutorial", "gpl-3"])
def test_real_documents_keep_every_word(load: object) -> None:
    try:
        doc = load()  # type: ignore[operator]
    except MissingDocuments as exc:
        pytest.skip(str(exc))
    chunks = chunk(doc)
    _check_invariants(doc, chunks, TARGET_CHARS)
    for index, section in enumerate(doc.sections):
        spans = [(c.start, c.end) for c in chunks if c.section == index]
        assert _covered(section.text, spans)
    sizes = sorted(len(c.text) for c in chunks)
    assert sizes[len(sizes) // 2] > 400  # short paragraphs do not make short chunks


# Pieces, not single characters, so that paragraph breaks and sentence ends are common.
_TEXT = st.lists(
    st.sampled_from([*"ab cdé.!?\n\t\u0303ñ、。漢", "\n\n", ". ", "word ", "lighthouse "]),
    max_size=600,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, target=st.integers(2, 400), overlap_part=st.floats(0, 0.49))
def test_any_text_is_covered_in_bounded_chunks(
    text: str, target: int, overlap_part: float
) -> None:
    overlap = min(int(target * overlap_part), target // 2 - 1) if target >= 4 else 0
    doc = _doc(Section(text))
    chunks = chunk(doc, target_chars=target, overlap_chars=overlap)
    _check_invariants(doc, chunks, target)
    assert _covered(text, [(c.start, c.end) for c in chunks])
    starts = [c.start for c in chunks]
    assert starts == sorted(set(starts))  # strictly increasing: always progress
