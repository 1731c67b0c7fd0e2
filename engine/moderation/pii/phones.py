"""Phone numbers of the users' countries (Brazil, Portugal, Spain, the NANP) and international
ones.

- A number needs a phone shape: a ``+``/``00`` country prefix, a known national grouping
  (``(11) 98765-4321``, ``11 98765-4321``, ``912 345 678``, ``612 34 56 78``, ``(415) 555-0132``,
  ``415-555-0132``) or, for a bare digit run, a phone word (phone, tel, telefone, teléfono, móvil,
  celular, WhatsApp, ligar, llamar, contacto, "call me"…) at most 25 characters before it with
  no digits in between.
- 8–15 digits; Brazilian area codes must exist, NANP area and exchange codes start with 2–9.
- Dates, decimals, thousands-grouped numbers, lists of one-digit groups and round numbers
  (``900 000 000``) are rejected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from engine.moderation.pii.boundaries import (
    NUM_L,
    NUM_R,
    after_currency,
    digits_of,
    keyword_matches,
    number,
)
from engine.moderation.pii.found import Found

# A group after the country code: separator + digits, or a parenthesised area code. Digit runs are
# possessive so a long number is split into groups in one way only (no backtracking blow-up).
_GROUP = r"(?:[ .\-]?\([0-9]{1,4}\)|[ .\-][0-9]++|(?<=\))[0-9]++)"
# "+" or "00" before a country code, written as one character and a check for the second "0".
_PLUS_OR_00 = (r"[+0]", r"(?:(?<=\+)|(?<=0)0)")
_PHONE_SHAPES: tuple[re.Pattern[str], ...] = tuple(
    number(first, rest)
    for first, rest in (
        # Country-specific international forms first: their spans are exact even when another
        # number follows.
        (
            _PLUS_OR_00[0],
            _PLUS_OR_00[1] + r"351[ \-]?(?:9[1236][0-9]|2[1-9][0-9])[ \-]?[0-9]{3}[ \-]?[0-9]{3}",
        ),
        (
            _PLUS_OR_00[0],
            _PLUS_OR_00[1]
            + r"34[ \-]?[6-9][0-9]{2}(?:[ \-]?[0-9]{3}[ \-]?[0-9]{3}|(?:[ \-]?[0-9]{2}){3})",
        ),
        (
            _PLUS_OR_00[0],
            _PLUS_OR_00[1] + r"55[ \-]?(?:\([1-9][0-9]\)|[1-9][0-9])[ \-]?"
            r"(?:9[0-9]{4}|[2-5][0-9]{3})[ \-]?[0-9]{4}",
        ),
        (r"\+", r"1[ .\-]?(?:\([2-9][0-9]{2}\)|[2-9][0-9]{2})[ .\-]?[2-9][0-9]{2}[ .\-]?[0-9]{4}"),
        (r"\+", r"[1-9][0-9]*+" + _GROUP + "{0,7}"),
        # Brazil: (11) 98765-4321, (21) 3456-7890, 11 98765-4321
        (r"\(", r"[1-9][0-9]\) ?(?:9[0-9]{4}|[2-5][0-9]{3})[ \-]?[0-9]{4}"),
        (r"[1-9]", r"[0-9] (?:9[0-9]{4}|[2-5][0-9]{3})-[0-9]{4}"),
        # NANP: (415) 555-0132, 415-555-0132, 415.555.0132, 415 555 0132
        (r"\(", r"[2-9][0-9]{2}\) ?[2-9][0-9]{2}[ .\-][0-9]{4}"),
        (r"[2-9]", r"[0-9]{2}([ .\-])[2-9][0-9]{2}\1[0-9]{4}"),
        # Portugal / Spain: 912 345 678, 212 345 678, 612 345 678, 612 34 56 78, 91 562 38 14
        (r"[26-9]", r"(?:(?<=2)[1-9]|(?<=[6-9])[0-9])[0-9]([ \-])[0-9]{3}\1[0-9]{3}"),
        (r"[6-9]", r"[0-9]{2}([ \-])[0-9]{2}\1[0-9]{2}\1[0-9]{2}"),
        (r"[6-9]", r"[0-9]([ \-])[0-9]{3}\1[0-9]{2}\1[0-9]{2}"),
    )
)
# Words that make a bare digit run a phone number; "[" excluded so "[phone]" is not one.
_PHONE_WORD = (
    r"(?<![\w\[])(?i:phone|telephone|tel|tlf|tlm|fone|telefone|tel[eé]fono|telem[oó]vel|"
    r"m[oó]vil|cell|cellphone|celular|mobile|whats\s?app|ligar|ligue|liga-me|me\s+liga|"
    r"contacto|contato|ll[aá]m(?:ar|ad|ame|e|en|eme|enme)|call\s+(?:me|us)|text\s+me|fax|sms)"
    r"(?!\w)"
)
_PHONE_KEYWORDED = re.compile(
    _PHONE_WORD
    + r"[^0-9\[\]]{0,25}?"
    + NUM_L
    + rf"((?:\+[1-9][0-9]*+|\b00[1-9][0-9]*+|\([0-9]{{1,4}}\)|[0-9]++){_GROUP}{{0,7}})"
    + NUM_R
)
# Where phone words may start, searched in the lower-cased text: a case-insensitive search is
# several times slower than lower-casing and searching case-sensitively.
_PHONE_WORD_STARTS = re.compile(
    r"tel|fone|phone|m[oó]v|cel|mobile|whats|lig|me\s+liga|contat|contact|ll[aá]m|call|text|fax|"
    r"sms|tlf|tlm"
)
# Brazilian area codes (DDD) in use.
_BR_DDD = frozenset({
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "22", "24", "27", "28", "31", "32",
    "33", "34", "35", "37", "38", "41", "42", "43", "44", "45", "46", "47", "48", "49", "51", "53",
    "54", "55", "61", "62", "63", "64", "65", "66", "67", "68", "69", "71", "73", "74", "75", "77",
    "79", "81", "82", "83", "84", "85", "86", "87", "88", "89", "91", "92", "93", "94", "95", "96",
    "97", "98", "99",
})  # fmt: skip
_BR_NATIONAL = re.compile(r"\(?([1-9][0-9])\)? ?(?:9[0-9]{4}|[2-5][0-9]{3})[ \-]?[0-9]{4}")
# Dates written with dashes, slashes or dots: 2024-01-15, 15/01/2024.
_DATE = re.compile(
    r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}(?![0-9])|(?<![0-9])[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4}"
)


def _phone_ok(span: str) -> bool:
    digits = digits_of(span)
    if not 8 <= len(digits) <= 15 or _DATE.search(span):
        return False
    seps = re.findall(r"[ .\-]", span)
    groups = re.findall(r"[0-9]+", span)
    # 1234.5678 is a decimal, 12.345.678 a thousands-grouped count.
    dotted = bool(seps) and set(seps) == {"."}
    if dotted and (len(seps) == 1 or all(len(g) == 3 for g in groups[1:])):
        return False
    if sum(len(g) == 1 for g in groups[1:]) > 1:
        return False  # "+1 2 3 4 5 6 7 8" is a list; only "+33 6 12 …" has a one-digit group
    if len(groups) >= 3 and groups[-1] == groups[-2] == "000":
        return False  # 900 000 000 and the like: a round amount
    national = _BR_NATIONAL.fullmatch(span)
    return national is None or national[1] in _BR_DDD


def _phone_end(text: str, start: int, end: int) -> int | None:
    """End of the phone number that starts the match ``text[start:end]``, if any. A greedy shape
    can swallow a number written after the phone ("+44 20 7946 0958 12 34"), so shorter spans
    cut at a space are tried too."""
    while True:
        if _phone_ok(text[start:end]):
            return end
        cut = text.rfind(" ", start, end)
        if cut <= start:
            return None
        end = cut


def find_phones(text: str) -> Iterator[Found]:
    matches = [(m.start(), m.end()) for p in _PHONE_SHAPES for m in p.finditer(text)]
    for m in keyword_matches(text, _PHONE_WORD_STARTS, _PHONE_KEYWORDED):
        matches.append((m.start(1), m.end(1)))
    for start, end in matches:
        if after_currency(text, start):
            continue
        phone_end = _phone_end(text, start, end)
        if phone_end is not None:
            yield Found("phone", start, phone_end)
