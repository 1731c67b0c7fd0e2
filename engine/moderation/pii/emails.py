"""E-mail addresses, plain and obfuscated.

- The practical RFC 5322 subset: dot-atoms of letters, digits, ``+ % - _``; no quoted local
  parts, no ``/`` so a URL's ``//`` is not swallowed.
- The top-level domain must be two letters (a country) or a common generic TLD: this keeps
  ``x@self.weight`` (matrix product in Python) and ``logo@2x.png`` out.
- Not addresses: ``git@host`` (the SSH account of code hosts) and SSH algorithm names such as
  ``aes256-gcm@openssh.com``.
- Obfuscated forms need brackets: ``nome [at] dominio [dot] com``, ``(arroba)``, ``(ponto)``,
  ``[punto]``; a plain "at" is far too common.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from engine.moderation.pii.found import Found

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


def find_emails(text: str) -> Iterator[Found]:
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
