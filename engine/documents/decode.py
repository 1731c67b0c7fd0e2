"""Reading text files: at most a fixed number of bytes, the encoding found, binary refused.

Encodings, in order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-16 without a mark when
every other byte is NUL; UTF-8 if the bytes are valid UTF-8 — even where a page declares a
legacy encoding, because valid UTF-8 beyond ASCII is practically never anything else and pages
that were converted keep their old <meta charset> — then the encoding the document declares
(HTML), else Windows-1252 — what Portuguese and Spanish text saved by older Windows programs is
in — with Latin-1 for the five bytes 1252 leaves undefined.
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from pathlib import Path

SNIFF_BYTES = 64 * 1024

_BOMS = (
    # UTF-32 first: its little-endian mark begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# C0 controls that plain text does not contain (tab, line breaks, form feed and escape —
# colour codes in logs — are fine).
_CONTROL_BYTES = bytes([*range(0x01, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])
# How the last candidate encoding treats bytes it cannot decode.
_LENIENT = {"cp1252": "lanterna-latin1"}
# Share of such characters above which a file is taken for binary.
_MAX_CONTROL_RATIO = 0.05


class NotText(Exception):
    """The bytes are binary data, not text in any encoding we read."""


def _latin1_for_undefined(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("lanterna-latin1", _latin1_for_undefined)


@dataclass(frozen=True)
class RawText:
    data: bytes  # at most the limit
    truncated: bool  # the file has more bytes than were read
    size: int  # bytes on disk


def read_bounded(path: Path, limit: int) -> RawText:
    """The first ``limit`` bytes of the file, never more: a 1 GB file costs ``limit``."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        data = f.read(limit)
        # One byte more tells whether there is more, without copying the bytes already read.
        truncated = bool(f.read(1))
    return RawText(data=data, truncated=truncated, size=max(size, len(data)))


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """(encoding, length of the mark) when the data starts with a byte-order mark."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def _bomless_utf16(head: bytes) -> str | None:
    # ASCII-heavy UTF-16 has a NUL in every other byte, on one side only.
    pairs = len(head) // 2
    if pairs < 8:
        return None
    even = head[0 : 2 * pairs : 2].count(0)
    odd = head[1 : 2 * pairs : 2].count(0)
    if odd > 0.3 * pairs and even < 0.02 * pairs:
        return "utf-16-le"
    if even > 0.3 * pairs and odd < 0.02 * pairs:
        return "utf-16-be"
    return None


def is_text_encoding(name: str) -> bool:
    try:
        info = codecs.lookup(name)
    except LookupError:
        return False
    # Names like "rot13" or "zlib" are codecs too, but not of bytes to text.
    return bool(getattr(info, "_is_text_encoding", True))


@dataclass(frozen=True)
class Encoding:
    candidates: tuple[str, ...]  # tried in order; all but the last must decode strictly
    skip: int = 0  # length of the byte-order mark


def choose_encoding(data: bytes, declared: str | None = None) -> Encoding:
    """How to decode ``data``; raises NotText for binary data."""
    head = data[:SNIFF_BYTES]
    bom = bom_encoding(head)
    if bom is not None:
        return Encoding((bom[0],), bom[1])
    if b"\x00" in head:
        utf16 = _bomless_utf16(head)
        if utf16 is None:
            raise NotText
        return Encoding((utf16,))
    if head and sum(head.count(b) for b in _CONTROL_BYTES) > _MAX_CONTROL_RATIO * len(head):
        raise NotText
    fallback = "cp1252"
    if declared and is_text_encoding(declared):
        name = codecs.lookup(declared).name
        # A page that calls itself UTF-16 but has no NUL bytes was saved as something else;
        # browsers read it as UTF-8 too.
        if not name.startswith(("utf-16", "utf-32")):
            fallback = name
    return Encoding(("utf-8", fallback) if fallback != "utf-8" else ("utf-8",))


def decode(data: bytes, encoding: Encoding, *, truncated: bool) -> str:
    """The text; a character cut in half by the read limit is dropped, any other undecodable
    byte becomes U+FFFD (or, in Windows-1252, its Latin-1 character)."""
    view = memoryview(data)[encoding.skip :]
    last = len(encoding.candidates) - 1
    for i, name in enumerate(encoding.candidates):
        errors = "strict" if i < last else _LENIENT.get(name, "replace")
        # Incremental and not final when truncated: the limit may cut a character in half.
        decoder = codecs.getincrementaldecoder(name)(errors)
        try:
            return decoder.decode(view, final=not truncated)
        except UnicodeDecodeError:
            continue
    raise AssertionError("the last candidate decodes leniently")


def text_ratio_ok(text: str) -> bool:
    """Decoded text that is mostly control characters is binary after all (UTF-16 data)."""
    head = text[:SNIFF_BYTES]
    if not head:
        return True
    bad = sum(1 for ch in head if ch < " " and ch not in "\t\n\r\x0c\x1b")
    return bad <= _MAX_CONTROL_RATIO * len(head)
