"""The guard model's verdict is read strictly: anything but the agreed JSON is refused."""

from __future__ import annotations

import pytest

from engine.moderation.guard import load_policy, parse_verdict
from engine.moderation.lexicon import CATEGORIES
from engine.moderation.pipeline import GuardFormatError, GuardVerdict


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ('{"violation": 0}', GuardVerdict(False)),
        ('  {"violation":1,"categories":["violence"]}\n', GuardVerdict(True, ("violence",))),
        ('{"violation": 1, "categories": ["cbrn", "cbrn"]}', GuardVerdict(True, ("cbrn",))),
        ('{"violation": 1}', GuardVerdict(True, ())),
    ],
)
def test_valid_verdicts(answer: str, verdict: GuardVerdict) -> None:
    assert parse_verdict(answer) == verdict


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "safe",
        'The passage is fine. {"violation": 0}',
        '```json\n{"violation": 0}\n```',
        '{"violation": true}',
        '{"violation": 2}',
        '{"violation": "0"}',
        '{"violation": 0, "categories": ["violence"]}',
        '{"violation": 1, "categories": ["weather"]}',
        '{"violation": 1, "categories": "violence"}',
        '{"violation": 0, "reason": "ok"}',
        '[{"violation": 0}]',
        '{"categories": []}',
    ],
)
def test_anything_else_is_refused(answer: str) -> None:
    with pytest.raises(GuardFormatError):
        parse_verdict(answer)


def test_policy_names_every_category() -> None:
    policy = load_policy()
    assert all(f"- {c}:" in policy for c in CATEGORIES)
    assert '{"violation": 0}' in policy
