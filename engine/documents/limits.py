"""How much of a document we are willing to read, and the text budget that enforces it.

Every extractor stops at these limits and says so in the document's notice instead of failing:
a hostile or merely enormous file costs bounded time and memory, and what was read is kept.
The limits that make a file unreadable as a whole (a zip bomb's sizes) raise "too_large".
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.documents.notices import truncated

MIB = 1024 * 1024
GIB = 1024 * MIB


@dataclass(frozen=True)
class Limits:
    # PDF pages read; a 2,000-page PDF is already far more than a model's context holds.
    max_pages: int = 2000
    # Characters of text kept per document (about bytes for Latin scripts). Each section also
    # costs its heading path, so a file of a million tiny sections is bounded too.
    max_text_chars: int = 64 * MIB
    # Bytes read from a text, Markdown or HTML file; the rest of a larger file is never read.
    max_read_bytes: int = 64 * MIB
    # DOCX (a zip): entries in the archive, bytes of its central directory, uncompressed bytes
    # of one XML part, and the compression ratio of a part. Real documents have a few dozen
    # entries and XML that compresses 5–30 times; zip bombs need far more of either.
    max_zip_entries: int = 10_000
    max_zip_directory: int = 16 * MIB
    max_xml_bytes: int = 256 * MIB
    max_zip_ratio: int = 200
    # A heading longer than this is cut: it is a path component, not content.
    max_heading_chars: int = 300
    # Files taken from one folder by extract_folder.
    max_folder_files: int = 1000


DEFAULT_LIMITS = Limits()

# Charged per section beyond its text, for the section object and its heading path.
SECTION_OVERHEAD = 64


def describe_size(n: int) -> str:
    """64 * MIB -> "64 MB"; used in notices, where "MB" reads better than "MiB"."""
    if n >= GIB:
        return f"{n / GIB:.3g} GB"
    if n >= MIB:
        return f"{n / MIB:.0f} MB"
    return f"{max(1, round(n / 1024))} KB"


class TextBudget:
    """Counts the characters kept so far and cuts the text that would go past the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit
        self.truncated = False

    @property
    def exhausted(self) -> bool:
        return self.left <= 0

    def take(self, text: str, overhead: int = 0) -> str:
        """``text`` whole if it fits, else the part that fits (and the budget is spent)."""
        need = len(text) + overhead
        if need <= self.left:
            self.left -= need
            return text
        self.truncated = True
        keep = max(0, self.left - overhead)
        self.left = 0
        return text[:keep]

    def notice(self) -> str | None:
        if not self.truncated:
            return None
        return truncated(describe_size(self.limit))
