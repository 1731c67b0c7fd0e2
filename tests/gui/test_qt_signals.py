"""The Qt binding itself: a streaming answer emits thousands of signals, and each must leave
Python's reference counts as it found them (PySide6 6.12.0 did not, and the app aborted)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    bare = Signal()
    number = Signal(int)
    anything = Signal(object)


def test_emitting_signals_keeps_reference_counts(qtbot: QtBot) -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.bare.connect(lambda: received.append(None))
    emitter.number.connect(received.append)
    emitter.anything.connect(received.append)
    payload = object()
    before = (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(payload))
    for i in range(3000):
        emitter.bare.emit()
        emitter.number.emit(i)
        emitter.anything.emit(payload)
    received.clear()
    after = (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(payload))
    assert all(a >= b - 10 for a, b in zip(after, before, strict=True)), (before, after)
