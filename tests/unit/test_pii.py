"""PII redaction of reasoning segments: each kind is found in its usual formats, look-alikes in
technical text are left alone, and placeholders sit where the offsets say."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.moderation.pii import PII_KINDS, Found, Redaction, find_pii, redact

# --- check-digit helpers, written independently of the module so the two cross-check ---------


def luhn_complete(prefix: str, length: int) -> str:
    """``prefix`` padded with zeros to ``length - 1`` digits plus its Luhn check digit."""
    body = prefix.ljust(length - 1, "0")
    total = 0
    for i, ch in enumerate(reversed(body)):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n // 10 + n % 10
    return body + str((10 - total % 10) % 10)


def _mod11(digits: str, first_weight: int) -> int:
    total = sum(int(d) * (first_weight - i) for i, d in enumerate(digits))
    rest = total % 11
    return 0 if rest < 2 else 11 - rest


def make_cpf(base9: str) -> str:
    d1 = _mod11(base9, 10)
    d2 = _mod11(base9 + str(d1), 11)
    return f"{base9}{d1}{d2}"


def make_cnpj(base12: str) -> str:
    def digit(digits: str) -> int:
        weights = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][-len(digits) :]
        rest = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        return 0 if rest < 2 else 11 - rest

    d1 = digit(base12)
    return f"{base12}{d1}{digit(base12 + str(d1))}"


def make_nif(base8: str) -> str:
    return base8 + str(_mod11(base8, 9))


def make_dni(number: int) -> str:
    return f"{number:08d}" + "TRWAGMYFPDXBNJZSQVHLCKE"[number % 23]


def make_iban(country: str, bban: str) -> str:
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


def spaced(compact: str) -> str:
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def fmt_cpf(d: str) -> str:
    return f"{d[:3]}.{d[3:6]}.{d[6:9]}-{d[9:]}"


def fmt_cnpj(d: str) -> str:
    return f"{d[:2]}.{d[2:5]}.{d[5:8]}/{d[8:12]}-{d[12:]}"


def corrupt(digits: str) -> str:
    """Same number with its last digit changed: every checksum here then fails."""
    return digits[:-1] + str((int(digits[-1]) + 1) % 10)


# --- assertion helpers ------------------------------------------------------------------------


def spans(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in find_pii(text)]


def assert_only(text: str, kind: str, value: str) -> None:
    assert spans(text) == [(kind, value)], text


def assert_clean(text: str) -> None:
    assert find_pii(text) == [], f"{text!r}: {spans(text)}"


# --- API ----------------------------------------------------------------------------------------


def test_kinds_are_the_published_ones() -> None:
    assert PII_KINDS == (
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


def test_redact_offsets_point_at_placeholders() -> None:
    text = "Mail ana@exemplo.pt, tel +351 912 345 678, NIF 123456789 ok"
    out, reds = redact(text)
    assert out == "Mail [email], tel [phone], NIF [nif] ok"
    assert [r.kind for r in reds] == ["email", "phone", "nif"]
    for r in reds:
        assert out[r.start : r.end] == f"[{r.kind}]"
    assert reds[0] == Redaction("email", 5, 12)


def test_find_offsets_point_into_the_input() -> None:
    text = "CPF 123.456.789-09 e cartão 4111 1111 1111 1111."
    assert find_pii(text) == [Found("cpf", 4, 18), Found("card", 28, 47)]


def test_results_are_sorted_and_disjoint() -> None:
    text = (
        "x 4111111111111111 y joao@x.com z 11.222.333/0001-81 w 192.168.0.7 "
        "(11) 98765-4321 ES91 2100 0418 4502 0005 1332"
    )
    found = find_pii(text)
    assert [f.kind for f in found] == ["card", "email", "cnpj", "ip", "phone", "iban"]
    for a, b in itertools.pairwise(found):
        assert a.end <= b.start


def test_empty_and_plain_text() -> None:
    assert redact("") == ("", [])
    plain = "The model considers whether the user wants a short answer."
    assert redact(plain) == (plain, [])


# --- email ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "joao.silva@exemplo.com.br",
        "maria+news@correo.es",
        "j_o-e%tag@mail.co.uk",
        "ana@sub.domain.pt",
        "JOSE.GARCIA@EMPRESA.ES",
        "joão@exemplo.com",
        "user123@example.io",
    ],
)
def test_email_positives(address: str) -> None:
    assert_only(f"Escreve para {address}, por favor.", "email", address)


@pytest.mark.parametrize(
    "obfuscated",
    [
        "nome [at] dominio [dot] com",
        "name (at) example (dot) com",
        "joao[at]exemplo.com.br",
        "maria (arroba) correo (punto) es",
        "ana [arroba] sapo [ponto] pt",
        "bob@example (dot) org",
    ],
)
def test_email_obfuscated(obfuscated: str) -> None:
    assert_only(f"contacto: {obfuscated} ok", "email", obfuscated)


@pytest.mark.parametrize(
    "text",
    [
        "meet me at example dot com",  # plain "at" is too common
        "out = x@self.weight",  # matrix product
        "see logo@2x.png and icon@3x.jpg",
        "git clone git@github.com:owner/repo.git",
        "use the @property decorator or @dataclass",
        "pip install pkg@1.2.3",
        "user@localhost has no domain",
        "npm i @types/node",
        "cipher aes256-gcm@openssh.com or sk-ssh-ed25519@openssh.com",
    ],
)
def test_email_negatives(text: str) -> None:
    assert_clean(text)


# --- phone ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Liga para (11) 98765-4321 amanhã", "(11) 98765-4321"),
        ("o número é 11 98765-4321.", "11 98765-4321"),
        ("fixo (21) 3456-7890", "(21) 3456-7890"),
        ("WhatsApp +55 11 98765-4321", "+55 11 98765-4321"),
        ("ligar +55 (11) 98765-4321", "+55 (11) 98765-4321"),
        ("Tlm: +351 912 345 678", "+351 912 345 678"),
        ("liga-me para o 912 345 678", "912 345 678"),
        ("fixo 212 345 678", "212 345 678"),
        ("móvil +34 612 34 56 78", "+34 612 34 56 78"),
        ("llámame al 612 34 56 78", "612 34 56 78"),
        ("mi móvil es 612345678", "612345678"),
        ("call me at 4155550132 tonight", "4155550132"),
        ("me liga no 11987654321", "11987654321"),
        ("que la llamen al 91 562 38 14 por la tarde", "91 562 38 14"),
        ("contacto 612345678", "612345678"),
        ("celular: 11987654321", "11987654321"),
        ("Call (415) 555-0132 today", "(415) 555-0132"),
        ("office 415-555-0132", "415-555-0132"),
        ("or 415.555.0132", "415.555.0132"),
        ("dial +1 415 555 0132 now", "+1 415 555 0132"),
        ("UK office +44 20 7946 0958", "+44 20 7946 0958"),
        ("Berlin +4915112345678", "+4915112345678"),
        ("Paris +33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("Lisboa 00351 912 345 678", "00351 912 345 678"),
    ],
)
def test_phone_positives(text: str, phone: str) -> None:
    assert_only(text, "phone", phone)


def test_phone_followed_by_another_number_keeps_its_own_span() -> None:
    assert spans("ring +44 20 7946 0958 1234 5678 times") == [("phone", "+44 20 7946 0958")]


@pytest.mark.parametrize(
    "text",
    [
        "upgrade to version 12.345.678 or 1.2.3",
        "released on 2024-01-15 at 10:30:45",
        "timestamp 2024-01-15T10:30:00Z in the log",
        "run kill -9 1234 then retry",
        "listen on port 8080 or 50051",
        "ISBN 978-0-306-40615-7",
        "ISBN-10 0-306-40615-2",
        "hash 0x1234567890abcdef",
        "the variable user_123456789 is unused",
        "see page 1234 of 5678",
        "R$ 1.234,56 ou R$ 98.765.432,10",
        "a population of 900 000 000 people",
        "the number 612345678 by itself",  # bare run, no phone word
        "pi is 3.14159265358979",
        "sizes 1234.5678 and +1234.5678",
        "range 12345678-87654321",
        "telefone 2024-01-15",  # phone word, but a date
        "tel 12.345.678",  # phone word, but a thousands-grouped count
        "the call returned 4155550132 rows",  # "call" alone is a function call
        "LLaMA has 7000000000 parameters",  # "llama" is not "llamar"
    ],
)
def test_phone_negatives(text: str) -> None:
    assert_clean(text)


def test_phone_word_must_be_close_and_not_separated_by_digits() -> None:
    assert_clean("the phone was mentioned in 2021 and 612345678 is a count")
    assert_clean("phone " + "x" * 40 + " 612345678")


def test_bare_brazilian_number_needs_a_real_area_code() -> None:
    assert_clean("celular (20) 98765-4321")  # DDD 20 does not exist


# --- card -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "card",
    [
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111111111111111",
        "5555 5555 5555 4444",
        "2223 0031 2200 3222",  # Mastercard 2-series
        "3782 822463 10005",  # Amex 4-6-5
        "378282246310005",
        "6011 1111 1111 1117",  # Discover
        "3530 1113 3330 0000",  # JCB
        "4012888888881881",
        luhn_complete("6062", 16),  # Hipercard
        luhn_complete("4", 13),  # 13-digit Visa
        luhn_complete("36", 14),  # Diners
    ],
)
def test_card_positives(card: str) -> None:
    assert_only(f"cartão {card} válido", "card", card)


def test_cards_grouped_with_dots() -> None:
    visa = luhn_complete("4", 16)
    dotted = ".".join(visa[i : i + 4] for i in range(0, 16, 4))
    assert_only(f"o cartão {dotted} foi recusado.", "card", dotted)
    amex = luhn_complete("37", 15)
    amex_dotted = f"{amex[:4]}.{amex[4:10]}.{amex[10:]}"
    assert_only(f"Amex {amex_dotted} vence em 09/27", "card", amex_dotted)
    # Mixed separators are not a printed grouping, and a dotted version string is no card.
    assert_clean(f"{visa[:4]}.{visa[4:8]} {visa[8:12]}-{visa[12:]}")
    assert_clean("release 2024.0311.1107.5521 is out")


def test_long_cards_are_found_when_grouped() -> None:
    card = luhn_complete("4", 19)
    grouped = " ".join(card[i : i + 4] for i in range(0, 19, 4))
    assert_only(f"Visa {grouped} ok", "card", grouped)


def test_card_next_to_other_numbers() -> None:
    assert spans("in 2023 4111 1111 1111 1111 was charged") == [("card", "4111 1111 1111 1111")]


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1112",  # Luhn fails
        corrupt("5555555555554444"),
        luhn_complete("1", 16),  # Luhn-valid, no issuer starts with 1 (snowflake ids, ms times)
        luhn_complete("9", 16),
        luhn_complete("51", 15),  # Mastercard prefix, wrong length
        luhn_complete("34", 16),  # Amex prefix, wrong length
        "41111111111111112",  # 17 digits: a longer number, not a card
        "4111 111 11111 1111",  # not a card grouping
        "4111-1111 1111-1111",  # mixed separators
        "978-4111-1111-1111-1111",  # inside a hyphenated token
        "timestamp 1700000000000 ms",
        "int64 values [4220315081820346526, 7]",  # bare 19 digits: an id, not a long card
        "id_4111111111111111",
        "0x4111111111111111",
    ],
)
def test_card_negatives(text: str) -> None:
    assert_clean(text)


# --- iban -----------------------------------------------------------------------------------

IBANS = [
    "GB82WEST12345698765432",
    "ES9121000418450200051332",
    "DE89370400440532013000",
    make_iban("PT", "000201231234567890154"),
    make_iban("BR", "00360305000010009795493P1"),
    make_iban("FR", "20041010050500013M02606"),
    make_iban("IT", "X0542811101000000123456"),
    make_iban("NL", "ABNA0417164300"),
    make_iban("BE", "539007547034"),
    make_iban("IE", "AIBK93115212345678"),
]


def test_iban_helper_builds_the_known_examples() -> None:
    assert make_iban("GB", "WEST12345698765432") == IBANS[0]
    assert make_iban("ES", "21000418450200051332") == IBANS[1]
    assert [len(i) for i in IBANS[3:]] == [25, 29, 27, 27, 18, 16, 22]


@pytest.mark.parametrize("iban", IBANS)
def test_iban_positives_compact_and_grouped(iban: str) -> None:
    assert_only(f"IBAN {iban} (titular)", "iban", iban)
    grouped = spaced(iban)
    assert_only(f"Transfere para {grouped}.", "iban", grouped)


def test_iban_of_other_countries_uses_the_generic_length() -> None:
    iban = make_iban("QZ", "12345678901234")  # no fixed length known: 15–34 rule
    assert_only(f"conta {iban}", "iban", iban)


def test_iban_followed_by_a_capitalised_word() -> None:
    text = "pague ES91 2100 0418 4502 0005 1332 HOJE"
    assert spans(text) == [("iban", "ES91 2100 0418 4502 0005 1332")]


@pytest.mark.parametrize(
    "text",
    [
        "GB82 WEST 1234 5698 7654 33",  # mod 97 fails
        "ES91 2100 0418 4502 0005 133",  # one character short for Spain
        make_iban("PT", "0002012312345678901541"),  # mod 97 fine, Portugal is 25 long
        "gb82west12345698765432",  # lower case is not how IBANs are written
        "AB12CDEF",
    ],
)
def test_iban_negatives(text: str) -> None:
    assert_clean(text)


# --- cpf / cnpj -----------------------------------------------------------------------------

CPFS = ["12345678909", make_cpf("529982247"), make_cpf("111444777"), make_cpf("000000001")]
CNPJS = ["11222333000181", make_cnpj("112223330002"), make_cnpj("045997418000")]


def test_helpers_agree_with_known_numbers() -> None:
    assert make_cpf("123456789") == "12345678909"
    assert make_cnpj("112223330001") == "11222333000181"
    assert make_nif("12345678") == "123456789"
    assert make_dni(12345678) == "12345678Z"


@pytest.mark.parametrize("cpf", CPFS)
def test_cpf_positives(cpf: str) -> None:
    assert_only(f"CPF {fmt_cpf(cpf)} do titular", "cpf", fmt_cpf(cpf))
    assert_only(f"meu cpf é {cpf}.", "cpf", cpf)


@pytest.mark.parametrize("cnpj", CNPJS)
def test_cnpj_positives(cnpj: str) -> None:
    assert_only(f"CNPJ {fmt_cnpj(cnpj)} da empresa", "cnpj", fmt_cnpj(cnpj))
    assert_only(f"cnpj: {cnpj}", "cnpj", cnpj)


@pytest.mark.parametrize(
    "text",
    [
        "CPF 123.456.789-00",  # check digits wrong
        f"CPF {corrupt(CPFS[1])}",
        "CPF 111.111.111-11",  # passes the arithmetic, but all one digit
        "00000000000",
        "CNPJ 11.222.333/0001-82",
        f"CNPJ {corrupt(CNPJS[1])}",
        "11111111111111",
        "123.456.789.09",  # dotted all the way: not the CPF format
        "v12345678909",
        "R$ 12345678909",  # an amount
    ],
)
def test_cpf_cnpj_negatives(text: str) -> None:
    assert_clean(text)


# --- nif ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "nif"),
    [
        ("NIF 123456789", "123456789"),
        ("o meu número de contribuinte é 123 456 789", "123 456 789"),
        (f"NIPC: {make_nif('50196484')}", make_nif("50196484")),
        (f"fatura com NIF {make_nif('91234567')}", make_nif("91234567")),  # phone-shaped + word
        (f"nif:{make_nif('45123456')}", make_nif("45123456")),
        (f"emitido para {make_nif('50196484')} ontem", make_nif("50196484")),  # not phone-shaped
        (f"pessoa {make_nif('31234567')}", make_nif("31234567")),
        (f"NIPC da empresa {make_nif('71234567')}", make_nif("71234567")),
    ],
)
def test_nif_positives(text: str, nif: str) -> None:
    assert_only(text, "nif", nif)


@pytest.mark.parametrize(
    "text",
    [
        "NIF 123456788",  # check digit wrong
        f"NIF {corrupt(make_nif('50196484'))}",
        f"número {make_nif('41234567')}",  # 4 only as 45
        f"número {make_nif('73234567')}",  # 73 is not a NIPC prefix
        f"o valor {make_nif('91234567')} sem contexto",  # phone-shaped, no NIF word
        f"o valor {make_nif('21234567')} sem contexto",
        f"o valor {make_nif('71234567')} sem contexto",  # 7 starts Spanish mobiles
        "file_123456789.txt",
        "1234567890",  # ten digits
        "the alphabet 0 123456789 of digits",  # valid, but counting digits without the word
        f"blob size={make_nif('54812356')}",  # numbers in code are data
        f'{{"size": {make_nif("54812356")}}}',
        f"rng = RandomState({make_nif('10571127')})",
        f"seeds [{make_nif('10571127')}, 720447391]",
        f"loc=.{make_nif('10571127')}",  # a fraction
    ],
)
def test_nif_negatives(text: str) -> None:
    assert_clean(text)


def test_phone_shaped_nif_without_word_is_left_to_the_phone_detector() -> None:
    nif = make_nif("91234567")
    grouped = f"{nif[:3]} {nif[3:6]} {nif[6:]}"
    assert spans(f"telefone {nif}") == [("phone", nif)]
    assert spans(f"ver {grouped}") == [("phone", grouped)]
    assert spans(f"NIF {grouped}") == [("nif", grouped)]


# --- dni / nie ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dni",
    [
        "12345678Z",
        "12345678-Z",
        "12345678 Z",
        "12.345.678-Z",
        make_dni(87654321),
        make_dni(1234),
        "X1234567L",
        "Y-1234567-X",
        "Z 7654321 H",
    ],
)
def test_dni_positives(dni: str) -> None:
    assert_only(f"DNI {dni} del titular", "dni", dni)


@pytest.mark.parametrize(
    "text",
    [
        "12345678A",  # wrong letter
        "X1234567A",
        "12345678z",  # lower-case letter
        "W1234567L",  # not an NIE prefix
        "12345678Zeta",
        "v12345678Z",
    ],
)
def test_dni_negatives(text: str) -> None:
    assert_clean(text)


# --- ip -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "192.168.1.10",
        "10.0.0.23",
        "203.45.67.89",
        "172.16.254.1",
        "2a00:1450:4003:80e::200e",
        "2001:0db9:85a3:0000:0000:8a2e:0370:7334",
        "fd12:3456:789a::1",
        "::ffff:192.168.1.20",
    ],
)
def test_ip_positives(address: str) -> None:
    assert_only(f"o servidor em {address} respondeu", "ip", address)


def test_ip_with_port_and_brackets() -> None:
    assert spans("GET http://84.12.33.4:8080/x") == [("ip", "84.12.33.4")]
    assert spans("http://[2a00:1450::8a2e]:443/") == [("ip", "2a00:1450::8a2e")]


@pytest.mark.parametrize(
    "text",
    [
        "bind to 127.0.0.1 or 127.3.2.1",
        "listen on 0.0.0.0:8000",
        "curl http://[::1]:8080/",
        "the unspecified address :: and ::1",
        "netmask 255.255.255.0 and 255.255.0.0",
        "broadcast 255.255.255.255",
        "multicast 224.0.0.251 and ff02::1",
        "link-local 169.254.169.254 and fe80::1ff:fe23:4567:890a",
        "docs use 192.0.2.1, 198.51.100.7, 203.0.113.9 and 2001:db8::1",
        "DNS 8.8.8.8, 1.1.1.1 and 2606:4700:4700::1111",
        "route 10.0.0.0/8 via the gateway",  # a network, not a host
        "version 1.2.3.4 is out",
        "upgrade to v1.2.3.4",
        "the sequence 1.2.3.4.5 continues",
        "octets 256.1.1.1 and 1.2.3.999",
        "leading zeros 010.001.002.003",
        "the slice a[1::2] and a[::2]",
        "C++ std::vector::size",
        "time 12:30:45 and ratio 16:9",
        "MAC 00:1A:2B:3C:4D:5E",
        "as in section 7.2.1.1 and §4.2.3.1",
        "built with Guile 3.0.5.130",  # first three parts single digits: a version
        "pin ==1.2.3.10",
        'BASIC_CONSTRAINTS = ObjectIdentifier("2.5.29.19")',
        "route 2a00:1450::/32 and 2001:1::1/128",  # networks
        # Upgrades and builds, nothing of a network: a dotted quad is a version.
        "after upgrading to 2.10.3.4 the build broke",
        "depois de atualizar a biblioteca para 1.21.4.2 a compilação falha",
        "tras actualizar la librería a la 3.14.2.9 falla la compilación",
    ],
)
def test_ip_negatives(text: str) -> None:
    assert_clean(text)


@pytest.mark.parametrize(
    "text",
    [
        "the build machine 85.12.33.4 is slow",
        "after the upgrade, logins came from 85.12.33.4",
        "atualizar o servidor 177.45.12.9 hoje",
    ],
)
def test_ip_in_a_sentence_about_upgrades_that_names_a_network(text: str) -> None:
    assert [f.kind for f in find_pii(text)] == ["ip"]


# --- secret ---------------------------------------------------------------------------------

RANDOM_40 = "Xq7Lm2Pz9Rt4Vb8Nc1Kd6Hf3Jg5Ws0Ya2Eu8Io4"


@pytest.mark.parametrize(
    "secret",
    [
        "sk-" + RANDOM_40[:48],
        "sk-proj-" + RANDOM_40 + "_" + RANDOM_40[::-1],
        "ghp_" + RANDOM_40[:36],
        "gho_" + RANDOM_40[4:40],
        "github_pat_11ABCDEFG0" + RANDOM_40[:22] + "_" + RANDOM_40[:20],
        "AKIAIOSFODNN7EXAMPLE",
        "ASIA" + "Q7L2P9R4V8N1K6H3",
        "AIza" + RANDOM_40[:35],
        "ya29." + RANDOM_40[:30],
        "xoxb-1234567890-0987654321-" + RANDOM_40[:24],
        "hf_" + RANDOM_40[:34],
        "glpat-" + RANDOM_40[:20],
        "sk_live_" + RANDOM_40[:24],
        "rk_live_" + RANDOM_40[:24],
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ],
)
def test_secret_prefixed_positives(secret: str) -> None:
    assert_only(f"usa a chave {secret} no header", "secret", secret)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"api_key = {RANDOM_40}", RANDOM_40),
        (f'"password": "{RANDOM_40[:24]}"', RANDOM_40[:24]),
        (f"senha: {RANDOM_40[:22]}.", RANDOM_40[:22]),
        (f"contraseña={RANDOM_40[:21]}", RANDOM_40[:21]),
        (f"clave: {RANDOM_40[5:30]}", RANDOM_40[5:30]),
        (f"AWS_SECRET_ACCESS_KEY={RANDOM_40}", RANDOM_40),
        (f"Authorization: Bearer {RANDOM_40}", RANDOM_40),
        (
            "token: 3f786850e387550fdab836ed7e6dc881de23001b",
            "3f786850e387550fdab836ed7e6dc881de23001b",
        ),
        ("password: Correct#Horse#Battery#Staple", "Correct#Horse#Battery#Staple"),
        (f'{{"accessToken": "{RANDOM_40[:32]}"}}', RANDOM_40[:32]),
        (f"clientSecret={RANDOM_40[8:]}", RANDOM_40[8:]),
        # Passwords are secret however short once they mix three kinds of characters.
        ("password: Tr0ub4dor&3_winter and", "Tr0ub4dor&3_winter"),
        ("senha: Brasil@2024!seguro e", "Brasil@2024!seguro"),
        ("contraseña=Cerveza_Fria#2023", "Cerveza_Fria#2023"),
    ],
)
def test_secret_assigned_positives(text: str, secret: str) -> None:
    assert_only(text, "secret", secret)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        # A few words between the password word and its ":".
        ("la contraseña del correo: gatoNegro_19 no entra", "gatoNegro_19"),
        ("senha do roteador: Capivara#88, anotada", "Capivara#88"),
        ("password for the admin account: Hunter2!xyz", "Hunter2!xyz"),
        ("clave del wifi: nubeRoja_77", "nubeRoja_77"),
        # No ":" at all, maybe a verb and quotes.
        ("a senha é Capivara#88 e ninguém sabe", "Capivara#88"),
        ("la contraseña es Perro$Azul42.", "Perro$Azul42"),
        ("they set the password 'Tr0ub4dor&3' last week", "Tr0ub4dor&3"),
        # Letters and digits only, accents, any symbol, a short one of three kinds, a PIN.
        ("senha: capivara8812", "capivara8812"),
        ("contraseña: Añoñandú2024", "Añoñandú2024"),
        ("contraseña: Qz?81k,Lm9 para entrar", "Qz?81k,Lm9"),
        ("senha: Gato#7x", "Gato#7x"),
        ("senha: 48213907", "48213907"),
        # A capitalised word and a year joined like a name: a password, not code.
        ("junto con contraseña: Gaviota_1987 para", "Gaviota_1987"),
        ("password: Seagull_1987", "Seagull_1987"),
    ],
)
def test_password_after_its_word(text: str, secret: str) -> None:
    assert_only(text, "secret", secret)


@pytest.mark.parametrize(
    "text",
    [
        "the password is incorrect",
        "la contraseña es demasiado corta",
        "the password policy requires 12 characters",
        "la contraseña debe tener 8 caracteres: mayúsculas, números",
        "The password field: required",
        "Password (required): at least 8 characters",
        "senha do usuário: SENHA_DO_USUARIO",
        "password hash: $2b$12$abcdefgh",
        "password: 123456",  # a counted run is an example, not someone's PIN
        "password: ********",
        "if password == hashed_pw1:",
    ],
)
def test_password_words_in_prose_or_code(text: str) -> None:
    assert_clean(text)


def test_pem_private_key_whole_and_cut() -> None:
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"
    whole = f"-----BEGIN PRIVATE KEY-----\n{body}\n{body}\n-----END PRIVATE KEY-----"
    assert_only(f"aqui: {whole} fim", "secret", whole)
    head = f"-----BEGIN RSA PRIVATE KEY-----\n{body}"
    assert_only(f"the key {head}", "secret", head)
    tail = f"{body}\n-----END OPENSSH PRIVATE KEY-----"
    assert_only(f"{tail} was pasted", "secret", tail)


@pytest.mark.parametrize(
    "text",
    [
        "commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it",
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "request id 123e4567-e89b-12d3-a456-426614174000",
        "uses sk-learn-compatible-estimator-api",  # lower-case words, not a key
        "token = tokenizer.apply_chat_template(messages)",
        "secret_key = settings.SECRET_KEY_FROM_ENV",
        "api_key = os.environ['OPENAI_API_KEY']",
        "password: YOUR_PASSWORD_GOES_HERE_PLEASE",
        "max_tokens=2048 and key: value",
        "token: 123456789012345678901234",  # digits only
        "password = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1",  # no entropy
        "the primary key: user_accounts_table_name_v2",
        "public_key = ed25519.Ed25519PublicKey.from_public_bytes(data)",
        "def load(key: PKCS12PrivateKeyTypes | None)",
        "token_number = self.tokens_taken+len(self.tokens)",
        "key_states = nn.functional.conv2d(x, w)",
        "query, key = apply_rotary_pos_emb_2d(q, k)",
        "token2wav = Qwen2_5OmniToken2WavModel(config)",
        "PrivateKey = rust_openssl.hpke.MLKEM768X25519PrivateKey",
        '{"token2wav_config": Qwen2_5OmniToken2WavConfig}',
        "# Gemma2 has key_length==value_length==head_dim",
        "self.author = _read_field_from_msg(msg, 'author')",  # "auth" inside "author"
        f"monkey = {RANDOM_40}",  # "key" inside "monkey"
        '"key_sha256": "bb1636883c2707b51c5b7fc26c6927af4430f2e0785a8c7bc886337f919f9edf"',
        "password: Optional[str] = None",
        "password=hashed_pw1 is stored",
        "password = make_password(raw_pw2)",
        "token: Tr0ub4dor&3_winter",  # short values need a password word
        "-----BEGIN PUBLIC KEY----- MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
        "-----BEGIN CERTIFICATE-----",
    ],
)
def test_secret_negatives(text: str) -> None:
    assert_clean(text)


# --- overlaps -------------------------------------------------------------------------------


def test_overlaps_keep_the_longer_or_more_specific() -> None:
    # A CPF-shaped local part stays inside its e-mail address.
    assert spans("mail 12345678909@exemplo.com") == [("email", "12345678909@exemplo.com")]
    # A NIF-shaped number after a country code stays inside the phone.
    assert spans("tel +351 123456789") == [("phone", "+351 123456789")]
    # A number that is both a CPF and a keyword phone is the (validated) CPF.
    assert spans("celular 12345678909") == [("cpf", "12345678909")]
    # A key value holding an e-mail address is one secret.
    value = "Xq7Lm2Pz9R@t4Vb8Nc1Kd.com"
    assert spans(f"password={value}") == [("secret", value)]
    # An IBAN's digits are not a card.
    iban = spaced(make_iban("DE", "4111111111111111" + "11"))
    assert [k for k, _ in spans(f"conta {iban}")] == ["iban"]


def test_placeholders_never_make_new_matches() -> None:
    # Once "+1 …" and the first NIF are placeholders, "phone" and "NIF" would be next to the
    # other numbers with no digits between: the brackets keep the words from counting.
    second = make_nif("91234567")  # valid, phone-shaped: a NIF only after the word
    text = f"phone +1 415 555 0132 and then 12345678; NIF 123456789 {second}"
    out, _ = redact(text)
    assert out == f"phone [phone] and then 12345678; NIF [nif] {second}"
    assert redact(out) == (out, [])


def test_remainder_of_an_overlap_loser_is_found_in_a_second_round() -> None:
    # The key's body runs on into the PEM line; the PEM block wins the overlap, and the key
    # alone is found once the block is a placeholder.
    key = "sk-" + RANDOM_40[:24]
    pem = "-----BEGIN PRIVATE KEY----- MIIEvQIBADANBgkqhkiG9w0BAQEF"
    assert spans(key + pem) == [("secret", key), ("secret", pem)]
    assert redact(key + pem)[0] == "[secret][secret]"


def test_keyword_search_survives_text_that_grows_when_lower_cased() -> None:
    # "İ".lower() is two characters: keyword positions are then searched in the text itself.
    assert spans("İzmir: tel 612345678") == [("phone", "612345678")]
    assert spans("İ NIF 123456789") == [("nif", "123456789")]


# --- properties ------------------------------------------------------------------------------

# Texts without digits or "@" can still hold these: key prefixes, PEM lines, "key: value"
# assignments and bracketed "[at]" addresses.
_SECRET_MARKERS = re.compile(
    r"sk-|[sr]k_|gh[pousr]_|github_pat_|AKIA|ASIA|AIza|xox|hf_|glpat-|eyJ|-----"
    r"|(?i:key|token|secret|pass|pwd|senha|contrase|clave|chave|credential|auth)"
    r"|(?i:[\[(]\s*(?:at|arroba)\s*[\])])"
)

_TRICKY = st.lists(
    st.sampled_from([*"0123456789 .-+()/:@[]_xXabcdefZ\n", "NIF ", "tel ", "key=", "000"]),
    max_size=80,
).map("".join)


def _check_idempotent(text: str) -> None:
    out, reds = redact(text)
    for r in reds:
        assert out[r.start : r.end] == f"[{r.kind}]"
    assert find_pii(out) == [], (text, out)


@settings(max_examples=300)
@given(st.text(max_size=400))
def test_property_random_text_redacts_to_a_fixed_point(text: str) -> None:
    _check_idempotent(text)


@settings(max_examples=500)
@given(_TRICKY)
def test_property_number_soup_redacts_to_a_fixed_point(text: str) -> None:
    _check_idempotent(text)


@settings(max_examples=300)
@given(st.text(max_size=400))
def test_property_text_without_digits_or_at_is_unchanged(text: str) -> None:
    assume(not any(ch.isdigit() for ch in text) and "@" not in text)
    assume(_SECRET_MARKERS.search(text) is None)
    assert redact(text) == (text, [])


# --- typical segments ---------------------------------------------------------------------

SEGMENTS = [
    "The user asked how to configure nginx as a reverse proxy, so I should explain the "
    "upstream block, proxy_pass and the headers that need forwarding before anything else.",
    "O utilizador indicou o NIF 123456789 e o telemóvel +351 912 345 678; não devo repetir "
    "estes dados na resposta, apenas confirmar que foram recebidos.",
    "Version 2.4.1 was released on 2024-01-15; the changelog mentions port 8080, commit "
    "3f786850e387550fdab836ed7e6dc881de23001b and a fix for kill -9 handling.",
    "El cliente con DNI 12345678Z pagó con la tarjeta 4111 1111 1111 1111 y pidió que le "
    "llamáramos al 612 34 56 78 o escribiéramos a cliente@correo.es.",
    "Then bind the server to 127.0.0.1:5000 and test from 192.168.1.20 with curl, checking "
    "the response headers; the UUID 123e4567-e89b-12d3-a456-426614174000 is the request id.",
    "Eles querem transferir R$ 1.234,56 para a conta ES91 2100 0418 4502 0005 1332 do CPF "
    "123.456.789-09 ainda hoje, antes das 18h.",
    "Set OPENAI_API_KEY=sk-proj-Xq7Lm2Pz9Rt4Vb8Nc1Kd6Hf3Jg5Ws0Ya2Eu8Io4 in the environment "
    "rather than hard-coding it, and rotate it if it was ever committed.",
    "Hmm, so the function returns a list of tuples; maybe I should suggest a dataclass "
    "instead, since the caller accesses fields by name in three places.",
]


def test_typical_segments_redact_as_expected() -> None:
    # Speed is measured by ``python -m tests.moderation_eval`` (cost per segment), not here.
    kinds = [[r.kind for r in redact(s)[1]] for s in SEGMENTS]
    assert kinds == [
        [],
        ["nif", "phone"],
        [],
        ["dni", "card", "phone", "email"],
        ["ip"],
        ["iban", "cpf"],
        ["secret"],
        [],
    ]
