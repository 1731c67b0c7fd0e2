"""Secrets: API keys with a known prefix, PEM private keys, and values assigned to a secret name.

- Known key prefixes (OpenAI, Stripe, GitHub, AWS, Google API and OAuth, Slack, Hugging Face,
  GitLab, JWT) with a random-looking body.
- PEM private keys: a block cut by the segmenter is redacted from its BEGIN line, or up to its
  END line.
- Values assigned with ``:`` or ``=`` to a name holding a secret word (key, token, secret,
  password, senha, contraseña, clave, chave…, as a word of the name: not "monkey" or "author").
  Such a value is a secret when it has 20+ characters, mixes character classes and has 3 bits of
  entropy per character; after a password word (password, senha, contraseña, clave…) 8 characters
  of three kinds (``Tr0ub4dor&3``), or letters and digits without a code separator
  (``capivara2024``), are enough.
- A password word may be followed by a few words before its ``:`` ("senha do roteador:",
  "contraseña de la base de datos:", "password for the admin account:"), and a password may
  follow its word with no ``:`` at all ("the password is …", "a senha é …", "con la contraseña
  …"): then only a value of three kinds of characters counts, since prose follows such words.
- Code is never a secret (``self.tokenizer``, ``SECRET_KEY_FROM_ENV``, ``PKCS12PrivateKeyTypes``,
  a call ``conv2d(…)``), nor is a value under a digest name (``key_sha256``). A hash or UUID
  standing alone is never a secret; after a secret word it is one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

from engine.moderation.pii.found import Found

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
_PASSWORD_WORD = r"(?i:password|passwd|passphrase|senha|contrase(?:ñ|n)a|clave|pwd)"
# A password's value: anything up to a space, a quote or a bracket (passwords hold any symbol and
# accents; a bracket is far likelier code, "Optional[str]", or a "[secret]" placeholder).
_PASSWORD_VALUE = r"[\"'“‘«]?([^\s\"'“”‘’«»()\[\]{}<>]{6,64})"
# A password word, up to four words naming what it opens, ":" or "=", then the value.
_LABELLED_PASSWORD = re.compile(
    rf"(?<![\w\-]){_PASSWORD_WORD}((?:\s+[\w\-']+){{0,4}}?)[\"']?\s*[:=](?!=)\s*{_PASSWORD_VALUE}"
)
# A password word, maybe a verb ("is", "é", "es"…), then the value itself, maybe quoted.
_PASSWORD_THEN_VALUE = re.compile(
    rf"(?<![\w\-]){_PASSWORD_WORD}"
    rf"(?:\s+(?i:is|was|would\s+be|é|era|será|seria|es|fue|sería))?\s+{_PASSWORD_VALUE}"
)
_PASSWORD_HINTS = ("passw", "pwd", "senha", "contrase", "clave")
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
# A short password of eight characters has at most 3 bits per character; a filler has under 2.
_MIN_PASSWORD_ENTROPY = 2.5


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


def _letters_and_digits(value: str) -> bool:
    """A password of letters and digits only (``capivara2024``): no code separator in it."""
    return (
        value.isalnum() and any(ch.isalpha() for ch in value) and any(ch.isdigit() for ch in value)
    )


def _looks_like_password(value: str, followed_by: str, *, letters_and_digits: bool) -> bool:
    """A value after a password word: six characters of three kinds, or (``letters_and_digits``)
    eight of letters and digits. A password may look like a name ("nubeRoja_2023"): only a call,
    an attribute path or a plain snake-case or constant name ("hashed_pw1", "DB_PASSWORD") is code
    there."""
    if len(value) < 6 or followed_by in ("(", "[", "{", "<") or _DOTTED_PATH.fullmatch(value):
        return False
    if _entropy(value) < _MIN_PASSWORD_ENTROPY:
        return False  # "aaaaaaaa1": a filler, not a password
    parts = [part for part in _CODE_JOINERS.split(value) if part]
    if parts and all(_IDENTIFIER.fullmatch(part) for part in parts):
        # Right after "password:", a name with upper and lower case and digits ("Gaviota_1987")
        # is what people choose as passwords; code there is one case ("DB_PASSWORD", "hashed_pw1").
        return letters_and_digits and len(value) >= 8 and (
            _letters_and_digits(value) or _char_classes(value, symbols=False) >= 3
        )
    if letters_and_digits and len(value) >= 8 and _letters_and_digits(value):
        return True
    return _char_classes(value, symbols=True) >= 3


def _pin_like(value: str) -> bool:
    """Six or more digits right after a password word ("senha: 48213907"), not one repeated or
    counted digit ("000000", "123456")."""
    return value.isdigit() and len(value) >= 6 and len(set(value)) >= 4 and value not in _RUNS


_RUNS = "0123456789012345678909876543210"


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


def _password_value(text: str, m: re.Match[str], group: int) -> tuple[str, str]:
    """The value of a password match without the sentence punctuation after it, and the
    character that follows it."""
    value = m[group].rstrip(".,;)")
    if len(value) > 1 and value[-1] in "!?" and value[-2].isalpha():
        value = value[:-1]  # "… es Gato#2024x!": the "!" ends the sentence
    end = m.start(group) + len(value)
    return value, text[end : end + 1]


def _find_passwords(text: str) -> Iterator[Found]:
    """Passwords after a password word: labelled ("senha: …", "contraseña del correo: …") or
    written in a sentence ("the password is Tr0ub4dor&3")."""
    for m in _LABELLED_PASSWORD.finditer(text):
        value, followed_by = _password_value(text, m, 2)
        direct = not m[1].strip()
        if _DIGEST_WORD.search(m[0][: m.start(2) - m.start()]):
            continue
        if _looks_like_password(value, followed_by, letters_and_digits=direct) or (
            direct and _pin_like(value)
        ):
            yield Found("secret", m.start(2), m.start(2) + len(value))
    for m in _PASSWORD_THEN_VALUE.finditer(text):
        value, followed_by = _password_value(text, m, 1)
        if _looks_like_password(value, followed_by, letters_and_digits=False):
            yield Found("secret", m.start(1), m.start(1) + len(value))


def find_secrets(text: str) -> Iterator[Found]:
    if any(prefix in text for prefix in _SECRET_PREFIXES):
        yield from _find_prefixed_secrets(text)
    if "-----" in text:
        for m in _PEM.finditer(text):
            yield Found("secret", m.start(), m.end())
    if "=" in text or ":" in text:
        yield from _find_assigned_secrets(text)
    lowered = text.lower()
    if any(hint in lowered for hint in _PASSWORD_HINTS):
        yield from _find_passwords(text)
