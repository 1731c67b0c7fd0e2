"""Which part of a coming prompt can be read before its question is written.

While the user writes a question about attached documents, the worker can already read what the
prompt will hold before that question: the conversation so far and the documents that go whole
into the message (``engine.protocol.ReadAhead``). On a CPU that reading is most of the first
answer's wait (minutes for a long document), so doing it while the user types makes the answer
start almost at once.

What comes before the question does not depend on its words, but how much of it is the same
token for token depends on the chat template and the tokenizer. So the prompt is rendered for
two different stand-in questions and only the tokens the two renderings share are read: they
are exactly the tokens every question will share. (Whole documents are tokenized on their own,
``SpecialTextGuard.protect_block``, so the shared part runs to the end of the documents.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from engine.conversation import ChatMessage, ConversationError

# Two stand-in questions that differ from their first character.
PROBES: tuple[str, str] = ("A", "B")


def last_user_message(messages: Sequence[ChatMessage]) -> int:
    """Index of the message being written: the conversation must end with it."""
    if not messages or messages[-1].role != "user":
        raise ConversationError("a read-ahead needs the conversation to end with a user message")
    return len(messages) - 1


def with_text(messages: Sequence[ChatMessage], i: int, text: str) -> list[ChatMessage]:
    """``messages`` with message ``i``'s text replaced by ``text``."""
    out = list(messages)
    out[i] = replace(out[i], content=text)
    return out


def swap_text(messages: Sequence[ChatMessage], i: int, old: str, new: str) -> list[ChatMessage]:
    """``messages`` with the text ``old`` that ends message ``i`` replaced by ``new`` (what
    comes before it in that message, documents for example, stays)."""
    content = messages[i].content
    if not content.endswith(old):
        raise ValueError("the message does not end with the stand-in question")
    return with_text(messages, i, content[: len(content) - len(old)] + new)


def shared_start(a: Sequence[int], b: Sequence[int]) -> list[int]:
    """The tokens ``a`` and ``b`` start with."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return list(a[:n])
