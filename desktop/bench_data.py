"""The benchmark's synthetic data and statistics, without Qt: percentiles and the heartbeat log
of GUI stalls, the process's resident set, and the conversations the benchmark opens."""

from __future__ import annotations

import math
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.store import Store

LONG_CONVERSATION_MESSAGES = 2000


# ================================================================ statistics


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), interpolating linearly between the closest ranks (the
    usual definition, numpy's default). NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * min(max(q, 0.0), 100.0) / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


@dataclass
class HeartbeatLog:
    """How late the ticks of a periodic timer come, while armed.

    A tick that should follow the one before by ``interval_s`` and comes ``gap`` later means
    the GUI thread was busy for about ``gap - interval_s``: that lateness is the stall. Early
    ticks (timer jitter) count as no stall. ``finish()`` keeps the log armed for one more tick,
    so the work done on the event that ended the phase is measured too.
    """

    interval_s: float
    stalls_ms: list[float] = field(default_factory=list)
    armed_s: float = 0.0  # time covered by the recorded gaps
    _last: float | None = None
    _armed: bool = False
    _finishing: bool = False

    @property
    def armed(self) -> bool:
        return self._armed

    def arm(self) -> None:
        self._armed = True
        self._finishing = False

    def finish(self) -> None:
        if self._armed:
            self._finishing = True

    def tick(self, now: float) -> None:
        last, self._last = self._last, now
        if not self._armed or last is None:
            return
        gap = now - last
        self.stalls_ms.append(max(0.0, gap - self.interval_s) * 1000.0)
        self.armed_s += gap
        if self._finishing:
            self._armed = self._finishing = False


def stall_summary(stalls_ms: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": percentile(stalls_ms, 50),
        "p99_ms": percentile(stalls_ms, 99),
        "max_ms": max(stalls_ms) if stalls_ms else math.nan,
        "samples": float(len(stalls_ms)),
    }


def rss_bytes() -> int | None:
    """The resident set of this process, or None where /proc is not there."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            resident_pages = int(fh.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


# ================================================================ the conversations

_SENTENCES = (
    "The cache keeps the prompt's prefix, so a follow-up question starts answering at once.",
    "A lighthouse lamp turns once every ten seconds, and sailors count the flashes to know "
    "which coast they are looking at.",
    "Reading the file line by line keeps memory flat even when the log grows to gigabytes.",
    "Most of the time goes into the first step; the rest is **bookkeeping**.",
    "Use `pathlib.Path` instead of joining strings, and the separators take care of themselves.",
    "Bread rises faster in a warm kitchen, but a slow rise in the fridge tastes better.",
    "The tide tables for next week show two spring tides, on Tuesday and on Wednesday.",
    "If the test fails only on CI, compare the locale and the time zone first.",
    "A binary search needs sorted input; sorting once and searching many times pays off.",
    "The museum opens at ten, and the guided tour in English starts at half past eleven.",
    "Keep the function small: one loop, one decision, and a name that says what it returns.",
    "Granite weathers slowly, which is why the old harbour walls still stand after centuries.",
    "With *eight* gigabytes of memory the smaller model fits, and the larger one does not.",
    "An index on the foreign key turns a full table scan into a handful of page reads.",
    "Summer evenings on the coast are long: the sun sets after nine in late June.",
)

_LIST_ITEMS = (
    "check the input before anything else",
    "measure before changing the code",
    "keep a copy of the original file",
    "write the test that fails first",
    "pack a rain jacket, even in August",
    "book the ferry a day ahead",
    "use a context manager for files",
    "prefer a dictionary lookup to a chain of ifs",
    "read the error message to the end",
    "ask what the data looks like, not only how much there is",
)

_QUESTIONS = (
    "How do I read a large file without running out of memory?",
    "What should I see on a weekend by the sea?",
    "Why is my query slow?",
    "Can you show me a small example?",
    "What is the difference between the two approaches?",
    "How do lighthouses tell ships apart at night?",
    "Could you make it shorter?",
    "And what about the edge cases?",
)


def _code_block(rng: random.Random, i: int) -> str:
    name = rng.choice(("count_lines", "load_config", "mean_delay", "first_match", "chunked"))
    body = rng.choice(
        (
            '    total = 0\n    with open(path, encoding="utf-8") as fh:\n'
            "        for line in fh:\n            total += 1\n    return total",
            "    values = [float(v) for v in items if v]\n"
            "    return sum(values) / len(values) if values else 0.0",
            "    for i, item in enumerate(items):\n        if item.startswith(prefix):\n"
            "            return i\n    return -1",
            "    return [items[i : i + size] for i in range(0, len(items), size)]",
        )
    )
    return f'```python\ndef {name}_{i}(path, items=(), prefix="", size=8):\n{body}\n```'


def assistant_markdown(rng: random.Random, i: int) -> str:
    """An answer as models write them: a paragraph or two, sometimes a list, sometimes code."""
    parts = [" ".join(rng.sample(_SENTENCES, rng.randint(2, 4)))]
    shape = rng.random()
    if shape < 0.3:
        items = rng.sample(_LIST_ITEMS, rng.randint(3, 5))
        if rng.random() < 0.5:
            parts.append("\n".join(f"- {item[0].upper()}{item[1:]}." for item in items))
        else:
            parts.append("\n".join(f"{n}. {item}" for n, item in enumerate(items, 1)))
    elif shape < 0.55:
        parts.append(_code_block(rng, i))
    if rng.random() < 0.6:
        parts.append(" ".join(rng.sample(_SENTENCES, rng.randint(1, 3))))
    return "\n\n".join(parts)


def build_long_conversation(
    store: Store, messages: int = LONG_CONVERSATION_MESSAGES, seed: int = 2000
) -> int:
    """One conversation of ``messages`` alternating user/assistant messages on one branch (each
    the reply of the one before); returns its id. The same seed writes the same text."""
    rng = random.Random(seed)
    cid = store.create_conversation("Benchmark: a long conversation")
    parent: int | None = None
    for i in range(messages):
        if i % 2 == 0:
            parent = store.add_message(cid, "user", rng.choice(_QUESTIONS), parent_id=parent)
        else:
            meta = {"model": "bench", "tokens_per_s": 30.0, "ttft_ms": 120.0}
            parent = store.add_message(
                cid, "assistant", assistant_markdown(rng, i), parent_id=parent, meta=meta
            )
    return cid


def build_short_conversation(store: Store) -> int:
    """A conversation of two messages, opened between the timed openings of the long one."""
    cid = store.create_conversation("Benchmark: a short conversation")
    uid = store.add_message(cid, "user", "What is a lighthouse?")
    store.add_message(
        cid,
        "assistant",
        "A tower with a bright lamp at the top that guides ships along the coast.",
        parent_id=uid,
        meta={"model": "bench"},
    )
    return cid
