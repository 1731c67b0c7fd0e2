"""The conversation: a scrolling column of message widgets, built lazily.

A conversation of thousands of messages opens by building only its last page of widgets;
scrolling to the top builds the page before it, keeping what the user was looking at in place.
Messages are added at the end one at a time; nothing is ever rebuilt per token.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop.message_view import MessageView, MessageWidget, chat_style_sheet
from desktop.theme import ChatColors

PAGE = 30  # message widgets built at a time
NEAR_EDGE_PX = 48


class ChatView(QScrollArea):
    """Signals:
    action(str, int): a message widget's action (see MessageWidget.action).
    copy_requested(str): text for the clipboard.
    """

    action = Signal(str, int)
    copy_requested = Signal(str)

    def __init__(self, colors: ChatColors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colors = colors
        self.setAccessibleName(self.tr("Conversation"))
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget(self)
        inner.setObjectName("chatColumn")
        inner.setStyleSheet(chat_style_sheet(colors))
        self._column = QVBoxLayout(inner)
        self._column.setContentsMargins(16, 12, 16, 12)
        self._column.setSpacing(10)
        self._column.addStretch(1)  # keeps a short conversation at the top
        self.setWidget(inner)
        self._views: list[MessageView] = []
        self._widgets: dict[int, MessageWidget] = {}
        self._built_from = 0  # index in _views of the first message with a widget
        self._keep_from_bottom: int | None = None
        self._follow = True
        self._empty: QWidget | None = None
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)

    # ------------------------------------------------------------------ content

    def show_messages(self, views: list[MessageView]) -> None:
        """Replace the conversation; only the last page gets widgets now."""
        self.clear()
        self._views = list(views)
        self._built_from = len(self._views)
        self._build_page()
        self._follow = True
        self.scroll_to_bottom()

    def set_colors(self, colors: ChatColors) -> None:
        """A new theme: build the shown messages again in its colours."""
        self._colors = colors
        column = self.widget()
        if column is not None:
            column.setStyleSheet(chat_style_sheet(colors))
        if self._views:
            self.show_messages(self._views)

    def clear(self) -> None:
        for widget in self._widgets.values():
            self._column.removeWidget(widget)
            widget.deleteLater()
        self._widgets.clear()
        self._views = []
        self._built_from = 0
        self.set_empty_state(None)

    def set_empty_state(self, widget: QWidget | None) -> None:
        """A widget shown while there is no message (the welcome card), or None."""
        if self._empty is not None:
            self._column.removeWidget(self._empty)
            self._empty.hide()
            self._empty.setParent(None)  # type: ignore[call-overload]
        self._empty = widget
        if widget is not None:
            self._column.insertWidget(0, widget)
            widget.show()

    def append(self, view: MessageView) -> MessageWidget:
        if self._empty is not None:
            self.set_empty_state(None)
        self._views.append(view)
        widget = self._make(view)
        self._column.insertWidget(self._column.count() - 1, widget)
        self._follow = True
        return widget

    def replace(self, old_id: int, view: MessageView) -> None:
        """Show ``view`` where message ``old_id`` is (a streamed answer got its stored id)."""
        for i, v in enumerate(self._views):
            if v.id == old_id:
                self._views[i] = view
                break
        widget = self._widgets.pop(old_id, None)
        if widget is not None:
            self._widgets[view.id] = widget
            widget.refresh(view)

    def sync(self, views: list[MessageView]) -> None:
        """Update the shown branch in place (stored ids, sibling counts) when it is the same
        length; otherwise show it anew."""
        if len(views) != len(self._views):
            self.show_messages(views)
            return
        for old, new in zip(self._views, views, strict=True):
            if old != new:
                widget = self._widgets.pop(old.id, None)
                if widget is not None:
                    self._widgets[new.id] = widget
                    widget.refresh(new)
        self._views = list(views)

    def widget_for(self, message_id: int) -> MessageWidget | None:
        return self._widgets.get(message_id)

    def message_widgets(self) -> list[MessageWidget]:
        """The built widgets, top to bottom."""
        out = []
        for i in range(self._column.count()):
            item = self._column.itemAt(i)
            w = item.widget() if item is not None else None
            if isinstance(w, MessageWidget):
                out.append(w)
        return out

    @property
    def views(self) -> list[MessageView]:
        return list(self._views)

    @property
    def built_count(self) -> int:
        return len(self._widgets)

    def _make(self, view: MessageView) -> MessageWidget:
        widget = MessageWidget(view, self._colors, self.widget())
        widget.action.connect(self.action)
        widget.copy_requested.connect(self.copy_requested)
        self._widgets[view.id] = widget
        return widget

    def _build_page(self) -> None:
        start = max(0, self._built_from - PAGE)
        first = 1 if self._empty is not None else 0
        for offset, view in enumerate(self._views[start : self._built_from]):
            self._column.insertWidget(first + offset, self._make(view))
        self._built_from = start

    # ------------------------------------------------------------------ scrolling

    def at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.maximum() - bar.value() <= NEAR_EDGE_PX

    def scroll_to_bottom(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._follow = bar.maximum() - value <= NEAR_EDGE_PX
        if value <= NEAR_EDGE_PX and self._built_from > 0 and self._keep_from_bottom is None:
            # Older messages: build them above and keep the visible ones where they are.
            self._keep_from_bottom = bar.maximum() - value
            self._build_page()

    def _on_range_changed(self, _minimum: int, maximum: int) -> None:
        bar = self.verticalScrollBar()
        if self._keep_from_bottom is not None:
            bar.setValue(maximum - self._keep_from_bottom)
            self._keep_from_bottom = None
        elif self._follow:
            # A streaming answer grows: stay at the bottom unless the user scrolled away.
            bar.setValue(maximum)


def notice_label(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setProperty("muted", True)
    return label
