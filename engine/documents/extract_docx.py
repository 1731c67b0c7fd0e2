"""Word documents (.docx): WordprocessingML read as a stream with the standard library.

Headings are paragraphs whose style is a heading ("heading 1" … "heading 9", "Title") or that
carry an outline level; styles are looked up by name in styles.xml, because localised Word
gives them localised ids ("Ttulo1" in Portuguese and Spanish). Tables come out a row per line
with " | " between cells; text boxes as paragraphs of their own. Deleted revisions, field
codes, the fallback copy of alternate content and text formatted as hidden are left out — the
last because a person reading the document never sees it.

The XML is parsed with expat directly, as a stream: memory stays flat however large the
document, and a document type declaration (never present in real WordprocessingML, and the
vehicle of entity-expansion bombs) is refused outright.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from engine.documents.docx_zip import open_archive, read_part
from engine.documents.limits import Limits, TextBudget
from engine.documents.model import ExtractedDocument, ExtractionError
from engine.documents.sections import SectionBuilder
from engine.documents.whitespace import normalize_inline

DOCUMENT_PART = "word/document.xml"
STYLES_PART = "word/styles.xml"
CORE_PART = "docProps/core.xml"

# Transitional and Strict WordprocessingML.
_W = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
}
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_DC = "http://purl.org/dc/elements/1.1/"
_SEP = "}"  # expat joins namespace and local name with this
_HEADING_NAME = re.compile(r"heading\s*([1-9])", re.IGNORECASE)
_HEADING_ID = re.compile(r"heading([1-9])", re.IGNORECASE)
_TITLE_LEVEL = 0  # above "heading 1": a Title paragraph names the document
_BODY_OUTLINE = 9  # outline level 9 means body text
_MAX_STYLE_DEPTH = 16


class _Refused(Exception):
    pass


def extract_docx(path: Path, size: int, limits: Limits) -> ExtractedDocument:
    archive = open_archive(path, limits)
    with archive:
        names = set(archive.namelist())
        if DOCUMENT_PART not in names:
            raise ExtractionError(f"{path.name} is not a Word document", "unsupported")
        styles = _read_styles(archive, path, limits) if STYLES_PART in names else {}
        title = _read_title(archive, path, limits) if CORE_PART in names else None
        budget = TextBudget(limits.max_text_chars)
        builder = SectionBuilder(budget, limits.max_heading_chars)
        body = _BodyReader(builder, styles)
        _parse(read_part(archive, DOCUMENT_PART, path, limits), body.handlers(), path, builder)
    sections = builder.sections()
    if not sections:
        raise ExtractionError(f"{path.name} has no text", "empty")
    return ExtractedDocument(
        path=str(path),
        kind="docx",
        title=title or builder.title or path.name,
        sections=sections,
        pages=None,
        size=size,
        notice=budget.notice(),
    )


# expat plumbing


@dataclass
class _Handlers:
    start: Callable[[str, dict[str, str]], None]
    end: Callable[[str], None]
    text: Callable[[str], None]


def _parse(
    chunks: Generator[bytes, None, None],
    handlers: _Handlers,
    path: Path,
    builder: SectionBuilder | None,
) -> None:
    parser = expat.ParserCreate(namespace_separator=_SEP)
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_: object) -> None:
        raise _Refused

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = handlers.start
    parser.EndElementHandler = handlers.end
    parser.CharacterDataHandler = handlers.text
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
            if builder is not None and builder.full:
                return
        parser.Parse(b"", True)
    except (expat.ExpatError, _Refused):
        raise ExtractionError(
            f"{path.name} is damaged: its text could not be read", "corrupt"
        ) from None
    finally:
        chunks.close()  # stopped early or failed: the part's file handle is released now


def _split(name: str) -> tuple[str, str]:
    ns, _, local = name.rpartition(_SEP)
    return ns, local


def _attr(attrs: dict[str, str], local: str) -> str | None:
    for key, value in attrs.items():
        if key.rpartition(_SEP)[2] == local:
            return value
    return None


# styles.xml: style id -> heading level


@dataclass
class _Style:
    level: int | None = None
    based_on: str | None = None


def _read_styles(archive: zipfile.ZipFile, path: Path, limits: Limits) -> dict[str, int]:
    styles: dict[str, _Style] = {}
    current: list[_Style | None] = [None]

    def start(name: str, attrs: dict[str, str]) -> None:
        ns, local = _split(name)
        if ns not in _W:
            return
        style = current[0]
        if local == "style":
            style_id = _attr(attrs, "styleId")
            if _attr(attrs, "type") in (None, "paragraph") and style_id:
                current[0] = styles.setdefault(style_id, _Style())
            else:
                current[0] = None
        elif style is None:
            return
        elif local == "name":
            value = (_attr(attrs, "val") or "").strip()
            m = _HEADING_NAME.fullmatch(value)
            if m:
                style.level = int(m.group(1))
            elif value.lower() == "title":
                style.level = _TITLE_LEVEL
        elif local == "basedOn":
            style.based_on = _attr(attrs, "val")
        elif local == "outlineLvl" and style.level is None:
            style.level = _outline_level(_attr(attrs, "val"))

    def end(name: str) -> None:
        if _split(name)[1] == "style":
            current[0] = None

    handlers = _Handlers(start, end, _ignore)
    try:
        _parse(read_part(archive, STYLES_PART, path, limits), handlers, path, None)
    except ExtractionError as exc:
        if exc.kind != "corrupt":
            raise
        return {}  # damaged styles cost the headings, not the text (built-in ids still work)
    levels: dict[str, int] = {}
    for style_id in styles:
        level = _style_level(style_id, styles)
        if level is not None:
            levels[style_id] = level
    return levels


def _style_level(style_id: str, styles: dict[str, _Style]) -> int | None:
    seen = 0
    current: str | None = style_id
    while current is not None and seen < _MAX_STYLE_DEPTH:
        style = styles.get(current)
        if style is None:
            break
        if style.level is not None:
            return style.level
        current = style.based_on
        seen += 1
    return None


def _outline_level(value: str | None) -> int | None:
    try:
        level = int(value or "")
    except ValueError:
        return None
    return level + 1 if 0 <= level < _BODY_OUTLINE else None


def _ignore(data: str) -> None:
    return None


# docProps/core.xml: the title


def _read_title(archive: zipfile.ZipFile, path: Path, limits: Limits) -> str | None:
    parts: list[str] = []
    inside = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        inside[0] = name == f"{_DC}{_SEP}title"

    def end(name: str) -> None:
        inside[0] = False

    def text(data: str) -> None:
        if inside[0] and len(parts) < 100:
            parts.append(data)

    try:
        _parse(read_part(archive, CORE_PART, path, limits), _Handlers(start, end, text), path, None)
    except ExtractionError:
        return None  # the title is a nicety; a damaged core.xml must not lose the document
    return normalize_inline("".join(parts))[:1000] or None


# document.xml: the body


@dataclass
class _Paragraph:
    parts: list[str] = field(default_factory=list)
    style: str | None = None
    outline: int | None = None
    list_item: bool = False


@dataclass
class _Table:
    rows: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    cell: list[str] = field(default_factory=list)


class _BodyReader:
    def __init__(self, builder: SectionBuilder, styles: dict[str, int]) -> None:
        self._builder = builder
        self._styles = styles
        self._paragraphs: list[_Paragraph] = []
        self._tables: list[_Table] = []
        self._skip: tuple[str, int] | None = None  # (element, nesting) being left out
        self._in_text = False
        self._run_hidden = False
        self._in_run_properties = False

    def handlers(self) -> _Handlers:
        return _Handlers(self._start, self._end, self._text)

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if self._skip is not None:
            if name == self._skip[0]:
                self._skip = (name, self._skip[1] + 1)
            return
        ns, local = _split(name)
        if ns == _MC:
            if local == "Fallback":
                self._skip = (name, 1)  # the same content again, for older readers
            return
        if ns not in _W:
            return
        if local in ("delText", "instrText", "del", "moveFrom"):
            # Deleted revisions and field codes are not text anyone reads.
            self._skip = (name, 1)
        elif local == "p":
            self._paragraphs.append(_Paragraph())
        elif local == "pStyle" and self._paragraphs:
            self._paragraphs[-1].style = _attr(attrs, "val")
        elif local == "outlineLvl" and self._paragraphs:
            self._paragraphs[-1].outline = _outline_level(_attr(attrs, "val"))
        elif local == "numPr" and self._paragraphs:
            self._paragraphs[-1].list_item = True
        elif local == "r":
            self._run_hidden = False
        elif local == "rPr":
            self._in_run_properties = True
        elif local == "vanish" and self._in_run_properties:
            self._run_hidden = _attr(attrs, "val") not in ("0", "false", "off")
        elif local == "t":
            self._in_text = True
        elif local == "tab":
            self._add("\t")
        elif local in ("br", "cr"):
            self._add("\n")
        elif local == "noBreakHyphen":
            self._add("-")
        elif local == "tbl":
            self._tables.append(_Table())
        elif local == "tr" and self._tables:
            self._tables[-1].cells = []
        elif local == "tc" and self._tables:
            self._tables[-1].cell = []

    def _end(self, name: str) -> None:
        if self._skip is not None:
            if name == self._skip[0]:
                depth = self._skip[1] - 1
                self._skip = (name, depth) if depth else None
            return
        ns, local = _split(name)
        if ns not in _W:
            return
        if local == "t":
            self._in_text = False
        elif local == "rPr":
            self._in_run_properties = False
        elif local == "r":
            self._run_hidden = False
        elif local == "p" and self._paragraphs:
            self._end_paragraph(self._paragraphs.pop())
        elif local == "tc" and self._tables:
            table = self._tables[-1]
            table.cells.append(" ".join(p for p in table.cell if p))
        elif local == "tr" and self._tables:
            table = self._tables[-1]
            if any(table.cells):
                table.rows.append(" | ".join(table.cells))
        elif local == "tbl" and self._tables:
            text = "\n".join(self._tables.pop().rows)
            if self._tables:
                self._tables[-1].cell.append(text)
            else:
                self._builder.paragraph(text)

    def _text(self, data: str) -> None:
        if self._in_text and self._skip is None and not self._run_hidden:
            self._add(data)

    def _add(self, text: str) -> None:
        if self._paragraphs and not self._builder.full:
            self._paragraphs[-1].parts.append(text)

    def _end_paragraph(self, paragraph: _Paragraph) -> None:
        text = "".join(paragraph.parts)
        if self._tables:
            self._tables[-1].cell.append(normalize_inline(text))
            return
        level = paragraph.outline
        if level is None and paragraph.style:
            level = self._styles.get(paragraph.style)
            if level is None:
                m = _HEADING_ID.fullmatch(paragraph.style)
                if m:
                    level = int(m.group(1))
                elif paragraph.style.lower() == "title":
                    level = _TITLE_LEVEL
        if level is not None and text.strip():
            self._builder.heading(level, text)
        elif paragraph.list_item and text.strip():
            self._builder.paragraph("- " + text)
        else:
            self._builder.paragraph(text)
