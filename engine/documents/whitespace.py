"""Whitespace and control characters: the one place that decides how extracted text looks.

Within a line, any run of whitespace becomes one space and the line is stripped; lines of one
paragraph stay separate ("\\n"), and paragraphs are separated by exactly one blank line
("\\n\\n"). Preformatted text (code blocks, <pre>) keeps its indentation.

Control characters are removed: they are never meant to be read, NUL bytes break full-text
tokenizers and C strings, and invisible format characters can smuggle text a person never
sees.

The work is done on UTF-8 bytes with ``bytes.translate``/``replace`` and substring checks that
run at memory speed, and regular expressions that start with a literal byte, which are searched
for as fast; on the largest text we keep (64 MB) a handful of ``re.sub`` passes over the string
would take several seconds.
"""

from __future__ import annotations

import re

_LINE_BREAK_BYTES = b"\x0b\x0c\r\x1c\x1d\x1e"  # vertical tab, form feed, CR, separators
# C0 controls other than tab and the line breaks above, and DEL.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1C), 0x1F, 0x7F])


def _table(mapping: dict[int, int]) -> bytes:
    table = bytearray(range(256))
    for src, dst in mapping.items():
        table[src] = dst
    return bytes(table)


_CLEAN_TABLE = _table({b: 0x0A for b in _LINE_BREAK_BYTES})
_FLOW_TABLE = _table({**{b: 0x0A for b in _LINE_BREAK_BYTES}, 0x09: 0x20})

# Non-ASCII characters to drop, as UTF-8: C1 controls (what Latin-1 makes of stray bytes,
# except NEL, a line break), the byte-order mark / zero-width no-break space, noncharacters.
# One pattern per lead byte: a pattern that starts with a literal is searched for at memory
# speed, an alternation is tried at every position (ten times slower).
_C1_CONTROL = re.compile(rb"\xc2[\x80-\x84\x86-\x9f]")
_BOM_AND_NONCHARACTER = re.compile(rb"\xef(?:\xbb\xbf|\xbf[\xbe\xbf])")
# Non-ASCII line breaks: NEL, line separator; and the paragraph separator.
_NEL = b"\xc2\x85"
_LINE_SEPARATOR = b"\xe2\x80\xa8"
_PARAGRAPH_SEPARATOR = b"\xe2\x80\xa9"
# Non-ASCII spaces, which become ordinary spaces in flowing text: no-break, ogham, en/em and
# the other typographic spaces, narrow no-break, medium mathematical, ideographic.
_UNICODE_SPACES = (
    (b"\xc2", re.compile(rb"\xc2\xa0")),
    (b"\xe1", re.compile(rb"\xe1\x9a\x80")),
    (b"\xe2", re.compile(rb"\xe2\x80[\x80-\x8a\xaf]")),
    (b"\xe2", re.compile(rb"\xe2\x81\x9f")),
    (b"\xe3", re.compile(rb"\xe3\x80\x80")),
)


def _replace_all(data: bytes, old: bytes, new: bytes) -> bytes:
    # Each pass shortens every run of ``old``; real text needs one or two passes.
    while old in data:
        data = data.replace(old, new)
    return data


def _clean_bytes(data: bytes, table: bytes) -> bytes:
    data = data.replace(b"\r\n", b"\n").translate(table, _CONTROL_BYTES)
    if b"\xc2" in data:
        data = _C1_CONTROL.sub(b"", data).replace(_NEL, b"\n")
    if b"\xef" in data:
        data = _BOM_AND_NONCHARACTER.sub(b"", data)
    if b"\xe2\x80" in data:
        data = data.replace(_LINE_SEPARATOR, b"\n").replace(_PARAGRAPH_SEPARATOR, b"\n\n")
    return data


def _encode(text: str) -> bytes:
    # A lone surrogate cannot be stored or shown; it carries no text either.
    return text.encode("utf-8", "ignore")


def clean(text: str) -> str:
    """Control characters out, every line break as "\\n"."""
    return _clean_bytes(_encode(text), _CLEAN_TABLE).decode("utf-8")


def normalize_paragraphs(text: str) -> str:
    """Flowing text: whitespace collapsed within lines, paragraphs split by one blank line."""
    data = _clean_bytes(_encode(text), _FLOW_TABLE)
    for lead, pattern in _UNICODE_SPACES:
        if lead in data:
            data = pattern.sub(b" ", data)
    data = _replace_all(data, b"  ", b" ")
    # After the runs are collapsed, at most one space sits on either side of a line break.
    data = data.replace(b" \n", b"\n").replace(b"\n ", b"\n")
    data = _replace_all(data, b"\n\n\n", b"\n\n")
    return data.strip(b" \n").decode("utf-8")


def normalize_preformatted(text: str) -> str:
    """Code and other preformatted text: indentation kept (tabs as four columns), trailing
    spaces and runs of blank lines removed."""
    cleaned = _clean_bytes(_encode(text), _CLEAN_TABLE).decode("utf-8")
    lines = "\n".join(line.rstrip() for line in cleaned.expandtabs(4).split("\n"))
    return _replace_all(_encode(lines), b"\n\n\n", b"\n\n").strip(b"\n").decode("utf-8")


def normalize_inline(text: str) -> str:
    """A title or heading: one line."""
    return " ".join(clean(text).split())
