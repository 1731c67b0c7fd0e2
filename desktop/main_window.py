"""A first chat window: one conversation with the loaded model, streaming, stop, effort.

Everything slow happens elsewhere: the model runs in the worker process (events arrive through
:class:`EngineBridge`), and preparing the demo model runs on a plain thread that reports back
with a queued signal.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import (
    QFont,
    QKeySequence,
    QShortcut,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.engine_bridge import EngineBridge
from engine import protocol as p
from engine.client import WorkerExited, WorkerStartError
from engine.conversation import EFFORTS, ChatMessage
from engine.models.demo import DemoModelError, ensure_demo_model
from engine.settings import load_settings


class MainWindow(QMainWindow):
    """Signals:
    model_ready(str): the path of the model to load, from the preparation thread.
    model_failed(str): why the model could not be prepared.
    """

    model_ready = Signal(str)
    model_failed = Signal(str)

    def __init__(self, model: Path | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Lanterna")
        self.resize(900, 680)
        self._model_arg = model
        self._model_path: str | None = None
        self._messages: list[ChatMessage] = []
        self._answer: list[str] = []
        self._req: int | None = None
        self._loaded = False
        self._worker_ready = False  # a worker is listening and has not been asked to load yet
        # Read once at start (a few hundred bytes); the settings dialog will own changes.
        self._settings = load_settings()

        self.bridge = EngineBridge(self)
        self.bridge.event.connect(self._on_engine_event)
        self.model_ready.connect(self._on_model_ready)
        self.model_failed.connect(self._on_model_failed)
        self._build()
        self._set_state("Starting the engine…")
        self.bridge.client.start()
        self._prepare_model()

    # ---------------------------------------------------------------- layout

    def _build(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)

        top = QHBoxLayout()
        self.model_label = QLabel("No model", central)
        self.model_label.setAccessibleName("Loaded model")
        self.state_label = QLabel("", central)
        self.state_label.setAccessibleName("Engine state")
        top.addWidget(self.model_label, 1)
        top.addWidget(self.state_label)
        layout.addLayout(top)

        self.banner = QFrame(central)
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner.setObjectName("banner")
        # Selected by name: QLabel is a QFrame too and must not get the border.
        self.banner.setStyleSheet(
            "QFrame#banner { background: #fdecea; border: 1px solid #e0a39b; border-radius: 4px; }"
        )
        banner_row = QHBoxLayout(self.banner)
        self.banner_text = QLabel("", self.banner)
        self.banner_text.setWordWrap(True)
        self.restart_button = QPushButton("Restart engine", self.banner)
        self.restart_button.clicked.connect(self._on_restart)
        banner_row.addWidget(self.banner_text, 1)
        banner_row.addWidget(self.restart_button)
        self.banner.hide()
        layout.addWidget(self.banner)

        self.transcript = QTextBrowser(central)
        self.transcript.setAccessibleName("Conversation")
        self.transcript.setOpenExternalLinks(True)
        layout.addWidget(self.transcript, 1)

        row = QHBoxLayout()
        self.composer = QPlainTextEdit(central)
        self.composer.setPlaceholderText("Ask something… (Ctrl+Enter to send)")
        self.composer.setAccessibleName("Message")
        self.composer.setFixedHeight(80)
        self.effort = QComboBox(central)
        self.effort.addItems([e.capitalize() for e in EFFORTS])
        self.effort.setCurrentIndex(1)
        self.effort.setAccessibleName("Reasoning effort")
        self.effort.setToolTip("How hard gpt-oss thinks before answering")
        self.send_button = QPushButton("Send", central)
        self.send_button.clicked.connect(self._on_send_or_stop)
        row.addWidget(self.composer, 1)
        side = QVBoxLayout()
        side.addWidget(self.effort)
        side.addWidget(self.send_button)
        row.addLayout(side)
        layout.addLayout(row)
        self.setCentralWidget(central)

        QShortcut(QKeySequence("Ctrl+Return"), self, self._on_send_or_stop)
        QShortcut(QKeySequence("Escape"), self, self._stop)
        self.send_button.setEnabled(False)

    def _set_state(self, text: str) -> None:
        self.state_label.setText(text)

    # ---------------------------------------------------------------- model

    def _prepare_model(self) -> None:
        if self._model_arg is not None:
            self.model_ready.emit(str(self._model_arg))
            return

        def work() -> None:
            try:
                self.model_ready.emit(str(ensure_demo_model()))
            except DemoModelError as exc:
                self.model_failed.emit(str(exc))

        self._set_state("Preparing the demo model…")
        threading.Thread(target=work, name="prepare-model", daemon=True).start()

    def _on_model_ready(self, path: str) -> None:
        self._model_path = path
        self._load()

    def _on_model_failed(self, reason: str) -> None:
        self._show_banner(f"The model could not be prepared: {reason}", restart=False)

    def _load(self) -> None:
        # Needs both a prepared model and a listening worker; whichever comes second loads.
        if self._model_path and self._worker_ready:
            self._worker_ready = False
            self._loaded = False
            self._set_state("Loading…")
            self.model_label.setText(Path(self._model_path).name)
            with contextlib.suppress(RuntimeError):  # died meanwhile: the banner will say so
                self.bridge.client.load(
                    self._model_path,
                    guard_model=self._settings.guard_path(),
                    backend=self._settings.backend,
                )

    # ---------------------------------------------------------------- chat

    def _on_send_or_stop(self) -> None:
        if self._req is not None:
            self._stop()
            return
        text = self.composer.toPlainText().strip()
        if not text or not self._loaded:
            return
        effort = EFFORTS[self.effort.currentIndex()]
        try:
            req = self.bridge.client.generate(
                [*self._messages, ChatMessage("user", text)],
                effort=effort,
                reasoning=self._settings.reasoning_display,
                moderation=self._settings.moderation_layers,
            )
        except RuntimeError:
            return  # the worker just died; its WorkerExited event shows the banner
        self._req = req
        self.composer.clear()
        self._messages.append(ChatMessage("user", text))
        self._append_block("You", text)
        self._append_block("Lanterna", "")
        self._answer = []
        self.send_button.setText("Stop")
        self._set_state("Generating…")

    def _stop(self) -> None:
        if self._req is not None:
            # A dead worker cannot be cancelled; its exit event ends the answer instead.
            with contextlib.suppress(RuntimeError):
                self.bridge.client.cancel(self._req)

    def _append_block(self, who: str, text: str) -> None:
        cursor = self.transcript.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        label = QTextCharFormat()
        label.setFontWeight(QFont.Weight.Bold)
        block = QTextBlockFormat()
        block.setTopMargin(0 if self.transcript.document().isEmpty() else 12)
        if self.transcript.document().isEmpty():
            cursor.setBlockFormat(block)
        else:
            cursor.insertBlock(block)
        cursor.insertText(who, label)
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        cursor.insertText(text)
        self.transcript.setTextCursor(cursor)

    def _append_text(self, text: str) -> None:
        # Insert at the end only: the transcript is never re-rendered per token.
        cursor = self.transcript.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        self.transcript.ensureCursorVisible()

    def _finish_answer(self, note: str | None = None) -> None:
        answer = "".join(self._answer)
        if answer:
            self._messages.append(ChatMessage("assistant", answer))
        if note:
            self._append_text(f"\n[{note}]")
        self._req = None
        self.send_button.setText("Send")

    # ---------------------------------------------------------------- engine events

    # Declared as a slot: PySide6 then delivers the queued cross-thread call with the argument's
    # reference counted correctly (an undeclared slot crashed the process at exit now and then).
    @Slot(object)
    def _on_engine_event(self, ev: object) -> None:
        if isinstance(ev, p.Ready):
            self._set_state("Engine ready")
            self._worker_ready = True
            self._load()
        elif isinstance(ev, p.LoadProgress):
            self._set_state(f"Loading… {ev.fraction:.0%}")
        elif isinstance(ev, p.Loaded):
            self._loaded = True
            self.model_label.setText(f"{ev.name} · {ev.prompt_format} · {ev.n_ctx} ctx")
            self.effort.setEnabled(ev.supports_effort)
            if not ev.supports_effort:
                self.effort.setToolTip("This model has no reasoning-effort control")
            self.send_button.setEnabled(True)
            self._set_state("Ready")
            if ev.guard in ("missing", "failed"):
                msg = ev.guard_message
                self._show_banner(msg[:1].upper() + msg[1:], restart=False)
        elif isinstance(ev, p.Text) and ev.req == self._req:
            self._answer.append(ev.text)
            self._append_text(ev.text)
        elif isinstance(ev, p.Reasoning) and ev.req == self._req:
            self._set_state(f"Thinking… {ev.seconds:.0f} s · {ev.tokens} tokens")
        elif isinstance(ev, p.Done) and ev.req == self._req:
            note = "stopped" if ev.finish_reason == "cancelled" else None
            self._finish_answer(note)
            thought = (
                f"thought for {ev.reasoning_seconds:.0f} s · {ev.reasoning_tokens} tokens · "
                if ev.reasoning_tokens
                else ""
            )
            self._set_state(
                f"{thought}{ev.tokens_per_s:.1f} tok/s · first token {ev.ttft_ms:.0f} ms"
            )
        elif isinstance(ev, p.Error):
            if ev.req == self._req:
                self._finish_answer("error")
            self._show_banner(ev.message, restart=False)
        elif isinstance(ev, WorkerExited) and not ev.expected:
            self._on_worker_exited(ev)

    def _on_worker_exited(self, ev: WorkerExited) -> None:
        if self._req is not None:
            self._finish_answer("incomplete: the engine stopped")
        self._loaded = False
        self._worker_ready = False
        self.send_button.setEnabled(False)
        self._set_state("Engine stopped")
        # The reason names the signal already; an exit code is worth adding.
        code = "" if ev.signal else f" (exit code {ev.exit_code})"
        self._show_banner(
            f"The engine stopped: {ev.reason}{code}. Your conversation is kept.", restart=True
        )

    def _show_banner(self, text: str, *, restart: bool) -> None:
        self.banner_text.setText(text)
        self.restart_button.setVisible(restart)
        self.banner.show()

    def _on_restart(self) -> None:
        self.banner.hide()
        self._set_state("Restarting the engine…")
        try:
            self.bridge.client.restart()
        except WorkerStartError as exc:
            self._show_banner(str(exc), restart=True)

    def closeEvent(self, event: object) -> None:
        self.bridge.client.shutdown(timeout=2.0)
        super().closeEvent(event)  # type: ignore[arg-type]
