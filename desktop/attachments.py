"""Documents waiting to go with the next message: a tray of chips above the message box.

Dropped or picked files and folders become chips at once. Each file is read into the document
index off the GUI thread (:class:`DocumentReader`); its chip says "Reading…", then shows its
pages or size, or the reason it cannot be used (password-protected, not a document, too big…)
in the error style — still removable, never sent. A file already on the tray is not added
again; dropping a file whose chip shows an error tries it again.

Sending waits for reading: while a chip is still being read the composer's Send is disabled,
its tooltip saying why. Sending without the document would answer a question about it without
it, and queueing the question would leave the user watching a message that is not sent yet;
files take about a second each, so waiting is the least surprising.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

from desktop.attachment_chip import AttachmentChip, chip_style_sheet
from desktop.document_reader import DocumentReader
from desktop.documents_data import AttachedFile
from desktop.flow_layout import FlowLayout
from desktop.theme import ChatColors

if TYPE_CHECKING:
    from engine.documents.attach import AttachError, Attachment

MAX_TRAY_PX = 132  # about three rows of chips; more scroll


class PendingAttachments(QScrollArea):
    """Signals:
    changed(): a chip was added or removed, or finished reading.
    """

    changed = Signal()

    def __init__(self, reader: DocumentReader | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("attachmentTray")
        self.setAccessibleName(self.tr("Attached documents"))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.reader = reader or DocumentReader(parent=self)
        inner = QWidget(self)
        inner.setObjectName("attachmentRow")
        self._flow = FlowLayout(inner)
        self.setWidget(inner)
        self._chips: dict[str, AttachmentChip] = {}
        self._records: dict[str, dict[str, Any]] = {}  # ready chips: Attachment.to_json()
        self._expanding = 0  # drops whose files are still being listed
        self.hide()

    # ------------------------------------------------------------------ what the composer asks

    @property
    def reading(self) -> bool:
        """Whether a file is still being listed or read (sending waits for it)."""
        return self._expanding > 0 or any(c.state == "reading" for c in self._chips.values())

    def ready_records(self) -> list[dict[str, Any]]:
        """The documents to send with the message, in the order they were added."""
        return [self._records[k] for k in self._chips if k in self._records]

    def chips(self) -> list[AttachmentChip]:
        return list(self._chips.values())

    def chip(self, key_or_name: str) -> AttachmentChip | None:
        """The chip of a path, or else of a file name (for tests and the accessibility tree)."""
        found = self._chips.get(key_or_name)
        return found or next((c for c in self._chips.values() if c.name == key_or_name), None)

    # ------------------------------------------------------------------ adding and removing

    def add_paths(self, paths: Sequence[str | Path]) -> None:
        """Attach dropped or picked files and folders (folders give their documents)."""
        if not paths:
            return
        self._expanding += 1
        self.changed.emit()
        self.reader.expand(paths, self._on_expanded)

    def show_records(self, records: Iterable[object]) -> None:
        """Put documents that were read before (a message being edited) on the tray, ready."""
        self.clear()
        for obj in records:
            doc = AttachedFile.from_json(obj)
            if doc is None or doc.path in self._chips or not isinstance(obj, dict):
                continue
            chip = self._add_chip(doc.path, doc.name)
            chip.show_ready(doc.pages, doc.size, doc.notice)
            self._records[doc.path] = dict(obj)
        self._fit()
        self.changed.emit()

    def remove(self, key: str) -> None:
        chip = self._chips.pop(key, None)
        self._records.pop(key, None)
        if chip is None:
            return
        self._flow.removeWidget(chip)
        chip.deleteLater()
        self._fit()
        self.changed.emit()

    def clear(self) -> None:
        """Empty the tray (after sending); files still being read are dropped on arrival."""
        for key in list(self._chips):
            chip = self._chips.pop(key)
            self._flow.removeWidget(chip)
            chip.deleteLater()
        self._records.clear()
        self._fit()
        self.changed.emit()

    def set_colors(self, colors: ChatColors) -> None:
        self.setStyleSheet(
            "QScrollArea#attachmentTray, QWidget#attachmentRow { background: transparent; }"
            + chip_style_sheet(colors)
        )

    def shutdown(self) -> None:
        self.reader.shutdown()

    # ------------------------------------------------------------------ reading

    def _on_expanded(self, files: list[str], problems: list[AttachError]) -> None:
        self._expanding -= 1
        for problem in problems:
            known = self._chips.get(problem.path)
            chip = known or self._add_chip(problem.path, Path(problem.path).name)
            chip.show_error(str(problem), str(problem.kind))
        for path in files:
            found = self._chips.get(path)
            if found is not None and found.state != "error":
                continue  # already attached (or being read): once is enough
            chip = found or self._add_chip(path, Path(path).name)
            chip.show_reading()
            self.reader.attach(path, self._on_read, self._on_failed)
        self._fit()
        self.changed.emit()

    def _on_read(self, doc: Attachment) -> None:
        chip = self._chips.get(doc.path)
        if chip is None or chip.state != "reading":
            return  # removed (or the tray was cleared) while it was being read
        self._records[doc.path] = doc.to_json()
        chip.show_ready(doc.pages, doc.size, doc.notice)
        self._fit()
        self.changed.emit()

    def _on_failed(self, problem: AttachError) -> None:
        chip = self._chips.get(problem.path)
        if chip is None or chip.state != "reading":
            return
        chip.show_error(str(problem), str(problem.kind))
        self._fit()
        self.changed.emit()

    def _add_chip(self, key: str, name: str) -> AttachmentChip:
        chip = AttachmentChip(key, name, removable=True, parent=self.widget())
        chip.remove_requested.connect(self.remove)
        self._chips[key] = chip
        self._flow.addWidget(chip)
        chip.show()
        return chip

    # ------------------------------------------------------------------ size

    def _fit(self) -> None:
        """As tall as the chips need, up to MAX_TRAY_PX (then it scrolls); hidden if empty."""
        if not self._chips:
            self.hide()
            return
        self.show()
        width = max(self.viewport().width(), self.width(), 200)
        self.setFixedHeight(min(self._flow.heightForWidth(width), MAX_TRAY_PX))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self._chips:
            width = max(self.viewport().width(), 200)
            wanted = min(self._flow.heightForWidth(width), MAX_TRAY_PX)
            if wanted != self.height():
                self.setFixedHeight(wanted)
