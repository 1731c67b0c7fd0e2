"""Split streamed model output into reasoning and answer at ``<think>…</think>`` tags.

Models such as Qwen3, QwQ and the DeepSeek-R1 family write their chain of thought between
``<think>`` and ``</think>`` before the answer. The worker feeds every detokenized piece to a
:class:`ThinkSplitter`, sends the ``"reasoning"`` pieces through the moderation filter (raw chain of
thought is never shown unfiltered) and the ``"final"`` pieces straight to the chat.

Rules, in order of importance:

- Text that might be reasoning is never emitted as ``"final"``. A piece that could be the start of
  a tag (``"<thi"``) is held back until the next piece says whether it is one; at most
  ``len("</think>") - 1`` characters are ever held back, so the answer never stalls.
- Inside a think block only ``</think>`` ends it; a nested ``<think>`` is ordinary reasoning text.
- Outside, ``<think>`` opens a block. A stray ``</think>`` outside any block is dropped rather than
  shown: it means the model reasoned without opening a block, which happens when the prompt
  already opened it — pass ``starts_in_think=True`` in that case (see
  ``engine.templates.generation_opens_think``).
- The tags themselves are never emitted. The answer usually starts with the newlines the model
  wrote after ``</think>``; callers strip them when displaying.
"""

from __future__ import annotations

from typing import Literal

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"

Channel = Literal["reasoning", "final"]
Piece = tuple[Channel, str]

_TAGS_IN_THINK: tuple[str, ...] = (THINK_CLOSE,)
_TAGS_IN_FINAL: tuple[str, ...] = (THINK_OPEN, THINK_CLOSE)


def _partial_tag_length(text: str, tags: tuple[str, ...]) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of one of ``tags``."""
    longest = min(len(text), max(len(tag) for tag in tags) - 1)
    for size in range(longest, 0, -1):
        tail = text[-size:]
        if any(tag.startswith(tail) for tag in tags):
            return size
    return 0


def _append(out: list[Piece], channel: Channel, text: str) -> None:
    # Merging neighbours keeps the event count low when a tag split produced two small pieces.
    if not text:
        return
    if out and out[-1][0] == channel:
        out[-1] = (channel, out[-1][1] + text)
    else:
        out.append((channel, text))


class ThinkSplitter:
    """Streaming router of model text into ``"reasoning"`` and ``"final"`` pieces.

    ``feed`` returns the pieces that are certain so far; ``finish`` flushes what was held back
    at the end of the stream (held-back text inside an unfinished think block stays reasoning).
    Feeding a text in any number of chunks gives the same merged pieces as feeding it whole.
    """

    def __init__(self, *, starts_in_think: bool = False) -> None:
        self._in_think = starts_in_think
        self._pending = ""

    @property
    def in_think(self) -> bool:
        """True while inside a think block, e.g. when the stream ended before ``</think>``."""
        return self._in_think

    def feed(self, text: str) -> list[Piece]:
        out: list[Piece] = []
        self._pending += text
        self._consume_tags(out)
        tags = _TAGS_IN_THINK if self._in_think else _TAGS_IN_FINAL
        keep = _partial_tag_length(self._pending, tags)
        ready = len(self._pending) - keep
        _append(out, self._channel(), self._pending[:ready])
        self._pending = self._pending[ready:]
        return out

    def finish(self) -> list[Piece]:
        out: list[Piece] = []
        # The stream is over, so a held-back "<thi" was never a tag; it keeps the channel it was
        # seen in, which inside a think block means reasoning.
        _append(out, self._channel(), self._pending)
        self._pending = ""
        return out

    def _channel(self) -> Channel:
        return "reasoning" if self._in_think else "final"

    def _consume_tags(self, out: list[Piece]) -> None:
        while True:
            if self._in_think:
                at = self._pending.find(THINK_CLOSE)
                if at < 0:
                    return
                _append(out, "reasoning", self._pending[:at])
                self._pending = self._pending[at + len(THINK_CLOSE) :]
                self._in_think = False
                continue
            opens = self._pending.find(THINK_OPEN)
            closes = self._pending.find(THINK_CLOSE)
            if opens < 0 and closes < 0:
                return
            # The two tags differ in their second character, so they never start at one index.
            if closes < 0 or 0 <= opens < closes:
                at, tag = opens, THINK_OPEN
            else:
                at, tag = closes, THINK_CLOSE
            _append(out, "final", self._pending[:at])
            self._pending = self._pending[at + len(tag) :]
            if tag == THINK_OPEN:
                self._in_think = True
