"""The lexical screen: category word lists kept as data, and a fast matcher over normalised words.

The lists live in ``resources/moderation/lexicon/*.toml``, one file per language; every file is
read and all of them are merged, because a segment's language is not known in advance. A file::

    [intent]                 # operational-intent cues, shared by all categories
    cues = ["step by step", "how to make"]

    [violence]
    block = ["pipe bomb"]    # one match flags the category
    terms = ["detonator"]    # weak: two distinct terms, or one term and one cue, flag it

    safe = ["bomb squad"]    # protective context: cancels this category's weak flags

    [[violence.pair]]        # flags when an entry of each list occurs...
    first = ["kill my"]
    second = ["wife", "boss"]
    within = 2               # ...with at most this many words between them (default: anywhere)

    [context]                # protective context shared by every category but sexual_minors
    safe = ["prevention", "the novel"]

An entry is lower-case words separated by spaces, matched as consecutive words; a trailing ``*``
makes the last word a prefix ("decapitat*"). Entries go through the same normalisation as the
text (:mod:`engine.moderation.normalize`), so case, accents or leetspeak in the file do not
matter. Pairs express combinations that two weak terms cannot (a minor *and* a sexual term: two
words about minors must not flag anything); a pair only combines entries of its own file.

Protective context is the brake that lets terms be broad. A segment that contains a ``safe``
entry of a category, or an entry of the shared ``[context] safe`` list, is read as educational,
clinical, legal, preventive, defensive, news or fiction text about that category: its weak flags
(two terms, a term and a cue, a pair) are dropped. A ``block`` match is never dropped. The shared
list does not apply to ``sexual_minors``, whose weak flags yield only to its own ``safe`` list:
"in the story" must not excuse a sexual scene with a child.

A file that cannot be read, an unknown table or key, an entry that normalises to nothing and a
duplicate entry (within one list, or between the block, terms and safe lists of one category)
all raise
:class:`LexiconError` at load time.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.moderation.normalize import Reading, normalize_words, readings, squeeze_repeats
from engine.resources import resource

CATEGORIES: tuple[str, ...] = (
    "self_harm",
    "violence",
    "sexual",
    "sexual_minors",
    "hate",
    "drugs",
    "cbrn",
    "malware",
)
# Screened even when the lexical layer is switched off.
ALWAYS_ON: frozenset[str] = frozenset({"sexual_minors"})
# Categories whose weak flags the shared [context] safe list does not cancel.
_OWN_CONTEXT_ONLY: frozenset[int] = frozenset({CATEGORIES.index("sexual_minors")})

_INTENT_TABLE = "intent"
_CONTEXT_TABLE = "context"
_CATEGORY_KEYS = frozenset({"block", "terms", "safe", "pair"})
_PAIR_KEYS = frozenset({"first", "second", "within"})
# A shorter prefix would match far too many unrelated words.
_MIN_PREFIX = 3

# What a matched entry counts as; the slot is a category index (block, term, safe) or a pair
# index; a shared safe entry has slot -1.
_BLOCK, _TERM, _CUE, _FIRST, _SECOND, _SAFE = range(6)
_ANY_CATEGORY = -1

_Key = tuple[tuple[str, ...], bool]  # normalised words, last word is a prefix
_Span = tuple[int, int]  # word positions [start, end)


class LexiconError(ValueError):
    """A list file that cannot be read or parsed; the message names the file and the problem."""


def default_lexicon_dir() -> Path:
    """The lists shipped with the app (inside the bundle when running frozen)."""
    return resource("moderation", "lexicon")


@dataclass(frozen=True, slots=True)
class _Phrase:
    words: tuple[str, ...]
    loose: tuple[str, ...]  # each word with repeated letters squeezed to one, for stretched text
    prefix: bool


@dataclass(frozen=True, slots=True)
class _Pair:
    category: int
    within: int | None

    def close(self, firsts: list[_Span], seconds: list[_Span]) -> bool:
        if self.within is None:
            return True
        return any(_gap(a, b) <= self.within for a in firsts for b in seconds)


def _gap(a: _Span, b: _Span) -> int:
    """Words strictly between two spans (0 when adjacent or overlapping)."""
    return max(0, b[0] - a[1], a[0] - b[1])


@dataclass
class _Collected:
    """Entries of every file, merged: one phrase per distinct normalised entry."""

    keys: dict[_Key, int] = field(default_factory=dict)
    roles: list[set[tuple[int, int]]] = field(default_factory=list)
    pairs: list[_Pair] = field(default_factory=list)

    def add(self, key: _Key, role: tuple[int, int]) -> None:
        index = self.keys.setdefault(key, len(self.keys))
        if index == len(self.roles):
            self.roles.append(set())
        self.roles[index].add(role)


@dataclass(frozen=True)
class ListMatch:
    """Categories of one segment matched by the lists, in ``CATEGORIES`` order."""

    blocked: tuple[str, ...]  # by a block entry: never cancelled
    weak: tuple[str, ...]  # by weak rules only, outside a protective context


class Lexicon:
    """Merged category lists of every language, ready to scan segments. Immutable."""

    def __init__(self, collected: _Collected) -> None:
        self._phrases = [
            _Phrase(words, tuple(squeeze_repeats(w) for w in words), prefix)
            for words, prefix in collected.keys
        ]
        self._roles = [tuple(sorted(r)) for r in collected.roles]
        self._pairs = tuple(collected.pairs)
        self._trie = _Node.build([(p.words, p.prefix) for p in self._phrases])
        self._loose_trie = _Node.build([(p.loose, p.prefix) for p in self._phrases])
        self._longest = max((len(p.words) for p in self._phrases), default=1)

    @classmethod
    def load(cls, directory: Path | None = None) -> Lexicon:
        """Read every ``*.toml`` in ``directory`` (default: the shipped lists).

        The shipped lists are read once per process and the same object is returned afterwards.
        """
        if directory is None:
            return _default_lexicon()
        return cls(_collect(Path(directory)))

    def scan(self, text: str, only: Collection[str] | None = None) -> list[str]:
        """Categories whose rules match ``text``, in ``CATEGORIES`` order.

        ``only`` restricts the categories checked; an unknown name raises ``ValueError``.
        """
        found = self.match(text, only)
        return [name for name in CATEGORIES if name in found.blocked or name in found.weak]

    def match(self, text: str, only: Collection[str] | None = None) -> ListMatch:
        """What matched ``text``: categories blocked outright, and those flagged by weak rules
        only (two terms, a term and a cue, a pair) outside a protective context."""
        wanted = category_indices(only)
        if not wanted or not text:
            return ListMatch((), ())
        blocked: set[int] = set()
        weak: set[int] = set()
        for reading in readings(text):
            strong, loose = self._flagged(self._hits(reading))
            blocked |= strong
            weak |= loose
        weak -= blocked
        return ListMatch(
            tuple(CATEGORIES[i] for i in sorted(blocked & wanted)),
            tuple(CATEGORIES[i] for i in sorted(weak & wanted)),
        )

    def _hits(self, reading: Reading) -> dict[int, list[_Span]]:
        """Every phrase found in the reading, with where it was found."""
        hits: dict[int, list[_Span]] = {}
        words, trie = reading.words, self._trie
        for start, word in enumerate(words):
            if trie.may_start(word):
                trie.walk(words, start, hits)
        if any(reading.loose):
            self._add_loose_hits(reading, hits)
        return hits

    def _add_loose_hits(self, reading: Reading, hits: dict[int, list[_Span]]) -> None:
        """Phrases matched through a stretched word ("kiiiill myself").

        The trie of squeezed entries is walked over the squeezed words around each stretched
        word, then each find is checked word by word, so that only the stretched words are
        compared squeezed ("as" never matches "ass").
        """
        words, loose = reading.words, reading.loose
        stretched = [i for i, form in enumerate(loose) if form is not None]
        # Only entries that include a stretched word matter: walk from the few words before one.
        starts = {s for i in stretched for s in range(max(0, i - self._longest + 1), i + 1)}
        near = {i for s in starts for i in range(s, min(len(words), s + self._longest))}
        squeezed = [
            (loose[i] or squeeze_repeats(words[i])) if i in near else "" for i in range(len(words))
        ]
        found: dict[int, list[_Span]] = {}
        for start in sorted(starts):
            self._loose_trie.walk(squeezed, start, found)
        for index, spans in found.items():
            for span in spans:
                if _matches_at(self._phrases[index], reading, span[0]):
                    known = hits.setdefault(index, [])
                    if span not in known:
                        known.append(span)

    def _flagged(self, hits: Mapping[int, list[_Span]]) -> tuple[set[int], set[int]]:
        """Categories blocked, and categories flagged by weak rules outside their protective
        context."""
        blocked: set[int] = set()
        flagged: set[int] = set()  # weak flags
        safe: set[int] = set()  # categories in a protective context
        terms: dict[int, dict[int, list[_Span]]] = {}  # category → term → where
        cues: dict[int, list[_Span]] = {}
        firsts: dict[int, list[_Span]] = {}
        seconds: dict[int, list[_Span]] = {}
        for index, spans in hits.items():
            for kind, slot in self._roles[index]:
                if kind == _BLOCK:
                    blocked.add(slot)
                elif kind == _SAFE:
                    safe.add(slot)
                elif kind == _TERM:
                    terms.setdefault(slot, {})[index] = spans
                elif kind == _CUE:
                    cues[index] = spans
                else:
                    (firsts if kind == _FIRST else seconds).setdefault(slot, []).extend(spans)
        flagged.update(category for category, found in terms.items() if _weak_agree(found, cues))
        for slot, spans in firsts.items():
            pair = self._pairs[slot]
            if slot in seconds and pair.close(spans, seconds[slot]):
                flagged.add(pair.category)
        if _ANY_CATEGORY in safe:
            safe.update(set(range(len(CATEGORIES))) - _OWN_CONTEXT_ONLY)
        return blocked, flagged - safe


def _weak_agree(terms: dict[int, list[_Span]], cues: dict[int, list[_Span]]) -> bool:
    """Two distinct terms, or a term and a cue.

    An entry found only inside another one does not count on its own: "shellcode loader" is one
    signal even if "shellcode" is a term too. A cue must stand on words of its own: the cue
    "untraceable" inside the term "untraceable gun", or "he wants" sharing a word with "wants to
    die", adds nothing.
    """
    standalone = _standalone(terms, terms)
    if len(standalone) >= 2:
        return True
    if not standalone:
        return False
    taken = [span for spans in terms.values() for span in spans]
    return any(
        not any(_overlap(span, other) for other in taken)
        for index, spans in cues.items()
        if index not in terms
        for span in spans
    )


def _overlap(a: _Span, b: _Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _standalone(found: dict[int, list[_Span]], around: dict[int, list[_Span]]) -> set[int]:
    """Entries of ``found`` seen at least once outside every other entry of ``around``."""
    return {
        index
        for index, spans in found.items()
        if not all(_nested(span, index, around) for span in spans)
    }


def _nested(span: _Span, index: int, around: dict[int, list[_Span]]) -> bool:
    for other, spans in around.items():
        if other == index:
            continue
        for outer in spans:
            # Two entries on exactly the same words ("kill" and "kill*"): the first one counts.
            if outer[0] <= span[0] and span[1] <= outer[1] and (outer != span or other < index):
                return True
    return False


@functools.cache
def _default_lexicon() -> Lexicon:
    return Lexicon(_collect(default_lexicon_dir()))


def category_indices(only: Collection[str] | None) -> set[int]:
    """Indexes into CATEGORIES of ``only`` (all of them for None); an unknown name is an error."""
    if only is None:
        return set(range(len(CATEGORIES)))
    unknown = sorted(set(only) - set(CATEGORIES))
    if unknown:
        raise ValueError(f"unknown moderation category {unknown[0]!r}")
    return {CATEGORIES.index(name) for name in only}


class _Node:
    """A word trie over the entries: walking it from a word finds every entry starting there."""

    __slots__ = ("_any_prefix", "children", "ends", "prefixed")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.ends: list[int] = []  # entries whose last word is this node's word
        self.prefixed: dict[str, list[int]] = {}  # last-word prefix → entries
        self._any_prefix: re.Pattern[str] | None = None

    @classmethod
    def build(cls, entries: list[tuple[tuple[str, ...], bool]]) -> _Node:
        root = cls()
        for index, (words, prefix) in enumerate(entries):
            node = root
            for word in words[:-1]:
                node = node.children.setdefault(word, cls())
            if prefix:
                node.prefixed.setdefault(words[-1], []).append(index)
            else:
                node.children.setdefault(words[-1], cls()).ends.append(index)
        root._compile()
        return root

    def _compile(self) -> None:
        if self.prefixed:
            # One C-level test tells whether a word starts with any of the prefixes at all.
            alternatives = sorted(self.prefixed, key=len, reverse=True)
            self._any_prefix = re.compile("|".join(map(re.escape, alternatives)))
        for child in self.children.values():
            child._compile()

    def may_start(self, word: str) -> bool:
        """Whether some entry can start with ``word`` (a cheap test before walking)."""
        return word in self.children or (
            self._any_prefix is not None and self._any_prefix.match(word) is not None
        )

    def walk(
        self, words: tuple[str, ...] | list[str], start: int, hits: dict[int, list[_Span]]
    ) -> None:
        """Record every entry that matches ``words`` from ``start``."""
        node = self
        for end in range(start, len(words)):
            word = words[end]
            if node._any_prefix is not None and node._any_prefix.match(word):
                for prefix, ids in node.prefixed.items():
                    if word.startswith(prefix):
                        for index in ids:
                            hits.setdefault(index, []).append((start, end + 1))
            child = node.children.get(word)
            if child is None:
                return
            for index in child.ends:
                hits.setdefault(index, []).append((start, end + 1))
            node = child


def _matches_at(phrase: _Phrase, reading: Reading, start: int) -> bool:
    """Whether ``phrase`` matches the reading from word ``start``, stretched words squeezed."""
    if start + len(phrase.words) > len(reading.words):
        return False
    last = len(phrase.words) - 1
    for k in range(len(phrase.words)):
        word, loose = reading.words[start + k], reading.loose[start + k]
        if k == last and phrase.prefix:
            ok = word.startswith(phrase.words[k]) or (
                loose is not None and loose.startswith(phrase.loose[k])
            )
        else:
            ok = word == phrase.words[k] or (loose is not None and loose == phrase.loose[k])
        if not ok:
            return False
    return True


# --- Reading the files -------------------------------------------------------------------------


def _collect(directory: Path) -> _Collected:
    if not directory.is_dir():
        raise LexiconError(f"{directory}: lexicon folder not found")
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise LexiconError(f"{directory}: no *.toml lexicon files")
    collected = _Collected()
    for path in paths:
        _collect_file(collected, path)
    return collected


def _collect_file(collected: _Collected, path: Path) -> None:
    data = _read_toml(path)
    for table, content in data.items():
        if table == _INTENT_TABLE:
            _collect_intent(collected, path, content)
        elif table == _CONTEXT_TABLE:
            _collect_context(collected, path, content)
        elif table in CATEGORIES:
            _collect_category(collected, path, table, content)
        else:
            raise LexiconError(
                f"{path}: unknown table [{table}]; expected [{_INTENT_TABLE}], "
                f"[{_CONTEXT_TABLE}] or one of " + ", ".join(CATEGORIES)
            )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LexiconError(f"{path}: not valid TOML ({exc})") from exc


def _collect_intent(collected: _Collected, path: Path, content: object) -> None:
    table = _table(path, _INTENT_TABLE, content, frozenset({"cues"}))
    for key in _keys(path, f"[{_INTENT_TABLE}] cues", table.get("cues", [])):
        collected.add(key, (_CUE, 0))


def _collect_context(collected: _Collected, path: Path, content: object) -> None:
    table = _table(path, _CONTEXT_TABLE, content, frozenset({"safe"}))
    for key in _keys(path, f"[{_CONTEXT_TABLE}] safe", table.get("safe", [])):
        collected.add(key, (_SAFE, _ANY_CATEGORY))


def _collect_category(collected: _Collected, path: Path, name: str, content: object) -> None:
    table = _table(path, name, content, _CATEGORY_KEYS)
    category = CATEGORIES.index(name)
    seen: dict[_Key, str] = {}
    for list_name, kind in (("block", _BLOCK), ("terms", _TERM), ("safe", _SAFE)):
        where = f"[{name}] {list_name}"
        for key in _keys(path, where, table.get(list_name, []), seen):
            collected.add(key, (kind, category))
    pairs = table.get("pair", [])
    if not isinstance(pairs, list):
        raise LexiconError(f"{path}: [{name}] pair must be an array of tables ([[{name}.pair]])")
    for number, pair in enumerate(pairs, start=1):
        _collect_pair(collected, path, f"[[{name}.pair]] #{number}", category, pair)


def _collect_pair(
    collected: _Collected, path: Path, where: str, category: int, content: object
) -> None:
    table = _table(path, where, content, _PAIR_KEYS)
    within = table.get("within")
    if within is not None and (type(within) is not int or within < 0):
        raise LexiconError(f"{path}: {where} within must be a whole number >= 0, not {within!r}")
    sides: list[dict[_Key, str]] = [{}, {}]
    for side, name in zip(sides, ("first", "second"), strict=True):
        if name not in table:
            raise LexiconError(f"{path}: {where} needs a '{name}' list")
        _keys(path, f"{where} {name}", table[name], side)
        if not side:
            raise LexiconError(f"{path}: {where} {name} is empty")
    shared = sorted(sides[0].keys() & sides[1].keys())
    if shared:
        raise LexiconError(f"{path}: {where} has {sides[0][shared[0]]!r} in both first and second")
    slot = len(collected.pairs)
    collected.pairs.append(_Pair(category, within))
    for side, kind in zip(sides, (_FIRST, _SECOND), strict=True):
        for key in side:
            collected.add(key, (kind, slot))


def _table(path: Path, where: str, content: object, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(content, dict):
        raise LexiconError(f"{path}: {where} must be a table")
    unknown = sorted(set(content) - allowed)
    if unknown:
        raise LexiconError(
            f"{path}: {where} has unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}"
        )
    return content


def _keys(
    path: Path, where: str, entries: object, seen: dict[_Key, str] | None = None
) -> list[_Key]:
    """Parse a list of entries; a duplicate of an entry in ``seen`` (or in the list) is an error."""
    if not isinstance(entries, list):
        raise LexiconError(f"{path}: {where} must be a list of strings")
    seen = {} if seen is None else seen
    keys: list[_Key] = []
    for entry in entries:
        key = _parse_entry(path, where, entry)
        if key in seen:
            raise LexiconError(
                f"{path}: {where}: duplicate entry {entry!r} (same as {seen[key]!r})"
            )
        seen[key] = str(entry)
        keys.append(key)
    return keys


def _parse_entry(path: Path, where: str, entry: object) -> _Key:
    if not isinstance(entry, str):
        raise LexiconError(f"{path}: {where}: entries must be strings, not {entry!r}")
    body = entry.strip()
    prefix = body.endswith("*")
    if prefix:
        body = body[:-1]
    problem = _entry_problem(body, prefix)
    if problem:
        raise LexiconError(f"{path}: {where}: entry {entry!r} {problem}")
    words = normalize_words(body)
    if not words:
        raise LexiconError(f"{path}: {where}: entry {entry!r} normalises to nothing")
    if prefix and len(words[-1]) < _MIN_PREFIX:
        raise LexiconError(
            f"{path}: {where}: entry {entry!r} has a prefix shorter than {_MIN_PREFIX} letters"
        )
    return tuple(words), prefix


def _entry_problem(body: str, prefix: bool) -> str | None:
    if "*" in body:
        return "has a '*' that is not at the end"
    if prefix and not body[-1:].isalnum():
        return "has a '*' that does not follow a word"
    return None
