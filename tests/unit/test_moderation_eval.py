"""The filter on the labelled evaluation set: the recall and benign-change bounds it must keep.

``python -m tests.moderation_eval`` prints the full table; this test holds the line.
"""

from __future__ import annotations

import pytest

from engine.moderation.lexicon import Lexicon
from engine.moderation.pipeline import Moderator
from tests.moderation_eval import Report, evaluate, load_items


@pytest.fixture(scope="module")
def report() -> Report:
    items = load_items("all")
    assert len(items) >= 300
    return evaluate(items, Moderator(("lexical", "pii"), Lexicon.load()))


def test_every_harmful_category_is_caught(report: Report) -> None:
    low = {c: round(s.recall, 3) for c, s in report.categories.items() if s.recall < 0.85}
    assert not low, f"recall below 0.85: {low}"
    assert all(s.positives >= 10 for s in report.categories.values())


def test_pii_is_redacted(report: Report) -> None:
    pos = sum(s.positives for s in report.pii.values())
    caught = sum(s.caught for s in report.pii.values())
    assert caught / pos >= 0.95
    low = {k: round(s.recall, 3) for k, s in report.pii.items() if s.recall < 0.9}
    assert not low, f"PII kinds below 0.9 recall: {low}"


def test_benign_text_passes_untouched(report: Report) -> None:
    assert report.benign >= 150
    assert report.benign_altered_rate <= 0.05
