"""Sentence cutting of streaming reasoning."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.moderation.segmenter import MAX_CHARS, SentenceStream


def _cut(text: str, chunk: int = 1) -> list[str]:
    s = SentenceStream()
    out: list[str] = []
    for i in range(0, len(text), chunk):
        out.extend(s.feed(text[i : i + chunk]))
    return out + s.finish()


def test_sentences_stream_out_as_soon_as_they_end() -> None:
    s = SentenceStream()
    assert s.feed("The user asks about TCP.") == []  # what follows the dot decides
    assert s.feed(" We should") == ["The user asks about TCP. "]
    assert s.feed(" explain retransmission! Then") == ["We should explain retransmission! "]
    assert s.finish() == ["Then"]


def test_abbreviations_decimals_and_initials_do_not_end_a_sentence() -> None:
    text = (
        "Use e.g. the value 3.14 and see Dr. Silva's note. "
        "J. R. R. Tolkien wrote it, cf. the Sra. Gómez example. "
        "O arquivo v1.2.3 está em /etc/app.conf. Fim."
    )
    assert _cut(text) == [
        "Use e.g. the value 3.14 and see Dr. Silva's note. ",
        "J. R. R. Tolkien wrote it, cf. the Sra. Gómez example. ",
        "O arquivo v1.2.3 está em /etc/app.conf. ",
        "Fim.",
    ]


def test_quotes_stay_with_their_sentence_and_spanish_marks_work() -> None:
    assert _cut('He said "stop." ¿Qué hacemos? ¡Vamos!') == [
        'He said "stop." ',
        "¿Qué hacemos? ",
        "¡Vamos!",
    ]


def test_paragraphs_and_list_items_end_segments() -> None:
    text = "Plan\n\nfirst part\n- item one\n- item two\n1. numbered"
    assert _cut(text) == ["Plan\n\n", "first part\n", "- item one\n", "- item two\n", "1. numbered"]


def test_run_on_text_is_cut_at_a_space_before_the_limit() -> None:
    text = "word " * 200
    parts = _cut(text, chunk=7)
    assert all(len(p) <= MAX_CHARS for p in parts)
    assert "".join(parts) == text.rstrip() or "".join(parts) == text


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_segments_rebuild_the_text(text: str, chunk: int) -> None:
    parts = _cut(text, chunk)
    assert all(p.strip() for p in parts)
    assert "".join(parts).strip() == text.strip()
