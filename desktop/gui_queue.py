"""Handing work from other threads to the GUI thread.

Threads that are not the GUI thread (the engine client's reader, the I/O thread, downloads)
``post`` plain Python callables; the GUI thread runs them in the order they were posted. They
travel in a Python queue, and only an argument-less queued signal crosses threads to wake the
GUI thread: no Python object rides inside a cross-thread Qt signal, which keeps the reference
counting of everything posted in Python's hands.
"""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot


class GuiQueue(QObject):
    _wake = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._calls: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._wake.connect(self.drain)

    def post(self, call: Callable[[], None]) -> None:
        """Run ``call`` on the GUI thread soon; safe from any thread."""
        self._calls.put(call)
        # A RuntimeError means this object went with its window: nobody is left to run it.
        with contextlib.suppress(RuntimeError):
            self._wake.emit()

    @Slot()
    def drain(self) -> None:
        """Run everything posted so far (on the GUI thread)."""
        while True:
            try:
                call = self._calls.get_nowait()
            except queue.Empty:
                return
            call()
