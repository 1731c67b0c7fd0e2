"""Check digits and issuer rules of the numbers the detectors find: Luhn and card issuers, the
mod-11 digits of CPF, CNPJ and NIF, the control letter of DNI/NIE and the IBAN's mod 97.

A pattern alone matches far too much in technical text (long numbers, ids, hashes), so a number
is only reported when its check digits hold. Each function takes the bare digits (the IBAN its
compact form) and only answers whether they are valid.
"""

from __future__ import annotations


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def card_issuer_ok(d: str) -> bool:
    """Known issuer prefix with a length that issuer uses."""
    n = len(d)
    p2, p3, p4, p6 = int(d[:2]), int(d[:3]), int(d[:4]), int(d[:6])
    if d[0] == "4":  # Visa, Visa Electron, Elo's 4xxx ranges
        return n in (13, 16, 19)
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:  # Mastercard
        return n == 16
    if p2 in (34, 37):  # American Express
        return n == 15
    if 2200 <= p4 <= 2204:  # Mir
        return 16 <= n <= 19
    if 3528 <= p4 <= 3589:  # JCB
        return 16 <= n <= 19
    if p2 in (36, 38, 39) or 300 <= p3 <= 305 or p4 == 3841:  # Diners, Hipercard 3841
        return 14 <= n <= 19
    # Discover, UnionPay, Maestro, Elo, Hipercard 606282: the 50 and 56–69 ranges.
    return (p2 == 50 or 56 <= p2 <= 69 or p6 == 606282) and 13 <= n <= 19


def _mod11_digit(digits: str, weights: list[int]) -> int:
    """Check digit of CPF/CNPJ/NIF: 11 - (weighted sum mod 11), or 0 when that is 10 or 11."""
    rest = sum(int(ch) * w for ch, w in zip(digits, weights, strict=True)) % 11
    return 0 if rest < 2 else 11 - rest


def cpf_ok(d: str) -> bool:
    if len(d) != 11 or d == d[0] * 11:
        return False
    first = _mod11_digit(d[:9], list(range(10, 1, -1)))
    second = _mod11_digit(d[:10], list(range(11, 1, -1)))
    return d[9:] == f"{first}{second}"


_CNPJ_W1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
_CNPJ_W2 = [6, *_CNPJ_W1]


def cnpj_ok(d: str) -> bool:
    if len(d) != 14 or d == d[0] * 14:
        return False
    first = _mod11_digit(d[:12], _CNPJ_W1)
    second = _mod11_digit(d[:13], _CNPJ_W2)
    return d[12:] == f"{first}{second}"


# First digits of Portuguese NIF/NIPC: 1–3 people, 5 companies, 6 public bodies, 8 sole traders,
# 9 irregular/foreign entities; 4 and 7 only with these second digits.
_NIF_PREFIXES_2 = frozenset({"45", "70", "71", "72", "74", "75", "77", "79"})


def nif_ok(d: str) -> bool:
    if len(d) != 9:
        return False
    if d[0] not in "1235689" and d[:2] not in _NIF_PREFIXES_2:
        return False
    return int(d[8]) == _mod11_digit(d[:8], list(range(9, 1, -1)))


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_ok(number: str, letter: str) -> bool:
    return _DNI_LETTERS[int(number) % 23] == letter


def iban_ok(compact: str) -> bool:
    rotated = compact[4:] + compact[:4]
    # int(ch, 36) maps digits to themselves and A..Z to 10..35, as ISO 7064 wants.
    return int("".join(str(int(ch, 36)) for ch in rotated)) % 97 == 1
