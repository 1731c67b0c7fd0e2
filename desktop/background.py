"""Work that must not run on the GUI thread: disk (the SQLite store, exports, settings) and scans.

``Background.run(op, on_done)`` runs ``op`` on one I/O thread, in submission order — the store
holds one SQLite connection, and ordering lets a later write use an id an earlier one produced —
and calls ``on_done(result)`` (or ``on_error(exc)``) back on the GUI thread through a
:class:`GuiQueue`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop.gui_queue import GuiQueue

T = TypeVar("T")
log = logging.getLogger(__name__)

_Callback = Callable[[], None]


class Background(QObject):
    """Signals:
    idle(): every submitted operation has finished and its callback has run.
    """

    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lanterna-io")
        self._inbox = GuiQueue(self)
        self._pending = 0
        self._lock = threading.Lock()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._pending > 0

    def run(
        self,
        op: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        if self._closed:
            return
        with self._lock:
            self._pending += 1

        def job() -> None:
            try:
                result = op()
            except Exception as exc:
                # Bound now: the name "exc" is unset when the except block ends.
                self._post(lambda err=exc: _fail(err, on_error))  # type: ignore[misc]
                return
            if on_done is not None:
                self._post(lambda: on_done(result))
            else:
                self._post(lambda: None)

        self._pool.submit(job)

    def _post(self, callback: _Callback) -> None:
        self._inbox.post(lambda: self._finish(callback))

    def _finish(self, callback: _Callback) -> None:
        try:
            callback()
        finally:
            with self._lock:
                self._pending -= 1
                now_idle = self._pending == 0
            if now_idle:
                self.idle.emit()

    def shutdown(self) -> None:
        """Finish what was submitted (writes must land), then stop the thread."""
        self._closed = True
        self._pool.shutdown(wait=True)
        self._inbox.drain()


def _fail(exc: Exception, on_error: Callable[[Exception], None] | None) -> None:
    if on_error is not None:
        on_error(exc)
    else:
        log.error("background operation failed: %s: %s", type(exc).__name__, exc)


def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> Callable[[], T]:
    """``fn`` with its arguments bound, for ``Background.run``."""
    return lambda: fn(*args, **kwargs)
