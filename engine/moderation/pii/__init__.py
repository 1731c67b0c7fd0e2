"""Find and redact personal data and secrets in reasoning text before it is shown.

Reasoning is screened one segment (a sentence of 20–400 characters) at a time, so every detector
looks at a short text; users write English, Portuguese (Brazil and Portugal) and Spanish.

Every detector validates what it finds (check digits, Luhn, mod 97, ``ipaddress``, entropy):
reasoning about code is full of long numbers, hashes and addresses, and a false positive there
mangles an explanation as surely as a miss leaks data.

Each kind has its own module, whose docstring gives the decisions on its ambiguous cases:
:mod:`.emails`, :mod:`.phones`, :mod:`.cards`, :mod:`.ibans`, :mod:`.id_numbers` (cpf, cnpj, nif,
dni), :mod:`.ip_addresses` and :mod:`.credentials` (secret); :mod:`.checksums` holds the check
digits and card issuer rules, :mod:`.boundaries` where a number may start and end. This module
settles what the detectors report together:

- **Overlaps.** A candidate lying wholly inside a longer one is dropped (an e-mail address keeps
  the CPF-shaped digits of its local part, a ``+351 …`` phone keeps the NIF-shaped digits after
  the country code). Partial overlaps go to the more specific kind, in the order secret, email,
  iban, cnpj, cpf, card/dni, nif, ip, phone; then to the longer match. The loser of a partial
  overlap can leave a valid remainder, so :func:`find_pii` screens the text again with its
  findings replaced by placeholders until nothing new turns up: redacting a redacted text finds
  nothing.
- ``[`` and ``]`` bound every match, so a ``[kind]`` placeholder never joins a neighbour into a
  new match.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from engine.moderation.pii.boundaries import DIGIT, LONG_NUMBER
from engine.moderation.pii.cards import find_cards
from engine.moderation.pii.credentials import find_secrets
from engine.moderation.pii.emails import find_emails
from engine.moderation.pii.found import Found
from engine.moderation.pii.ibans import find_ibans
from engine.moderation.pii.id_numbers import find_cnpjs, find_cpfs, find_dnis, find_nifs
from engine.moderation.pii.ip_addresses import find_ips
from engine.moderation.pii.phones import find_phones

__all__ = ["PII_KINDS", "Found", "Redaction", "find_pii", "redact"]


PII_KINDS: tuple[str, ...] = (
    "email",
    "phone",
    "card",
    "iban",
    "cpf",
    "cnpj",
    "nif",
    "dni",
    "ip",
    "secret",
)


@dataclass(frozen=True)
class Redaction:
    """Where a ``[kind]`` placeholder sits in the redacted text."""

    kind: str
    start: int
    end: int


# Partial overlaps go to the more specific detector (see the module docstring).
_RANK: dict[str, int] = {
    "secret": 10,
    "email": 9,
    "iban": 8,
    "cnpj": 7,
    "cpf": 6,
    "card": 5,
    "dni": 5,
    "nif": 4,
    "ip": 3,
    "phone": 1,
}


def _candidates(text: str) -> Iterator[Found]:
    yield from find_secrets(text)
    yield from find_emails(text)
    if DIGIT.search(text) is None:
        return  # everything below needs a digit (IPv6 by our own rule)
    yield from find_ibans(text)
    yield from find_ips(text)
    if LONG_NUMBER.search(text) is None:
        return
    yield from find_cnpjs(text)
    yield from find_cpfs(text)
    yield from find_cards(text)
    yield from find_dnis(text)
    yield from find_nifs(text)
    yield from find_phones(text)


def _resolve(candidates: set[Found]) -> list[Found]:
    """Drop candidates inside longer ones, then settle partial overlaps by rank and length."""
    outer = [
        c
        for c in candidates
        if not any(
            o.start <= c.start and c.end <= o.end and o.end - o.start > c.end - c.start
            for o in candidates
        )
    ]
    outer.sort(key=lambda f: (-_RANK[f.kind], f.start - f.end, f.start))
    chosen: list[Found] = []
    for f in outer:
        if all(f.end <= g.start or g.end <= f.start for g in chosen):
            chosen.append(f)
    chosen.sort(key=lambda f: f.start)
    return chosen


# More rounds than real text ever needs: each one only runs when the previous found something new.
_MAX_ROUNDS = 4


def _apply(text: str, found: list[Found]) -> tuple[str, list[Redaction]]:
    parts: list[str] = []
    redactions: list[Redaction] = []
    pos = 0
    out_len = 0
    for f in found:
        parts.append(text[pos : f.start])
        out_len += f.start - pos
        placeholder = f"[{f.kind}]"
        redactions.append(Redaction(f.kind, out_len, out_len + len(placeholder)))
        parts.append(placeholder)
        out_len += len(placeholder)
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts), redactions


def _to_input(f: Found, found: list[Found], placed: list[Redaction]) -> Found:
    """``f``, found in the redacted text, in offsets of the original text. A side that falls
    inside a placeholder takes the whole redacted span."""
    start, end = f.start, f.end
    shift_start = shift_end = 0
    for old, ph in zip(found, placed, strict=True):
        delta = (old.end - old.start) - (ph.end - ph.start)
        if ph.end <= f.start:
            shift_start += delta
        elif ph.start < f.start:
            start, shift_start = old.start, 0
        if ph.end <= f.end:
            shift_end += delta
        elif ph.start < f.end:
            end, shift_end = old.end, 0
    return Found(f.kind, start + shift_start, end + shift_end)


def find_pii(text: str) -> list[Found]:
    """Personal data and secrets in ``text``: non-overlapping, sorted by start.

    A candidate that lost an overlap can leave a valid remainder ("sk-…" glued to a PEM line),
    so the text is screened again with what was found replaced by placeholders until nothing
    new turns up. Redacting a redacted text therefore finds nothing; the extra round only runs
    for texts that had findings.
    """
    found = _resolve(set(_candidates(text)))
    for _ in range(_MAX_ROUNDS):
        if not found:
            break
        redacted, placed = _apply(text, found)
        extra = _resolve(set(_candidates(redacted)))
        if not extra:
            break
        found = _resolve({*found, *(_to_input(f, found, placed) for f in extra)})
    return found


def redact(text: str) -> tuple[str, list[Redaction]]:
    """``text`` with each finding replaced by ``[kind]``, and where each placeholder sits."""
    return _apply(text, find_pii(text))
