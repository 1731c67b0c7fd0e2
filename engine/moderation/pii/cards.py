"""Payment card numbers.

- A card needs Luhn *and* a known issuer prefix with that issuer's length (Visa, Mastercard,
  Amex, Discover, Diners, JCB, UnionPay, Maestro, Elo, Hipercard, Mir): Luhn alone passes one in
  ten 13–19 digit numbers, and millisecond timestamps or snowflake ids start with 1.
- Groupings are the printed ones (4-4-4-4…, 4-6-5, 4-6-4) with one kind of separator (space,
  hyphen or dot: ``4111.1111.1111.1111`` is common in Brazil), never inside a hyphenated or dotted
  token (ISBN, a version).
- A bare run of 17–19 digits is taken for a 64-bit id, not a card; long cards are found when
  grouped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from engine.moderation.pii.boundaries import NUM_END, NUM_L_AFTER_FIRST, after_currency
from engine.moderation.pii.checksums import card_issuer_ok, luhn_ok
from engine.moderation.pii.found import Found

# A maximal run of digit groups; the card is looked for among its consecutive groups, so a number
# written next to it ("in 2023 4111 1111 1111 1111") neither hides it nor joins it. Whether the
# last group may end a number is checked apart: "… 1111 1111abc" can still hold a card before it.
_DIGIT_CHUNK = re.compile(r"[0-9]" + NUM_L_AFTER_FIRST + r"[0-9]*+(?:[ .\-][0-9]++)*+")
_CARD_GROUPINGS: tuple[tuple[int, ...], ...] = ((4, 6, 5), (4, 6, 4))


def _card_grouping_ok(groups: list[str], seps: list[str]) -> bool:
    if not seps:
        return True
    if len(set(seps)) > 1:
        return False
    sizes = tuple(len(g) for g in groups)
    # 4-4-4-4, 4-4-4-4-3 …: fours with a shorter tail; Amex and Diners print 4-6-5 / 4-6-4.
    fours = all(s == 4 for s in sizes[:-1]) and 1 <= sizes[-1] <= 4
    return fours or sizes in _CARD_GROUPINGS


def _card_ok(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and card_issuer_ok(digits) and luhn_ok(digits)


def _card_end(groups: list[str], seps: list[str], i: int, open_end: bool) -> int | None:
    """End (exclusive group index) of the longest card starting at group ``i``, if any.
    ``open_end``: the chunk's last group is not glued to a word or a longer number."""
    ends: list[int] = []
    size = 0
    # Every printed grouping starts with four digits; otherwise only a bare run can be a card.
    last = len(groups) if len(groups[i]) == 4 else i + 1
    for j in range(i, last):
        size += len(groups[j])
        if size > 19:
            break
        # A card inside a hyphenated token (ISBN, serial) is not one: only spaces may follow it.
        # A bare run of 17–19 digits is far likelier a 64-bit id than one of the rare long cards,
        # which are printed grouped anyway.
        bare_long = j == i and size > 16
        if size >= 13 and not bare_long and (seps[j] == " " if j + 1 < len(groups) else open_end):
            ends.append(j + 1)
    for end in reversed(ends):
        chunk = groups[i:end]
        if _card_grouping_ok(chunk, seps[i : end - 1]) and _card_ok("".join(chunk)):
            return end
    return None


def _cards_in_chunk(
    groups: list[str], seps: list[str], open_end: bool
) -> Iterator[tuple[int, int]]:
    """(first, last + 1) group indices of the cards in a chunk of digit groups."""
    i = 0
    while i < len(groups):
        # Only spaces may precede a card inside a chunk, as only spaces may follow one.
        starts_ok = i == 0 or seps[i - 1] == " "
        end = _card_end(groups, seps, i, open_end) if starts_ok else None
        if end is None:
            i += 1
        else:
            yield i, end
            i = end


def find_cards(text: str) -> Iterator[Found]:
    for m in _DIGIT_CHUNK.finditer(text):
        if len(m[0]) < 13 or after_currency(text, m.start()):
            continue
        groups = re.findall(r"[0-9]+", m[0])
        seps = re.findall(r"[ .\-]", m[0])
        starts = [m.start() + g.start() for g in re.finditer(r"[0-9]+", m[0])]
        open_end = NUM_END.match(text, m.end()) is not None
        for i, j in _cards_in_chunk(groups, seps, open_end):
            yield Found("card", starts[i], starts[j - 1] + len(groups[j - 1]))
