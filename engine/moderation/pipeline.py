"""The moderation pipeline: one reasoning segment in, what the user may see out.

Order of the layers, and why:

1. lexical screen — the word lists (:mod:`engine.moderation.lexicon`) and a small learned
   classifier over the same normalised words (:mod:`engine.moderation.classifier`), which catches
   phrasings the lists do not; a segment either of them puts in a harmful category is withheld
   whole: redacting a few words of a bomb recipe would still leave a recipe. Anything sexualising
   minors is withheld even when the lexical layer is switched off.
2. PII redaction — personal data is replaced by a ``[kind]`` placeholder; the rest of the
   sentence stays readable.
3. guard model (optional) — a classifier model judges what the first two let through. It is
   slow, so the worker runs it off the decoding thread (see :mod:`engine.moderation.stream`).

A segment is never passed through unchecked: a layer that fails (a guard verdict that does not
parse) withholds the segment rather than letting it out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.moderation.classifier import TextClassifier
from engine.moderation.lexicon import ALWAYS_ON, CATEGORIES, Lexicon
from engine.moderation.pii import Redaction, redact

LAYERS: tuple[str, ...] = ("lexical", "pii", "guard")
DEFAULT_LAYERS: tuple[str, ...] = LAYERS
# The category a segment carries when the guard model's answer could not be read.
UNVERIFIED = "unverified"
# How far below its threshold the classifier may score a segment and still let a weak list
# match withhold it (score units of the classifier's heads). On held-out sentences never trained
# on, 2.0 removed five of six benign sentences the lists withheld and no harmful one's catch.
WEAK_MATCH_MARGIN = 2.0


@dataclass(frozen=True)
class FilteredSegment:
    """A segment as the user may see it; ``text`` is empty when the segment was withheld."""

    text: str
    redactions: tuple[Redaction, ...] = ()
    categories: tuple[str, ...] = ()
    withheld: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "redactions": [
                {"kind": r.kind, "start": r.start, "end": r.end} for r in self.redactions
            ],
            "categories": list(self.categories),
            "withheld": self.withheld,
        }


@dataclass(frozen=True)
class GuardVerdict:
    flagged: bool
    categories: tuple[str, ...] = ()


class Classifier(Protocol):
    """A guard model: judges one segment (see :mod:`engine.moderation.guard`)."""

    def classify(self, text: str) -> GuardVerdict: ...


def parse_layers(spec: str | Iterable[str]) -> tuple[str, ...]:
    """``"lexical,pii"`` or a list of names → validated layer names, in pipeline order."""
    names = [s.strip() for s in spec.split(",")] if isinstance(spec, str) else list(spec)
    names = [n for n in names if n]
    unknown = [n for n in names if n not in LAYERS]
    if unknown:
        raise ValueError(
            f"unknown moderation layer {unknown[0]!r}; the layers are {', '.join(LAYERS)}"
        )
    return tuple(n for n in LAYERS if n in names)


@dataclass
class Moderator:
    """Applies the enabled lexical and PII layers; the guard step is separate (it is slow)."""

    layers: Collection[str] = DEFAULT_LAYERS
    lexicon: Lexicon = field(default_factory=Lexicon.load)
    # The learned half of the lexical screen; ``None`` leaves only the word lists.
    classifier: TextClassifier | None = field(default_factory=TextClassifier.load)

    def screen(self, text: str) -> FilteredSegment:
        """The fast layers, in order; cheap enough to run on the decoding thread."""
        only = None if "lexical" in self.layers else ALWAYS_ON
        lists = self.lexicon.match(text, only=only)
        found = set(lists.blocked)
        if self.classifier is None:
            found.update(lists.weak)
        else:
            verdict = self.classifier.verdict(text, only=only)
            found.update(verdict.categories)
            # Weak list rules (two terms, a term and a cue) also fire on history, news, fiction
            # and defensive text the protective-context lists do not foresee; the classifier,
            # which weighs the whole sentence, rules those out when it is far from withholding.
            # Minors are never left to that judgement.
            close = verdict.margin >= -WEAK_MATCH_MARGIN
            found.update(c for c in lists.weak if close or c in ALWAYS_ON)
        categories = [name for name in CATEGORIES if name in found]
        if categories:
            return FilteredSegment("", (), tuple(categories), withheld=True)
        if "pii" in self.layers:
            clean, redactions = redact(text)
            return FilteredSegment(clean, tuple(redactions))
        return FilteredSegment(text)

    @staticmethod
    def judge(text: str, screened: FilteredSegment, guard: Classifier) -> FilteredSegment:
        """The guard step on a segment the fast layers let through.

        The guard reads the original text (it runs inside the worker, like the other layers)
        so that redaction placeholders do not hide what a sentence is about.
        """
        if screened.withheld:
            return screened
        try:
            verdict = guard.classify(text)
        except GuardFormatError:
            return FilteredSegment("", (), (UNVERIFIED,), withheld=True)
        if verdict.flagged:
            return FilteredSegment("", (), verdict.categories or (UNVERIFIED,), withheld=True)
        return screened

    def check(self, text: str, guard: Classifier | None = None) -> FilteredSegment:
        screened = self.screen(text)
        if guard is not None and "guard" in self.layers:
            return self.judge(text, screened, guard)
        return screened


class GuardFormatError(ValueError):
    """The guard model answered something other than a verdict in the required form."""
