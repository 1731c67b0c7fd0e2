"""Plain text files (.txt, .rst, .log, .csv, …), and reading any text file within the limits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from engine.documents.decode import (
    NotText,
    RawText,
    choose_encoding,
    decode,
    read_bounded,
    text_ratio_ok,
)
from engine.documents.limits import Limits, TextBudget, describe_size
from engine.documents.model import ExtractedDocument, ExtractionError, Section
from engine.documents.notices import truncated
from engine.documents.whitespace import normalize_paragraphs


def read_text(
    path: Path, limits: Limits, declared: Callable[[bytes], str | None] | None = None
) -> tuple[str, RawText]:
    """The file's text (at most ``limits.max_read_bytes`` of it) and what was read.

    ``declared`` finds the encoding a document names for itself (HTML), given its first bytes.
    """
    raw = read_bounded(path, limits.max_read_bytes)
    if not raw.data:
        raise ExtractionError(f"{path.name} is empty", "empty")
    try:
        encoding = choose_encoding(raw.data, declared(raw.data) if declared else None)
        text = decode(raw.data, encoding, truncated=raw.truncated)
        if not text_ratio_ok(text):
            raise NotText
    except NotText:
        raise ExtractionError(
            f"{path.name} is not a text file: it contains binary data", "binary"
        ) from None
    return text, raw


def read_notice(raw: RawText, limits: Limits, budget: TextBudget) -> str | None:
    """ "truncated at 64 MB of text" when the read limit or the text budget cut the file."""
    if raw.truncated:
        return truncated(describe_size(limits.max_read_bytes))
    return budget.notice()


def no_text(path: Path) -> ExtractionError:
    return ExtractionError(f"{path.name} has no text", "empty")


def extract_plain_text(path: Path, limits: Limits) -> ExtractedDocument:
    text, raw = read_text(path, limits)
    budget = TextBudget(limits.max_text_chars)
    body = budget.take(normalize_paragraphs(text))
    del text  # the largest object here: give its memory back before the next copy is made
    if not body:
        raise no_text(path)
    return ExtractedDocument(
        path=str(path),
        kind="text",
        title=path.name,
        sections=(Section(text=body),),
        pages=None,
        size=raw.size,
        notice=read_notice(raw, limits, budget),
    )
