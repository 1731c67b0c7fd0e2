"""International bank account numbers (IBAN).

Upper-case only (as printed on statements), mod 97 == 1, with the exact length of the country
when it is known and 15–34 otherwise; groups of four may be space separated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from engine.moderation.pii.checksums import iban_ok
from engine.moderation.pii.found import Found

# IBAN lengths of the countries that use one (ISO 13616 registry).
_IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip

# Country, check digits, then the BBAN in groups of four (spaces optional); the length is checked
# per country afterwards.
_IBAN = re.compile(
    r"[A-Z](?<![A-Za-z0-9\]].)[A-Z][0-9]{2}"
    r"(?:[ \u00a0]?[A-Z0-9]{4}){2,7}(?:[ \u00a0]?[A-Z0-9]{1,4})?"
)


def _iban_cuts(span: str) -> Iterator[int]:
    """Candidate ends inside ``span``: the exact country length when known, else every group
    boundary from the longest down to 15 characters."""
    expected = _IBAN_LENGTHS.get(span[:2])
    count = 0
    ends: list[int] = []
    for i, ch in enumerate(span):
        if ch.isalnum():
            count += 1
            at_boundary = i + 1 == len(span) or not span[i + 1].isalnum()
            if at_boundary and (count == expected or (expected is None and 15 <= count <= 34)):
                ends.append(i + 1)
    yield from reversed(ends)


def find_ibans(text: str) -> Iterator[Found]:
    for m in _IBAN.finditer(text):
        for cut in _iban_cuts(m[0]):
            end = m.start() + cut
            if end < len(text) and (text[end].isalnum() or text[end] == "["):
                continue
            compact = re.sub(r"\s", "", m[0][:cut])
            if iban_ok(compact):
                yield Found("iban", m.start(), end)
                break
