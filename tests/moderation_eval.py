"""Evaluate the moderation filter on the labelled set in ``tests/data/moderation/eval.jsonl``.

    python -m tests.moderation_eval [--split SPLIT] [--show-errors]

SPLIT is dev, test, holdout, holdout2 to holdout9, everyday or all.

Prints, per harmful category, how many labelled segments were withheld (recall) and how many
withheld-for-that-category segments really were that category (precision); the same per PII
kind for redactions; the share of benign segments the filter changed in any way; and the fast
layers' cost per segment (lexical screen + PII redaction, as the worker runs them).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.moderation.lexicon import CATEGORIES, Lexicon
from engine.moderation.pii import PII_KINDS
from engine.moderation.pipeline import FilteredSegment, Moderator

DATA = Path(__file__).parent / "data" / "moderation"
# eval.jsonl: labelled segments in a dev and a test half; holdout.jsonl to holdout9.jsonl:
# harmful, PII and benign segments written separately from the word lists and the classifier
# (some were measured blind, then trained on; see tests/unit/test_moderation_eval.py).
HOLDOUT_FILES = tuple(
    DATA / f"holdout{n}.jsonl" for n in ("", "2", "3", "4", "5", "6", "7", "8", "9")
)
EVAL_FILES = (DATA / "eval.jsonl", *HOLDOUT_FILES)
# Ordinary benign sentences (split "train": the classifier learns from them); measured with
# ``--split everyday`` for the share of everyday text the filter changes.
EVERYDAY_FILE = DATA / "everyday.jsonl"
SPLITS = (
    "dev", "test", "holdout", "holdout2", "holdout3", "holdout4", "holdout5", "holdout6",
    "holdout7", "holdout8", "holdout9", "everyday", "all",
)


@dataclass(frozen=True)
class Item:
    id: str
    lang: str
    group: str
    categories: tuple[str, ...]
    pii: tuple[str, ...]
    split: str
    text: str


@dataclass
class Score:
    positives: int = 0
    caught: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def recall(self) -> float:
        return self.caught / self.positives if self.positives else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0


@dataclass
class Report:
    categories: dict[str, Score] = field(default_factory=dict)
    pii: dict[str, Score] = field(default_factory=dict)
    benign: int = 0
    benign_altered: int = 0
    errors: list[tuple[Item, FilteredSegment]] = field(default_factory=list)

    @property
    def benign_altered_rate(self) -> float:
        return self.benign_altered / self.benign if self.benign else 0.0


def load_items(split: str = "all", paths: Iterable[Path] | None = None) -> list[Item]:
    """Items of one split (``all``: every held-out and eval item; ``everyday``: the ordinary
    sentences of ``everyday.jsonl``)."""
    if paths is None:
        paths = (EVERYDAY_FILE,) if split == "everyday" else EVAL_FILES
    if split == "everyday":
        split = "all"
    lines = [
        line
        for path in paths
        if path.exists()
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    items = []
    for line in lines:
        if not line.strip():
            continue
        d = json.loads(line)
        if split in ("all", d["split"]):
            items.append(
                Item(
                    d["id"],
                    d["lang"],
                    d["group"],
                    tuple(d["categories"]),
                    tuple(d["pii"]),
                    d["split"],
                    d["text"],
                )
            )
    return items


def evaluate(items: Iterable[Item], moderator: Moderator) -> Report:
    rep = Report(categories={c: Score() for c in CATEGORIES}, pii={k: Score() for k in PII_KINDS})
    for item in items:
        out = moderator.screen(item.text)
        kinds = {r.kind for r in out.redactions}
        wrong = False
        for c in CATEGORIES:
            s = rep.categories[c]
            if c in item.categories:
                s.positives += 1
                s.caught += out.withheld
                wrong |= not out.withheld
            if c in out.categories:
                s.predicted += 1
                s.correct += c in item.categories
        for k in PII_KINDS:
            s = rep.pii[k]
            if k in item.pii:
                s.positives += 1
                hit = k in kinds or out.withheld
                s.caught += hit
                wrong |= not hit
            if k in kinds:
                s.predicted += 1
                s.correct += k in item.pii
        if not item.categories and not item.pii:
            rep.benign += 1
            altered = out.withheld or out.text != item.text
            rep.benign_altered += altered
            wrong |= altered
        if wrong:
            rep.errors.append((item, out))
    return rep


def cost_per_segment_us(items: list[Item], moderator: Moderator, rounds: int = 5) -> list[float]:
    """Microseconds per segment for each screen call, over ``rounds`` passes."""
    times = []
    for _ in range(rounds):
        for item in items:
            t0 = time.perf_counter()
            moderator.screen(item.text)
            times.append((time.perf_counter() - t0) * 1e6)
    return times


def print_report(rep: Report, times: list[float], n: int) -> None:
    print(
        f"{n} segments · benign altered {rep.benign_altered}/{rep.benign}"
        f" = {rep.benign_altered_rate:.1%}"
    )
    print(f"{'category':16}{'n':>5}{'recall':>9}{'precision':>11}")
    for name, s in rep.categories.items():
        print(f"{name:16}{s.positives:>5}{s.recall:>9.3f}{s.precision:>11.3f}")
    print(f"{'pii kind':16}{'n':>5}{'recall':>9}{'precision':>11}")
    for name, s in rep.pii.items():
        print(f"{name:16}{s.positives:>5}{s.recall:>9.3f}{s.precision:>11.3f}")
    pii_pos = sum(s.positives for s in rep.pii.values())
    pii_caught = sum(s.caught for s in rep.pii.values())
    print(f"{'pii (all)':16}{pii_pos:>5}{pii_caught / max(pii_pos, 1):>9.3f}")
    q = statistics.quantiles(times, n=100)
    print(
        f"cost per segment (lexical + pii): mean {statistics.fmean(times):.0f} µs, "
        f"median {statistics.median(times):.0f} µs, p99 {q[98]:.0f} µs, max {max(times):.0f} µs"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--split", choices=SPLITS, default="all")
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args(argv)
    items = load_items(args.split)
    moderator = Moderator(("lexical", "pii"), Lexicon.load())
    rep = evaluate(items, moderator)
    print_report(rep, cost_per_segment_us(items, moderator), len(items))
    if args.show_errors:
        for item, out in rep.errors:
            got = f"withheld {list(out.categories)}" if out.withheld else out.text
            print(
                f"- {item.id} expected {list(item.categories) or list(item.pii) or 'benign'}:"
                f" {item.text!r}\n    → {got!r}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
