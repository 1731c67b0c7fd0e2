"""Documents in the window: dropped or picked, read into chips, sent with a question, cited by
the answer — offscreen, on the real worker, the demo model and real files."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from desktop.attachment_chip import AttachmentChip
from desktop.citations import DocumentsNote, SourceDialog, SourcesList, merge_sources
from desktop.documents_data import documents_payload, search_queries
from desktop.main_window import MainWindow
from desktop.message_view import MessageWidget
from desktop.open_source import viewer_command
from engine.store import Store
from tests.gui.conftest import WindowFactory, send_and_wait, wait_io
from tests.support.document_files import write_pdf

LENS_LINE = "The lighthouse keeper Amaranth polishes the brass lens every Tuesday morning."
QUESTION = "When does Amaranth polish the brass lens?"


def _guide_pages() -> list[list[str]]:
    return [
        ["Harbour guide.", "Ships enter the bay from the north at high tide."],
        ["The lamp room.", LENS_LINE, "Spare wicks are kept in the oak chest."],
        ["Storms.", "In a storm the foghorn sounds twice a minute."],
    ]


@pytest.fixture
def documents(tmp_path: Path) -> Path:
    """A folder with a three-page PDF (the lens on page 2) and a Markdown file."""
    folder = tmp_path / "docs"
    folder.mkdir()
    write_pdf(folder / "guide.pdf", _guide_pages(), title="Harbour guide")
    (folder / "notes.md").write_text(
        "# Notes\n\n## Harbour\n\nThe harbour master logs each ship that enters the bay.\n",
        encoding="utf-8",
    )
    return folder


def _drop(target: QWidget, paths: list[Path]) -> bool:
    """Drag ``paths`` onto ``target`` and drop them there, as a file manager would; whether
    the drag was accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    action = Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(20, 20), action, mime, buttons, keys)
    QApplication.sendEvent(target, enter)
    drop = QDropEvent(QPointF(20, 20), action, mime, buttons, keys)
    QApplication.sendEvent(target, drop)
    return enter.isAccepted() and drop.isAccepted()


def _chip_states(window: MainWindow) -> dict[str, str]:
    return {c.name: c.state for c in window.composer.attachments.chips()}


def _widgets(window: MainWindow) -> list[MessageWidget]:
    return window.chat.message_widgets()


def _record_requests(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The documents of every generate request the window sends from now on."""
    client = window.bridge.client
    real = client.generate
    sent: list[dict[str, Any]] = []

    def generate(*args: Any, **kwargs: Any) -> int:
        sent.append(
            {
                "documents": list(kwargs.get("documents") or []),
                "index": kwargs.get("documents_index"),
            }
        )
        return real(*args, **kwargs)

    monkeypatch.setattr(client, "generate", generate)
    return sent


def _source_buttons(widget: MessageWidget) -> list[str]:
    sources = widget.sources
    return [b.accessibleName() for b in sources.buttons] if sources is not None else []


def test_a_dropped_folder_is_read_sent_and_cited_and_survives_a_restart(
    qtbot: QtBot,
    home: Path,
    open_window: WindowFactory,
    documents: Path,
    store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_window(max_tokens=16)
    sent = _record_requests(window, monkeypatch)
    assert _drop(window.chat.viewport(), [documents])
    qtbot.waitUntil(
        lambda: _chip_states(window) == {"guide.pdf": "ready", "notes.md": "ready"},
        timeout=60_000,
    )
    tray = window.composer.attachments
    guide = tray.chip("guide.pdf")
    assert guide is not None and guide.detail_text == "3 pages"
    notes = tray.chip("notes.md")
    size = (documents / "notes.md").stat().st_size
    assert notes is not None and notes.detail_text == f"{size} bytes"
    assert window.composer.ready
    # Dropping one of its files again adds nothing.
    assert _drop(window.composer.text.viewport(), [documents / "guide.pdf"])
    qtbot.waitUntil(lambda: not tray.reading, timeout=30_000)
    assert len(tray.chips()) == 2
    assert window.composer.text.toPlainText() == ""  # the drop did not become text

    send_and_wait(qtbot, window, QUESTION)
    assert tray.chips() == [] and tray.isHidden()
    pdf, md = str(documents / "guide.pdf"), str(documents / "notes.md")
    assert sent[-1]["documents"] == [{"path": pdf, "message": 0}, {"path": md, "message": 0}]
    assert sent[-1]["index"] == str(home / "cache" / "documents.sqlite3")
    user, answer = _widgets(window)
    assert [c.name for c in user.attachment_chips()] == ["guide.pdf", "notes.md"]
    assert user.attachment_chips()[0].detail_text == "3 pages"
    note = answer.documents_note
    assert note is not None and note.isVisible()
    assert "2 documents" in note.plan.text(), note.plan.text()
    assert "guide.pdf · p. 2" in " ".join(_source_buttons(answer))

    # A source opens its passage, and Open file hands the document on at its page.
    opened: list[tuple[str, ...]] = []

    def start(command: list[str]) -> bool:
        opened.append(tuple(command))
        return True

    monkeypatch.setattr("desktop.open_source.start_detached", start)
    monkeypatch.setattr("desktop.open_source.open_with_desktop", lambda p: opened.append((p,)))
    sources = answer.sources
    assert sources is not None
    lens = next(b for b in sources.buttons if "guide.pdf · p. 2" in b.accessibleName())
    assert "Amaranth" in lens.toolTip()
    lens.click()
    dialog = sources.dialog
    assert isinstance(dialog, SourceDialog) and dialog.isVisible()
    assert "Amaranth" in dialog.excerpt.toPlainText()
    dialog.open_button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    assert pdf in opened[0]
    dialog.close()

    # A follow-up sends the same documents again, still attached to the first question.
    send_and_wait(qtbot, window, "Who logs the ships?")
    assert sent[-1]["documents"] == [{"path": pdf, "message": 0}, {"path": md, "message": 0}]
    wait_io(qtbot, window)
    store = Store(store_path)
    try:
        (conv,) = store.conversations()
        stored = store.messages(conv.id)
        assert [a["name"] for a in stored[0].meta["attachments"]] == ["guide.pdf", "notes.md"]
        assert stored[1].meta["documents"]["documents"] == 2
        assert any(s["page"] == 2 for s in stored[1].meta["sources"])
    finally:
        store.close()
    window.close()

    # After a restart the chips and the sources are there again, and follow-ups keep them.
    again = open_window(max_tokens=16)
    sent = _record_requests(again, monkeypatch)
    qtbot.waitUntil(lambda: again.sidebar.list.count() == 1, timeout=10_000)
    with qtbot.waitSignal(again.conversation_shown, timeout=10_000):
        again.open_conversation(conv.id)
    user, answer = _widgets(again)[:2]
    assert [c.name for c in user.attachment_chips()] == ["guide.pdf", "notes.md"]
    assert "guide.pdf · p. 2" in " ".join(_source_buttons(answer))
    assert answer.documents_note is not None and "2 documents" in answer.documents_note.plan.text()
    send_and_wait(qtbot, again, "Is the lamp lit at night?")
    assert sent[-1]["documents"] == [{"path": pdf, "message": 0}, {"path": md, "message": 0}]

    # The file is gone: its source says so instead of opening nothing.
    (documents / "guide.pdf").unlink()
    answer = _widgets(again)[1]
    assert answer.sources is not None
    answer.sources.buttons[0].click()
    dialog = answer.sources.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.missing.isVisible(), timeout=10_000)
    assert "no longer there" in dialog.missing.text()
    assert not dialog.open_button.isEnabled()
    dialog.close()


def test_unreadable_files_get_error_chips_and_the_chat_still_answers(
    qtbot: QtBot,
    home: Path,
    open_window: WindowFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = write_pdf(tmp_path / "secret.pdf", _guide_pages(), encrypt_with="hunter2")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(bytes(range(256)) * 64)  # a picture renamed .txt
    window = open_window(max_tokens=16)
    sent = _record_requests(window, monkeypatch)
    assert _drop(window.composer.text.viewport(), [secret, binary])
    qtbot.waitUntil(
        lambda: _chip_states(window) == {"secret.pdf": "error", "photo.txt": "error"},
        timeout=60_000,
    )
    tray = window.composer.attachments
    secret_chip, binary_chip = tray.chip("secret.pdf"), tray.chip("photo.txt")
    assert secret_chip is not None and binary_chip is not None
    # A short reason in the user's language on the chip, the engine's detail in the tooltip.
    assert secret_chip.detail_text == "Password-protected: cannot be read"
    assert "secret.pdf is password-protected" in secret_chip.toolTip()
    assert binary_chip.detail_text == "Not text: a binary file"
    assert "binary" in binary_chip.toolTip().split("\n", 1)[1]
    assert secret_chip.remove_button is not None
    assert window.composer.ready  # failed files do not hold the message back

    send_and_wait(qtbot, window, "Hello there")
    assert sent[-1]["documents"] == [] and sent[-1]["index"] is None
    user, answer = _widgets(window)
    assert user.attachment_chips() == [] and answer.view.content
    assert answer.sources is None or not answer.sources.isVisible()

    # An error chip can be removed.
    assert _drop(window.chat.viewport(), [secret])
    qtbot.waitUntil(lambda: _chip_states(window) == {"secret.pdf": "error"}, timeout=60_000)
    chip = tray.chip("secret.pdf")
    assert chip is not None and chip.remove_button is not None
    chip.remove_button.click()
    assert tray.chips() == [] and tray.isHidden()


def test_the_attach_button_picks_files_and_send_waits_for_reading(
    qtbot: QtBot,
    home: Path,
    open_window: WindowFactory,
    documents: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import engine.documents.attach as attach_module

    pdf = documents / "guide.pdf"
    picked: list[str] = []

    def pick(*_args: Any, **_kwargs: Any) -> tuple[list[str], str]:
        picked.append("asked")
        return [str(pdf)], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(pick))
    # The real reader, held at the door until the test has looked at the waiting composer.
    gate = threading.Event()
    real_attach: Callable[..., Any] = attach_module.attach

    def held_attach(*args: Any, **kwargs: Any) -> Any:
        gate.wait(30)
        return real_attach(*args, **kwargs)

    monkeypatch.setattr(attach_module, "attach", held_attach)
    window = open_window(max_tokens=16)
    window.composer.text.setPlainText(QUESTION)
    window.composer.attach_button.click()
    assert picked == ["asked"]
    qtbot.waitUntil(lambda: _chip_states(window) == {"guide.pdf": "reading"}, timeout=10_000)
    send = window.composer.send_button
    assert not send.isEnabled() and "read" in send.toolTip()
    window.composer.submit()  # Enter does not send either
    assert _widgets(window) == []
    gate.set()
    qtbot.waitUntil(lambda: _chip_states(window) == {"guide.pdf": "ready"}, timeout=60_000)
    assert send.isEnabled() and "Send" in send.toolTip()
    chip = window.composer.attachments.chip("guide.pdf")
    assert isinstance(chip, AttachmentChip) and chip.detail_text == "3 pages"
    # Picking the same file again keeps one chip.
    window.composer.attach_button.click()
    qtbot.waitUntil(lambda: not window.composer.attachments.reading, timeout=30_000)
    assert len(window.composer.attachments.chips()) == 1
    send_and_wait(qtbot, window, QUESTION)
    user = _widgets(window)[0]
    assert [c.name for c in user.attachment_chips()] == ["guide.pdf"]
    # Editing the question puts its documents back on the tray, ready; cancelling clears it.
    edit = user.findChild(QToolButton, "edit")
    assert edit is not None
    edit.click()
    assert _chip_states(window) == {"guide.pdf": "ready"} and send.isEnabled()
    window.composer.cancel_edit()
    assert window.composer.attachments.chips() == []


# ---------------------------------------------------------------- the pieces, without a worker


def test_documents_are_sent_with_the_index_of_their_question() -> None:
    pdf = {"path": "/d/a.pdf", "name": "a.pdf", "pages": 3, "size": 10}
    md = {"path": "/d/b.md", "name": "b.md", "pages": None, "size": 5}
    messages: list[tuple[str, dict[str, Any]]] = [
        ("user", {"attachments": [pdf]}),
        ("assistant", {"sources": []}),
        ("user", {}),
        ("assistant", {}),
        ("user", {"attachments": [md, {"broken": True}]}),
    ]
    assert documents_payload(messages) == [
        {"path": "/d/a.pdf", "message": 0},
        {"path": "/d/b.md", "message": 4},
    ]


def test_search_queries_come_from_the_answers_tool_calls() -> None:
    calls = [
        {"name": "documents.search", "arguments": '{"query": "brass lens", "k": 5}'},
        {"name": "other.tool", "arguments": "{}"},
        {"name": "documents.search", "arguments": "not json"},
    ]
    assert search_queries(calls) == ["brass lens", "not json"]


def test_the_documents_line_tells_how_the_documents_were_used(qtbot: QtBot) -> None:
    note = DocumentsNote()
    qtbot.addWidget(note)
    note.show_meta({})
    assert note.isHidden()
    plan = {"strategy": "whole", "documents": 2, "tokens": 12400, "budget": 90000}
    note.show_meta({"documents": plan})
    tokens, budget = QLocale().toString(12400), QLocale().toString(90000)  # "12,400" in English
    assert note.plan.text() == f"Read 2 documents whole ({tokens} tokens)"
    assert budget in note.plan.toolTip()
    plan = {"strategy": "retrieval", "documents": 3, "tokens": 900, "budget": 4000,
            "tool": True, "missing": ["/d/old.pdf"]}  # fmt: skip
    calls = [{"name": "documents.search", "arguments": '{"query": "brass lens"}'}]
    note.show_meta({"documents": plan, "tool_calls": calls})
    assert note.plan.text() == "Searched 3 documents: passages for this question"
    assert note.searches.text() == "Searched the documents for “brass lens”"
    assert "old.pdf" in note.missing.text() and "Attach them again" in note.missing.text()


def test_sources_of_one_place_are_shown_once(qtbot: QtBot) -> None:
    merged = merge_sources(
        [
            {"file": "a.pdf", "path": "/d/a.pdf", "page": 2, "excerpt": "first", "cited": True},
            {"file": "a.pdf", "path": "/d/a.pdf", "page": 2, "excerpt": "second"},
            {"file": "b.md", "path": "/d/b.md", "page": None, "heading": "Setup › Linux"},
        ]
    )
    assert len(merged) == 2 and "first" in merged[0]["excerpt"] and "second" in merged[0]["excerpt"]
    view = SourcesList()
    qtbot.addWidget(view)
    view.show_sources(merged)
    assert [b.accessibleName() for b in view.buttons] == [
        "[1] a.pdf · p. 2",
        "[2] b.md · Setup › Linux",
    ]
    # A place the answer cites itself says so.
    assert view.buttons[0].toolTip().startswith("Cited in the answer\nfirst")
    assert "Cited" not in view.buttons[1].toolTip()


def test_a_pdf_opens_at_its_page_in_the_first_viewer_found() -> None:
    def which(found: set[str]) -> Callable[[str], str | None]:
        return lambda name: f"/usr/bin/{name}" if name in found else None

    linux = "linux"
    assert viewer_command("/d/a.pdf", 12, platform=linux, which=which({"okular", "zathura"})) == [
        "/usr/bin/okular",
        "--page",
        "12",
        "/d/a.pdf",
    ]
    assert viewer_command("/d/a.pdf", 3, platform=linux, which=which({"evince"})) == [
        "/usr/bin/evince",
        "--page-index=3",
        "/d/a.pdf",
    ]
    assert viewer_command("/d/a.pdf", 3, platform=linux, which=which({"zathura"})) == [
        "/usr/bin/zathura",
        "--page=3",
        "/d/a.pdf",
    ]
    # The default application otherwise: no viewer, no page, not a PDF, not Linux.
    assert viewer_command("/d/a.pdf", 3, platform=linux, which=which(set())) is None
    assert viewer_command("/d/a.pdf", None, platform=linux, which=which({"evince"})) is None
    assert viewer_command("/d/a.md", 3, platform=linux, which=which({"evince"})) is None
    assert viewer_command("/d/a.pdf", 3, platform="darwin", which=which({"evince"})) is None
