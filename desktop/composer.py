"""Where the user writes: the documents to send, the message box, the reasoning-effort slider,
and Send / Stop.

Enter sends and Shift+Enter starts a new line (Ctrl+Enter sends too). While a message is being
edited, a bar above the box says so and Escape cancels the edit. Documents dropped on the window
or picked with Attach wait on the tray above the box (:mod:`desktop.attachments`); Send waits
until they have been read. Documents are asked about, never sent alone: Send is greyed out until
something is written, and turns into Stop, always available, while an answer streams.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QStyle,
    QStyleOptionButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.attachments import PendingAttachments
from engine.conversation import EFFORTS

# What the file picker offers; anything else can still be dropped, and is refused with a reason.
DOCUMENT_PATTERNS = "*.pdf *.docx *.md *.markdown *.txt *.text *.html *.htm"


class SendButton(QPushButton):
    """Send, and Stop while an answer streams: as wide as the wider of its words, so it keeps
    its size and place when it changes from one to the other."""

    def __init__(self, texts: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(texts[0], parent)
        self._texts = texts

    def sizeHint(self) -> QSize:
        # As QPushButton measures its text, for each of the words.
        option = QStyleOptionButton()
        self.initStyleOption(option)
        metrics = self.fontMetrics()
        width = height = 0
        for text in self._texts:
            option.text = text
            size = self.style().sizeFromContents(
                QStyle.ContentsType.CT_PushButton,
                option,
                metrics.size(Qt.TextFlag.TextShowMnemonic, text),
                self,
            )
            width, height = max(width, size.width()), max(height, size.height())
        return QSize(width, height)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class Composer(QFrame):
    """Signals:
    send_requested(str): the text to send (already stripped, never empty).
    stop_requested(): stop the answer being written.
    effort_changed(str): "low", "medium" or "high", chosen by the user.
    edit_cancelled(): the user gave up editing a message.
    """

    send_requested = Signal(str)
    stop_requested = Signal()
    effort_changed = Signal(str)
    edit_cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 6, 12, 10)
        outer.setSpacing(6)

        self.edit_bar = QFrame(self)
        bar = QHBoxLayout(self.edit_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        self.edit_label = QLabel(self.tr("Editing a message: sending starts a new branch."), self)
        self.edit_label.setProperty("muted", True)
        cancel = QToolButton(self.edit_bar)
        cancel.setText(self.tr("Cancel edit"))
        cancel.setAccessibleName(self.tr("Cancel edit"))
        cancel.clicked.connect(self.cancel_edit)
        bar.addWidget(self.edit_label, 1)
        bar.addWidget(cancel)
        self.edit_bar.hide()
        outer.addWidget(self.edit_bar)

        self.attachments = PendingAttachments(parent=self)
        self.attachments.changed.connect(self._update_button)
        outer.addWidget(self.attachments)

        self.text = QPlainTextEdit(self)
        self.text.setObjectName("message")
        self.text.setPlaceholderText(
            self.tr("Ask anything… (Enter to send, Shift+Enter for a new line)")
        )
        self.text.setAccessibleName(self.tr("Message"))
        self.text.setFixedHeight(84)
        self.text.installEventFilter(self)
        # Send stays greyed out until there is something to send.
        self.text.textChanged.connect(self._update_button)
        outer.addWidget(self.text)

        row = QHBoxLayout()
        self.attach_button = QToolButton(self)
        self.attach_button.setObjectName("attach")
        self.attach_button.setText(self.tr("Attach…"))
        self.attach_button.setAccessibleName(self.tr("Attach documents"))
        self.attach_button.setToolTip(
            self.tr(
                "Attach documents to ask about: PDF, Word, Markdown, text or HTML"
                " (or drop files and folders on the window)"
            )
        )
        self.attach_button.clicked.connect(self.pick_documents)
        row.addWidget(self.attach_button)
        row.addSpacing(8)
        self.effort_title = QLabel(self.tr("Reasoning effort"), self)
        self.effort = QSlider(Qt.Orientation.Horizontal, self)
        self.effort.setObjectName("effort")
        self.effort.setRange(0, len(EFFORTS) - 1)
        self.effort.setPageStep(1)
        self.effort.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.effort.setTickInterval(1)
        self.effort.setFixedWidth(120)
        self.effort.setAccessibleName(self.tr("Reasoning effort"))
        self.effort.setValue(1)
        self.effort_value = QLabel("", self)
        self.effort_value.setMinimumWidth(64)
        self.effort.valueChanged.connect(self._on_effort_moved)
        self.send_button = SendButton((self.tr("Send"), self.tr("Stop")), self)
        self.send_button.setObjectName("send")
        self.send_button.setDefault(True)
        self.send_button.setAccessibleName(self.tr("Send"))
        self.send_button.setToolTip(self.tr("Send (Enter) · Stop (Esc)"))
        self.send_button.clicked.connect(self._on_send_clicked)
        row.addWidget(self.effort_title)
        row.addWidget(self.effort)
        row.addWidget(self.effort_value)
        row.addStretch(1)
        row.addWidget(self.send_button)
        outer.addLayout(row)
        self._busy = False
        self._can_send = False
        self.set_effort_control(True)
        self._show_effort_value()
        self._update_button()

    # ------------------------------------------------------------------ state

    def set_busy(self, busy: bool) -> None:
        """While an answer streams, the button stops it."""
        self._busy = busy
        self._update_button()

    def set_can_send(self, can: bool) -> None:
        self._can_send = can
        self._update_button()

    def _update_button(self) -> None:
        if self._busy:
            self.send_button.setText(self.tr("Stop"))
            self.send_button.setEnabled(True)
            self.send_button.setToolTip(self.tr("Send (Enter) · Stop (Esc)"))
        else:
            self.send_button.setText(self.tr("Send"))
            reading = self.attachments.reading
            self.send_button.setEnabled(self.ready and bool(self.text.toPlainText().strip()))
            self.send_button.setToolTip(
                self.tr("Sending waits until the documents have been read")
                if reading
                else self.tr("Send (Enter) · Stop (Esc)")
            )

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def ready(self) -> bool:
        """Whether a message written now could be sent: a model is loaded, no answer is
        streaming and the attached documents have been read."""
        return self._can_send and not self._busy and not self.attachments.reading

    def effort_name(self) -> str:
        return EFFORTS[self.effort.value()]

    def set_effort(self, effort: str) -> None:
        """Show a conversation's effort without announcing it as the user's choice."""
        self.effort.blockSignals(True)
        self.effort.setValue(EFFORTS.index(effort) if effort in EFFORTS else 1)  # type: ignore[arg-type]
        self.effort.blockSignals(False)
        self._show_effort_value()

    def set_effort_control(self, available: bool) -> None:
        self.effort.setEnabled(available)
        self.effort_title.setEnabled(available)
        self.effort_value.setEnabled(available)
        tip = (
            self.tr(
                "How long the model thinks before answering: low is fastest, high is most careful"
            )
            if available
            else self.tr("This model has no reasoning-effort control")
        )
        for w in (self.effort, self.effort_title, self.effort_value):
            w.setToolTip(tip)

    def _on_effort_moved(self, _value: int) -> None:
        self._show_effort_value()
        self.effort_changed.emit(self.effort_name())

    def _show_effort_value(self) -> None:
        names = (self.tr("Low"), self.tr("Medium"), self.tr("High"))
        self.effort_value.setText(names[self.effort.value()])

    # ------------------------------------------------------------------ editing

    def begin_edit(self, text: str) -> None:
        self.edit_bar.show()
        self.text.setPlainText(text)
        self.text.setFocus()

    def cancel_edit(self) -> None:
        if self.edit_bar.isVisible():
            self.edit_bar.hide()
            self.text.clear()
            self.edit_cancelled.emit()

    def end_edit(self) -> None:
        self.edit_bar.hide()

    @property
    def editing(self) -> bool:
        return not self.edit_bar.isHidden()

    # ------------------------------------------------------------------ sending

    def _on_send_clicked(self) -> None:
        if self._busy:
            self.stop_requested.emit()
        else:
            self.submit()

    def submit(self) -> None:
        text = self.text.toPlainText().strip()
        if text and self._can_send and not self._busy and not self.attachments.reading:
            self.send_requested.emit(text)

    # ------------------------------------------------------------------ documents

    def pick_documents(self) -> None:
        """Ask for documents to attach (files; a folder can be dropped instead)."""
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Attach documents"),
            "",
            self.tr("Documents (%1);;All files (*)").replace("%1", DOCUMENT_PATTERNS),
        )
        if paths:
            self.attachments.add_paths(paths)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.text and event.type() == QEvent.Type.KeyPress:
            key = event if isinstance(event, QKeyEvent) else None
            if key is not None and key.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if key.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    return False  # a new line
                self.submit()
                return True
            if key is not None and key.key() == Qt.Key.Key_Escape and self.editing:
                self.cancel_edit()
                return True
        return super().eventFilter(watched, event)
