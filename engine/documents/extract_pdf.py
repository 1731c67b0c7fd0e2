"""PDF through PDFium (pypdfium2): one section per page, the 1-based page number kept.

Only text inside the page's visible area is taken ("bounded" text): text placed outside it is
invisible to a reader and can carry instructions meant for the model. Pages are read up to
``Limits.max_pages``; a page tree that claims 100,000 pages costs no more than 2,000. Pages
without a text layer are counted: a PDF where every page lacks one is a scan we cannot read
(no OCR here), one where some do gets a notice saying how many.

PDFium keeps global state and is not thread-safe, so one lock serialises its use in a process.
What PDFium itself can be made to do with a hostile file (a content stream that inflates to
gigabytes) is bounded only by running it in a child process: see ``isolated``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

from engine.documents import notices as notices_text
from engine.documents.limits import SECTION_OVERHEAD, Limits, TextBudget
from engine.documents.model import ExtractedDocument, ExtractionError, Section
from engine.documents.whitespace import normalize_inline, normalize_paragraphs

_LOCK = threading.Lock()
# PDFium marks a hyphen it saw at the end of a line with this character.
_LINE_END_HYPHEN = "\x02"
# What writers put in the Title field when nobody gave one (ReportLab: "untitled").
_PLACEHOLDER_TITLES = {"untitled", "(anonymous)", "anonymous", "unknown", "unspecified"}


def extract_pdf(path: Path, size: int, limits: Limits) -> ExtractedDocument:
    with _LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise _load_error(path, exc) from None
        try:
            return _read(pdf, path, size, limits)
        finally:
            pdf.close()


def _read(pdf: Any, path: Path, size: int, limits: Limits) -> ExtractedDocument:
    count = len(pdf)
    budget = TextBudget(limits.max_text_chars)
    sections: list[Section] = []
    to_read = min(count, limits.max_pages)
    read = failed = textless = drawn = 0
    for index in range(to_read):
        if budget.exhausted:
            break
        read += 1
        try:
            page = pdf.get_page(index)
        except pdfium.PdfiumError:
            failed += 1
            continue
        try:
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_bounded()
            finally:
                textpage.close()
            text = normalize_paragraphs(text.replace(_LINE_END_HYPHEN, "-"))
            if not text:
                textless += 1
                if pdfium_c.FPDFPage_CountObjects(page.raw) > 0:
                    drawn += 1  # an image or drawing but no text: a scan
                continue
        except pdfium.PdfiumError:
            failed += 1
            continue
        finally:
            page.close()
        text = budget.take(text, SECTION_OVERHEAD)
        if text:
            sections.append(Section(text=text, page=index + 1))
    if not sections:
        raise _no_text(path, count, read, failed, drawn)
    notices = [
        notices_text.first_pages(to_read, count) if count > to_read else None,
        notices_text.textless_pages(textless, scanned=bool(drawn)) if textless else None,
        notices_text.unreadable_pages(failed) if failed else None,
        budget.notice(),
    ]
    return ExtractedDocument(
        path=str(path),
        kind="pdf",
        title=_title(pdf) or path.name,
        sections=tuple(sections),
        pages=count,
        size=size,
        notice=notices_text.join(notices),
    )


def _title(pdf: Any) -> str | None:
    try:
        title = pdf.get_metadata_value("Title")
    except (pdfium.PdfiumError, UnicodeError, ValueError):
        return None
    title = normalize_inline(str(title or ""))[:1000]
    return title if title and title.lower() not in _PLACEHOLDER_TITLES else None


def _no_text(path: Path, count: int, read: int, failed: int, drawn: int) -> ExtractionError:
    if failed == read:
        return ExtractionError(f"{path.name} is damaged: none of its pages can be read", "corrupt")
    if not drawn:
        return ExtractionError(f"{path.name} has no text: its pages are blank", "empty")
    pages = "its only page has no" if count == 1 else f"none of its {count:,} pages has a"
    return ExtractionError(
        f"{path.name} looks scanned: {pages} text layer, and text recognition (OCR) "
        "is not available",
        "empty",
    )


def _load_error(path: Path, exc: Exception) -> ExtractionError:
    code = getattr(exc, "err_code", None)
    message = str(exc).lower()
    if code == pdfium_c.FPDF_ERR_PASSWORD or (code is None and "password" in message):
        return ExtractionError(f"{path.name} is password-protected", "encrypted")
    if code == pdfium_c.FPDF_ERR_SECURITY or (code is None and "security" in message):
        return ExtractionError(
            f"{path.name} is encrypted with a scheme that cannot be opened", "encrypted"
        )
    if code == pdfium_c.FPDF_ERR_SUCCESS:
        # Loaded, but no pages.
        return ExtractionError(f"{path.name} has no pages", "empty")
    return ExtractionError(f"{path.name} is damaged or not a valid PDF", "corrupt")
