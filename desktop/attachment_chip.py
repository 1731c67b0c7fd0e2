"""A document as a chip: its kind, its name, its pages or size — or that it is being read, or
why it could not be.

The same chip sits on the composer's tray (with a remove button) and on a sent message
(without one). Long names are cut in the middle, where the extension stays readable; an error
or a notice is never cut: it wraps, because it is the one thing the user must read.
"""

from __future__ import annotations

from pathlib import PurePath

from PySide6.QtCore import QLocale, QRect, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.theme import ChatColors
from engine.documents.notices import parse_notice

NAME_PX = 200  # the widest a file name gets before it is elided
MESSAGE_PX = 340  # errors and notices wrap at this width
KINDS = {".markdown": "MD", ".htm": "HTML", ".text": "TXT"}


def chip_style_sheet(colors: ChatColors) -> str:
    """The chips' look, for the style sheet of whatever holds them."""
    return (
        f"QFrame#attachmentChip {{ background: {colors.panel}; border: 1px solid"
        f" {colors.border}; border-radius: 6px; }}"
        f' QFrame#attachmentChip[state="error"] {{ background: {colors.error_bg};'
        f" border: 1px solid {colors.error_border}; }}"
        f" QFrame#attachmentChip QLabel {{ color: {colors.text}; background: transparent;"
        " border: none; }"
        f" QFrame#attachmentChip QLabel#chipDetail {{ color: {colors.muted}; }}"
        f' QFrame#attachmentChip[state="error"] QLabel#chipDetail {{ color: {colors.error_text}; }}'
        f' QFrame#attachmentChip[state="notice"] {{ border-left: 3px solid {colors.accent}; }}'
        f' QFrame#attachmentChip[state="notice"] QLabel#chipDetail {{ color: {colors.text}; }}'
        f" QFrame#attachmentChip QLabel#chipKind {{ color: {colors.muted}; border: 1px solid"
        f" {colors.border}; border-radius: 3px; padding: 0px 3px; }}"
        " QFrame#attachmentChip QToolButton#chipRemove { border: none; padding: 0px 4px; }"
        f" QFrame#attachmentChip QToolButton#chipRemove:hover {{ background: {colors.border};"
        " border-radius: 4px; }"
        f" QFrame#attachmentChip QProgressBar {{ border: none; background: {colors.border};"
        " border-radius: 2px; }"
        f" QFrame#attachmentChip QProgressBar::chunk {{ background: {colors.accent};"
        " border-radius: 2px; }"
    )


def kind_label(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    return KINDS.get(suffix, suffix[1:5].upper() or "?")


class AttachmentChip(QFrame):
    """Signals:
    remove_requested(str): the user clicked × on the chip of this path.

    ``state`` is "reading", "ready", "notice" (ready, with something to know: a scanned PDF
    without text) or "error".
    """

    remove_requested = Signal(str)

    def __init__(self, key: str, name: str, *, removable: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.name = name
        self.state = ""
        self.message = ""  # the error or notice shown, if any
        self.setObjectName("attachmentChip")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4 if removable else 8, 4)
        row.setSpacing(6)
        self.kind = QLabel(kind_label(name), self)
        self.kind.setObjectName("chipKind")
        small = self.kind.font()
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.75))
        small.setBold(True)
        self.kind.setFont(small)
        row.addWidget(self.kind, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(1)
        self.name_label = QLabel(self)
        self.name_label.setObjectName("chipName")
        metrics = QFontMetrics(self.name_label.font())
        self.name_label.setText(metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, NAME_PX))
        text.addWidget(self.name_label)
        detail_row = QHBoxLayout()
        detail_row.setSpacing(6)
        self.detail = QLabel("", self)
        self.detail.setObjectName("chipDetail")
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)  # no percentage to give: the child process reports none
        self.busy.setTextVisible(False)
        self.busy.setFixedSize(36, 4)
        self.busy.setAccessibleName(self.tr("Reading"))
        detail_row.addWidget(self.detail)
        detail_row.addWidget(self.busy, 0, Qt.AlignmentFlag.AlignVCenter)
        detail_row.addStretch(1)
        text.addLayout(detail_row)
        row.addLayout(text)
        self.remove_button: QToolButton | None = None
        if removable:
            button = QToolButton(self)
            button.setObjectName("chipRemove")
            button.setText("×")
            button.setFixedSize(20, 20)
            button.setToolTip(self.tr("Remove %1").replace("%1", name))
            button.setAccessibleName(self.tr("Remove %1").replace("%1", name))
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda: self.remove_requested.emit(self.key))
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self.remove_button = button

    # ------------------------------------------------------------------ states

    def show_reading(self) -> None:
        self._set_detail(self.tr("Reading…"))
        self.busy.show()
        self._set_state("reading", self.tr("%1: reading").replace("%1", self.name))

    def show_ready(self, pages: int | None, size: int, notice: str | None = None) -> None:
        self.busy.hide()
        amount = self._amount(pages, size)
        if notice:
            said = self._notice(notice)
            self._set_detail(f"{amount} · {said}", wrap=True)
            self._set_state("notice", f"{self.name}: {amount} · {said}")
        else:
            self._set_detail(amount)
            self._set_state("ready", f"{self.name}: {amount}")

    def show_error(self, message: str, kind: str = "") -> None:
        """Show why the file cannot be used: a short reason in the user's language, from the
        engine's error ``kind``, with the engine's own (English) ``message`` in the tooltip for
        the detail. An unknown kind shows the message itself."""
        self.busy.hide()
        reason = self._reason(kind)
        self._set_detail(reason or message, wrap=True)
        self._set_state("error", f"{self.name}: {reason}\n{message}" if reason else message)

    def _notice(self, notice: str) -> str:
        """The extractor's notice in the user's language, part by part; a part this window
        does not know is shown as the engine wrote it."""
        locale = QLocale()
        # Each kind counted in pages, said of one page and of several.
        one = {
            "scanned": self.tr("scanned PDF: 1 page has no text"),
            "textless": self.tr("1 page has no text"),
            "unreadable_pages": self.tr("1 page could not be read"),
        }
        many = {
            "scanned": self.tr("scanned PDF: %1 pages have no text"),
            "textless": self.tr("%1 pages have no text"),
            "unreadable_pages": self.tr("%1 pages could not be read"),
        }
        said = []
        for part in parse_notice(notice):
            count = locale.toString(part.count)
            if part.kind == "first_pages":
                text = (
                    self.tr("only the first %1 of %2 pages were read")
                    .replace("%1", count)
                    .replace("%2", locale.toString(part.total))
                )
            elif part.kind in many:
                text = (one if part.count == 1 else many)[part.kind].replace("%1", count)
            elif part.kind == "truncated":
                text = self.tr("truncated at %1 of text").replace("%1", part.size)
            else:
                text = part.text
            said.append(text)
        return "; ".join(said)

    def _reason(self, kind: str) -> str:
        # The kinds of engine.documents (ExtractionError, AttachError); written out here so the
        # translation tools see each text.
        reasons = {
            "unsupported": self.tr("Not a kind of document Lanterna reads"),
            "encrypted": self.tr("Password-protected: cannot be read"),
            "too_large": self.tr("Too large to read"),
            "binary": self.tr("Not text: a binary file"),
            "corrupt": self.tr("Damaged: cannot be read"),
            "timeout": self.tr("Took too long to read"),
            "empty": self.tr("No text to read"),
            "missing": self.tr("File not found"),
            "unreadable": self.tr("Cannot be read"),
        }
        return reasons.get(kind, "")

    @property
    def detail_text(self) -> str:
        return self.detail.text()

    def _amount(self, pages: int | None, size: int) -> str:
        if pages:
            if pages == 1:
                return self.tr("1 page")
            return self.tr("%1 pages").replace("%1", QLocale().toString(pages))
        return QLocale().formattedDataSize(size, 1, QLocale.DataSizeFormat.DataSizeSIFormat)

    def _set_detail(self, text: str, *, wrap: bool = False) -> None:
        self.message = text if wrap else ""
        self.detail.setWordWrap(wrap)
        if wrap:
            # Measured here rather than left to the label: a word-wrapped label inside a
            # wrapping row of chips otherwise asks for one line and gets clipped.
            metrics = QFontMetrics(self.detail.font())
            width = min(metrics.horizontalAdvance(text) + 2, MESSAGE_PX)
            flags = int(Qt.TextFlag.TextWordWrap)
            height = metrics.boundingRect(QRect(0, 0, width, 10_000), flags, text).height()
            self.detail.setFixedSize(width, height)
        else:
            self.detail.setMinimumSize(0, 0)
            self.detail.setMaximumSize(16_777_215, 16_777_215)
        self.detail.setText(text)

    def _set_state(self, state: str, tip: str) -> None:
        self.state = state
        self.setProperty("state", state)
        self.setToolTip(tip)
        self.setAccessibleName(tip)
        style = self.style()
        style.unpolish(self)
        style.polish(self)
        for child in (self.detail, self.name_label):
            style.unpolish(child)
            style.polish(child)
        self.adjustSize()
        self.updateGeometry()
