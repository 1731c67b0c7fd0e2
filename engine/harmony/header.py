"""Parsing a harmony message header: the text between ``<|start|>`` and ``<|message|>``.

A header names the author, then optionally ``to=RECIPIENT``, ``<|channel|>NAME`` and a content
type (``json`` or ``<|constrain|>json``). gpt-oss does not always use the order the renderer
writes: it often puts the recipient after the channel
(``<|channel|>commentary to=functions.x <|constrain|>json``). Parsing is therefore by shape, not
position, and never fails: a header that makes no sense yields ``None`` fields, which callers
treat as "not the final answer".
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.harmony.tokens import CHANNEL_TEXT, CONSTRAIN_TEXT

_RECIPIENT_PREFIX = "to="


@dataclass(frozen=True)
class MessageHeader:
    channel: str | None = None
    recipient: str | None = None
    content_type: str | None = None  # "json" for both " json" and "<|constrain|>json"


def parse_header(text: str, *, implicit_role: bool) -> MessageHeader:
    """Parse header text (special tokens written in their text form).

    ``implicit_role`` is set when the prompt already wrote ``<|start|>assistant``, so the header
    text starts after the role; otherwise its first word is the author (a role or tool name).
    """
    channel, text = _take_channel(text)
    # A content type marker may be glued to the word before it ("to=x<|constrain|>json").
    parts = text.replace(CONSTRAIN_TEXT, " " + CONSTRAIN_TEXT).split()
    if parts and _is_author(parts[0], implicit_role):
        parts.pop(0)

    recipient: str | None = None
    constrained: str | None = None
    others: list[str] = []
    index = 0
    while index < len(parts):
        part = parts[index]
        if part.startswith(_RECIPIENT_PREFIX):
            recipient = recipient or part.removeprefix(_RECIPIENT_PREFIX) or None
        elif part.startswith(CONSTRAIN_TEXT):
            value = part.removeprefix(CONSTRAIN_TEXT)
            # "<|constrain|> json" (with a space) names the type in the next word.
            if not value and index + 1 < len(parts) and not _is_marked(parts[index + 1]):
                index += 1
                value = parts[index]
            constrained = constrained or value or None
        elif "<|" not in part:  # leftover markers (a second channel...) are noise
            others.append(part)
        index += 1
    # Without a constrain marker, a bare trailing word is the content type ("... json").
    content_type = constrained or (others[-1] if others else None)
    return MessageHeader(channel, recipient, content_type)


def _take_channel(text: str) -> tuple[str | None, str]:
    """The channel name after the first channel marker, and the header without them."""
    at = text.find(CHANNEL_TEXT)
    if at < 0:
        return None, text
    rest = text[at + len(CHANNEL_TEXT) :]
    end = next((i for i, char in enumerate(rest) if char.isspace() or char == "<"), len(rest))
    # Keep the words around the channel apart: "to=x<|channel|>c<y" leaves "to=x <y", not "to=x<y".
    return rest[:end] or None, f"{text[:at]} {rest[end:]}"


def _is_author(word: str, implicit_role: bool) -> bool:
    if implicit_role:
        return word == "assistant"
    return not _is_marked(word)


def _is_marked(word: str) -> bool:
    return word.startswith((_RECIPIENT_PREFIX, CONSTRAIN_TEXT))
