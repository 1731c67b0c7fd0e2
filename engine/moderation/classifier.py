"""A learned screen beside the word lists: one linear scorer per harmful category.

Word lists catch the phrasings someone thought of; this catches the neighbourhood around them.
It is a one-vs-rest logistic regression over the normalised words of a segment (the same
canonical words the lists match, see :mod:`engine.moderation.normalize`, so leetspeak, accents
and spaced letters are already undone):

* every word (``"bomb"``),
* every pair of adjacent words (``"pipe bomb"``),
* the character 3-, 4- and 5-grams of every word with ``<`` and ``>`` marking its ends
  (``"#<bom"``, ``"#omb>"``), which carry a stem across inflections and the three languages,
* the concept classes its words belong to (``"@weapon"``) and every pair of those classes
  (``"@hurt+person"``): hand-written lists of words of one kind in the three languages (ways to
  kill, weapons, people a threat names, drugs, protected groups, protective context...; see
  ``resources/moderation/concepts.toml``). A pair of classes is a conjunction a linear model over
  words cannot express, and a class carries what was learned to its words the training sentences
  never used.

Each distinct word and word pair counts once (its character n-grams with it), and the features
are weighted by one over the square root of their number, so a long segment does not score higher
just for being long, nor a repetitive one for repeating itself. The score of a head is its bias
plus the weighted sum; the head fires when the score reaches its threshold, chosen by
cross-validation when the model was trained (``python -m tests.moderation_train``).

There is one head per category and one more, ``harmful``, trained on every harmful sentence
against the benign ones: it learns what requests for harm share (asking for a method, avoiding
detection, a named target) from all categories' examples at once. When only that head fires, the
segment is put in the category whose own score comes closest to its threshold.

Logistic regression rather than naive Bayes: benign text that uses the same vocabulary (clinical,
legal, historical, defensive, fiction) is what makes this hard, and a discriminative model learns
negative weights for protective context ("prevention", "convicted", "in the novel") in proportion
to what they explain, where naive Bayes counts every correlated n-gram again.

The weights ship as ``resources/moderation/classifier.json``, with the concept lists they were
trained with; features whose weights were all tiny are left out, so a feature missing from the file
weighs zero. A word's total weight, feature count and classes are cached, so scoring is a
dictionary look-up per word, per word pair and per class pair.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
import tomllib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.moderation.lexicon import CATEGORIES, LexiconError, category_indices
from engine.moderation.normalize import normalize_words, readings
from engine.resources import resource

FORMAT = "lanterna-text-classifier"
VERSION = 2
# The head trained on every harmful category at once (see the module docstring).
ANY_HARMFUL = "harmful"
HEADS: tuple[str, ...] = (*CATEGORIES, ANY_HARMFUL)
# Character n-gram sizes, taken inside one word with its ends marked.
CHAR_NGRAMS: tuple[int, ...] = (3, 4, 5)
# Prefix of character n-gram features (words are [a-z0-9] only, so it cannot clash with them).
CHAR_MARK = "#"
# Prefix of concept class features; a pair of classes is "@a+b" (names sorted).
CONCEPT_MARK = "@"
# A number in this range is the class YOUNG_NUMBER ("13 year old": with an "age_unit" word).
YOUNG_NUMBER = "young_num"
_YOUNG = range(1, 18)
# A shorter prefix would match far too many unrelated words.
_MIN_PREFIX = 3
_CLASS_NAME = re.compile(r"[a-z][a-z0-9_]*")
# Cached words before the cache is emptied: bounds memory on a long-running worker.
_CACHE_LIMIT = 50_000


@dataclass(frozen=True)
class Verdict:
    """The classifier's reading of one segment."""

    categories: tuple[str, ...]  # the heads that fired (see ``TextClassifier.scan``)
    # The highest score minus its head's threshold: at 0 or above a head fired; how far below
    # 0 tells how far the segment is from anything the classifier would withhold.
    margin: float

# A word's contribution: (head index, summed weight) pairs, how many features it has, and the
# concept classes it belongs to.
_Contribution = tuple[tuple[tuple[int, float], ...], int, frozenset[str]]


class ClassifierError(LexiconError):
    """A model file that cannot be read or does not hold a model; the message names the file.

    A :class:`LexiconError`, because the classifier is part of the lexical screen: whoever
    reports a broken word list reports a broken model the same way.
    """


def default_model_path() -> Path:
    """The model shipped with the app (inside the bundle when running frozen)."""
    return resource("moderation", "classifier.json")


class Concepts:
    """Concept classes: which classes a normalised word belongs to. Immutable once built.

    Built from ``{class name: [entry, ...]}``; an entry is one word, normalised like the text,
    and a trailing ``*`` makes it a prefix. ``ValueError`` names a bad entry.
    """

    def __init__(self, table: Mapping[str, Sequence[str]]) -> None:
        exact: dict[str, set[str]] = {}
        prefixes: dict[str, set[str]] = {}
        for name, entries in table.items():
            if not _CLASS_NAME.fullmatch(name) or name == YOUNG_NUMBER:
                raise ValueError(f"concept class name {name!r} is not allowed")
            if isinstance(entries, str) or not isinstance(entries, Sequence):
                raise ValueError(f"concept class {name!r} must be a list of words")
            for entry in entries:
                word, prefix = _concept_entry(name, entry)
                (prefixes if prefix else exact).setdefault(word, set()).add(name)
        self._table = {name: list(entries) for name, entries in table.items()}
        self._exact = {word: frozenset(names) for word, names in exact.items()}
        self._prefixes = {word: frozenset(names) for word, names in prefixes.items()}
        alternatives = sorted(self._prefixes, key=len, reverse=True)
        self._any_prefix = (
            re.compile("|".join(map(re.escape, alternatives))) if alternatives else None
        )

    @property
    def table(self) -> dict[str, list[str]]:
        """The class lists as given (what a model file stores)."""
        return {name: list(entries) for name, entries in self._table.items()}

    def of(self, word: str) -> frozenset[str]:
        """The classes ``word`` belongs to."""
        names = self._exact.get(word, frozenset())
        if self._any_prefix is not None and self._any_prefix.match(word):
            names = names.union(
                *(found for prefix, found in self._prefixes.items() if word.startswith(prefix))
            )
        if word.isdigit() and len(word) <= 2 and int(word) in _YOUNG:
            names = names | {YOUNG_NUMBER}
        return names


def _concept_entry(name: str, entry: object) -> tuple[str, bool]:
    if not isinstance(entry, str):
        raise ValueError(f"concept class {name!r}: entries must be strings, not {entry!r}")
    body = entry.strip()
    prefix = body.endswith("*")
    words = normalize_words(body[:-1] if prefix else body)
    if len(words) != 1 or "*" in body[:-1]:
        raise ValueError(f"concept class {name!r}: entry {entry!r} is not one word")
    if prefix and len(words[0]) < _MIN_PREFIX:
        raise ValueError(
            f"concept class {name!r}: entry {entry!r} has a prefix shorter than {_MIN_PREFIX}"
        )
    return words[0], prefix


def word_features(word: str) -> list[str]:
    """The features one word contributes on its own: itself and its character n-grams."""
    marked = f"<{word}>"
    out = [word]
    for n in CHAR_NGRAMS:
        out.extend(CHAR_MARK + marked[i : i + n] for i in range(len(marked) - n + 1))
    return out


def class_features(classes: Iterable[str]) -> list[str]:
    """The features of a set of concept classes: each class, and each pair of classes."""
    names = sorted(set(classes))
    out = [CONCEPT_MARK + name for name in names]
    out.extend(f"{CONCEPT_MARK}{a}+{b}" for a, b in itertools.combinations(names, 2))
    return out


def features(words: Iterable[str], concepts: Concepts | None = None) -> list[str]:
    """The features of a word sequence: each distinct word with its character n-grams, each
    distinct pair of adjacent words, and the concept classes of the words with their pairs. A
    repeated word or pair counts once, so text that repeats itself ("take take take ...") scores
    no higher than saying it once."""
    seq = list(words)
    out: list[str] = []
    for word in dict.fromkeys(seq):
        out.extend(word_features(word))
    out.extend(dict.fromkeys(f"{a} {b}" for a, b in itertools.pairwise(seq)))
    if concepts is not None:
        out.extend(class_features(c for word in set(seq) for c in concepts.of(word)))
    return out


def load_concepts(path: Path) -> Concepts:
    """The concept classes of a TOML file with one ``[concepts]`` table of word lists."""
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except OSError as exc:
        reason = exc.strerror or exc
        raise ClassifierError(f"{path}: cannot read the concept lists ({reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ClassifierError(f"{path}: concept lists are not valid TOML ({exc})") from exc
    if set(data) != {"concepts"} or not isinstance(data["concepts"], dict):
        raise ClassifierError(f"{path}: expected one [concepts] table")
    try:
        return Concepts(data["concepts"])
    except ValueError as exc:
        raise ClassifierError(f"{path}: {exc}") from exc


def default_concepts_path() -> Path:
    """The concept lists the shipped model is trained with."""
    return resource("moderation", "concepts.toml")


def text_readings(text: str) -> list[tuple[str, ...]]:
    """The word sequences a text is scored on (the canonical one, and at most one other)."""
    return [reading.words for reading in readings(text)]


class TextClassifier:
    """Per-head linear scorers over n-gram and concept features. Immutable once built."""

    def __init__(
        self,
        weights: dict[str, tuple[tuple[int, float], ...]],
        bias: Collection[float],
        thresholds: Collection[float],
        concepts: Concepts | None = None,
    ) -> None:
        if len(bias) != len(HEADS) or len(thresholds) != len(HEADS):
            raise ValueError(f"need one bias and one threshold per head ({len(HEADS)})")
        self._weights = weights
        self._bias = tuple(float(b) for b in bias)
        self._thresholds = tuple(float(t) for t in thresholds)
        self._concepts = concepts if concepts is not None else Concepts({})
        self._words: dict[str, _Contribution] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> TextClassifier:
        """Read a model file (default: the shipped model).

        The shipped model is read once per process and the same object is returned afterwards.
        """
        if path is None:
            return _default_classifier()
        return cls.from_json(Path(path))

    @classmethod
    def from_json(cls, path: Path) -> TextClassifier:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ClassifierError(
                f"{path}: cannot read the classifier model ({exc.strerror or exc})"
            ) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise ClassifierError(f"{path}: classifier model is not valid JSON ({exc})") from exc
        try:
            return cls.from_dict(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise ClassifierError(f"{path}: not a usable classifier model ({exc})") from exc

    @classmethod
    def from_dict(cls, data: Any) -> TextClassifier:
        """A model from the decoded JSON of a model file; ``ValueError`` when it is not one."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"format is not {FORMAT!r}")
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')!r} is not {VERSION}")
        if tuple(data["heads"]) != HEADS:
            raise ValueError(f"heads differ from the moderation categories and {ANY_HARMFUL!r}")
        if tuple(data["char_ngrams"]) != CHAR_NGRAMS:
            raise ValueError(f"character n-gram sizes differ from {CHAR_NGRAMS}")
        scale = float(data["scale"])
        if not scale > 0:
            raise ValueError("scale must be positive")
        weights: dict[str, tuple[tuple[int, float], ...]] = {}
        for feature, packed in data["weights"].items():
            if not isinstance(packed, list) or not packed or len(packed) % 2:
                raise ValueError(f"weights of {feature!r} are not [category, weight, ...] pairs")
            pairs = []
            for k in range(0, len(packed), 2):
                category, value = packed[k], packed[k + 1]
                if type(category) is not int or not 0 <= category < len(HEADS):
                    raise ValueError(f"feature {feature!r} names no head ({category!r})")
                if type(value) is not int:
                    raise ValueError(f"feature {feature!r} has a weight that is not an integer")
                pairs.append((category, value / scale))
            weights[feature] = tuple(pairs)
        concepts = data["concepts"]
        if not isinstance(concepts, dict):
            raise ValueError("concepts must be a table of word lists")
        return cls(
            weights,
            [float(b) for b in data["bias"]],
            [float(t) for t in data["thresholds"]],
            Concepts(concepts),
        )

    @property
    def thresholds(self) -> tuple[float, ...]:
        """One threshold per head (``HEADS`` order)."""
        return self._thresholds

    @property
    def concepts(self) -> Concepts:
        return self._concepts

    def scores(self, text: str) -> list[float]:
        """The score of every head (``HEADS`` order): the highest over the readings."""
        best = [-math.inf] * len(HEADS)
        for words in text_readings(text):
            for i, score in enumerate(self.score_words(words)):
                if score > best[i]:
                    best[i] = score
        return best

    def score_words(self, words: tuple[str, ...] | list[str]) -> list[float]:
        """Scores of one sequence of normalised words (``HEADS`` order)."""
        if not words:
            return list(self._bias)
        total = [0.0] * len(HEADS)
        distinct_pairs = dict.fromkeys(map(" ".join, itertools.pairwise(words)))
        count = len(distinct_pairs)
        cache, weights = self._words, self._weights
        classes: set[str] = set()
        for word in dict.fromkeys(words):
            found = cache.get(word)
            if found is None:
                found = self._contribution(word)
            pairs, n, word_classes = found
            count += n
            classes.update(word_classes)
            for category, weight in pairs:
                total[category] += weight
        combined = class_features(classes) if classes else []
        count += len(combined)
        for pair in itertools.chain(distinct_pairs, combined):
            pair_weights = weights.get(pair)
            if pair_weights is not None:
                for category, weight in pair_weights:
                    total[category] += weight
        norm = 1.0 / math.sqrt(count)
        return [b + t * norm for b, t in zip(self._bias, total, strict=True)]

    def _contribution(self, word: str) -> _Contribution:
        summed: dict[int, float] = {}
        own = word_features(word)
        for feature in own:
            for category, weight in self._weights.get(feature, ()):
                summed[category] = summed.get(category, 0.0) + weight
        found = (tuple(sorted(summed.items())), len(own), self._concepts.of(word))
        if len(self._words) >= _CACHE_LIMIT:
            self._words.clear()
        self._words[word] = found
        return found

    def scan(self, text: str, only: Collection[str] | None = None) -> list[str]:
        """Categories whose head fires, in ``CATEGORIES`` order.

        When only the ``harmful`` head fires, the category whose score comes closest to its
        threshold. ``only`` restricts the categories checked; an unknown name raises
        ``ValueError``.
        """
        return list(self.verdict(text, only).categories)

    def verdict(self, text: str, only: Collection[str] | None = None) -> Verdict:
        """The categories of :meth:`scan`, and how close the segment came to any head firing."""
        wanted = category_indices(only)
        if not wanted or not text:
            return Verdict((), -math.inf)
        scores = self.scores(text)
        th = self._thresholds
        found = [i for i in range(len(CATEGORIES)) if scores[i] >= th[i]]
        if not found and scores[-1] >= th[-1]:
            found = [max(range(len(CATEGORIES)), key=lambda i: scores[i] - th[i])]
        margin = max(score - t for score, t in zip(scores, th, strict=True))
        return Verdict(tuple(CATEGORIES[i] for i in found if i in wanted), margin)


@functools.cache
def _default_classifier() -> TextClassifier:
    return TextClassifier.from_json(default_model_path())
