"""Reading the attached documents, and the question, while the question is written.

Once every chip of the message being written has been read, the worker is asked to read the
coming prompt (:class:`engine.protocol.ReadAhead`): the conversation, the documents that go in
whole and the question as written so far. The question then starts answering at once instead of
waiting for the documents to be read after Send — on a CPU that wait is minutes for a long
document.

Asked again whenever what the question will be sent with changes (a chip added or removed, the
effort, another conversation, a new model), after each answer, and as the question is typed (each
word as it is finished, a closing "?" or "." included, and after each pause): Send after a pause,
or a keystroke after the question's closing mark, starts answering at once; Send right after the
last letter has only the last word left to read. What the worker has cached
already is not read twice, and a reading under way is let finish when only the text changed.
Send cancels a read-ahead still running: the batches it read stay in the cache, so the question
goes on from there. The model bar shows the reading while it runs. Its errors are not shown: the
question sent later meets the same problem and reports it.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.prompt_progress import PromptProgressClock
from engine import protocol as p
from engine.client import EngineClient
from engine.conversation import ChatMessage

# Chips often finish reading one after another, and keys are pressed one after another: wait
# for a pause before asking.
DELAY_MS = 400
# A word just finished (a space typed) will not change: read it at once, not at the next pause,
# which may only come after Send. Short, not zero, so that a paste is one reading.
WORD_DELAY_MS = 30
# A question most often ends with one of these, and Send follows a keystroke later: read at
# once, the question may be whole.
SENTENCE_ENDS = "?!.…:;)"


def word_finished(text: str) -> bool:
    """Whether the last key typed into ``text`` finished a word or a sentence."""
    return text[-1:].isspace() or (text[-1:] != "" and text[-1:] in SENTENCE_ENDS)


@dataclass(frozen=True)
class Draft:
    """The message being written, as far as it is, and what it will be sent with."""

    messages: Sequence[ChatMessage]  # ends with the message being written
    documents: Sequence[Mapping[str, Any]]
    documents_index: str | None
    effort: str
    max_tokens: int
    # Everything but the message's text: while it stays the same, a reading under way is
    # still useful and is let finish.
    context: str = field(init=False)
    key: str = field(init=False)

    def __post_init__(self) -> None:
        context = json.dumps(
            [
                [m.to_json() for m in self.messages[:-1]],
                [dict(d) for d in self.documents],
                self.documents_index,
                self.effort,
                self.max_tokens,
            ],
            sort_keys=True,
        )
        object.__setattr__(self, "context", context)
        object.__setattr__(self, "key", json.dumps([context, self.messages[-1].content]))


class DocumentReadAhead(QObject):
    """Signals:
    status(str, float): what the reading says for the model bar, and how far it is (0..1);
        only for a reading of more than one batch, the ones worth waiting for.
    finished(bool): the reading ended; True when it read to the end after saying so with
        ``status`` (the documents are read), False when it was stopped or failed.
    """

    status = Signal(str, float)
    finished = Signal(bool)

    def __init__(
        self,
        client: Callable[[], EngineClient],
        draft: Callable[[], Draft | None],
        parent: QObject | None = None,
    ) -> None:
        """``draft()`` is None whenever nothing should be read: no documents attached, a chip
        still being read, no model, an answer running, or read-ahead switched off."""
        super().__init__(parent)
        self._client = client
        self._draft = draft
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self._start)
        self._req: int | None = None
        self._key: str | None = None  # the draft read, or being read
        self._context: str | None = None  # its context
        self._again = False  # the text changed during the reading: look again after it
        # Read-aheads cancelled whose last events are still to come: taken, not shown.
        self._stopped: set[int] = set()
        self._clock = PromptProgressClock()

    @property
    def running(self) -> bool:
        return self._req is not None

    def schedule(self, word_done: bool = False) -> None:
        """Something the question will be sent with may have changed: look again shortly (at
        once when ``word_done``: a word of the question was just finished)."""
        self._timer.start(WORD_DELAY_MS if word_done else DELAY_MS)

    def stop(self) -> None:
        """The question is being sent (or the cache is about to change): cancel the reading,
        keeping what it read, and forget what was read."""
        self._timer.stop()
        self._key = self._context = None
        self._again = False
        if self._req is not None:
            self._cancel()
            self.finished.emit(False)

    def handle(self, ev: object) -> bool:
        """Take ``ev`` if it belongs to the running read-ahead (True) or to a stopped one."""
        req = getattr(ev, "req", None)
        if req is None or not isinstance(ev, p.Message):
            return False
        if req in self._stopped:
            if isinstance(ev, p.ReadAheadDone | p.Error):
                self._stopped.discard(req)
            return True
        if req != self._req:
            return False
        if isinstance(ev, p.PromptProgress):
            text = self._clock.text(ev.stage, ev.done, ev.total, time.monotonic(), ahead=True)
            self.status.emit(text, ev.done / max(1, ev.total))
        elif isinstance(ev, p.ReadAheadDone | p.Error):
            self._req = None
            if isinstance(ev, p.Error):
                self._key = None  # try again when something changes
            read = isinstance(ev, p.ReadAheadDone) and not ev.cancelled
            self.finished.emit(read and bool(self._clock.stage))
            if self._again:
                self._again = False
                self._start()
        return True

    def _start(self) -> None:
        draft = self._draft()
        if draft is None:
            self.stop()
            return
        if draft.key == self._key:
            return  # read, or being read
        if self._req is not None:
            if draft.context == self._context:
                # Only the text changed: what is being read is still the prompt's start
                # (documents, most often); cancelling would lose the batch under way.
                self._again = True
                return
            self._cancel()
        try:
            self._req = self._client().read_ahead(
                draft.messages,
                effort=draft.effort,
                max_tokens=draft.max_tokens,
                documents=draft.documents,
                documents_index=draft.documents_index,
            )
        except RuntimeError:  # the worker just died; its exit is shown elsewhere
            self._req = None
            return
        self._key, self._context = draft.key, draft.context
        self._clock = PromptProgressClock()

    def _cancel(self) -> None:
        req, self._req = self._req, None
        if req is None:
            return
        self._stopped.add(req)
        with contextlib.suppress(RuntimeError):  # the worker is gone: nothing to cancel
            self._client().cancel(req)
