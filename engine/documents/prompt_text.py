"""The text that carries attached documents into a prompt: whole, as passages, as tool results.

Every block goes at the start of the user message the documents belong to (whole documents) or
of the question they answer (passages). Nothing here depends on the turn being answered, so a
conversation renders to the same text at every turn and a follow-up reuses the cached prefix.

Markers name the place of each piece of text — ``[p. 12]`` for a PDF page, ``[§ Install ›
Linux]`` for a heading — and the blocks ask the model to cite them the same way, so an answer's
"[report.pdf, p. 12]" can be checked against the sources shown beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from engine.documents.chunking import Chunk
from engine.documents.index import Hit, IndexedDocument

WHOLE_INTRO = (
    "The user attached the documents below. Answer from them; when you use a document, cite "
    "it with its file name and the page or section marker, like [report.pdf, p. 3]."
)
PASSAGES_INTRO = (
    "Passages of the attached documents that match this message (the documents are too long "
    "to include whole). Answer from them and cite the file and page or section, like "
    "[report.pdf, p. 3]; say so if they do not hold the answer."
)
TOOL_HINT = "You can search the documents for more with documents.search."


def place(page: int | None, heading: str | None) -> str:
    """The marker of a place in a document: ``p. 12``, ``§ Install › Linux``, or empty."""
    if page is not None:
        return f"p. {page}"
    if heading:
        return f"§ {heading}"
    return ""


def document_text(chunks: Sequence[Chunk]) -> str:
    """A document's text rebuilt from its chunks in order, a marker wherever the place changes.

    Consecutive chunks of one section overlap; only the part past the previous chunk's end is
    added, so the text appears once. (The index keeps only chunk text: storing the documents
    again would double its size.)
    """
    out: list[str] = []
    last_place: str | None = None
    previous: Chunk | None = None
    for chunk in chunks:
        marker = place(chunk.page, chunk.heading)
        if marker != last_place:
            if out:
                out.append("\n\n")
            if marker:
                out.append(f"[{marker}]\n")
            last_place = marker
            previous = None
        if previous is not None and previous.section == chunk.section:
            if chunk.start < previous.end:
                text = chunk.text[previous.end - chunk.start :]
            else:
                text = "\n" + chunk.text
        else:
            if previous is not None:
                out.append("\n\n")
            text = chunk.text
        out.append(text)
        previous = chunk
    return "".join(out).strip()


def whole_block(documents: Sequence[tuple[IndexedDocument, str]]) -> str:
    """Whole documents, each in a ``<document>`` element with its name and size."""
    parts = ["<documents>", WHOLE_INTRO]
    for doc, text in documents:
        attrs = f'name="{_attr(Path(doc.path).name)}"'
        if doc.title and doc.title != Path(doc.path).name:
            attrs += f' title="{_attr(doc.title)}"'
        if doc.pages is not None:
            attrs += f' pages="{doc.pages}"'
        parts.append(f"<document {attrs}>\n{text}\n</document>")
    parts.append("</documents>")
    return "\n\n".join(parts)


def listing_block(documents: Sequence[IndexedDocument]) -> str:
    """What was attached, when the documents themselves are not in the prompt."""
    lines = ["<attached>"]
    for doc in documents:
        size = f"{doc.pages} pages" if doc.pages is not None else f"about {doc.tokens:,} tokens"
        lines.append(f"- {Path(doc.path).name} ({size})")
    lines.append("</attached>")
    return "\n".join(lines)


def passages_block(hits: Sequence[Hit], tool: bool) -> str:
    intro = PASSAGES_INTRO + (f" {TOOL_HINT}" if tool else "")
    if not hits:
        return f"<passages>\n{intro}\n\n(no passage matches this message)\n</passages>"
    return f"<passages>\n{intro}\n\n{hits_text(hits)}\n</passages>"


def hits_text(hits: Sequence[Hit]) -> str:
    """Hits as numbered passages, each headed by its file and place."""
    parts: list[str] = []
    for n, hit in enumerate(hits, 1):
        marker = place(hit.chunk.page, hit.chunk.heading)
        where = f", {marker}" if marker else ""
        parts.append(f"[{n}] {Path(hit.chunk.path).name}{where}\n{hit.chunk.text.strip()}")
    return "\n\n".join(parts)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
