"""What text extraction produces, and what the chunker and the index consume.

A document is a sequence of sections. For a PDF a section is one page (``page`` is set, 1-based);
for formats with structure but no pages (Markdown, HTML, DOCX) a section is the text under one
heading, and ``heading`` is its path, e.g. "Install › Linux" (text before the first heading has
no heading). Citations point at either.

Section text keeps the document's words as written: whitespace is normalised within each line,
lines of one paragraph are joined by "\\n" and paragraphs by "\\n\\n".

Everything here is picklable, so a document can come back from an isolated child process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What ExtractedDocument.kind holds.
DOCUMENT_KINDS = ("pdf", "docx", "markdown", "text", "html")

# What went wrong, in a word, so a caller can react without parsing the message:
# unsupported  not a format we read (an image, a spreadsheet, a .doc)
# encrypted    needs a password
# too_large    beyond the limits (a zip bomb, too many files, more memory than allowed)
# binary       not text, although named like text
# corrupt      damaged, unreadable, or it crashed the reader
# timeout      took longer than allowed
# empty        no text at all (an empty file, a scanned PDF without a text layer)
ErrorKind = Literal[
    "unsupported", "encrypted", "too_large", "binary", "corrupt", "timeout", "empty"
]

HEADING_SEPARATOR = " › "


@dataclass(frozen=True)
class Section:
    text: str
    page: int | None = None  # 1-based PDF page number
    heading: str | None = None  # heading path for other formats, e.g. "Install › Linux"


@dataclass(frozen=True)
class ExtractedDocument:
    path: str  # absolute path of the source file
    kind: str  # one of DOCUMENT_KINDS
    title: str  # PDF/DOCX metadata title, first heading, or file name
    sections: tuple[Section, ...]
    pages: int | None  # number of pages for PDFs
    size: int  # bytes on disk
    notice: str | None = None  # e.g. "scanned PDF: 12 pages have no text"


class ExtractionError(Exception):
    """A document that could not be read; ``str(exc)`` is one clear line for people.

    ``kind`` is one of :data:`ErrorKind`; ``path`` is the file's absolute path when known
    (always set by ``extract_folder``, which returns errors beside documents).
    """

    def __init__(self, message: str, kind: ErrorKind, path: str | None = None) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.path = path

    def __reduce__(self) -> tuple[type[ExtractionError], tuple[str, ErrorKind, str | None]]:
        # The default pickling replays only the message; kind and path must cross the pipe
        # from an isolated extraction too.
        return (type(self), (str(self), self.kind, self.path))
