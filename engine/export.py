"""A conversation branch as Markdown or JSON, and an atomic write to put it on disk.

An export reads a fixed list of fields and nothing else: role, content, times, the incomplete
flag, the model and effort, a few statistics, the text of the filtered reasoning segments (a
withheld segment only as ``[withheld: <categories>]``), the summary's text, the names and page
counts of the documents attached to a question, and the places an answer cites (file name, page,
heading). Whatever else a stored reasoning or meta dict might hold — redaction offsets, errors,
the documents' paths and excerpts, or keys added later — never reaches a file the user shares.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from engine.store import Conversation, StoredMessage

FORMAT = "lanterna.conversation/1"

_ROLE_LABELS = {"user": "You", "assistant": "Assistant", "system": "System", "tool": "Tool"}


def iso_utc(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat(timespec="seconds")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: Any) -> int | float | None:
    # bool is an int to Python, and NaN/inf would make the JSON invalid.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) else None


def _withheld_marker(segment: dict[str, Any]) -> str:
    raw = segment.get("categories")
    categories = [c for c in raw if isinstance(c, str)] if isinstance(raw, list) else []
    return f"[withheld: {', '.join(categories)}]" if categories else "[withheld]"


def _segments(msg: StoredMessage) -> list[tuple[str, bool]]:
    """(text, withheld) per segment: the filtered text, or a withheld segment's marker."""
    raw = msg.reasoning.get("segments")
    if not isinstance(raw, list):
        return []
    out: list[tuple[str, bool]] = []
    for segment in raw:
        if not isinstance(segment, dict):
            continue
        if segment.get("withheld"):
            out.append((_withheld_marker(segment), True))
            continue
        text = _text(segment.get("text"))
        if text:
            out.append((text, False))
    return out


def reasoning_segments(msg: StoredMessage) -> list[str]:
    """The text of each filtered segment; a withheld one as its marker only."""
    return [text for text, _ in _segments(msg)]


def reasoning_summary(msg: StoredMessage) -> str | None:
    summary = msg.reasoning.get("summary")
    if not isinstance(summary, dict):
        return None
    text = _text(summary.get("text"))
    return text if text and text.strip() else None


def message_stats(msg: StoredMessage) -> dict[str, int | float]:
    candidates = {
        "reasoning_tokens": _number(msg.reasoning.get("tokens")),
        "reasoning_seconds": _number(msg.reasoning.get("seconds")),
        "tokens_per_s": _number(msg.meta.get("tokens_per_s")),
        "ttft_ms": _number(msg.meta.get("ttft_ms")),
    }
    return {k: v for k, v in candidates.items() if v is not None}


def _model(msg: StoredMessage) -> str | None:
    return _text(msg.meta.get("model")) or None


def _effort(msg: StoredMessage) -> str | None:
    # The app records the effort it asked for in meta; the worker's report in reasoning.
    return _text(msg.meta.get("effort")) or _text(msg.reasoning.get("effort")) or None


def attachments(msg: StoredMessage) -> list[dict[str, Any]]:
    """The documents attached to a question: name, and pages when known."""
    raw = msg.meta.get("attachments")
    out: list[dict[str, Any]] = []
    for item in raw if isinstance(raw, list) else []:
        name = _text(item.get("name")) if isinstance(item, dict) else None
        if not name:
            continue
        doc: dict[str, Any] = {"name": name}
        pages = _number(item.get("pages"))
        if isinstance(pages, int) and pages > 0:
            doc["pages"] = pages
        out.append(doc)
    return out


def sources(msg: StoredMessage) -> list[dict[str, Any]]:
    """The places an answer cites: file name, and page or heading when known."""
    raw = msg.meta.get("sources")
    out: list[dict[str, Any]] = []
    for item in raw if isinstance(raw, list) else []:
        name = _text(item.get("file")) if isinstance(item, dict) else None
        if not name:
            continue
        place: dict[str, Any] = {"file": name}
        page = _number(item.get("page"))
        heading = _text(item.get("heading"))
        if isinstance(page, int) and page > 0:
            place["page"] = page
        elif heading:
            place["heading"] = heading
        if place not in out:
            out.append(place)
    return out


def export_json(conv: Conversation, path: list[StoredMessage]) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    for msg in path:
        item: dict[str, Any] = {
            "role": msg.role,
            "content": msg.content,
            "created": iso_utc(msg.created),
            "incomplete": msg.incomplete,
        }
        docs = attachments(msg) if msg.role == "user" else []
        if docs:
            item["attachments"] = docs
        if msg.role == "assistant":
            model, effort = _model(msg), _effort(msg)
            if model is not None:
                item["model"] = model
            if effort is not None:
                item["effort"] = effort
            stats = message_stats(msg)
            if stats:
                item["stats"] = stats
            reasoning: dict[str, Any] = {}
            segments = reasoning_segments(msg)
            if segments:
                reasoning["segments"] = segments
            summary = reasoning_summary(msg)
            if summary is not None:
                reasoning["summary"] = summary
            if reasoning:
                item["reasoning"] = reasoning
            cited = sources(msg)
            if cited:
                item["sources"] = cited
        messages.append(item)
    return {
        "format": FORMAT,
        "title": conv.title,
        "created": iso_utc(conv.created),
        "updated": iso_utc(conv.updated),
        "messages": messages,
    }


def _blockquote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines())


def _stats_line(msg: StoredMessage) -> str | None:
    stats = message_stats(msg)
    parts: list[str] = []
    effort = _effort(msg)
    if effort is not None:
        parts.append(f"effort {effort}")
    tokens = stats.get("reasoning_tokens")
    if tokens:
        seconds = stats.get("reasoning_seconds")
        took = f" in {seconds:.1f} s" if seconds else ""
        parts.append(f"{int(tokens)} reasoning tokens{took}")
    if "tokens_per_s" in stats:
        parts.append(f"{stats['tokens_per_s']:.1f} tokens/s")
    if "ttft_ms" in stats:
        parts.append(f"first token after {stats['ttft_ms']:.0f} ms")
    return f"*{' · '.join(parts)}*" if parts else None


def _reasoning_block(msg: StoredMessage) -> str | None:
    segments = _segments(msg)
    summary = reasoning_summary(msg)
    if not segments and summary is None:
        return None
    # Segments are consecutive pieces of one stream: joined, they read as the text did. A
    # marker gets a space on each side that lacks one, so it does not stick to the words.
    body = ""
    after_marker = False
    for text, withheld in segments:
        if body and (withheld or after_marker) and not body[-1].isspace() and text[:1] != " ":
            body += " "
        body += text
        after_marker = withheld
    lines = ["**Reasoning**"]
    body = body.strip()
    if body:
        lines += ["", body]
    if summary is not None:
        lines += ["", f"**Summary:** {summary.strip()}"]
    return _blockquote("\n".join(lines))


def _attachments_line(msg: StoredMessage) -> str | None:
    docs = [
        f"{d['name']} ({d['pages']} pages)" if d.get("pages") else d["name"]
        for d in attachments(msg)
    ]
    return f"*Attached: {', '.join(docs)}*" if docs else None


def _sources_block(msg: StoredMessage) -> str | None:
    lines = []
    for number, place in enumerate(sources(msg), 1):
        where = f", p. {place['page']}" if "page" in place else ""
        where = where or (f", {place['heading']}" if "heading" in place else "")
        lines.append(f"{number}. {place['file']}{where}")
    return "**Sources**\n\n" + "\n".join(lines) if lines else None


def export_markdown(conv: Conversation, path: list[StoredMessage]) -> str:
    title = " ".join(conv.title.split()) or "Untitled conversation"
    sections: list[str] = []
    for msg in path:
        label = _ROLE_LABELS.get(msg.role, msg.role.capitalize() or "Message")
        model = _model(msg) if msg.role == "assistant" else None
        head = f"**{label}**" + (f" ({model})" if model else "")
        parts = [head, msg.content.strip() or "*(no text)*"]
        attached = _attachments_line(msg) if msg.role == "user" else None
        if attached is not None:
            parts.insert(1, attached)
        if msg.incomplete:
            parts.append("*(incomplete)*")
        if msg.role == "assistant":
            block = _reasoning_block(msg)
            if block is not None:
                parts.append(block)
            cited = _sources_block(msg)
            if cited is not None:
                parts.append(cited)
            stats = _stats_line(msg)
            if stats is not None:
                parts.append(stats)
        sections.append("\n\n".join(parts))
    body = "\n\n---\n\n".join(sections)
    return f"# {title}\n\n{body}\n" if body else f"# {title}\n"
