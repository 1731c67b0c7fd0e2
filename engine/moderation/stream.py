"""Reasoning as it streams out of the model, turned into what the chosen display mode allows.

- ``hidden``: nothing is kept or filtered; the worker only counts tokens and seconds.
- ``filtered``: the text is cut into sentences; each passes the fast layers on the decoding
  thread (about a millisecond) and, when a guard model is loaded, the guard on a thread of its
  own, so the final answer never waits for a verdict.
- ``summary``: the raw text is kept in this process's memory until the answer is done, for the
  summary the worker then asks the model to write (see ``Worker._summarize``).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Literal

from engine.moderation.pipeline import Classifier, FilteredSegment, Moderator
from engine.moderation.segmenter import SentenceStream

DisplayMode = Literal["hidden", "filtered", "summary"]
DISPLAY_MODES: tuple[DisplayMode, ...] = ("hidden", "filtered", "summary")
Emit = Callable[[FilteredSegment], None]


class _GuardThread:
    """Runs the guard on screened segments in arrival order, off the decoding thread."""

    def __init__(self, moderator: Moderator, guard: Classifier, emit: Emit) -> None:
        self._moderator = moderator
        self._guard = guard
        self._emit = emit
        self._jobs: queue.Queue[tuple[str, FilteredSegment] | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="guard", daemon=True)
        self._thread.start()

    def submit(self, text: str, screened: FilteredSegment) -> None:
        self._jobs.put((text, screened))

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._stop.is_set():
                continue  # cancelled: drain without judging; nothing unjudged is emitted
            text, screened = job
            self._emit(self._moderator.judge(text, screened, self._guard))

    def close(self, cancelled: bool) -> None:
        if cancelled:
            self._stop.set()
        self._jobs.put(None)
        self._thread.join()


class ReasoningStream:
    """One generation's reasoning: ``feed`` raw text as it arrives, ``close`` at the end."""

    def __init__(
        self,
        mode: DisplayMode,
        moderator: Moderator,
        emit: Emit,
        guard: Classifier | None = None,
    ) -> None:
        self.mode = mode
        self._moderator = moderator
        self._emit = emit
        self._sentences = SentenceStream()
        self._kept: list[str] = []
        self._guard = (
            _GuardThread(moderator, guard, emit)
            if guard is not None and mode == "filtered" and "guard" in moderator.layers
            else None
        )

    def feed(self, raw: str) -> None:
        if self.mode == "filtered":
            for sentence in self._sentences.feed(raw):
                self._pass(sentence)
        elif self.mode == "summary":
            self._kept.append(raw)

    def _pass(self, sentence: str) -> None:
        screened = self._moderator.screen(sentence)
        if self._guard is not None:
            # Withheld segments go through the queue too, so segments keep their order.
            self._guard.submit(sentence, screened)
        else:
            self._emit(screened)

    def close(self, cancelled: bool = False) -> None:
        """Flush the last sentence and wait for the guard's remaining verdicts (dropped when
        ``cancelled``: an unjudged segment is never emitted)."""
        if self.mode == "filtered" and not cancelled:
            for sentence in self._sentences.finish():
                self._pass(sentence)
        if self._guard is not None:
            self._guard.close(cancelled)
            self._guard = None

    def take_raw(self) -> str:
        """The kept reasoning (summary mode), handed over once and forgotten here."""
        raw, self._kept = "".join(self._kept), []
        return raw
