"""Train the learned lexical screen (:mod:`engine.moderation.classifier`) and write its model.

    python -m tests.moderation_train [--out PATH] [--folds 5] [--concepts PATH]

Training data: every item of ``tests/data/moderation/eval.jsonl`` (dev and test; PII items are
benign here, their redaction is another layer's job), ``train.jsonl`` and ``everyday.jsonl``
(ordinary sentences: code comments, chat, idioms with "kill", "shoot", "matar", "tiro"...),
and ``holdout.jsonl`` to ``holdout4.jsonl`` and ``holdout6.jsonl``, once they had been measured
blind. ``holdout5.jsonl``, ``holdout7.jsonl`` and the later sets are never read: they stay
independent measures.
Features include the concept classes of ``resources/moderation/concepts.toml``, whose lists are
copied into the model file.

Method: one-vs-rest logistic regression, L2-regularised, one head per category and one
(``harmful``) for all harmful items together, each head's positives and negatives weighted to
equal total weight, fitted by full-batch Adam for a fixed number of steps from zero. Weights are
rounded to ``1 / SCALE`` and features whose weights all round below ``PRUNE`` are dropped.
Thresholds come from cross-validation: every item is scored by a model that did not see it
(through the same code that scores segments at run time), and for each head the threshold is the
highest one that still flags ``TARGET_RECALL`` of that head's items, raised if needed until at
most ``BENIGN_BUDGET`` of the hand-written benign items, and ``EVERYDAY_BUDGET`` of the ordinary
sentences (group ``benign-everyday``), reach it.

Everything is deterministic (inputs sorted by id, folds assigned by position, no randomness), so
running it again writes the same file byte for byte.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.moderation.classifier import (
    CHAR_NGRAMS,
    FORMAT,
    HEADS,
    VERSION,
    Concepts,
    TextClassifier,
    default_concepts_path,
    default_model_path,
    features,
    load_concepts,
    text_readings,
)

DATA = Path(__file__).parent / "data" / "moderation"
# The first four held-out sets and the sixth, measured blind first (their figures are in the
# README), were added to the training data afterwards; the others are never read here.
TRAIN_FILES = (
    DATA / "eval.jsonl",
    DATA / "train.jsonl",
    DATA / "everyday.jsonl",
    *(DATA / f"holdout{n}.jsonl" for n in ("", "2", "3", "4", "6")),
)

MIN_DOC_FREQ = 2  # a feature seen in a single item cannot generalise
L2 = 1e-5
STEPS = 300
LEARNING_RATE = 0.05
SCALE = 1000  # weights are stored as integers in thousandths
PRUNE = 0.3  # features whose every weight is smaller than this are left out
TARGET_RECALL = 0.9
# Per head. In cross-validation the nine heads together flag about 3% of the hand-written benign
# items (hard on purpose: clinical, legal, defensive, fiction) and under 1% of the ordinary
# sentences. 0.003 flagged 1.9% of the benign items but left malware and drug recall far lower;
# 0.008 flagged 4.3%, too close to the 5% the whole filter (word lists included) may change.
# 0.005 served until the tr7 items (malware-analysis labs among them) raised the malware
# threshold: malware recall on the validation set (holdout5) fell to 0.83; 0.0065 gives 0.90
# back, at 3.2% in cross-validation and 0.8% of that set's benign segments changed.
BENIGN_BUDGET = 0.0065
EVERYDAY_BUDGET = 0.0025
FOLDS = 5
# Ordinary text (everyday.jsonl: code comments, chat, idioms), checked on its own budget.
CORPUS_GROUP = "benign-everyday"
OTHER_HARMFUL_WEIGHT = 0.3

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Example:
    id: str
    group: str
    categories: tuple[str, ...]
    text: str

    @property
    def benign(self) -> bool:
        return not self.categories


def load_examples(paths: tuple[Path, ...] = TRAIN_FILES) -> list[Example]:
    examples = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                examples.append(Example(d["id"], d["group"], tuple(d["categories"]), d["text"]))
    examples.sort(key=lambda e: e.id)
    ids = [e.id for e in examples]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate item ids in the training files")
    return examples


@dataclass
class Design:
    """Sparse feature rows (CSR and a by-feature copy) over a fixed vocabulary."""

    vocab: list[str]
    rows: npt.NDArray[np.int64]  # row of each stored value
    cols: npt.NDArray[np.int64]
    values: Matrix
    n: int

    @classmethod
    def build(cls, examples: list[Example], concepts: Concepts) -> Design:
        counted: list[tuple[Counter[str], int]] = []
        doc_freq: Counter[str] = Counter()
        for e in examples:
            found = Counter(features(text_readings(e.text)[0], concepts))
            counted.append((found, sum(found.values())))
            doc_freq.update(found.keys())
        vocab = sorted(f for f, df in doc_freq.items() if df >= MIN_DOC_FREQ)
        index = {f: i for i, f in enumerate(vocab)}
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for r, (found, total) in enumerate(counted):
            norm = 1.0 / math.sqrt(total) if total else 0.0
            for f in sorted(found):
                if f in index:
                    rows.append(r)
                    cols.append(index[f])
                    values.append(found[f] * norm)
        return cls(
            vocab, np.array(rows), np.array(cols), np.array(values, dtype=np.float64), len(counted)
        )

    def subset(self, keep: npt.NDArray[np.bool_]) -> Design:
        new_row = np.cumsum(keep) - 1
        mask = keep[self.rows]
        return Design(
            self.vocab,
            new_row[self.rows[mask]],
            self.cols[mask],
            self.values[mask],
            int(keep.sum()),
        )


def fit(design: Design, labels: Matrix) -> tuple[Matrix, Matrix]:
    """Weights (features × categories) and biases of the balanced, L2-regularised fit."""
    n, k = labels.shape
    f = len(design.vocab)
    positives = labels.sum(axis=0)
    # Harmful items of another category count less as negatives: they often share a theme
    # (a poison is cbrn and violence) and the segment is withheld either way.
    harmful = labels.max(axis=1, keepdims=True) > 0
    negative = np.where(harmful, OTHER_HARMFUL_WEIGHT, 1.0) * (labels == 0)
    sample_weight = np.where(
        labels > 0, 0.5 / np.maximum(positives, 1), 0.5 * negative / negative.sum(axis=0)
    )
    order = np.argsort(design.cols, kind="stable")
    by_col_cols = design.cols[order]
    by_col_rows = design.rows[order]
    by_col_values = design.values[order][:, None]
    row_starts = np.flatnonzero(np.r_[True, design.rows[1:] != design.rows[:-1]])
    row_ids = design.rows[row_starts]
    col_starts = np.flatnonzero(np.r_[True, by_col_cols[1:] != by_col_cols[:-1]])
    col_ids = by_col_cols[col_starts]
    row_values = design.values[:, None]

    weights = np.zeros((f, k))
    bias = np.zeros(k)
    m_w, v_w = np.zeros_like(weights), np.zeros_like(weights)
    m_b, v_b = np.zeros_like(bias), np.zeros_like(bias)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, STEPS + 1):
        scores = np.tile(bias, (n, 1))
        scores[row_ids] += np.add.reduceat(row_values * weights[design.cols], row_starts, axis=0)
        probs = 1.0 / (1.0 + np.exp(-scores))
        residual = (probs - labels) * sample_weight
        grad_w = L2 * weights
        grad_w[col_ids] += np.add.reduceat(
            by_col_values * residual[by_col_rows], col_starts, axis=0
        )
        grad_b = residual.sum(axis=0)
        for param, grad, m, v in ((weights, grad_w, m_w, v_w), (bias, grad_b, m_b, v_b)):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            step_size = LEARNING_RATE * math.sqrt(1 - beta2**step) / (1 - beta1**step)
            param -= step_size * m / (np.sqrt(v) + eps)
    return weights, bias


def export(
    vocab: list[str],
    weights: Matrix,
    bias: Matrix,
    thresholds: list[float],
    concepts: Concepts,
) -> dict[str, Any]:
    """The model file's content: pruned integer weights, sorted for a stable file."""
    quantised = np.rint(weights * SCALE).astype(np.int64)
    keep = np.abs(quantised).max(axis=1) >= PRUNE * SCALE
    packed: dict[str, list[int]] = {}
    for i in np.flatnonzero(keep):
        row = quantised[i]
        packed[vocab[i]] = [int(v) for c in np.flatnonzero(row) for v in (c, row[c])]
    return {
        "format": FORMAT,
        "version": VERSION,
        "heads": list(HEADS),
        "char_ngrams": list(CHAR_NGRAMS),
        "concepts": concepts.table,
        "scale": SCALE,
        "bias": [round(float(b), 4) for b in bias],
        "thresholds": [round(t, 4) for t in thresholds],
        "weights": packed,
    }


def label_matrix(examples: list[Example]) -> Matrix:
    """One column per head: the categories, then "harmful" (any category)."""
    labels = np.zeros((len(examples), len(HEADS)))
    for r, e in enumerate(examples):
        for c in e.categories:
            labels[r, HEADS.index(c)] = 1.0
        labels[r, -1] = float(bool(e.categories))
    return labels


def fold_of(examples: list[Example], folds: int) -> npt.NDArray[np.int64]:
    """Fold by position within each group, so every group is spread over all folds."""
    seen: Counter[str] = Counter()
    out = np.zeros(len(examples), dtype=np.int64)
    for r, e in enumerate(examples):
        out[r] = seen[e.group] % folds
        seen[e.group] += 1
    return out


def out_of_fold_scores(
    examples: list[Example], design: Design, labels: Matrix, folds: int, concepts: Concepts
) -> Matrix:
    fold = fold_of(examples, folds)
    scores = np.zeros(labels.shape)
    zero = [0.0] * len(HEADS)
    for k in range(folds):
        train = fold != k
        weights, bias = fit(design.subset(train), labels[train])
        model = TextClassifier.from_dict(export(design.vocab, weights, bias, zero, concepts))
        for r in np.flatnonzero(~train):
            scores[r] = model.scores(examples[r].text)
    return scores


def choose_thresholds(
    scores: Matrix, labels: Matrix, benign_sets: list[tuple[npt.NDArray[np.bool_], float]]
) -> list[float]:
    """Per head: flag TARGET_RECALL of its items, then rise until each benign set's budget holds."""
    thresholds = []
    for c in range(len(HEADS)):
        pos = np.sort(scores[labels[:, c] > 0, c])
        need = math.ceil(TARGET_RECALL * len(pos))
        threshold = float(pos[len(pos) - need]) if len(pos) else math.inf
        for benign, budget in benign_sets:
            neg = np.sort(scores[benign, c])[::-1]
            allowed = math.floor(budget * len(neg))
            if allowed < len(neg):
                # Just above the (allowed + 1)-th highest benign score.
                threshold = max(threshold, float(np.nextafter(neg[allowed], math.inf)))
        thresholds.append(threshold)
    return thresholds


def report(
    title: str,
    scores: Matrix,
    labels: Matrix,
    benign: npt.NDArray[np.bool_],
    thresholds: list[float],
) -> None:
    flags = scores >= np.array(thresholds)
    altered = flags[benign].any(axis=1)
    harmful = labels[:, -1] > 0
    print(
        f"{title}: hand-written benign altered"
        f" {int(altered.sum())}/{int(benign.sum())} = {altered.mean():.1%}"
    )
    print(f"{'head':16}{'n':>5}{'recall':>9}{'precision':>11}{'threshold':>11}{'withheld':>10}")
    withheld_any: npt.NDArray[np.bool_] = np.asarray(flags.any(axis=1), dtype=bool)
    for c, name in enumerate(HEADS):
        pos = labels[:, c] > 0
        predicted = flags[:, c]
        recall = predicted[pos].mean() if pos.any() else 1.0
        # Precision of a category head counts its own category; of "harmful", any category.
        precision = (predicted & pos).sum() / predicted.sum() if predicted.any() else 1.0
        either = withheld_any[pos].mean() if pos.any() else 1.0
        print(
            f"{name:16}{int(pos.sum()):>5}{recall:>9.3f}{precision:>11.3f}{thresholds[c]:>11.3f}"
            f"{either:>10.3f}"
        )
    print("(last column: share of the category's items withheld by any head)")
    print(f"harmful items withheld (any head): {withheld_any[harmful].mean():.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--out", type=Path, default=default_model_path())
    ap.add_argument("--folds", type=int, default=FOLDS)
    ap.add_argument("--concepts", type=Path, default=default_concepts_path())
    ap.add_argument("--files", type=Path, nargs="+", default=list(TRAIN_FILES),
                    help="labelled .jsonl files to train on (default: %(default)s)")  # fmt: skip
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    concepts = load_concepts(args.concepts)
    examples = load_examples(tuple(args.files))
    labels = label_matrix(examples)
    benign = np.array([e.benign for e in examples])
    corpus = np.array([e.group == CORPUS_GROUP for e in examples])
    design = Design.build(examples, concepts)
    print(
        f"{len(examples)} items ({int((~benign).sum())} harmful, {int(benign.sum())} benign), "
        f"{len(design.vocab)} features"
    )
    oof = out_of_fold_scores(examples, design, labels, args.folds, concepts)
    thresholds = choose_thresholds(
        oof, labels, [(benign & ~corpus, BENIGN_BUDGET), (corpus, EVERYDAY_BUDGET)]
    )
    report(f"{args.folds}-fold cross-validation", oof, labels, benign & ~corpus, thresholds)
    altered = (oof[corpus] >= np.array(thresholds)).any(axis=1)
    print(
        f"ordinary sentences flagged: {int(altered.sum())}/{int(corpus.sum())}"
        f" = {altered.mean():.2%}"
    )
    weights, bias = fit(design, labels)
    model = export(design.vocab, weights, bias, thresholds, concepts)
    text = json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(
        f"wrote {args.out} ({len(text.encode()) / 1e6:.2f} MB, {len(model['weights'])} features)"
        f" in {time.perf_counter() - t0:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
