"""Which kind of document a file is: its content first, then its name.

Content wins because names lie: a PDF saved as ".txt" is read as a PDF, and a ".pdf" that is
not one fails as a damaged PDF rather than being read as text. A file whose name we do not
know (README, notes.json, main.py) is read as text if its first bytes are text.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from engine.documents.decode import NotText, choose_encoding
from engine.documents.docx_zip import check_directory
from engine.documents.extract_docx import DOCUMENT_PART
from engine.documents.limits import Limits
from engine.documents.model import ExtractionError

SUFFIXES = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".rst": "text",
    ".log": "text",
    ".csv": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}
SUPPORTED = "PDF, Word (.docx), Markdown, text or HTML"

# PDFium finds the header anywhere in the first kilobyte, after junk some writers put first.
_PDF_MAGIC = b"%PDF-"
_PDF_WINDOW = 1024
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97–2003, and encrypted Office files
# An encrypted .docx is an OLE container with this stream (name in UTF-16).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_OLE_SCAN = 1024 * 1024
_HTML_STARTS = (b"<!doctype html", b"<html")
_SNIFF = 64 * 1024


def sniff(path: Path, limits: Limits) -> str:
    """The document kind of ``path``, or ExtractionError ("unsupported", "encrypted", …)."""
    with open(path, "rb") as f:
        head = f.read(_SNIFF)
    suffix = path.suffix.lower()
    if _PDF_MAGIC in head[:_PDF_WINDOW]:
        return "pdf"
    if head.startswith(_ZIP_MAGICS):
        return _sniff_zip(path, limits)
    if head.startswith(_OLE_MAGIC):
        return _sniff_ole(path, suffix)
    kind = SUFFIXES.get(suffix)
    if kind == "pdf":
        raise ExtractionError(f"{path.name} is damaged or not a valid PDF", "corrupt")
    if kind == "docx":
        raise ExtractionError(f"{path.name} is damaged: it is not a Word document", "corrupt")
    if kind is not None:
        return kind
    try:
        choose_encoding(head)
    except NotText:
        raise _unsupported(path) from None
    if head.lstrip()[:14].lower().startswith(_HTML_STARTS):
        return "html"
    return "text"


def _unsupported(path: Path) -> ExtractionError:
    return ExtractionError(
        f"{path.name} is not a kind of document Lanterna can read ({SUPPORTED})", "unsupported"
    )


def _sniff_zip(path: Path, limits: Limits) -> str:
    check_directory(path, limits)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ExtractionError(f"{path.name} is a damaged zip archive", "corrupt") from None
    if DOCUMENT_PART in names:
        return "docx"
    raise _unsupported(path)


def _sniff_ole(path: Path, suffix: str) -> str:
    with open(path, "rb") as f:
        data = f.read(_OLE_SCAN)
    if _ENCRYPTED_PACKAGE in data:
        raise ExtractionError(f"{path.name} is password-protected", "encrypted")
    if suffix in (".doc", ".dot"):
        raise ExtractionError(
            f"{path.name} is a Word 97–2003 document, which Lanterna cannot read: "
            "save it as .docx or PDF",
            "unsupported",
        )
    raise _unsupported(path)
