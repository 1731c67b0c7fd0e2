r"""Where a number may start and end, shared by the number detectors (phone, card, cpf, cnpj, nif,
dni/nie), and the small text helpers they have in common.

Numbers never start or end inside a word, a longer number, a fraction or a version; a number
right after a currency sign (``R$``, ``€``, ``US$``) is an amount. A placeholder's ``[`` and ``]``
count as word characters, so a ``[kind]`` left by an earlier round never joins a neighbour into a
new match.

Digits are spelled ``[0-9]``: ``\d`` would also accept other scripts' digits, which nobody writes
these numbers in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Not inside a word or identifier, not after a sign, a currency, a dot (.123456789 is a fraction)
# or another number's separator (3,4, 12:30). A placeholder's "]" counts as a word character on
# the left, "[" on the right.
NUM_L = r"(?<![\w@#$€£¥%+\-/.\]])(?<![\w\]],)(?<![0-9\]]:)"
# The same test made one character later. A pattern that starts with a plain character class
# lets the regex engine skip to candidate positions; one that starts with a lookbehind is tried at
# every position, about three times slower.
NUM_L_AFTER_FIRST = r"(?<![\w@#$€£¥%+\-/.\]].)(?<![\w\]],.)(?<![0-9\]]:.)"
# Not followed by a word character, "@" (a mail local part), "%", a placeholder's "[", or a
# separator that continues the number (decimal, version, date, range).
NUM_R = r"(?![\w@%\[]|[.,:/\-][0-9])"
NUM_END = re.compile(NUM_R)


def number(first: str, rest: str) -> re.Pattern[str]:
    """A number pattern: ``first`` (one character) + ``rest``, with both boundaries."""
    return re.compile(first + NUM_L_AFTER_FIRST + rest + NUM_R)


DIGIT = re.compile(r"[0-9]")
# Seven digits with at most two separator characters between neighbours: every number detector
# (phone, card, cpf, cnpj, nif, dni/nie) needs at least that, and most technical text has none.
LONG_NUMBER = re.compile(r"[0-9](?:[ .\-/()+]{0,2}[0-9]){6}")
# $, €, R$, US$ … starting a word (a "$" inside a password is not a currency), or an ISO code.
_CURRENCY_BEFORE = re.compile(r"(?:(?<![\w$])[A-Z]{0,2}[$€£¥]|\b(?i:USD|EUR|BRL|GBP))\s*\Z")


def keyword_matches(
    text: str, starts: re.Pattern[str], pattern: re.Pattern[str]
) -> Iterator[re.Match[str]]:
    """Matches of ``pattern`` (which begins with a keyword) tried only where ``starts`` finds the
    beginning of a keyword in the lower-cased text."""
    lowered = text.lower()
    if len(lowered) != len(text):
        # A few characters grow when lower-cased ("İ"): positions would not line up.
        yield from pattern.finditer(text)
        return
    for hint in starts.finditer(lowered):
        m = pattern.match(text, hint.start())
        if m is not None:
            yield m


def digits_of(text: str) -> str:
    return "".join(ch for ch in text if "0" <= ch <= "9")


def after_currency(text: str, start: int) -> bool:
    return _CURRENCY_BEFORE.search(text, max(0, start - 6), start) is not None
