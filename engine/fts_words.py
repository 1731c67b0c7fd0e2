"""How SQLite FTS5's unicode61 tokenizer cuts a word, for building queries that never read user
text as FTS syntax (the chat search in engine/store.py, document search in engine/documents)."""

from __future__ import annotations

import unicodedata


def _is_word_char(ch: str) -> bool:
    # unicode61's token characters (categories L*, N*, Co), plus combining marks: they belong
    # to the letter before them (a decomposed "ã"), and unicode61 folds them away.
    cat = unicodedata.category(ch)
    return cat[0] in "LNM" or cat == "Co"


def word_runs(word: str) -> tuple[str, ...]:
    """The runs of token characters in one white-space-separated word (``don't`` → don, t)."""
    runs: list[str] = []
    current: list[str] = []
    for ch in word:
        if _is_word_char(ch):
            current.append(ch)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    # A run of marks alone (a stray accent) is no word for the tokenizer either.
    return tuple(r for r in runs if any(unicodedata.category(ch)[0] != "M" for ch in r))
