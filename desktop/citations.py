"""What an answer says about the documents it used: how they reached the model, what it searched
for, and the passages it cites.

- :class:`DocumentsNote` is the small line above the answer: "Read 2 documents whole
  (12,400 tokens)" or "Searched 3 documents: passages for this question", each search gpt-oss
  ran itself ("Searched the documents for “…”"), and documents the index no longer holds.
- :class:`SourcesList` is the "Sources" list under the answer: "guide.pdf · p. 12" or
  "notes.md · Install › Linux", the excerpt in the tooltip. A click opens :class:`SourceDialog`:
  the excerpt, and Open file, which opens the document at that page where the platform allows
  (:mod:`desktop.open_source`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid as shiboken_valid

from desktop import open_source
from desktop.documents_data import search_queries, sources_in
from desktop.gui_queue import GuiQueue
from desktop.theme import chat_colors, is_dark

TOOLTIP_CHARS = 400
LABEL_PX = 520  # a source's label is elided past this width


class DocumentsNote(QWidget):
    """The documents line of an answer; hidden when the answer used none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentsNote")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 2)
        column.setSpacing(1)
        self.plan = _muted_label(self)
        self.plan.setObjectName("documentsPlan")
        self.plan.setAccessibleName(self.tr("How the documents were used"))
        self.searches = _muted_label(self)
        self.searches.setObjectName("documentsSearches")
        self.missing = QLabel("", self)
        self.missing.setObjectName("documentsMissing")
        self.missing.setWordWrap(True)
        for label in (self.plan, self.searches, self.missing):
            column.addWidget(label)
        self.hide()

    def show_meta(self, meta: Mapping[str, Any]) -> None:
        plan = meta.get("documents")
        plan = plan if isinstance(plan, Mapping) else None
        # The model may search the same words again; each search is shown once.
        queries = list(dict.fromkeys(search_queries(meta.get("tool_calls"))))
        self.plan.setText(self._plan_text(plan) if plan else "")
        self.plan.setToolTip(self._budget_text(plan) if plan else "")
        self.searches.setText(
            "\n".join(self.tr("Searched the documents for “%1”").replace("%1", q) for q in queries)
        )
        missing = [str(m) for m in (plan or {}).get("missing") or []]
        self.missing.setText(
            self.tr("No longer found: %1. Attach them again to ask about them.").replace(
                "%1", ", ".join(os.path.basename(m) or m for m in missing)
            )
            if missing
            else ""
        )
        for label in (self.plan, self.searches, self.missing):
            label.setVisible(bool(label.text()))
        self.setVisible(bool(plan or queries))

    def _plan_text(self, plan: Mapping[str, Any]) -> str:
        count = int(plan.get("documents") or 0)
        tokens = QLocale().toString(int(plan.get("tokens") or 0))
        if plan.get("strategy") == "whole":
            text = (
                self.tr("Read 1 document whole (%2 tokens)")
                if count == 1
                else self.tr("Read %1 documents whole (%2 tokens)")
            )
            return text.replace("%1", str(count)).replace("%2", tokens)
        text = (
            self.tr("Searched 1 document: passages for this question")
            if count == 1
            else self.tr("Searched %1 documents: passages for this question")
        )
        return text.replace("%1", str(count))

    def _budget_text(self, plan: Mapping[str, Any]) -> str:
        return (
            self.tr("The documents take %1 tokens of the %2 the context leaves them")
            .replace("%1", QLocale().toString(int(plan.get("tokens") or 0)))
            .replace("%2", QLocale().toString(int(plan.get("budget") or 0)))
        )


class SourcesList(QWidget):
    """The answer's sources, one clickable line each; hidden when there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sources")
        self.setAccessibleName(self.tr("Sources"))
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(0, 6, 0, 4)
        self._column.setSpacing(0)
        self.title = QLabel(self.tr("Sources"), self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self._column.addWidget(self.title)
        self.sources: list[dict[str, Any]] = []
        self.buttons: list[QToolButton] = []
        self.dialog: SourceDialog | None = None
        self.hide()

    def show_sources(self, sources: list[dict[str, Any]]) -> None:
        merged = merge_sources(sources)
        if merged == self.sources:
            return
        for button in self.buttons:
            self._column.removeWidget(button)
            button.deleteLater()
        self.sources, self.buttons = merged, []
        for number, source in enumerate(merged, 1):
            label = f"[{number}] {self.place(source)}"
            button = QToolButton(self)
            button.setObjectName("source")
            button.setAutoRaise(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setText(
                QFontMetrics(button.font()).elidedText(
                    label, Qt.TextElideMode.ElideMiddle, LABEL_PX
                )
            )
            button.setAccessibleName(label)
            excerpt = str(source.get("excerpt") or "")
            tip = _clip(excerpt) or label
            if source.get("cited"):  # the answer names this place itself
                tip = self.tr("Cited in the answer") + "\n" + tip
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, s=source: self.open_source(s))
            self._column.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
            self.buttons.append(button)
        self.setVisible(bool(merged))

    def place(self, source: Mapping[str, Any]) -> str:
        """ "guide.pdf · p. 12", "notes.md · Install › Linux", or just the file name."""
        name = str(source.get("file") or os.path.basename(str(source.get("path") or "")))
        if source.get("page"):
            return self.tr("%1 · p. %2").replace("%1", name).replace("%2", str(source["page"]))
        if source.get("heading"):
            return f"{name} · {source['heading']}"
        return name

    def open_source(self, source: dict[str, Any]) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = SourceDialog(source, self.place(source), self.window())
        self.dialog.show()


class SourceDialog(QDialog):
    """One cited passage, with the button that opens its document."""

    def __init__(self, source: Mapping[str, Any], place: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sourceDialog")
        self.setWindowTitle(self.tr("Source"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(500, 280)
        self._path = str(source.get("path") or "")
        page = str(source.get("page") or "")
        self._page = int(page) if page.isdigit() else None
        self._gui = GuiQueue(self)
        column = QVBoxLayout(self)
        title = QLabel(place, self)
        title.setObjectName("sourcePlace")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        title.setWordWrap(True)
        column.addWidget(title)
        colors = chat_colors(is_dark())
        where = QLabel(self._path, self)
        where.setObjectName("sourcePath")
        where.setStyleSheet(f"color: {colors.muted};")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(where)
        self.excerpt = QPlainTextEdit(self)
        self.excerpt.setObjectName("sourceExcerpt")
        self.excerpt.setAccessibleName(self.tr("Excerpt"))
        self.excerpt.setReadOnly(True)
        self.excerpt.setPlainText(str(source.get("excerpt") or ""))
        column.addWidget(self.excerpt, 1)
        self.missing = QLabel("", self)
        self.missing.setObjectName("sourceMissing")
        self.missing.setWordWrap(True)
        self.missing.setStyleSheet(f"color: {colors.error_text};")
        self.missing.hide()
        column.addWidget(self.missing)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.open_button = QPushButton(self.tr("Open file"), self)
        self.open_button.setObjectName("openSource")
        self.open_button.setToolTip(
            self.tr("Open the document at page %1").replace("%1", str(self._page))
            if self._page
            else self.tr("Open the document")
        )
        self.open_button.setEnabled(bool(self._path))
        self.open_button.clicked.connect(self.open_file)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        column.addWidget(buttons)
        if self._path:
            # Whether the file is still there is a question for the disk: not on this thread.
            path = self._path
            threading.Thread(
                target=lambda: (
                    self._gui.post(self._show_missing) if not os.path.isfile(path) else None
                ),
                name="source-check",
                daemon=True,
            ).start()

    def open_file(self) -> None:
        if self._path:
            open_source.open_document(self._path, self._page, self._show_missing)

    def _show_missing(self) -> None:
        if not shiboken_valid(self):
            return  # closed before the answer came back
        self.missing.setText(
            self.tr("The file is no longer there: %1. Attach it again to cite it.").replace(
                "%1", self._path
            )
        )
        self.missing.show()
        self.open_button.setEnabled(False)


def merge_sources(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per file and place, best first: passages of the same page are shown together."""
    merged: dict[tuple[str, object, object], dict[str, Any]] = {}
    for source in sources_in({"sources": sources}):
        key = (
            str(source.get("path") or source.get("file")),
            source.get("page"),
            source.get("heading"),
        )
        if key in merged:
            first = merged[key]
            extra = str(source.get("excerpt") or "")
            if extra and extra not in str(first.get("excerpt") or ""):
                first["excerpt"] = f"{first.get('excerpt') or ''}\n\n…\n\n{extra}".strip()
        else:
            merged[key] = dict(source)
    return list(merged.values())


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TOOLTIP_CHARS else text[: TOOLTIP_CHARS - 1].rstrip() + "…"


def _muted_label(parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    label.setWordWrap(True)
    label.setProperty("muted", True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
