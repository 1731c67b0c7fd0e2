"""The list of conversations: new, open, rename, delete, and search by title and content.

The sidebar only shows and asks; the window runs the store operations off the GUI thread and
hands back the list to show.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.store import Conversation

SEARCH_DELAY_MS = 150  # type-ahead: search once the user pauses, not on every key


class Sidebar(QWidget):
    """Signals:
    new_requested(): start a new conversation.
    open_requested(int): show conversation id.
    rename_requested(int, str): give conversation id a new title.
    delete_requested(int): delete conversation id (the window asks for confirmation).
    export_requested(int): export conversation id.
    search_changed(str): the search text, after the user paused typing.
    """

    new_requested = Signal()
    open_requested = Signal(int)
    rename_requested = Signal(int, str)
    delete_requested = Signal(int)
    export_requested = Signal(int)
    search_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.new_button = QPushButton(self.tr("New chat"), self)
        self.new_button.setObjectName("newChat")
        self.new_button.setToolTip(self.tr("Start a new conversation (Ctrl+N)"))
        self.new_button.setAccessibleName(self.tr("New chat"))
        self.new_button.clicked.connect(self.new_requested)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search chats (Ctrl+K)"))
        self.search.setAccessibleName(self.tr("Search conversations"))
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Conversations"))
        # A long title ends in "…" (the whole title is its tooltip) rather than pushing a
        # horizontal scroll bar under the list.
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._on_menu)
        self.list.itemClicked.connect(self._on_item_clicked)
        self.list.itemActivated.connect(self._on_item_clicked)
        self.list.itemChanged.connect(self._on_item_changed)
        layout.addWidget(self.new_button)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(lambda: self.search_changed.emit(self.search.text().strip()))
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self._filling = False
        self._current: int | None = None

    def show_conversations(self, conversations: list[Conversation]) -> None:
        self._filling = True
        self.list.clear()
        for conv in conversations:
            item = QListWidgetItem(conv.title or self.tr("Untitled"))
            item.setData(Qt.ItemDataRole.UserRole, conv.id)
            item.setToolTip(conv.title)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            self.list.addItem(item)
            if conv.id == self._current:
                item.setSelected(True)
                self.list.setCurrentItem(item)
        if not conversations and self.search.text().strip():
            empty = QListWidgetItem(self.tr("No chat matches"))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(empty)
        self._filling = False

    def set_current(self, conversation_id: int | None) -> None:
        self._current = conversation_id
        self._filling = True
        self.list.clearSelection()
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == conversation_id:
                self.list.setCurrentItem(item)
                item.setSelected(True)
        self._filling = False

    def ids(self) -> list[int]:
        out = []
        for i in range(self.list.count()):
            cid = self.list.item(i).data(Qt.ItemDataRole.UserRole)
            if cid is not None:
                out.append(int(cid))
        return out

    def _on_item_clicked(self, item: QListWidgetItem) -> None:
        cid = item.data(Qt.ItemDataRole.UserRole)
        if cid is not None:
            self.open_requested.emit(int(cid))

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        cid = item.data(Qt.ItemDataRole.UserRole)
        title = item.text().strip()
        if not self._filling and cid is not None and title:
            self.rename_requested.emit(int(cid), title)

    def _on_menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            return
        cid = int(item.data(Qt.ItemDataRole.UserRole))
        menu = QMenu(self)
        menu.addAction(self.tr("Rename"), lambda: self.list.editItem(item))
        menu.addAction(self.tr("Export…"), lambda: self.export_requested.emit(cid))
        menu.addSeparator()
        menu.addAction(self.tr("Delete"), lambda: self.delete_requested.emit(cid))
        menu.popup(self.list.viewport().mapToGlobal(pos))
