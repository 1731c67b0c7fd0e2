"""``lanterna --smoke``: open the window, load the model, ask one question, wait for the
streamed answer, optionally save a screenshot, and exit — 0 when all of that worked, otherwise 1
with a one-line reason on stderr. It works offscreen (QT_QPA_PLATFORM=offscreen), and its chat
goes to a throwaway store, not the user's history.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from desktop.main_window import MainWindow
from engine import protocol as p
from engine.client import WorkerExited

SMOKE_PROMPT = "Name three colours of a lighthouse beam."
SMOKE_TIMEOUT_S = 300.0
SMOKE_MAX_TOKENS = 64  # enough to show streaming works; the demo model rambles otherwise


class Smoke(QObject):
    def __init__(
        self, app: QApplication, window: MainWindow, screenshot: Path | None, timeout_s: float
    ) -> None:
        super().__init__(window)
        self._app = app
        self._window = window
        self._screenshot = screenshot
        self._sent = False
        self.code = 1
        window.bridge.event.connect(self._on_event)
        window.answer_saved.connect(self._on_answer_saved)
        window.load_failed.connect(lambda reason: self._fail(f"cannot load the model: {reason}"))
        QTimer.singleShot(
            int(timeout_s * 1000),
            lambda: self._fail(
                f"no answer within {timeout_s:.0f} s (state: {window.model_bar.state.text()})"
            ),
        )

    @Slot(object)
    def _on_event(self, ev: object) -> None:
        if isinstance(ev, p.Loaded) and not self._sent:
            self._sent = True
            # Let the window process the same event first (it enables sending).
            QTimer.singleShot(0, lambda: self._window.send(SMOKE_PROMPT))
        elif isinstance(ev, p.Error) and self._sent:
            self._fail(f"engine error: {ev.message}")
        elif isinstance(ev, WorkerExited) and not ev.expected:
            self._fail(f"the engine stopped: {ev.reason}")

    def _on_answer_saved(self, _message_id: int) -> None:
        views = self._window.chat.views
        answer = views[-1].content.strip() if views else ""
        if not answer:
            self._fail("the model wrote an empty answer")
            return
        if self._screenshot is not None:
            self._screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not self._window.grab().save(str(self._screenshot)):
                self._fail(f"cannot write the screenshot {self._screenshot}")
                return
        print(f"smoke: ok: {len(answer)} characters answered", file=sys.stderr)
        self.code = 0
        self._window.close()

    def _fail(self, reason: str) -> None:
        if self.code == 0:
            return
        print(f"smoke: failed: {reason}", file=sys.stderr)
        self.code = 1
        self._window.close()


def run_smoke(app: QApplication, model: Path | None, screenshot: Path | None) -> int:
    with tempfile.TemporaryDirectory(prefix="lanterna-smoke-") as tmp:
        window = MainWindow(model=model, store_path=Path(tmp) / "smoke.sqlite3")
        window.max_tokens = SMOKE_MAX_TOKENS
        smoke = Smoke(app, window, screenshot, SMOKE_TIMEOUT_S)
        window.show()
        app.exec()
        return smoke.code
