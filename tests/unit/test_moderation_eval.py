"""The fast layers on the labelled segments: what they must keep catching and leaving alone.

``python -m tests.moderation_eval --split dev|test|holdout|all`` prints the full tables.

- ``eval.jsonl`` (dev and test halves) is what the word lists and the classifier were built
  from: there the filter must meet its targets — recall >= 0.85 per harmful category, >= 0.95
  on PII, <= 5% of benign segments changed.
- ``holdout.jsonl`` was written separately and never used to build anything; it measures how
  the filter does on phrasings it has not seen. Its floors are the measured recall minus a small
  margin, so a change that makes the filter worse on new text fails here.
"""

from __future__ import annotations

import pytest

from engine.moderation.pipeline import Moderator
from tests.moderation_eval import Report, evaluate, load_items

# Measured recall on the holdout file, less about 0.05 (see the module docstring).
HOLDOUT_FLOORS = {
    "self_harm": 0.80,
    "violence": 0.60,
    "sexual": 0.95,
    "sexual_minors": 0.75,
    "hate": 0.85,
    "drugs": 0.75,
    "cbrn": 0.85,
    "malware": 0.70,
}


def _report(*splits: str) -> Report:
    items = [item for split in splits for item in load_items(split)]
    return evaluate(items, Moderator(("lexical", "pii")))


@pytest.fixture(scope="module")
def built_on() -> Report:
    return _report("dev", "test")


@pytest.fixture(scope="module")
def holdout() -> Report:
    return _report("holdout")


def test_targets_on_the_labelled_set(built_on: Report) -> None:
    low = {c: round(s.recall, 3) for c, s in built_on.categories.items() if s.recall < 0.85}
    assert not low, f"recall below 0.85: {low}"
    assert all(s.positives >= 12 for s in built_on.categories.values())
    assert built_on.benign >= 200 and built_on.benign_altered_rate <= 0.05


def test_pii_is_redacted(built_on: Report) -> None:
    pos = sum(s.positives for s in built_on.pii.values())
    caught = sum(s.caught for s in built_on.pii.values())
    assert pos >= 100 and caught / pos >= 0.95
    low = {k: round(s.recall, 3) for k, s in built_on.pii.items() if s.recall < 0.9}
    assert not low, f"PII kinds below 0.9 recall: {low}"
    wrong = {k: round(s.precision, 3) for k, s in built_on.pii.items() if s.precision < 0.9}
    assert not wrong, f"PII kinds below 0.9 precision: {wrong}"


def test_unseen_phrasings_do_not_get_worse(holdout: Report) -> None:
    low = {
        c: round(s.recall, 3) for c, s in holdout.categories.items() if s.recall < HOLDOUT_FLOORS[c]
    }
    assert not low, f"holdout recall fell below its floor: {low}"
    assert holdout.benign >= 100 and holdout.benign_altered_rate <= 0.05
