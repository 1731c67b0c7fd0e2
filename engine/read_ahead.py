"""Which part of a coming prompt can be read before its question is sent.

While the user writes a question about attached documents, the worker can already read the
prompt it will be sent with (``engine.protocol.ReadAhead``): the conversation so far, the
documents that go whole into the message and the question as written so far. On a CPU, reading
a long document is most of the first answer's wait (minutes), and even a question of twenty
tokens costs several times more after a long document than after a short conversation
(attention reads the whole cache); read while the user types, neither is waited for after Send.

Where the cache can be cut back to any point (``Backend.can_cut_back``), the prompt is read as
it would be sent now, but for its last token: a question sent as it was read starts answering
at once, and one written further or edited cuts the cache back to where it still matches. Where
it cannot (a sliding window that forgot the start would have everything read again), and for
documents searched by passages (chosen for the whole question, they come before its words),
only the part before the question's words is read. How much of the prompt that is, token for
token, depends on the chat template and the tokenizer: so the prompt is rendered with two
different stand-in questions and only the tokens the two renderings share are read (whole
documents are tokenized on their own, ``SpecialTextGuard.protect_block``, so the shared part runs
to the end of the documents).
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
