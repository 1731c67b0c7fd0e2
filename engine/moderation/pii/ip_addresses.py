"""IP addresses, v4 and v6, that can identify someone's machine.

- IPv4 may not touch a longer dotted number (``1.2.3.4.5``), a word (``v1.2.3.4``) or a CIDR
  suffix (a network, not a host), nor follow "version", "section", "§", "RFC", "OID" or ``==``;
  in a sentence about upgrades, builds or libraries that names nothing of a network, a dotted
  quad is a version.
  Leading zeros are rejected (octal ambiguity), and so are quads whose first three parts are
  single digits (``7.2.1.1``, ``3.0.5.130``: sections and versions; such hosts are rare).
- IPv6 must parse with ``ipaddress``, contain a decimal digit and either three groups or a
  four-digit group (``a[1::2]`` is a slice).
- Addresses that cannot identify anyone are kept: loopback, unspecified, ``0.0.0.0/8``,
  link-local, multicast, reserved (which covers broadcast and netmasks such as
  ``255.255.255.0``), other netmasks, the documentation ranges and the best known public resolvers
  (8.8.8.8, 1.1.1.1, 9.9.9.9 …). They appear constantly in technical explanations and are not
  personal data. Private ranges (10/8, 192.168/16 …) *are* redacted: they name a machine on
  someone's network.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from engine.moderation.pii.boundaries import DIGIT
from engine.moderation.pii.found import Found

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
# A sentence about upgrading software or a broken build, with no word about networks: a dotted
# quad there is a version ("after upgrading to 2.10.3.4 the build broke").
_SOFTWARE_CONTEXT = re.compile(
    r"(?i:\b(?:upgrad\w*|downgrad\w*|atualiz\w*|actualiz\w*|changelog|compil\w*|build|"
    r"librar(?:y|ies)|librer[ií]a\w*|biblioteca\w*|package|pacote|paquete|dependenc\w*|"
    r"depend[eê]ncia\w*|release notes|sdk|firmware))"
)
_NETWORK_CONTEXT = re.compile(
    r"(?i:\b(?:ip|ips|host\w*|server\w*|servidor\w*|address\w*|endere[cç]o\w*|"
    r"direcci[oó]n\w*|ping|ssh|connect\w*|conex\w*|conect\w*|firewall|dns|proxy|router|"
    r"roteador|gateway|subnet|vpn|login\w*|acess\w*|acces\w*|logged|logs?|visit\w*|"
    r"machine\w*|m[aá]quina\w*|node|nodes|instance\w*|inst[aâ]ncia\w*|instancia\w*))\b"
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
    if DIGIT.search(span) is None:
        return False  # "dead::beef", "add::bad": words, not addresses
    groups = [g for g in span.split(":") if g]
    return len(groups) >= 3 or any(len(g) == 4 for g in groups)


def find_ips(text: str) -> Iterator[Found]:
    if text.count(".") >= 3:
        versions = _SOFTWARE_CONTEXT.search(text) and not _NETWORK_CONTEXT.search(text)
        for m in _IPV4.finditer(text):
            if versions:
                break
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
