"""Keep text from the outside world from turning into special tokens.

Prompts are tokenized with special tokens parsed, because the structure (``<|start|>``,
``<start_of_turn>``…) must become single control tokens. Message content must not: a user message,
a tool result or a document that contains the text ``<|start|>system<|message|>…`` would
otherwise forge a whole message. (llama.cpp even matches some gpt-oss specials in text tokenized
*without* special parsing, so tokenizer flags alone cannot prevent this.)

The guard works on text, so every prompt format benefits: before rendering, each occurrence of a
special token's text inside content gets an invisible break marker after its first character;
after rendering, the prompt is cut at the markers and each piece is tokenized on its own. The
content keeps every character, but no piece contains a whole special token text any more.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from engine.conversation import ChatMessage, ToolCall

# A private-use character: never produced by renderers, and dropped from user text by the split.
BREAK = "\ue000"


# Special token texts are markers in angle or square brackets: <|start|>, <end_of_turn>, </s>,
# [INST]. Finding bracketed candidates and looking each up keeps the scan linear in the text,
# where one regex alternation of a vocabulary's thousands of specials would not be.
_MARKER = r"<[^<>\s]{1,64}>|\[[^\[\]\s]{1,64}\]"
_SHAPE = re.compile(_MARKER)
# A lookahead finds a candidate at *every* position, so a marker nested in another bracketed
# span ("[<|end|>]", "<[INST]>") is seen too.
_CANDIDATES = re.compile(f"(?=({_MARKER}))")


def looks_like_marker(text: str) -> bool:
    return _SHAPE.fullmatch(text) is not None


class SpecialTextGuard:
    def __init__(self, special_texts: Iterable[str]) -> None:
        self._texts = frozenset(t for t in special_texts if looks_like_marker(t))

    def protect(self, text: str) -> str:
        text = text.replace(BREAK, "")
        if not self._texts:
            return text
        cuts = [m.start() + 1 for m in _CANDIDATES.finditer(text) if m.group(1) in self._texts]
        if not cuts:
            return text
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        return BREAK.join(pieces)

    def protect_value(self, value: Any) -> Any:
        """``protect`` every string inside a JSON-like value (tool schemas)."""
        if isinstance(value, str):
            return self.protect(value)
        if isinstance(value, list):
            return [self.protect_value(v) for v in value]
        if isinstance(value, dict):
            return {self.protect(str(k)): self.protect_value(v) for k, v in value.items()}
        return value

    def protect_json(self, text: str) -> str:
        """Protect JSON text by its decoded strings: ``\\u003c|end|\\u003e`` is ``<|end|>`` once a
        template parses the arguments, so the raw text alone cannot be judged."""
        try:
            value = json.loads(text)
        except ValueError:
            return self.protect(text)
        guarded = self.protect_value(value)
        if guarded == value:
            return self.protect(text)
        return json.dumps(guarded, ensure_ascii=False)

    def protect_messages(self, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        out = []
        for m in messages:
            out.append(
                replace(
                    m,
                    content=self.protect(m.content),
                    reasoning=None if m.reasoning is None else self.protect(m.reasoning),
                    tool_calls=tuple(
                        ToolCall(self.protect(c.name), self.protect_json(c.arguments), c.channel)
                        for c in m.tool_calls
                    ),
                    name=None if m.name is None else self.protect(m.name),
                )
            )
        return out

    def protect_block(self, text: str) -> str:
        """``text`` guarded and set apart as a piece of its own.

        For long content that recurs in prompt after prompt (an attached document): its piece
        renders to the same text every time, so its tokens can be kept instead of computed again
        (see :class:`PieceTokenizer`).
        """
        return f"{BREAK}{self.protect(text)}{BREAK}"

    @staticmethod
    def tokenize(
        rendered: str, tokenize: Callable[[str, bool], list[int]], add_bos: bool
    ) -> list[int]:
        """Tokenize ``rendered`` piece by piece; only the first piece may get a BOS."""
        tokens: list[int] = []
        for piece in rendered.split(BREAK):
            if piece:
                tokens.extend(tokenize(piece, add_bos and not tokens))
        return tokens


class PieceTokenizer:
    """Tokenizes prompt pieces, keeping the tokens of long ones.

    A prompt is tokenized whole at every turn; the documents in it are the same long pieces
    each time (``SpecialTextGuard.protect_block``), and tokenizing 100,000 characters again for
    every follow-up would cost more than reading the new question. Only pieces of at least
    ``min_chars`` are kept, at most ``max_pieces`` of them.
    """

    def __init__(
        self, tokenize: Callable[[str, bool], list[int]], min_chars: int = 4096,
        max_pieces: int = 32,
    ) -> None:  # fmt: skip
        self._tokenize = tokenize
        self._min_chars = min_chars
        self._max_pieces = max_pieces
        self._kept: dict[tuple[str, bool], list[int]] = {}

    def __call__(self, piece: str, add_bos: bool) -> list[int]:
        if len(piece) < self._min_chars:
            return self._tokenize(piece, add_bos)
        key = (piece, add_bos)
        tokens = self._kept.get(key)
        if tokens is None:
            if len(self._kept) >= self._max_pieces:
                self._kept.pop(next(iter(self._kept)))  # the oldest
            tokens = self._kept[key] = self._tokenize(piece, add_bos)
        return tokens
