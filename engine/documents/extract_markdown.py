"""Markdown: sections at ATX ("## Install") and setext (underlined) headings.

Fenced code is kept verbatim, and a "# comment" inside it is code, not a heading. HTML comments
are left out: they never show when the document is rendered, so a reader would not know the
model had been given their text. YAML front matter is metadata: its ``title`` names the
document, the rest is left out.
"""

from __future__ import annotations

import re
from pathlib import Path

from engine.documents.extract_text import no_text, read_notice, read_text
from engine.documents.limits import Limits, TextBudget
from engine.documents.model import ExtractedDocument
from engine.documents.sections import SectionBuilder
from engine.documents.whitespace import normalize_inline

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*")
_ATX_CLOSING = re.compile(r"(?:^|[ \t]+)#+$")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*")
_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FRONT_MATTER_TITLE = re.compile(r"title:[ \t]*(.+)")
_MAX_FRONT_MATTER_LINES = 200


def extract_markdown(path: Path, limits: Limits) -> ExtractedDocument:
    text, raw = read_text(path, limits)
    budget = TextBudget(limits.max_text_chars)
    builder = SectionBuilder(budget, limits.max_heading_chars)
    lines = text.split("\n")
    del text
    title, start = _front_matter(lines)
    _parse(lines, start, builder)
    sections = builder.sections()
    if not sections:
        raise no_text(path)
    return ExtractedDocument(
        path=str(path),
        kind="markdown",
        title=title or builder.title or path.name,
        sections=sections,
        pages=None,
        size=raw.size,
        notice=read_notice(raw, limits, budget),
    )


def _front_matter(lines: list[str]) -> tuple[str | None, int]:
    """(title, index of the first line after the front matter)."""
    if not lines or lines[0].rstrip() != "---":
        return None, 0
    for i in range(1, min(len(lines), _MAX_FRONT_MATTER_LINES)):
        if lines[i].rstrip() in ("---", "..."):
            title = None
            for line in lines[1:i]:
                m = _FRONT_MATTER_TITLE.fullmatch(line.rstrip())
                if m:
                    title = normalize_inline(m.group(1).strip().strip("\"'")) or None
                    break
            return title, i + 1
    return None, 0


def _parse(lines: list[str], start: int, builder: SectionBuilder) -> None:
    paragraph: list[str] = []
    fence: tuple[str, int] | None = None  # (fence character, length) while inside code
    code: list[str] = []
    in_comment = False

    def flush() -> None:
        if paragraph:
            builder.paragraph("\n".join(paragraph))
            paragraph.clear()

    for raw_line in lines[start:]:
        if builder.full:
            return
        line = raw_line.rstrip("\r")
        if fence is not None:
            code.append(line)
            m = _FENCE.fullmatch(line)
            closes = m and m.group(1)[0] == fence[0] and len(m.group(1)) >= fence[1]
            if m and closes and not m.group(2).strip():
                builder.paragraph("\n".join(code), preformatted=True)
                code.clear()
                fence = None
            continue
        if in_comment:
            end = line.find("-->")
            if end < 0:
                continue
            in_comment = False
            line = line[end + 3 :]
        if "<!--" in line:
            line = _COMMENT.sub("", line)
            opened = line.find("<!--")
            if opened >= 0:
                in_comment = True
                line = line[:opened]
            if not line.strip():
                continue
        m = _FENCE.fullmatch(line)
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            flush()
            fence = (m.group(1)[0], len(m.group(1)))
            code.append(line)
            continue
        if not line.strip():
            flush()
            continue
        m = _ATX.fullmatch(line)
        if m:
            flush()
            builder.heading(len(m.group(1)), _ATX_CLOSING.sub("", m.group(2) or ""))
            continue
        m = _SETEXT.fullmatch(line)
        if m and paragraph and not _LIST_ITEM.match(paragraph[0]):
            # The paragraph above the underline is the heading (CommonMark); under a list
            # item, "---" is a thematic break.
            builder.heading(1 if m.group(1)[0] == "=" else 2, " ".join(paragraph))
            paragraph.clear()
            continue
        if _THEMATIC_BREAK.fullmatch(line):
            flush()
            continue
        paragraph.append(line)
    flush()
    if code:
        # An unclosed fence runs to the end of the document.
        builder.paragraph("\n".join(code), preformatted=True)
