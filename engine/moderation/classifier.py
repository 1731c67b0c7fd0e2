"""A learned screen beside the word lists: one linear scorer per harmful category.

Word lists catch the phrasings someone thought of; this catches the neighbourhood around them.
It is a one-vs-rest logistic regression over the normalised words of a segment (the same
canonical words the lists match, see :mod:`engine.moderation.normalize`, so leetspeak, accents
and spaced letters are already undone):

* every word (``"bomb"``),
* every pair of adjacent words (``"pipe bomb"``),
* the character 3-, 4- and 5-grams of every word with ``<`` and ``>`` marking its ends
  (``"#<bom"``, ``"#omb>"``), which carry a stem across inflections and the three languages.

Each distinct word and word pair counts once (its character n-grams with it), and the features
are weighted by one over the square root of their number, so a long segment does not score higher
just for being long, nor a repetitive one for repeating itself. The score of a category is its bias
plus the weighted sum; the category is flagged when the score reaches its threshold, chosen by
cross-validation when the model was trained (``python -m tests.moderation_train``).

Logistic regression rather than naive Bayes: benign text that uses the same vocabulary (clinical,
legal, historical, defensive, fiction) is what makes this hard, and a discriminative model learns
negative weights for protective context ("prevention", "convicted", "in the novel") in proportion
to what they explain, where naive Bayes counts every correlated n-gram again.

The weights ship as ``resources/moderation/classifier.json``; features whose weights were all tiny
are left out, so a feature missing from the file weighs zero. A word's total weight and feature
count are cached, so scoring is a dictionary look-up per word and per word pair.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from engine.moderation.lexicon import CATEGORIES, LexiconError, category_indices
from engine.moderation.normalize import readings
from engine.resources import resource

FORMAT = "lanterna-text-classifier"
VERSION = 1
# Character n-gram sizes, taken inside one word with its ends marked.
CHAR_NGRAMS: tuple[int, ...] = (3, 4, 5)
# Prefix of character n-gram features (words are [a-z0-9] only, so it cannot clash with them).
CHAR_MARK = "#"
# Cached words before the cache is emptied: bounds memory on a long-running worker.
_CACHE_LIMIT = 50_000

# A word's contribution: (category index, summed weight) pairs and how many features it has.
_Contribution = tuple[tuple[tuple[int, float], ...], int]


class ClassifierError(LexiconError):
    """A model file that cannot be read or does not hold a model; the message names the file.

    A :class:`LexiconError`, because the classifier is part of the lexical screen: whoever
    reports a broken word list reports a broken model the same way.
    """


def default_model_path() -> Path:
    """The model shipped with the app (inside the bundle when running frozen)."""
    return resource("moderation", "classifier.json")


def word_features(word: str) -> list[str]:
    """The features one word contributes on its own: itself and its character n-grams."""
    marked = f"<{word}>"
    out = [word]
    for n in CHAR_NGRAMS:
        out.extend(CHAR_MARK + marked[i : i + n] for i in range(len(marked) - n + 1))
    return out


def features(words: Iterable[str]) -> list[str]:
    """The features of a word sequence: each distinct word with its character n-grams, and each
    distinct pair of adjacent words. A repeated word or pair counts once, so text that repeats
    itself ("take take take ...") scores no higher than saying it once."""
    seq = list(words)
    out: list[str] = []
    for word in dict.fromkeys(seq):
        out.extend(word_features(word))
    out.extend(dict.fromkeys(f"{a} {b}" for a, b in itertools.pairwise(seq)))
    return out


def text_readings(text: str) -> list[tuple[str, ...]]:
    """The word sequences a text is scored on (the canonical one, and at most one other)."""
    return [reading.words for reading in readings(text)]


class TextClassifier:
    """Per-category linear scorers over n-gram features. Immutable once built."""

    def __init__(
        self,
        weights: dict[str, tuple[tuple[int, float], ...]],
        bias: Collection[float],
        thresholds: Collection[float],
    ) -> None:
        if len(bias) != len(CATEGORIES) or len(thresholds) != len(CATEGORIES):
            raise ValueError(f"need one bias and one threshold per category ({len(CATEGORIES)})")
        self._weights = weights
        self._bias = tuple(float(b) for b in bias)
        self._thresholds = tuple(float(t) for t in thresholds)
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
        if tuple(data["categories"]) != CATEGORIES:
            raise ValueError("categories differ from the moderation categories")
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
                if type(category) is not int or not 0 <= category < len(CATEGORIES):
                    raise ValueError(f"feature {feature!r} names no category ({category!r})")
                if type(value) is not int:
                    raise ValueError(f"feature {feature!r} has a weight that is not an integer")
                pairs.append((category, value / scale))
            weights[feature] = tuple(pairs)
        return cls(
            weights,
            [float(b) for b in data["bias"]],
            [float(t) for t in data["thresholds"]],
        )

    @property
    def thresholds(self) -> tuple[float, ...]:
        return self._thresholds

    def scores(self, text: str) -> list[float]:
        """The score of every category (``CATEGORIES`` order): the highest over the readings."""
        best = [-math.inf] * len(CATEGORIES)
        for words in text_readings(text):
            for i, score in enumerate(self.score_words(words)):
                if score > best[i]:
                    best[i] = score
        return best

    def score_words(self, words: tuple[str, ...] | list[str]) -> list[float]:
        """Scores of one sequence of normalised words."""
        if not words:
            return list(self._bias)
        total = [0.0] * len(CATEGORIES)
        distinct_pairs = dict.fromkeys(map(" ".join, itertools.pairwise(words)))
        count = len(distinct_pairs)
        cache, weights = self._words, self._weights
        for word in dict.fromkeys(words):
            found = cache.get(word)
            if found is None:
                found = self._contribution(word)
            pairs, n = found
            count += n
            for category, weight in pairs:
                total[category] += weight
        for pair in distinct_pairs:
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
        found = (tuple(sorted(summed.items())), len(own))
        if len(self._words) >= _CACHE_LIMIT:
            self._words.clear()
        self._words[word] = found
        return found

    def scan(self, text: str, only: Collection[str] | None = None) -> list[str]:
        """Categories whose score reaches their threshold, in ``CATEGORIES`` order.

        ``only`` restricts the categories checked; an unknown name raises ``ValueError``.
        """
        wanted = category_indices(only)
        if not wanted or not text:
            return []
        scores = self.scores(text)
        return [
            name
            for i, name in enumerate(CATEGORIES)
            if i in wanted and scores[i] >= self._thresholds[i]
        ]


@functools.cache
def _default_classifier() -> TextClassifier:
    return TextClassifier.from_json(default_model_path())
