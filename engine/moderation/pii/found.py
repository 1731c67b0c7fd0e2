"""The record every detector yields: what kind of item it found and where.

It lives apart from the detectors and from the public API so that both can use it without
importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Found:
    """A detected item; ``start``/``end`` are offsets into the input text."""

    kind: str
    start: int
    end: int
