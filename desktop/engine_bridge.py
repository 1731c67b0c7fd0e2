"""The Qt adapter of the engine client.

``EngineClient`` delivers events on its reader thread; this bridge re-emits each one as a Qt
signal. Signals crossing threads are queued, so slots always run on the GUI thread and the GUI
thread never waits on the worker.

Signals:
    event(object): every protocol message or ``WorkerExited``, in order, on the GUI thread.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QObject, Signal

from engine.client import EngineClient, Event
from engine.paths import app_paths


class EngineBridge(QObject):
    event = Signal(object)  # type: ignore[assignment]  # QObject.event is a method too

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # The worker's stderr goes to the app's log too: crash reports need it, and the worker
        # never writes reasoning there.
        log = app_paths().logs / "worker.log"
        self.client = EngineClient(on_event=self._on_client_event, log_file=log)

    def _on_client_event(self, ev: Event) -> None:
        # Runs on the client's reader thread; emitting queues the call onto the GUI thread.
        # A RuntimeError means the bridge was destroyed with its window: nobody listens any more.
        with contextlib.suppress(RuntimeError):
            self.event.emit(ev)
