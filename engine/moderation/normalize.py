"""Text normalisation for the lexical screen: one canonical word list, obfuscation undone.

The screened text and every list entry go through the same functions, so an entry matches however
the text writes it: in any case, with or without accents, with zero-width characters inside, with
Cyrillic or Greek look-alike letters, in leetspeak ("b0mb", "$uicide", "h@te"), spelled out letter
by letter ("b o m b", "b.o.m.b", "b-o-m-b") or stretched ("kiiiill").

Everything here is deterministic and table-driven: no dictionary of real words is consulted, so
the same input always gives the same words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Format characters that render as nothing: put inside a word they break matching without
# changing what a reader sees. Soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul
# fillers, Mongolian vowel separator, zero-width space/joiners, direction marks and embeddings,
# word joiner and invisible operators, byte order mark.
_INVISIBLE: dict[int, None] = dict.fromkeys(
    [
        0x00AD,
        0x034F,
        0x061C,
        0x115F,
        0x1160,
        0x17B4,
        0x17B5,
        0x180E,
        0x3164,
        0xFEFF,
        0xFFA0,
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2070),
    ]
)

# Combining marks left after canonical decomposition (accents, tildes, cedillas...).
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

# Letters that look like Latin ones but are other code points (checked after case folding), and
# Latin letters that have no decomposition into a base letter plus a mark.
_LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "\u0430": "a",  # а
        "\u0431": "b",  # б
        "\u0432": "b",  # в (small capital B shape)
        "\u0435": "e",  # е
        "\u043a": "k",  # к
        "\u043c": "m",  # м
        "\u043d": "h",  # н (small capital H shape)
        "\u043e": "o",  # о
        "\u0440": "p",  # р
        "\u0441": "c",  # с
        "\u0442": "t",  # т
        "\u0443": "y",  # у
        "\u0445": "x",  # х
        "\u0456": "i",  # і
        "\u0458": "j",  # ј
        "\u0455": "s",  # ѕ
        "\u0501": "d",  # ԁ
        "\u04bb": "h",  # һ
        "\u04cf": "l",  # ӏ
        "\u051b": "q",  # ԛ
        "\u051d": "w",  # ԝ
        # Greek
        "\u03b1": "a",  # α
        "\u03b2": "b",  # β
        "\u03b3": "y",  # γ
        "\u03b5": "e",  # ε
        "\u03b9": "i",  # ι
        "\u03ba": "k",  # κ
        "\u03bd": "v",  # ν
        "\u03bf": "o",  # ο
        "\u03c1": "p",  # ρ
        "\u03c4": "t",  # τ
        "\u03c5": "u",  # υ
        "\u03c7": "x",  # χ
        # Latin letters without a decomposition
        "\u00f8": "o",  # ø
        "\u0111": "d",  # đ
        "\u0142": "l",  # ł
        "\u0127": "h",  # ħ
        "\u0131": "i",  # dotless ı
        "\u0167": "t",  # ŧ
        "\u00f0": "d",  # ð
        "\u00e6": "ae",  # æ
        "\u0153": "oe",  # œ
        "\u00fe": "th",  # þ
    }
)

# "k!ll", "he|p": inside a word these marks stand for letters; elsewhere they are punctuation.
_MARK_IN_WORD = re.compile(r"(?<=[a-z])[!|](?=[a-z])")
_MARK_LETTER = {"!": "i", "|": "l"}

# Raw tokens: letters, digits and the two symbols leetspeak uses as letters.
_TOKEN_SPLIT = re.compile(r"([a-z0-9@$]+)")
# What may separate the letters of a word spelled out one by one: "b o m b", "b.o.m.b",
# "b-o-m-b", "b_o_m_b", "b * o * m * b", "b. o. m. b.".
_LIGHT_GAP = re.compile(r"[\s.\-_*~\u00b7\u2022]{1,3}")
# One-letter words of English, Portuguese and Spanish: in "a b o m b" the first letter may be
# the article, so a run starting with one is also read with that letter left apart.
_ONE_LETTER_WORDS = frozenset("aeiouy")
_MIN_SPELLED = 3
# Two one-character tokens separated by a light gap: the cheap test for any spelled-out word.
_SPELLED_HINT = re.compile(
    r"(?<![a-z0-9@$])[a-z0-9@$][\s.\-_*~\u00b7\u2022]{1,3}[a-z0-9@$](?![a-z0-9@$])"
)

_LETTER = re.compile(r"[a-z]")
# "13yo", "10mg", "3rd", "2fa": a number with a short unit or suffix, not leetspeak.
_NUMBER_WITH_UNIT = re.compile(r"(\d+)([a-z]{1,3})")
# "c4", "x86", "i7": a letter with a number is a code, not leetspeak either ("k1ll" has letters
# after the digit, "h4x0r" more than one letter before it).
_CODE_WITH_NUMBER = re.compile(r"([a-z])(\d+)")
_LEET = str.maketrans("013457@$", "oieastas")
_STRETCH = re.compile(r"([a-z])\1\1+")
_STRETCHED_WORD = re.compile(r"[a-z0-9]*([a-z])\1\1[a-z0-9]*")
_REPEAT = re.compile(r"([a-z])\1+")


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read a text as words.

    ``loose[i]`` is set only for a word written with a letter repeated three times or more: it is
    the word with every run of a letter squeezed to one ("kiiiill" → "kil"), to be compared with
    an entry squeezed the same way ("kill" → "kil"). Words written normally are compared as they
    are, so "as" never matches an entry "ass".
    """

    words: tuple[str, ...]
    loose: tuple[str | None, ...]


def normalize_words(text: str) -> list[str]:
    """The canonical words of ``text``: lower-case runs of ``[a-z0-9]``, obfuscation undone."""
    return list(readings(text)[0].words)


def normalize(text: str) -> str:
    """The canonical words of ``text`` joined by single spaces."""
    return " ".join(normalize_words(text))


def squeeze_repeats(word: str) -> str:
    """Every run of a repeated letter squeezed to one letter: "kill" → "kil"."""
    return _REPEAT.sub(r"\1", word)


def readings(text: str) -> list[Reading]:
    """The canonical reading of ``text`` first, then at most one alternative.

    The alternative exists only when a run of spelled-out letters starts or ends with a
    one-letter word ("make a b o m b", "t u s i o coca"): the canonical reading joins the whole
    run ("abomb", "tusio"), the alternative keeps that letter apart ("a bomb", "tusi o"). Matching
    tries both.
    """
    prepared = _prepare(text)
    # Splitting on a capturing group gives [gap, token, gap, token, ..., gap] in one C call.
    parts = _TOKEN_SPLIT.split(prepared)
    tokens, gaps = parts[1::2], parts[2:-1:2]
    token_lists = _join_spelled(tokens, gaps) if _SPELLED_HINT.search(prepared) else [tokens]
    # Joined letters ("k i i i l l") can form a stretched word the raw text does not show.
    stretched = _STRETCH.search(prepared) is not None or len(token_lists[0]) != len(tokens)
    return [_reading(token_list, stretched) for token_list in token_lists]


def _prepare(text: str) -> str:
    """Lower-case ASCII-ish text: invisible characters, accents and look-alikes removed."""
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).casefold()
        text = _COMBINING.sub("", unicodedata.normalize("NFD", text))
        text = text.translate(_LOOKALIKES)
    if "!" in text or "|" in text:
        text = _MARK_IN_WORD.sub(lambda m: _MARK_LETTER[m.group()], text)
    return text


def _join_spelled(tokens: list[str], gaps: list[str]) -> list[list[str]]:
    """Token lists with words spelled out one letter at a time joined back together."""
    main: list[str] = []
    other: list[str] | None = None  # built only when some run is ambiguous
    i = 0
    while i < len(tokens):
        end = _spelled_run_end(tokens, gaps, i)
        if end - i < _MIN_SPELLED or not any(t.isalpha() for t in tokens[i:end]):
            # Not a spelled word from here; the next token may still start one ("a b.o.m.b").
            main.append(tokens[i])
            if other is not None:
                other.append(tokens[i])
            i += 1
            continue
        joined = "".join(tokens[i:end])
        apart = _letters_apart(tokens, gaps, i, end)
        if apart is not None:
            other = list(main) if other is None else other
            other.extend(apart)
        elif other is not None:
            other.append(joined)
        main.append(joined)
        i = end
    return [main] if other is None else [main, other]


def _letters_apart(tokens: list[str], gaps: list[str], start: int, end: int) -> list[str] | None:
    """The run ``tokens[start:end]`` with a one-letter word at either end kept apart, if any.

    "a b o m b" → ["a", "bomb"] (an article before the word), "t u s i o" → ["tusi", "o"] (a
    conjunction after it); ``None`` when neither end is such a word or too few letters are left.
    Only a space counts as the gap around that letter: "d.m.t" is never split.
    """
    lead = tokens[start] in _ONE_LETTER_WORDS and gaps[start].isspace()
    trail = tokens[end - 1] in _ONE_LETTER_WORDS and gaps[end - 2].isspace()
    if not (lead or trail) or end - start - lead - trail < _MIN_SPELLED:
        return None
    core = "".join(tokens[start + lead : end - trail])
    return [tokens[start]] * lead + [core] + [tokens[end - 1]] * trail


def _spelled_run_end(tokens: list[str], gaps: list[str], start: int) -> int:
    """End (exclusive) of the run of one-character tokens starting at ``start``.

    The letters must be separated by the same light gap throughout, so "b.o.m.b b.o.m.b" is two
    words and "U.S.A. e.g." is "usa e g".
    """
    end = start + 1
    if len(tokens[start]) != 1 or end >= len(tokens) or len(tokens[end]) != 1:
        return end
    gap = gaps[start]
    if not _LIGHT_GAP.fullmatch(gap):
        return end
    while end < len(tokens) and len(tokens[end]) == 1 and gaps[end - 1] == gap:
        end += 1
    return end


def _reading(tokens: list[str], stretched: bool) -> Reading:
    """Words from tokens; ``stretched`` says whether some word may repeat a letter 3+ times."""
    words: list[str] = []
    for token in tokens:
        if token.isalpha():  # the common case: a plain word
            words.append(token)
        else:
            words.extend(_clean(token))
            stretched = True  # leetspeak may have made one ("k111" → "kiii")
    found = {m.group() for m in _STRETCHED_WORD.finditer(" ".join(words))} if stretched else ()
    if not found:
        return Reading(tuple(words), (None,) * len(words))
    loose: list[str | None] = []
    for i, word in enumerate(words):
        if word in found:
            words[i] = _STRETCH.sub(r"\1\1", word)
            loose.append(squeeze_repeats(word))
        else:
            loose.append(None)
    return Reading(tuple(words), tuple(loose))


def _clean(token: str) -> list[str]:
    """A token with digits or symbols as words: leetspeak decoded, numbers kept, "13yo" and
    "c4" split in two."""
    if _LETTER.search(token) is None:
        # Only digits and symbols: an amount or a year, never leetspeak.
        digits = token.replace("@", "").replace("$", "")
        return [digits] if digits else []
    split = _NUMBER_WITH_UNIT.fullmatch(token) or _CODE_WITH_NUMBER.fullmatch(token)
    if split:
        return [split.group(1), split.group(2)]
    return [token.translate(_LEET)]
