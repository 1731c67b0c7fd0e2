"""The Qt adapter of the engine client.

``EngineClient`` delivers events on its reader thread; the bridge hands each one to the GUI
thread through a :class:`GuiQueue` and re-emits it there as ``event``. Slots run on the GUI
thread, in order, and the GUI thread never waits on the worker.

Signals:
    event(object): every protocol message or ``WorkerExited``, in order, on the GUI thread.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Signal

from desktop.gui_queue import GuiQueue
from engine.client import EngineClient, Event
from engine.launcher import NICE_ENV
from engine.paths import app_paths

WORKER_NICENESS = 5


class EngineBridge(QObject):
    event = Signal(object)  # type: ignore[assignment]  # QObject.event is a method too

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._inbox = GuiQueue(self)
        # The worker's stderr goes to the app's log too: crash reports need it, and the worker
        # never writes reasoning there.
        log = app_paths().logs / "worker.log"
        # The worker runs a little below the window's priority (engine.worker._lower_priority):
        # on a machine whose cores are all decoding, the window still gets the CPU at once.
        env = {**os.environ, NICE_ENV: str(WORKER_NICENESS)}
        self.client = EngineClient(on_event=self._on_client_event, log_file=log, env=env)

    def _on_client_event(self, ev: Event) -> None:
        # Runs on the client's reader thread.
        self._inbox.post(lambda: self.event.emit(ev))
