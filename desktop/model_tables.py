"""The tables of the Models window: one-line rows with room around their text, and columns that
fit their contents, so that nothing is cut at the window's default size in any language."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

# The window's size when it first opens (shrunk to fit a small screen): room for every catalog
# entry and the Hugging Face search below them without scrolling or clipping.
DEFAULT_SIZE = (920, 680)
# Space above and below a row's text, so rows do not crowd each other at any font size.
ROW_PADDING = 14


def make_table(
    parent: QWidget,
    headers: list[str],
    name: str,
    stretch: int | None = None,
    elide: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle,
) -> QTableWidget:
    """A read-only table of one-line rows. Column ``stretch`` (by default the last) takes the
    width left; the others fit their contents. Text too long for a narrow window is elided
    (names and paths in the middle, where they differ) and is whole in the tooltip."""
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)  # a wrapped line would be cut by the row's height
    table.setTextElideMode(elide)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + ROW_PADDING)
    columns = table.horizontalHeader()
    columns.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    last = len(headers) - 1
    columns.setSectionResizeMode(
        last if stretch is None else stretch, QHeaderView.ResizeMode.Stretch
    )
    return table


def rows_height(table: QTableWidget, rows: int) -> int:
    """The height that shows the header and ``rows`` rows of ``table``."""
    height = table.verticalHeader().defaultSectionSize() * rows
    return height + table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()


def cell(text: str, data: object = None, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    if tip:
        item.setToolTip(tip)
    return item


def default_size(widget: QWidget) -> tuple[int, int]:
    """:data:`DEFAULT_SIZE`, or less on a screen too small for it."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return DEFAULT_SIZE
    room = screen.availableGeometry()
    width, height = DEFAULT_SIZE
    return min(width, room.width() * 9 // 10), min(height, room.height() * 9 // 10)
