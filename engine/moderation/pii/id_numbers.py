"""Tax and identity numbers: Brazilian CPF and CNPJ, Portuguese NIF/NIPC, Spanish DNI and NIE.

- **cpf / cnpj** accept the punctuated and the bare form; both check digits are validated and
  numbers of a single repeated digit are rejected.
- **nif** (9 digits, valid first digits, mod 11): a bare or ``123 456 789``-grouped number is a
  NIF when a NIF word (NIF, NIPC, contribuinte) precedes it, or when it is not phone-shaped, that
  is, when its first digit is not 2, 6, 7, 8 or 9 (Portuguese and Spanish phone numbers start with
  those). A phone-shaped number without the word is left to the phone detector. Without the word
  a number is also not a NIF when it is data in code (``size=…``, ``seed(…)``, ``[…, …]``) or the
  digits ``123456789``.
- **dni / nie**: upper-case control letter, validated; optional hyphen or space before it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from engine.moderation.pii.boundaries import (
    NUM_L,
    NUM_L_AFTER_FIRST,
    NUM_R,
    after_currency,
    digits_of,
    keyword_matches,
    number,
)
from engine.moderation.pii.checksums import cnpj_ok, cpf_ok, dni_ok, nif_ok
from engine.moderation.pii.found import Found

# 000.000.000-00 or 11 digits; 00.000.000/0000-00 or 14 digits; 9 digits, maybe 3-3-3.
_CPF = number("[0-9]", r"(?:[0-9]{2}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}|[0-9]{10})")
_CNPJ = number("[0-9]", r"(?:[0-9]\.[0-9]{3}\.[0-9]{3}/[0-9]{4}-[0-9]{2}|[0-9]{13})")
_NIF = number("[0-9]", r"(?:[0-9]{8}|[0-9]{2} [0-9]{3} [0-9]{3})")
_NIF_NUMBER = r"(?:[0-9]{9}|[0-9]{3} [0-9]{3} [0-9]{3})"
_NIF_KEYWORDED = re.compile(
    r"(?<![\w\[])(?i:NIF|NIPC|contribuinte)(?!\w)[^0-9\[\]]{0,25}?"
    + NUM_L
    + f"({_NIF_NUMBER})"
    + NUM_R
)
_NIF_WORD_STARTS = re.compile(r"nif|nipc|contribuinte")
_CODE_BEFORE = re.compile(r"(?:[=(\[{,]|[\"']:)\s*\Z")
_CODE_AFTER = re.compile(r"\s*(?:,\s*[0-9]|[)\]}])")
# Portuguese landlines start with 2, mobiles with 9; Spanish numbers with 6, 7, 8 or 9.
_PHONE_FIRST_DIGITS = "26789"
# DNI: 8 digits (maybe 00.000.000) + letter; NIE: X/Y/Z + 7 digits + letter.
_DNI = re.compile(
    r"[0-9]" + NUM_L_AFTER_FIRST + r"(?:[0-9]{7}|[0-9]\.[0-9]{3}\.[0-9]{3})[ \-]?[A-Z](?![\w\[])"
    r"|[XYZ](?<![\w\-\]].)[ \-]?[0-9]{7}[ \-]?[A-Z](?![\w\[])"
)


def _find_by_checksum(
    text: str, pattern: re.Pattern[str], kind: str, valid: Callable[[str], bool]
) -> Iterator[Found]:
    for m in pattern.finditer(text):
        if valid(digits_of(m[0])) and not after_currency(text, m.start()):
            yield Found(kind, m.start(), m.end())


def find_cnpjs(text: str) -> Iterator[Found]:
    return _find_by_checksum(text, _CNPJ, "cnpj", cnpj_ok)


def find_cpfs(text: str) -> Iterator[Found]:
    return _find_by_checksum(text, _CPF, "cpf", cpf_ok)


def _in_code(text: str, start: int, end: int) -> bool:
    """A number assigned (``size=…``, ``"size": …``), passed (``seed(…)``) or listed among numbers
    (``[…, …]``): data in code, not a document number."""
    return (
        _CODE_BEFORE.search(text, max(0, start - 4), start) is not None
        or _CODE_AFTER.match(text, end) is not None
    )


def find_nifs(text: str) -> Iterator[Found]:
    for m in _NIF.finditer(text):
        d = digits_of(m[0])
        if (
            d[0] not in _PHONE_FIRST_DIGITS
            and d != "123456789"  # without the word NIF: counting digits, an example, a string
            and nif_ok(d)
            and not after_currency(text, m.start())
            and not _in_code(text, m.start(), m.end())
        ):
            yield Found("nif", m.start(), m.end())
    for m in keyword_matches(text, _NIF_WORD_STARTS, _NIF_KEYWORDED):
        if nif_ok(digits_of(m[1])):
            yield Found("nif", m.start(1), m.end(1))


def find_dnis(text: str) -> Iterator[Found]:
    for m in _DNI.finditer(text):
        first, letter = m[0][0], m[0][-1]
        # An NIE's X, Y, Z stand for 0, 1, 2 in front of its digits.
        prefix = str("XYZ".index(first)) if first in "XYZ" else ""
        if dni_ok(prefix + digits_of(m[0]), letter):
            yield Found("dni", m.start(), m.end())
