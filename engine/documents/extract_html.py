"""HTML: sections at <h1>–<h6>, text as a browser would show it, markup and entities gone.

What a reader never sees is left out — scripts, styles, navigation, templates, elements marked
``hidden`` or styled ``display: none`` — both because it is noise and because
hidden text is a way to slip instructions to the model that the person cannot see. Tables come
out a row per line with " | " between cells, list items as "- " lines, <pre> verbatim.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from engine.documents.extract_text import no_text, read_notice, read_text
from engine.documents.limits import Limits, TextBudget
from engine.documents.model import ExtractedDocument
from engine.documents.sections import SectionBuilder
from engine.documents.whitespace import normalize_inline

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Content a reader never sees (or that is a site's furniture, not the document).
_SKIPPED = {
    "script", "style", "nav", "noscript", "template", "svg", "iframe", "object", "canvas",
    "select", "datalist", "button",
}  # fmt: skip
_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header",
    "hgroup", "hr", "html", "legend", "main", "ol", "p", "section", "summary", "table",
    "ul",
}  # fmt: skip
_LINE_STARTS = {"tr", "li", "br"}
_CELLS = {"td", "th"}
# Elements whose end tag may be left out: hiding one of these could hide the rest of the page
# when its end never comes, so the hidden-element rule applies only to the others.
_END_OPTIONAL = {
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup",
    "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head", "body",
}  # fmt: skip
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""",
    re.IGNORECASE,
)
_FEED_CHARS = 1024 * 1024
_MAX_TITLE = 1000


def declared_encoding(head: bytes) -> str | None:
    m = _DECLARED.search(head[:4096])
    if not m:
        return None
    name = m.group(1) or m.group(2)
    return name.decode("ascii", "ignore") or None


def extract_html(path: Path, limits: Limits) -> ExtractedDocument:
    text, raw = read_text(path, limits, declared_encoding)
    budget = TextBudget(limits.max_text_chars)
    builder = SectionBuilder(budget, limits.max_heading_chars)
    parser = _PageParser(builder, limits.max_heading_chars)
    for start in range(0, len(text), _FEED_CHARS):
        parser.feed(text[start : start + _FEED_CHARS])
        if builder.full:
            break
    parser.close()
    del text
    sections = builder.sections()
    if not sections:
        raise no_text(path)
    return ExtractedDocument(
        path=str(path),
        kind="html",
        title=parser.title or builder.title or path.name,
        sections=sections,
        pages=None,
        size=raw.size,
        notice=read_notice(raw, limits, budget),
    )


class _PageParser(HTMLParser):
    def __init__(self, builder: SectionBuilder, max_heading: int) -> None:
        super().__init__(convert_charrefs=True)
        self._builder = builder
        self._max_heading = max_heading
        self._parts: list[str] = []  # the paragraph being read
        self._skip: tuple[str, int] | None = None  # (tag, nesting) of a skipped element
        self._heading: tuple[int, list[str]] | None = None
        self._heading_chars = 0
        self._pre = 0
        self._in_title = False
        self._title: list[str] = []
        self.title: str | None = None

    # the parser's callbacks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip is not None:
            if tag == self._skip[0]:
                self._skip = (tag, self._skip[1] + 1)
            return
        if tag in _SKIPPED or (tag not in _END_OPTIONAL and tag not in _VOID and _is_hidden(attrs)):
            self._skip = (tag, 1)
            return
        if self._in_title:
            # A <title> left open must not swallow the page: the next element ends it.
            self._end_title()
        if tag == "title":
            self._in_title = True
        elif tag in _HEADINGS:
            self._end_paragraph()
            self._heading = (_HEADINGS[tag], [])
            self._heading_chars = 0
        elif tag == "pre":
            if self._pre == 0:
                self._end_paragraph()
            self._pre += 1
        elif tag in _BLOCKS:
            self._end_paragraph()
        elif tag in _LINE_STARTS:
            self._new_line()
            if tag == "li":
                self._add("- ")
        elif tag in _CELLS and self._parts and not self._parts[-1].endswith("\n"):
            self._add(" | ")  # between cells, not before the first

    def handle_endtag(self, tag: str) -> None:
        if self._skip is not None:
            if tag == self._skip[0]:
                depth = self._skip[1] - 1
                self._skip = (tag, depth) if depth else None
            return
        if tag == "title" and self._in_title:
            self._end_title()
        elif tag in _HEADINGS and self._heading is not None:
            level, parts = self._heading
            self._heading = None
            self._builder.heading(level, "".join(parts))
        elif tag == "pre" and self._pre:
            self._pre -= 1
            if self._pre == 0:
                self._end_paragraph(preformatted=True)
        elif tag in _BLOCKS:
            self._end_paragraph()
        elif tag in ("tr", "li"):
            self._new_line()

    def handle_data(self, data: str) -> None:
        if self._skip is not None:
            return
        if self._in_title:
            if len(self._title) < _MAX_TITLE:
                self._title.append(data)
            return
        if self._heading is not None:
            self._heading[1].append(data)
            self._heading_chars += len(data)
            if self._heading_chars > 4 * self._max_heading:
                # A heading that never ends is a paragraph that starts big.
                parts = self._heading[1]
                self._heading = None
                self._parts.extend(parts)
            return
        self._add(data if self._pre else data.replace("\r", " ").replace("\n", " "))

    def close(self) -> None:
        super().close()
        if self._heading is not None:
            self._parts.extend(self._heading[1])
            self._heading = None
        self._end_paragraph(preformatted=self._pre > 0)

    def _end_title(self) -> None:
        self._in_title = False
        if self.title is None:
            self.title = normalize_inline("".join(self._title))[:_MAX_TITLE] or None

    # the paragraph being read

    def _add(self, text: str) -> None:
        if not self._builder.full:
            self._parts.append(text)

    def _new_line(self) -> None:
        if self._parts and not self._parts[-1].endswith("\n"):
            self._parts.append("\n")

    def _end_paragraph(self, preformatted: bool = False) -> None:
        if self._parts:
            self._builder.paragraph("".join(self._parts), preformatted=preformatted)
            self._parts = []


def _is_hidden(attrs: list[tuple[str, str | None]]) -> bool:
    for name, value in attrs:
        if name == "hidden":
            return True
        if name == "style" and value and _DISPLAY_NONE.search(value):
            return True
    return False
