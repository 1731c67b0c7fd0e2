"""Notices are written in English by the extractors and read back part by part for the window."""

from __future__ import annotations

from engine.documents import notices
from engine.documents.notices import NoticePart, parse_notice


def test_every_kind_of_part_reads_back_with_its_numbers() -> None:
    text = notices.join(
        [
            notices.first_pages(1_000, 1_204),
            notices.textless_pages(3, scanned=True),
            notices.unreadable_pages(1),
            notices.truncated("64 MB"),
        ]
    )
    assert text == (
        "only the first 1,000 of 1,204 pages were read; scanned PDF: 3 pages have no text; "
        "1 page could not be read; truncated at 64 MB of text"
    )
    parts = parse_notice(text)
    assert [(p.kind, p.count, p.total, p.size) for p in parts] == [
        ("first_pages", 1_000, 1_204, ""),
        ("scanned", 3, 0, ""),
        ("unreadable_pages", 1, 0, ""),
        ("truncated", 0, 0, "64 MB"),
    ]
    assert parse_notice(notices.textless_pages(1, scanned=False)) == [
        NoticePart("textless", "1 page has no text", count=1)
    ]
    assert parse_notice(notices.unreadable_pages(12))[0].count == 12


def test_nothing_to_say_and_unknown_parts() -> None:
    assert notices.join([None, ""]) is None
    assert parse_notice(None) == [] and parse_notice("") == []
    # A part from another version of the engine is kept as it was written.
    assert parse_notice("2 pages have no text; a newer remark") == [
        NoticePart("textless", "2 pages have no text", count=2),
        NoticePart("other", "a newer remark"),
    ]
