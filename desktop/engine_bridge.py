"""The Qt adapter of the engine client.

``EngineClient`` delivers events on its reader thread. The bridge queues each one in a plain
Python queue and wakes the GUI thread with an argument-less queued signal; the GUI thread then
drains the queue and re-emits every event as ``event``. Python objects never travel through a
cross-thread signal, which keeps the reference counting of every event in Python's hands.
Slots still run on the GUI thread, in order, and the GUI thread never waits on the worker.

Signals:
    event(object): every protocol message or ``WorkerExited``, in order, on the GUI thread.
"""

from __future__ import annotations

import contextlib
import os
import queue

from PySide6.QtCore import QObject, Signal, Slot

from engine.client import EngineClient, Event
from engine.launcher import NICE_ENV
from engine.paths import app_paths

WORKER_NICENESS = 5


class EngineBridge(QObject):
    event = Signal(object)  # type: ignore[assignment]  # QObject.event is a method too
    _wake = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._wake.connect(self._on_wake)
        # The worker's stderr goes to the app's log too: crash reports need it, and the worker
        # never writes reasoning there.
        log = app_paths().logs / "worker.log"
        # The worker runs a little below the window's priority (engine.worker._lower_priority):
        # on a machine whose cores are all decoding, the window still gets the CPU at once.
        env = {**os.environ, NICE_ENV: str(WORKER_NICENESS)}
        self.client = EngineClient(on_event=self._on_client_event, log_file=log, env=env)

    def _on_client_event(self, ev: Event) -> None:
        # Runs on the client's reader thread. A RuntimeError means the bridge was destroyed
        # with its window: nobody listens any more.
        self._pending.put(ev)
        with contextlib.suppress(RuntimeError):
            self._wake.emit()

    @Slot()
    def _on_wake(self) -> None:
        while True:
            try:
                ev = self._pending.get_nowait()
            except queue.Empty:
                return
            self.event.emit(ev)
