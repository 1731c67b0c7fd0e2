"""From what a user typed to a safe FTS5 query for ranking passages.

Anything may be typed — quotes, ``AND``/``NEAR``, ``C++``, ``AT&T``, ``3.11``, accents, emoji —
and nothing of it is ever read as FTS5 syntax: the query is rebuilt from words, each one a
quoted FTS5 string. Words are what the index's ``unicode61`` tokenizer keeps (letters, digits,
marks); a word with inner punctuation stays one unit as a phrase of its pieces (``AT&T`` →
``"AT T"``, ``3.11`` → ``"3 11"``), so it matches the same text it would match in a document.

The units are OR-ed, and BM25 sums their contributions, so a passage with more of the words
ranks higher without requiring all of them (a question rarely uses the document's exact
words). Two things add weight where the words appear together: text the user put in quotes,
and each pair of neighbouring content words of the question ("default argument values" gives
"default argument" and "argument values"), as extra phrase units.

Function words of the question's language (English, Portuguese or Spanish, guessed from which
list covers most of its words) are left out: they match almost every passage, add nothing to
the ranking and make the search slow. Only one language's list applies, so the Spanish "del"
does not remove Python's ``del`` from an English question. A question made only of such words
("to be or not to be") keeps them all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from engine.fts_words import word_runs

# Enough for a long question; a pasted page would otherwise cost one doclist walk per word.
MAX_TERMS = 24
MAX_PAIRS = 8
MAX_PHRASE = 32  # words of a quotation that must follow each other; a pasted page is cut

_QUOTES = re.compile(r"[\"“”„«»]")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        """a about above after again all also am an and any are as at be because been before
        being between both but by can could did do does doing done during each either else
        ever every few for from had has have having he her here hers him his how however i
        if in into is it its itself just let may me might more most must my no nor not of
        off on once only or other our ours out over own please same shall she should so some
        such than that the their theirs them then there these they this those through to too
        under until up upon us very was we were what whats when where whether which while
        who whom whose why will with within without would yes yet you your yours"""
    ),
    "pt": _words(
        """a ao aos aquela aquele aquilo as ate com como da das de dela dele deles do dos e
        ela elas ele eles em entao entre era essa esse esta estao estar este esta eu foi
        for ha isso isto ja lhe mais mas me mesmo meu minha muito na nao nas nem no nos
        numa num o onde os ou para pela pelas pelo pelos por porque qual quais quando que
        quem se sem ser seu sua suas seus so sobre sao tambem te tem tenho ter teu tua um
        uma umas uns voce voces"""
    ),
    "es": _words(
        """a al algo algun alguna como con cual cuales cuando de del donde e el ella ellas
        ellos en entre era es esa ese eso esta estan estar este esto estos fue ha hay la las
        le les lo los mas me mi mis muy ni no nos o para pero por porque que quien se sea
        ser si sin sobre son su sus tambien te tiene tu tus u un una unas uno unos usted
        ustedes y ya yo"""
    ),
}


@dataclass(frozen=True)
class Query:
    """A parsed query: ``terms`` are the words (or one-word phrases like ``("AT", "T")``) to
    look for, ``phrases`` the units that add weight when found together, ``prefixes`` the
    starts of long Portuguese or Spanish words (see ``_stem_prefix``)."""

    terms: tuple[tuple[str, ...], ...]
    phrases: tuple[tuple[str, ...], ...]
    prefixes: tuple[str, ...] = ()

    @property
    def units(self) -> tuple[str, ...]:
        """Each term, phrase and prefix as an FTS5 expression of its own."""
        return (
            *(_quote(unit) for unit in (*self.terms, *self.phrases)),
            *(_quote((prefix,)) + "*" for prefix in self.prefixes),
        )

    @property
    def fts(self) -> str | None:
        """The FTS5 MATCH expression, or None when the text held no word at all."""
        return " OR ".join(self.units) or None

    @property
    def words(self) -> frozenset[str]:
        """Every word of the query, folded (lower case, no accents)."""
        return frozenset(fold(w) for unit in (*self.terms, *self.phrases) for w in unit)


def fold(word: str) -> str:
    """Lower case without accents: how unicode61 with remove_diacritics 2 compares words."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _quote(unit: tuple[str, ...]) -> str:
    # The pieces hold no quote character; doubling is FTS5's escape, kept as a safeguard.
    return '"' + " ".join(unit).replace('"', '""') + '"'


def _language(units: list[tuple[str, ...]]) -> str:
    words = [fold(u[0]) for u in units if len(u) == 1]
    best, best_hits = "en", 0
    for lang, stop in _STOPWORDS.items():
        hits = sum(w in stop for w in words)
        if hits > best_hits:  # strictly more: ties stay English
            best, best_hits = lang, hits
    return best


def _is_noise(unit: tuple[str, ...], stop: frozenset[str]) -> bool:
    if len(unit) != 1:
        return False
    word = unit[0]
    # A lone lower-case letter is the tail of a contraction ("don't" → "t") or a variable
    # name; an upper-case one ("C", "R") or a digit is kept.
    return fold(word) in stop or (len(word) == 1 and word.islower())


def parse_query(text: str) -> Query:
    """Parse what the user typed; never raises, whatever the text."""
    text = unicodedata.normalize("NFC", text)
    segments = _QUOTES.split(text)
    if len(segments) % 2 == 0:
        # An odd number of quote marks: the last one opens nothing, read the rest as words.
        segments[-2:] = [segments[-2] + " " + segments[-1]]
    # Quoted phrases, and the unquoted words as runs: a quotation ends a run, so no
    # neighbouring pair is made across it.
    quoted_units: list[tuple[str, ...]] = []
    plain: list[list[tuple[str, ...]]] = [[]]
    all_plain: list[tuple[str, ...]] = []
    for i, segment in enumerate(segments):
        units = [p for p in (word_runs(w) for w in segment.split()) if p]
        if i % 2 == 1:
            phrase = tuple(piece for unit in units for piece in unit)[:MAX_PHRASE]
            if phrase:
                quoted_units.append(phrase)
            plain.append([])  # a quotation breaks the run of neighbouring words
        else:
            all_plain.extend(units)
            plain[-1].extend(units)
    language = _language(all_plain)
    stop = _STOPWORDS[language]
    runs: list[list[tuple[str, ...]]] = []
    for run in plain:
        runs.append([])
        for unit in run:
            if _is_noise(unit, stop):
                runs.append([])
            else:
                runs[-1].append(unit)
    content = [unit for run in runs for unit in run]
    if not content and not quoted_units:
        # Only function words: they are the question, and their order is most of its sense.
        content = all_plain
        runs = [all_plain]
    terms = _dedupe([*quoted_units, *content])[:MAX_TERMS]
    pairs = [
        run[i] + run[i + 1]
        for run in runs
        for i in range(len(run) - 1)
        if _key(run[i]) != _key(run[i + 1])  # "ação acao" is one word said twice
    ]
    if content is all_plain and len(all_plain) > 2:
        pairs.insert(0, tuple(w for unit in all_plain for w in unit))
    quoted_phrases = [q for q in quoted_units if len(q) > 1]
    phrases = _dedupe([*pairs[:MAX_PAIRS], *quoted_phrases])
    # A phrase that is also a term (a quoted phrase) needs no second copy.
    term_keys = {_key(t) for t in terms}
    phrases = [p for p in phrases if _key(p) not in term_keys]
    prefixes: list[str] = []
    if language != "en":
        prefixes = list(dict.fromkeys(p for t in terms if (p := _stem_prefix(t))))
    return Query(terms=tuple(terms), phrases=tuple(phrases), prefixes=tuple(prefixes))


def _stem_prefix(unit: tuple[str, ...]) -> str | None:
    """A long Portuguese or Spanish word without its last letters, to match as a prefix.

    Porter's rules are English; these languages inflect mostly at the end of the word
    ("descarregar", "descarrega", "descarregados"; "versión", "versiones"), so the first
    letters of a long word find its other forms. Five letters at least keep the prefix
    specific.
    """
    if len(unit) != 1:
        return None
    word = fold(unit[0])
    if len(word) < 6 or not word.isalpha():
        return None
    return word[: max(5, len(word) - 3)]


def _key(unit: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(fold(w) for w in unit)


def _dedupe(units: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    seen: set[tuple[str, ...]] = set()
    out: list[tuple[str, ...]] = []
    for unit in units:
        key = _key(unit)
        if key not in seen:
            seen.add(key)
            out.append(unit)
    return out
