"""The conversation list: long titles end in an ellipsis instead of widening the list."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.sidebar import Sidebar
from engine.store import Conversation


def test_a_long_title_is_elided_with_no_horizontal_scroll_bar(qtbot: QtBot) -> None:
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    sidebar.resize(240, 400)
    title = "Name three colours of a lighthouse beam, and say why sailors need them " * 2
    sidebar.show_conversations([Conversation(1, title, 0.0, 0.0, {})])
    sidebar.show()
    qtbot.waitExposed(sidebar)
    assert not sidebar.list.horizontalScrollBar().isVisible()
    item = sidebar.list.item(0)
    assert item is not None and item.toolTip() == title  # the whole title is still there
