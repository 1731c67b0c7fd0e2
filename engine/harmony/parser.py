"""Streaming parser for what gpt-oss generates after a harmony prompt.

Generation starts right after the prompt's ``<|start|>assistant``, i.e. inside a message header.
The model then writes messages such as::

    <|channel|>analysis<|message|>...<|end|><|start|>assistant<|channel|>final<|message|>...<|return|>

Tokens arrive one at a time with their bytes (a multi-byte character may be split across tokens).
The parser turns them into content deltas and message ends, labelled with the message's channel.

Safety: downstream shows only ``final`` content to the user and treats every other channel as
reasoning. So text is labelled ``final`` only when its own message header names exactly that
channel; anything unclear (missing channel, overlong header, content outside a message) is
labelled with whatever the header said, or ``None``, never ``final``. The parser accepts any
token sequence without raising, and memory for garbage is bounded: headers are capped and text
outside a message is dropped.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Final, Literal

from engine.harmony import tokens
from engine.harmony.header import MessageHeader, parse_header

StopReason = Literal["end", "call", "return", "interrupted"]

# Real headers are a few dozen characters; beyond this the header is garbage and is discarded.
MAX_HEADER_CHARS: Final = 256

_STOPS: Final[dict[int, StopReason]] = {
    tokens.END: "end",
    tokens.CALL: "call",
    tokens.RETURN: "return",
}
_NO_HEADER: Final = MessageHeader()


@dataclass(frozen=True)
class HarmonyDelta:
    """A piece of message content, as soon as it decodes."""

    channel: str | None
    recipient: str | None
    text: str


@dataclass(frozen=True)
class HarmonyMessageEnd:
    """A message is complete (or cut off); ``text`` is its whole content."""

    channel: str | None
    recipient: str | None
    content_type: str | None
    text: str
    stop: StopReason


HarmonyEvent = HarmonyDelta | HarmonyMessageEnd


def _utf8_decoder() -> codecs.IncrementalDecoder:
    return codecs.getincrementaldecoder("utf-8")(errors="replace")


class _HeaderBuffer:
    """Header text collected across tokens, with special markers in their text form."""

    def __init__(self, *, implicit_role: bool) -> None:
        self.implicit_role = implicit_role
        self._parts: list[str] = []
        self._length = 0
        self._overflowed = False
        self._decoder = _utf8_decoder()

    def add_bytes(self, piece: bytes) -> None:
        if not self._overflowed:
            self._add_text(self._decoder.decode(piece))

    def add_marker(self, marker: str) -> None:
        # A marker ends the text before it; bytes left hanging there cannot complete later.
        self._flush()
        self._add_text(marker)

    def is_empty(self) -> bool:
        self._flush()
        return not self._overflowed and self._length == 0

    def parse(self) -> MessageHeader:
        self._flush()
        if self._overflowed:
            return _NO_HEADER
        return parse_header("".join(self._parts), implicit_role=self.implicit_role)

    def _flush(self) -> None:
        if not self._overflowed:
            self._add_text(self._decoder.decode(b"", final=True))

    def _add_text(self, text: str) -> None:
        if not text or self._overflowed:
            return
        if self._length + len(text) > MAX_HEADER_CHARS:
            self._overflowed = True
            self._parts.clear()
            return
        self._parts.append(text)
        self._length += len(text)


class _Content:
    """The content of the message being generated."""

    def __init__(self, header: MessageHeader) -> None:
        self.header = header
        self._parts: list[str] = []
        self._decoder = _utf8_decoder()

    def add_bytes(self, piece: bytes, *, final: bool = False) -> list[HarmonyEvent]:
        text = self._decoder.decode(piece, final=final)
        if not text:
            return []
        self._parts.append(text)
        return [HarmonyDelta(self.header.channel, self.header.recipient, text)]

    def close(self, stop: StopReason) -> list[HarmonyEvent]:
        events = self.add_bytes(b"", final=True)
        header = self.header
        text = "".join(self._parts)
        events.append(
            HarmonyMessageEnd(header.channel, header.recipient, header.content_type, text, stop)
        )
        return events


class HarmonyStreamParser:
    """Feed each generated token with its bytes; collect the events it returns."""

    def __init__(self) -> None:
        # The prompt ended with "<|start|>assistant": the first header is already open.
        self._header: _HeaderBuffer | None = _HeaderBuffer(implicit_role=True)
        self._content: _Content | None = None
        self._done = False

    @property
    def done(self) -> bool:
        """True once the model returned (``<|return|>``) or called a tool (``<|call|>``)."""
        return self._done

    def feed(self, token: int, piece: bytes) -> list[HarmonyEvent]:
        """Process one token; ``piece`` is its bytes (ignored for special tokens)."""
        if self._done:
            return []
        if token == tokens.START:
            # Content without its <|end|> is cut off here; a header not yet followed by content
            # is simply replaced, having said nothing.
            events = self._close("interrupted") if self._content is not None else []
            self._header = _HeaderBuffer(implicit_role=False)
            return events
        if token == tokens.MESSAGE:
            return self._open_content()
        if token in (tokens.CHANNEL, tokens.CONSTRAIN):
            self._add_marker(token)
            return []
        stop = _STOPS.get(token)
        if stop is not None:
            events = self._close(stop)
            self._done = stop != "end"
            return events
        if tokens.is_special(token):
            return []  # reserved and unused specials carry no text and no structure
        if self._content is not None:
            return self._content.add_bytes(piece)
        if self._header is not None:
            self._header.add_bytes(piece)
        # Text between messages (after <|end|>, before <|start|>) belongs to nothing: dropped.
        return []

    def finish(self) -> list[HarmonyEvent]:
        """End of generation: close whatever is open as ``interrupted``."""
        if self._done:
            return []
        return self._close("interrupted")

    def _open_content(self) -> list[HarmonyEvent]:
        if self._content is not None:
            return []  # a stray <|message|> inside content: not text, not structure
        # Right after <|end|> there is no header at all: the content's channel is unknown.
        header = self._header.parse() if self._header is not None else _NO_HEADER
        self._header = None
        self._content = _Content(header)
        return []

    def _add_marker(self, token: int) -> None:
        if self._content is not None:
            return
        if self._header is None:
            if token != tokens.CHANNEL:
                return
            # "<|end|><|channel|>final..." without "<|start|>assistant": a header all the same.
            self._header = _HeaderBuffer(implicit_role=True)
        self._header.add_marker(tokens.TEXT_OF[token])

    def _close(self, stop: StopReason) -> list[HarmonyEvent]:
        """Close the open message, if any; a header never followed by content ends empty."""
        events: list[HarmonyEvent] = []
        if self._content is not None:
            events = self._content.close(stop)
        elif self._header is not None and not self._header.is_empty():
            header = self._header.parse()
            events = [
                HarmonyMessageEnd(header.channel, header.recipient, header.content_type, "", stop)
            ]
        self._content = None
        self._header = None
        return events
