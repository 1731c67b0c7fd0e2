"""Find and redact personal data and secrets in reasoning text before it is shown.

Reasoning is screened one segment (a sentence of 20–400 characters) at a time, so every detector
looks at a short text; users write English, Portuguese (Brazil and Portugal) and Spanish.

Every detector validates what it finds (check digits, Luhn, mod 97, ``ipaddress``, entropy):
reasoning about code is full of long numbers, hashes and addresses, and a false positive there
mangles an explanation as surely as a miss leaks data.

Decisions on ambiguous cases:

- **Overlaps.** A candidate lying wholly inside a longer one is dropped (an e-mail address keeps
  the CPF-shaped digits of its local part, a ``+351 …`` phone keeps the NIF-shaped digits after
  the country code). Partial overlaps go to the more specific kind, in the order secret, email,
  iban, cnpj, cpf, card/dni, nif, ip, phone; then to the longer match. The loser of a partial
  overlap can leave a valid remainder, so :func:`find_pii` screens the text again with its
  findings replaced by placeholders until nothing new turns up: redacting a redacted text finds
  nothing.
- **email** is the practical RFC 5322 subset (dot-atoms of letters, digits, ``+ % - _``; no quoted
  local parts, no ``/`` so a URL's ``//`` is not swallowed). The top-level domain must be two
  letters (a country) or a common generic TLD: this keeps ``x@self.weight`` (matrix product in
  Python) and ``logo@2x.png`` out. Not addresses: ``git@host`` (the SSH account of code hosts)
  and SSH algorithm names such as ``aes256-gcm@openssh.com``. Obfuscated forms need brackets:
  ``nome [at] dominio [dot] com``, ``(arroba)``, ``(ponto)``, ``[punto]``; a plain "at" is far
  too common.
- **phone** needs a phone shape: a ``+``/``00`` country prefix, a known national grouping
  (``(11) 98765-4321``, ``11 98765-4321``, ``912 345 678``, ``612 34 56 78``, ``(415) 555-0132``,
  ``415-555-0132``) or, for a bare digit run, a phone word (phone, tel, telefone, teléfono, móvil,
  celular, WhatsApp, ligar, llamar, contacto, "call me"…) at most 25 characters before it with
  no digits in between. 8–15 digits; Brazilian area codes must exist, NANP area and exchange
  codes start with 2–9. Dates, decimals, thousands-grouped numbers, lists of one-digit groups and
  round numbers (``900 000 000``) are rejected.
- **card** needs Luhn *and* a known issuer prefix with that issuer's length (Visa, Mastercard,
  Amex, Discover, Diners, JCB, UnionPay, Maestro, Elo, Hipercard, Mir): Luhn alone passes one in
  ten 13–19 digit numbers, and millisecond timestamps or snowflake ids start with 1. Groupings
  are the printed ones (4-4-4-4…, 4-6-5, 4-6-4) with one kind of separator, never inside a
  hyphenated token (ISBN). A bare run of 17–19 digits is taken for a 64-bit id, not a card; long
  cards are found when grouped.
- **iban** is upper-case only (as printed on statements), mod 97 == 1, with the exact length of
  the country when it is known and 15–34 otherwise; groups of four may be space separated.
- **cpf / cnpj** accept the punctuated and the bare form; both check digits are validated and
  numbers of a single repeated digit are rejected.
- **nif** (9 digits, valid first digits, mod 11): a bare or ``123 456 789``-grouped number is a
  NIF when a NIF word (NIF, NIPC, contribuinte) precedes it, or when it is not phone-shaped, that
  is, when its first digit is not 2, 6, 7, 8 or 9 (Portuguese and Spanish phone numbers start with
  those). A phone-shaped number without the word is left to the phone detector. Without the word
  a number is also not a NIF when it is data in code (``size=…``, ``seed(…)``, ``[…, …]``) or the
  digits ``123456789``.
- **dni / nie**: upper-case control letter, validated; optional hyphen or space before it.
- **ip**: IPv4 may not touch a longer dotted number (``1.2.3.4.5``), a word (``v1.2.3.4``) or a
  CIDR suffix (a network, not a host), nor follow "version", "section", "§", "RFC", "OID" or
  ``==``;
  leading zeros are rejected (octal ambiguity), and so are quads whose first three parts are
  single digits (``7.2.1.1``, ``3.0.5.130``: sections and versions; such hosts are rare). IPv6 must
  parse with ``ipaddress``, contain a decimal digit and either three groups or a four-digit group
  (``a[1::2]`` is a slice). Addresses that cannot identify anyone are kept: loopback,
  unspecified, ``0.0.0.0/8``, link-local, multicast, reserved (which covers broadcast and
  netmasks such as ``255.255.255.0``), other netmasks, the documentation ranges and the best known
  public resolvers (8.8.8.8, 1.1.1.1, 9.9.9.9 …). They appear constantly in technical
  explanations and are not personal data. Private ranges (10/8, 192.168/16 …) *are* redacted:
  they name a machine on someone's network.
- **secret**: known key prefixes (OpenAI, Stripe, GitHub, AWS, Google API and OAuth, Slack,
  Hugging Face, GitLab, JWT) with a random-looking body, PEM private keys (a block cut by the
  segmenter is redacted from its BEGIN line, or up to its END line), and values assigned with
  ``:`` or ``=`` to a name holding a secret word (key, token, secret, password, senha,
  contraseña, clave, chave…, as a word of the name: not "monkey" or "author"). Such a value is a
  secret when it has 20+ characters, mixes character classes and has 3 bits of entropy per
  character; after a password word (password, senha, contraseña, clave…) 8 characters of three
  kinds (``Tr0ub4dor&3``) are enough. Code is never a secret (``self.tokenizer``,
  ``SECRET_KEY_FROM_ENV``, ``PKCS12PrivateKeyTypes``, a call ``conv2d(…)``), nor is a value
  under a digest name (``key_sha256``). A hash or UUID standing alone is never a secret; after a
  secret word it is one.
- Numbers never start or end inside a word, a longer number, a fraction or a version; a number
  right after a currency sign (``R$``, ``€``, ``US$``) is an amount. ``[`` and ``]`` bound every
  match, so a ``[kind]`` placeholder never joins a neighbour into a new match.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

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
class Found:
    """A detected item; ``start``/``end`` are offsets into the input text."""

    kind: str
    start: int
    end: int


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

# ---------------------------------------------------------------------------------------------
# Boundaries shared by the number detectors. Digits are spelled [0-9]: \d would also accept other
# scripts' digits, which nobody writes these numbers in.

# Not inside a word or identifier, not after a sign, a currency, a dot (.123456789 is a fraction)
# or another number's separator (3,4, 12:30). A placeholder's "]" counts as a word character on
# the left, "[" on the right.
_NUM_L = r"(?<![\w@#$€£¥%+\-/.\]])(?<![\w\]],)(?<![0-9\]]:)"
# The same test made one character later. A pattern that starts with a plain character class
# lets the regex engine skip to candidate positions; one that starts with a lookbehind is tried at
# every position, about three times slower.
_NUM_L_AFTER_FIRST = r"(?<![\w@#$€£¥%+\-/.\]].)(?<![\w\]],.)(?<![0-9\]]:.)"
# Not followed by a word character, "@" (a mail local part), "%", a placeholder's "[", or a
# separator that continues the number (decimal, version, date, range).
_NUM_R = r"(?![\w@%\[]|[.,:/\-][0-9])"
_NUM_END = re.compile(_NUM_R)


def _number(first: str, rest: str) -> re.Pattern[str]:
    """A number pattern: ``first`` (one character) + ``rest``, with both boundaries."""
    return re.compile(first + _NUM_L_AFTER_FIRST + rest + _NUM_R)


_DIGIT = re.compile(r"[0-9]")
# Seven digits with at most two separator characters between neighbours: every number detector
# (phone, card, cpf, cnpj, nif, dni/nie) needs at least that, and most technical text has none.
_LONG_NUMBER = re.compile(r"[0-9](?:[ .\-/()+]{0,2}[0-9]){6}")
# $, €, R$, US$ … starting a word (a "$" inside a password is not a currency), or an ISO code.
_CURRENCY_BEFORE = re.compile(r"(?:(?<![\w$])[A-Z]{0,2}[$€£¥]|\b(?i:USD|EUR|BRL|GBP))\s*\Z")
_DATE = re.compile(
    r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}(?![0-9])|(?<![0-9])[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4}"
)


def _keyword_matches(
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


def _digits(text: str) -> str:
    return "".join(ch for ch in text if "0" <= ch <= "9")


def _after_currency(text: str, start: int) -> bool:
    return _CURRENCY_BEFORE.search(text, max(0, start - 6), start) is not None


# ---------------------------------------------------------------------------------------------
# Check digits


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _card_issuer_ok(d: str) -> bool:
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


def _cpf_ok(d: str) -> bool:
    if len(d) != 11 or d == d[0] * 11:
        return False
    first = _mod11_digit(d[:9], list(range(10, 1, -1)))
    second = _mod11_digit(d[:10], list(range(11, 1, -1)))
    return d[9:] == f"{first}{second}"


_CNPJ_W1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
_CNPJ_W2 = [6, *_CNPJ_W1]


def _cnpj_ok(d: str) -> bool:
    if len(d) != 14 or d == d[0] * 14:
        return False
    first = _mod11_digit(d[:12], _CNPJ_W1)
    second = _mod11_digit(d[:13], _CNPJ_W2)
    return d[12:] == f"{first}{second}"


# First digits of Portuguese NIF/NIPC: 1–3 people, 5 companies, 6 public bodies, 8 sole traders,
# 9 irregular/foreign entities; 4 and 7 only with these second digits.
_NIF_PREFIXES_2 = frozenset({"45", "70", "71", "72", "74", "75", "77", "79"})


def _nif_ok(d: str) -> bool:
    if len(d) != 9:
        return False
    if d[0] not in "1235689" and d[:2] not in _NIF_PREFIXES_2:
        return False
    return int(d[8]) == _mod11_digit(d[:8], list(range(9, 1, -1)))


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def _dni_ok(number: str, letter: str) -> bool:
    return _DNI_LETTERS[int(number) % 23] == letter


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


def _iban_ok(compact: str) -> bool:
    rotated = compact[4:] + compact[:4]
    # int(ch, 36) maps digits to themselves and A..Z to 10..35, as ISO 7064 wants.
    return int("".join(str(int(ch, 36)) for ch in rotated)) % 97 == 1


# ---------------------------------------------------------------------------------------------
# email

_LOCAL = r"[\w+%\-]+(?:\.[\w+%\-]+)*"
_LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
_EMAIL = re.compile(
    rf"(?<![\w.+%\-@\]])({_LOCAL})@((?:{_LABEL}\.)+[^\W\d_]{{2,63}})(?![\w\-@\[]|\.[^\W_])"
)
_AT_OBF = r"\s*[\[(]\s*(?i:at|arroba|@)\s*[\])]\s*"
_DOT_OBF = r"\s*[\[(]\s*(?i:dot|ponto|punto|\.)\s*[\])]\s*"
_EMAIL_OBF = re.compile(
    rf"(?<![\w.+%\-@\]])({_LOCAL})(?:{_AT_OBF}|@)((?:{_LABEL}(?:{_DOT_OBF}|\.))+[^\W\d_]{{2,63}})"
    r"(?![\w\-@\[])"
)
_OBF_HINT = re.compile(r"[\[(]\s*(?:at|arroba|dot|ponto|punto)\s*[\])]", re.IGNORECASE)
_ASSET_DOMAIN = re.compile(r"[0-9](?:\.[0-9])?x\.")  # logo@2x.png, icon@1.5x.jpg
# SSH names its algorithms name@domain ("aes256-gcm@openssh.com"): identifiers, not mailboxes.
_PROTOCOL_DOMAINS = frozenset({"openssh.com", "libssh.org"})
_GENERIC_TLDS = frozenset({
    "com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "name", "pro", "mobi", "app",
    "dev", "io", "ai", "me", "tv", "cc", "xyz", "online", "site", "tech", "store", "shop", "blog",
    "cloud", "email", "live", "life", "world", "today", "news", "art", "design", "agency",
    "digital", "media", "studio", "solutions", "services", "company", "group", "global",
    "network", "systems", "software", "club", "page", "website", "space", "link", "academy",
    "center", "consulting", "tools", "works", "zone", "team", "social", "money", "finance", "bank",
    "legal", "health", "care", "family", "travel", "games", "fun", "host", "press", "expert",
    "land",
})  # fmt: skip


def _email_ok(local: str, domain: str) -> bool:
    tld = domain.rsplit(".", 1)[-1].lower()
    if tld.isascii() and len(tld) != 2 and tld not in _GENERIC_TLDS:
        return False
    if local == "git" or _ASSET_DOMAIN.match(domain) or domain.lower() in _PROTOCOL_DOMAINS:
        return False
    return len(local) <= 64 and len(local) + len(domain) < 254


def _local_part_scan_start(text: str, at: int) -> int:
    # A valid local part has at most 64 characters: no address starts earlier than this.
    return max(0, at - 65)


def _find_emails(text: str) -> Iterator[Found]:
    at = text.find("@")
    if at >= 0:
        for m in _EMAIL.finditer(text, _local_part_scan_start(text, at)):
            if _email_ok(m[1], m[2]):
                yield Found("email", m.start(), m.end())
    hint = _OBF_HINT.search(text)
    if hint is not None:
        first = hint.start() if at < 0 else min(at, hint.start())
        for m in _EMAIL_OBF.finditer(text, _local_part_scan_start(text, first)):
            domain = re.sub(_DOT_OBF, ".", m[2])
            # Plain addresses are the first pattern's; this one wants a bracketed word.
            if ("[" in m[0] or "(" in m[0]) and _email_ok(m[1], domain):
                yield Found("email", m.start(), m.end())


# ---------------------------------------------------------------------------------------------
# phone

# A group after the country code: separator + digits, or a parenthesised area code. Digit runs are
# possessive so a long number is split into groups in one way only (no backtracking blow-up).
_GROUP = r"(?:[ .\-]?\([0-9]{1,4}\)|[ .\-][0-9]++|(?<=\))[0-9]++)"
# "+" or "00" before a country code, written as one character and a check for the second "0".
_PLUS_OR_00 = (r"[+0]", r"(?:(?<=\+)|(?<=0)0)")
_PHONE_SHAPES: tuple[re.Pattern[str], ...] = tuple(
    _number(first, rest)
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
    + _NUM_L
    + rf"((?:\+[1-9][0-9]*+|\b00[1-9][0-9]*+|\([0-9]{{1,4}}\)|[0-9]++){_GROUP}{{0,7}})"
    + _NUM_R
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


def _phone_ok(span: str) -> bool:
    digits = _digits(span)
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


def _find_phones(text: str) -> Iterator[Found]:
    matches = [(m.start(), m.end()) for p in _PHONE_SHAPES for m in p.finditer(text)]
    for m in _keyword_matches(text, _PHONE_WORD_STARTS, _PHONE_KEYWORDED):
        matches.append((m.start(1), m.end(1)))
    for start, end in matches:
        if _after_currency(text, start):
            continue
        phone_end = _phone_end(text, start, end)
        if phone_end is not None:
            yield Found("phone", start, phone_end)


# ---------------------------------------------------------------------------------------------
# card

# A maximal run of digit groups; the card is looked for among its consecutive groups, so a number
# written next to it ("in 2023 4111 1111 1111 1111") neither hides it nor joins it. Whether the
# last group may end a number is checked apart: "… 1111 1111abc" can still hold a card before it.
_DIGIT_CHUNK = re.compile(r"[0-9]" + _NUM_L_AFTER_FIRST + r"[0-9]*+(?:[ \-][0-9]++)*+")
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
    return 13 <= len(digits) <= 19 and _card_issuer_ok(digits) and _luhn_ok(digits)


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


def _find_cards(text: str) -> Iterator[Found]:
    for m in _DIGIT_CHUNK.finditer(text):
        if len(m[0]) < 13 or _after_currency(text, m.start()):
            continue
        groups = re.findall(r"[0-9]+", m[0])
        seps = re.findall(r"[ \-]", m[0])
        starts = [m.start() + g.start() for g in re.finditer(r"[0-9]+", m[0])]
        open_end = _NUM_END.match(text, m.end()) is not None
        for i, j in _cards_in_chunk(groups, seps, open_end):
            yield Found("card", starts[i], starts[j - 1] + len(groups[j - 1]))


# ---------------------------------------------------------------------------------------------
# iban

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


def _find_ibans(text: str) -> Iterator[Found]:
    for m in _IBAN.finditer(text):
        for cut in _iban_cuts(m[0]):
            end = m.start() + cut
            if end < len(text) and (text[end].isalnum() or text[end] == "["):
                continue
            compact = re.sub(r"\s", "", m[0][:cut])
            if _iban_ok(compact):
                yield Found("iban", m.start(), end)
                break


# ---------------------------------------------------------------------------------------------
# cpf, cnpj, nif, dni

# 000.000.000-00 or 11 digits; 00.000.000/0000-00 or 14 digits; 9 digits, maybe 3-3-3.
_CPF = _number("[0-9]", r"(?:[0-9]{2}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}|[0-9]{10})")
_CNPJ = _number("[0-9]", r"(?:[0-9]\.[0-9]{3}\.[0-9]{3}/[0-9]{4}-[0-9]{2}|[0-9]{13})")
_NIF = _number("[0-9]", r"(?:[0-9]{8}|[0-9]{2} [0-9]{3} [0-9]{3})")
_NIF_NUMBER = r"(?:[0-9]{9}|[0-9]{3} [0-9]{3} [0-9]{3})"
_NIF_KEYWORDED = re.compile(
    r"(?<![\w\[])(?i:NIF|NIPC|contribuinte)(?!\w)[^0-9\[\]]{0,25}?"
    + _NUM_L
    + f"({_NIF_NUMBER})"
    + _NUM_R
)
_NIF_WORD_STARTS = re.compile(r"nif|nipc|contribuinte")
_CODE_BEFORE = re.compile(r"(?:[=(\[{,]|[\"']:)\s*\Z")
_CODE_AFTER = re.compile(r"\s*(?:,\s*[0-9]|[)\]}])")
# Portuguese landlines start with 2, mobiles with 9; Spanish numbers with 6, 7, 8 or 9.
_PHONE_FIRST_DIGITS = "26789"
# DNI: 8 digits (maybe 00.000.000) + letter; NIE: X/Y/Z + 7 digits + letter.
_DNI = re.compile(
    r"[0-9]" + _NUM_L_AFTER_FIRST + r"(?:[0-9]{7}|[0-9]\.[0-9]{3}\.[0-9]{3})[ \-]?[A-Z](?![\w\[])"
    r"|[XYZ](?<![\w\-\]].)[ \-]?[0-9]{7}[ \-]?[A-Z](?![\w\[])"
)


def _find_by_checksum(
    text: str, pattern: re.Pattern[str], kind: str, valid: Callable[[str], bool]
) -> Iterator[Found]:
    for m in pattern.finditer(text):
        if valid(_digits(m[0])) and not _after_currency(text, m.start()):
            yield Found(kind, m.start(), m.end())


def _in_code(text: str, start: int, end: int) -> bool:
    """A number assigned (``size=…``, ``"size": …``), passed (``seed(…)``) or listed among numbers
    (``[…, …]``): data in code, not a document number."""
    return (
        _CODE_BEFORE.search(text, max(0, start - 4), start) is not None
        or _CODE_AFTER.match(text, end) is not None
    )


def _find_nifs(text: str) -> Iterator[Found]:
    for m in _NIF.finditer(text):
        d = _digits(m[0])
        if (
            d[0] not in _PHONE_FIRST_DIGITS
            and d != "123456789"  # without the word NIF: counting digits, an example, a string
            and _nif_ok(d)
            and not _after_currency(text, m.start())
            and not _in_code(text, m.start(), m.end())
        ):
            yield Found("nif", m.start(), m.end())
    for m in _keyword_matches(text, _NIF_WORD_STARTS, _NIF_KEYWORDED):
        if _nif_ok(_digits(m[1])):
            yield Found("nif", m.start(1), m.end(1))


def _find_dnis(text: str) -> Iterator[Found]:
    for m in _DNI.finditer(text):
        first, letter = m[0][0], m[0][-1]
        # An NIE's X, Y, Z stand for 0, 1, 2 in front of its digits.
        prefix = str("XYZ".index(first)) if first in "XYZ" else ""
        if _dni_ok(prefix + _digits(m[0]), letter):
            yield Found("dni", m.start(), m.end())


# ---------------------------------------------------------------------------------------------
# ip

_IPV4 = re.compile(
    r"[0-9](?<![\w.\]].)[0-9]{0,2}\.(?:[0-9]{1,3}\.){2}[0-9]{1,3}(?![\w\[]|\.[0-9]|/[0-9])"
)
_IPV6 = re.compile(
    r"(?<![\w:.\]])((?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]{1,4})?)"
    r"(?![\w:\[]|\.[0-9]|/[0-9])"
)
# Dotted quads that are versions, section numbers or object identifiers: "version 1.2.3.4",
# "§4.2.3.1", "== 1.2.3.0", 'ObjectIdentifier("2.5.29.9")'.
_NOT_HOST_BEFORE = re.compile(
    r"(?:(?i:\b(?:version|vers[aã]o|versi[oó]n|release|v|section|sec|se[cç][aã]o|secci[oó]n|"
    r"chapter|cap[ií]tulo|rfc|step|passo|paso|oid|objectidentifier))[\s.:=(\"']{0,4}"
    r"|§\s*|[=<>~!]=\s*)\Z"
)
_NOT_PERSONAL_NETS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "192.0.2.0/24",  # documentation (TEST-NET-1..3)
        "198.51.100.0/24",
        "203.0.113.0/24",
        "2001:db8::/32",  # documentation
    )
)
# Public resolvers that tutorials quote everywhere; they identify a company's service, not a person.
_WELL_KNOWN_HOSTS = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "8.8.8.8",
        "8.8.4.4",
        "1.1.1.1",
        "1.0.0.1",
        "9.9.9.9",
        "149.112.112.112",
        "208.67.222.222",
        "208.67.220.220",
        "2001:4860:4860::8888",
        "2001:4860:4860::8844",
        "2606:4700:4700::1111",
        "2606:4700:4700::1001",
    )
)


def _is_netmask(addr: ipaddress.IPv4Address) -> bool:
    value = int(addr)
    inverted = ~value & 0xFFFFFFFF
    # Contiguous ones then zeros: the host part + 1 is a power of two.
    return value != 0 and inverted & (inverted + 1) == 0


def _ip_is_personal(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return _ip_is_personal(addr.ipv4_mapped)
    if (
        addr.is_loopback
        or addr.is_unspecified
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr in _WELL_KNOWN_HOSTS
    ):
        return False
    if isinstance(addr, ipaddress.IPv4Address) and _is_netmask(addr):
        return False
    return not any(addr.version == net.version and addr in net for net in _NOT_PERSONAL_NETS)


def _ipv6_shape_ok(span: str) -> bool:
    if _DIGIT.search(span) is None:
        return False  # "dead::beef", "add::bad": words, not addresses
    groups = [g for g in span.split(":") if g]
    return len(groups) >= 3 or any(len(g) == 4 for g in groups)


def _find_ips(text: str) -> Iterator[Found]:
    if text.count(".") >= 3:
        for m in _IPV4.finditer(text):
            try:
                addr = ipaddress.IPv4Address(m[0])
            except ValueError:
                continue  # octet > 255 or leading zero
            if _NOT_HOST_BEFORE.search(text, max(0, m.start() - 24), m.start()):
                continue
            if all(len(octet) == 1 for octet in m[0].split(".")[:3]):
                continue  # 7.2.1.1, 3.0.5.130: a section or version; such hosts are rare
            if _ip_is_personal(addr):
                yield Found("ip", m.start(), m.end())
    if "::" in text or text.count(":") >= 7:
        for m in _IPV6.finditer(text):
            if not _ipv6_shape_ok(m[1]):
                continue
            try:
                addr6 = ipaddress.IPv6Address(m[1])
            except ValueError:
                continue
            if _ip_is_personal(addr6):
                yield Found("ip", m.start(), m.end())


# ---------------------------------------------------------------------------------------------
# secret

_SECRET_PREFIXED = re.compile(
    r"(?<![\w\-\]])(?:"
    r"sk-(?:proj-|svcacct-|admin-)?(?P<openai>[A-Za-z0-9_\-]{20,})"
    r"|[sr]k_(?:live|test)_(?P<stripe>[A-Za-z0-9]{16,})"
    r"|gh[pousr]_(?P<github>[A-Za-z0-9]{30,})"
    r"|github_pat_(?P<github_pat>[A-Za-z0-9_]{22,})"
    r"|(?:AKIA|ASIA)(?P<aws>[A-Z0-9]{16})(?![A-Za-z0-9])"
    r"|AIza(?P<google>[A-Za-z0-9_\-]{35})"
    r"|ya29\.(?P<google_oauth>[A-Za-z0-9_\-]{20,})"
    r"|xox[abprs]-(?P<slack>[A-Za-z0-9\-]{10,})"
    r"|hf_(?P<hf>[A-Za-z0-9]{30,})"
    r"|glpat-(?P<gitlab>[A-Za-z0-9_\-]{20,})"
    r"|(?P<jwt>eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{10,})"
    r")"
)
# Substring tests are far cheaper than a regex alternation for the common case of no key at all.
_SECRET_PREFIXES = (
    "sk-", "k_live_", "k_test_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "AKIA",
    "ASIA", "AIza", "ya29.", "xox", "hf_", "glpat-", "eyJ",
)  # fmt: skip
_PEM_KIND = r"(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
# Base64 lines and the headers of encrypted keys. Possessive, so a long base64 run not followed by
# an END line fails at once instead of being re-split every possible way.
_PEM_BODY_LINE = r"(?:[A-Za-z0-9+/=]{16,}+|(?:Proc-Type|DEK-Info): ?[A-Za-z0-9,\-]++)"
_PEM = re.compile(
    # A whole block, a block cut after its BEGIN line, or a block's tail up to its END line.
    rf"-----BEGIN {_PEM_KIND}(?:[\s\S]*?-----END {_PEM_KIND}|(?:\s*{_PEM_BODY_LINE})*+)"
    rf"|(?<![A-Za-z0-9+/=])(?:{_PEM_BODY_LINE}\s*)*+-----END {_PEM_KIND}"
)
_SECRET_WORDS = (
    r"api[_\-]?key|secret|token|password|passwd|pwd|passphrase|senha|contrase(?:ñ|n)a|clave|chave|"
    r"credentials?|authorization|authentication|auth|key"
)
# An assignment of a long value; the name before the ":" or "=" is checked apart, which keeps the
# scan down to the rare ":"/"=" followed by 20 value characters.
# "(?!=)": "key_length==value_length" is a comparison.
_ASSIGNED_VALUE = re.compile(
    r"(?::|=>?)(?!=)\s*[\"']?(?i:(?:bearer|basic|token)\s+)?([A-Za-z0-9+/=_\-.~!@#$%^&*]{8,})"
)
# Words whose value is a password: secret however short, unlike a key or token, which is long.
_PASSWORD_WORDS = frozenset({
    "password", "passwd", "pwd", "passphrase", "senha", "contraseña", "contrasena", "clave",
})  # fmt: skip
# The assigned name, maybe quoted ("password": …).
_NAME_BEFORE = re.compile(r"([\w\-]+)[\"']?\s*\Z")
# A secret word must be a word of the name: "accessToken", "API_KEY" and "x-api-key" have one;
# "monkey", "author" and "keywords" do not (a lower-case letter runs on into or out of it).
_SECRET_WORD = re.compile(rf"(?:(?<![A-Za-z])|(?=[A-Z]))(?i:{_SECRET_WORDS})(?![a-z])")
# "key_sha256", "token_hash": the value is a digest of a secret, which reveals nothing.
_DIGEST_WORD = re.compile(r"(?i:sha[0-9]*|md5|hash|digest|checksum|fingerprint)")
# Code is a reference to a secret, not the secret: names in snake case (SECRET_KEY_FROM_ENV) or
# CamelCase (PKCS12PrivateKeyTypes), joined by dots or operators (tokenizer.apply_chat_template,
# self.tokens_taken+len).
_NAME_WORD = r"(?:(?:[a-z]+|[A-Z]+|[A-Z][a-z]+)[0-9]*|[0-9]+)"
_IDENTIFIER = re.compile(rf"_*{_NAME_WORD}(?:_+{_NAME_WORD})*_*")
_CAMEL_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
_CODE_JOINERS = re.compile(r"[.+\-*/]+")
_DOTTED_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
_MIN_ENTROPY = 3.0  # bits per character; random base64/hex of 16+ characters is well above it


def _entropy(text: str) -> float:
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def _char_classes(text: str, *, symbols: bool) -> int:
    return (
        any(ch.islower() for ch in text)
        + any(ch.isupper() for ch in text)
        + any(ch.isdigit() for ch in text)
        + (symbols and any(not ch.isalnum() for ch in text))
    )


def _looks_random(text: str, *, symbols: bool) -> bool:
    """Mixed character classes and high entropy. A key body after a known prefix must mix
    letters and digits or cases by itself: "sk-learn-compatible-api" mixes only in its hyphens."""
    return _char_classes(text, symbols=symbols) >= 2 and _entropy(text) >= _MIN_ENTROPY


def _find_prefixed_secrets(text: str) -> Iterator[Found]:
    for m in _SECRET_PREFIXED.finditer(text):
        body = next(v for v in m.groupdict().values() if v is not None)
        # A JWT's shape (two base64 JSON objects and a signature) is proof enough.
        if m["jwt"] is not None or _looks_random(body, symbols=False):
            yield Found("secret", m.start(), m.end())


def _name_in_placeholder(text: str, start: int) -> bool:
    """Whether the name holding ``text[start]`` directly follows a "[" ("[secret]: …")."""
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    return start > 0 and text[start - 1] == "["


def _is_name(part: str) -> bool:
    if _IDENTIFIER.fullmatch(part):
        return True
    # CamelCase words are mostly three letters or more; a random string's case runs are shorter.
    if not (part.isascii() and part.replace("_", "").isalnum()) or part.islower() or part.isupper():
        return False
    words = _CAMEL_WORDS.findall(part)
    return min(map(len, words)) >= 2 and sum(map(len, words)) >= 3 * len(words)


def _looks_like_code(value: str, followed_by: str) -> bool:
    if followed_by == "(" or _DOTTED_PATH.fullmatch(value):
        return True  # a call (conv2d(…)) or an attribute path (rust_openssl.hpke.X25519Key)
    parts = [part for part in _CODE_JOINERS.split(value) if part]
    return bool(parts) and all(_is_name(part) for part in parts)


def _secret_word(text: str, end: int) -> str | None:
    """The secret word (lower-cased) in the name just before ``end``, where ":" or "=" is."""
    m = _NAME_BEFORE.search(text, max(0, end - 64), end)
    if m is None or _name_in_placeholder(text, m.start()) or _DIGEST_WORD.search(m[1]):
        return None
    word = _SECRET_WORD.search(m[1])
    return None if word is None else word[0].lower()


def _is_secret_value(value: str, word: str, followed_by: str) -> bool:
    if _looks_like_code(value, followed_by):
        return False
    if word in _PASSWORD_WORDS and len(value) >= 8 and _char_classes(value, symbols=True) >= 3:
        # Too short for an entropy test; three kinds of characters tell a password ("Tr0ub4dor&3")
        # from a word or a type name.
        return True
    return len(value) >= 20 and _looks_random(value, symbols=True)


def _find_assigned_secrets(text: str) -> Iterator[Found]:
    for m in _ASSIGNED_VALUE.finditer(text):
        value = m[1].rstrip(".,;!?")  # sentence punctuation after the value
        word = _secret_word(text, m.start())
        if word is not None and _is_secret_value(value, word, text[m.end() : m.end() + 1]):
            yield Found("secret", m.start(1), m.start(1) + len(value))


def _find_secrets(text: str) -> Iterator[Found]:
    if any(prefix in text for prefix in _SECRET_PREFIXES):
        yield from _find_prefixed_secrets(text)
    if "-----" in text:
        for m in _PEM.finditer(text):
            yield Found("secret", m.start(), m.end())
    if "=" in text or ":" in text:
        yield from _find_assigned_secrets(text)


# ---------------------------------------------------------------------------------------------
# public API


def _candidates(text: str) -> Iterator[Found]:
    yield from _find_secrets(text)
    yield from _find_emails(text)
    if _DIGIT.search(text) is None:
        return  # everything below needs a digit (IPv6 by our own rule)
    yield from _find_ibans(text)
    yield from _find_ips(text)
    if _LONG_NUMBER.search(text) is None:
        return
    yield from _find_by_checksum(text, _CNPJ, "cnpj", _cnpj_ok)
    yield from _find_by_checksum(text, _CPF, "cpf", _cpf_ok)
    yield from _find_cards(text)
    yield from _find_dnis(text)
    yield from _find_nifs(text)
    yield from _find_phones(text)


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
