"""Reciprocal rank fusion: one ranking from several, using only the ranks.

BM25 scores and cosine similarities live on unrelated scales, and BM25's scale even changes
with the query, so they cannot be added. RRF (Cormack, Clarke and Büttcher, 2009) gives each
item ``sum(1 / (k + rank))`` over the rankings it appears in; ``k = 60`` is the constant of the
paper, which damps the difference between the first few places so that an item ranked well by
both lists beats one ranked first by a single list.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

RRF_K = 60

T = TypeVar("T", bound=Hashable)


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[T]], k: int = RRF_K
) -> list[tuple[T, float]]:
    """Items of all ``rankings`` (best first each) with their fused scores, best first.

    An item repeated within one ranking counts once, at its best place. Equal scores keep the
    order in which the items were first met, earlier rankings first, so the result does not
    depend on hash order.
    """
    if k < 0:
        raise ValueError("k must not be negative")
    scores: dict[T, float] = {}
    for ranking in rankings:
        seen: set[T] = set()
        for rank, item in enumerate(ranking, start=1):
            if item in seen:
                continue
            seen.add(item)
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    # sorted() is stable and dicts keep insertion order: ties stay in first-met order.
    return sorted(scores.items(), key=lambda pair: -pair[1])
