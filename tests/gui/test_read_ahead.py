"""The window reads the attached documents while the question is written: the model bar shows
the reading, the question then starts from the cached documents, Send during the reading goes
on from what was read, and the setting switches it off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.read_ahead import DELAY_MS, word_finished
from engine import protocol as p
from engine.settings import Settings
from tests.gui.conftest import WindowFactory, send_and_wait
from tests.integration.test_chat_documents import QUESTION, guide

KEY_MS = 120  # a steady typist's time between keys


def _attach(qtbot: QtBot, window: MainWindow, pdf: Path) -> None:
    tray = window.composer.attachments
    tray.add_paths([pdf])
    qtbot.waitUntil(lambda: [c.state for c in tray.chips()] == ["ready"], timeout=60_000)


def _turn_events(window: MainWindow) -> list[p.Message]:
    """Events of the answers the window asks for from now on."""
    seen: list[p.Message] = []

    def record(ev: object) -> None:
        turn = window._turn
        if isinstance(ev, p.Message) and turn is not None and getattr(ev, "req", -1) == turn.req:
            seen.append(ev)

    window.bridge.event.connect(record)
    return seen


def test_attached_documents_are_read_before_send_and_the_answer_starts_from_them(
    qtbot: QtBot, open_window: WindowFactory, tmp_path: Path
) -> None:
    window = open_window(max_tokens=4)
    bar: list[tuple[str, bool]] = []
    model_bar = window.model_bar
    window.read_ahead.status.connect(
        lambda _text, _f: bar.append((model_bar.state.text(), model_bar.progress.isVisible()))
    )
    with qtbot.waitSignal(window.read_ahead.finished, timeout=120_000) as done:
        _attach(qtbot, window, guide(tmp_path, pages=5))
    assert done.args == [True]
    assert len(bar) >= 2, bar
    assert all(text.startswith("Reading the attached documents… ") and shown
               for text, shown in bar)  # fmt: skip
    assert window.model_bar.state.text().startswith("Ready")
    assert not window.model_bar.progress.isVisible()
    assert window.statusBar().currentMessage().startswith("Attached documents read")

    events = _turn_events(window)
    send_and_wait(qtbot, window, QUESTION)
    started = next(e for e in events if isinstance(e, p.Started))
    plan = next(e for e in events if isinstance(e, p.DocumentsPlan))
    assert plan.strategy == "whole" and started.cached_tokens > plan.tokens
    assert started.prompt_tokens - started.cached_tokens < 32  # only the question was read
    assert not any(isinstance(e, p.PromptProgress) for e in events)


def test_send_during_the_reading_goes_on_from_what_was_read(
    qtbot: QtBot, open_window: WindowFactory, tmp_path: Path
) -> None:
    window = open_window(max_tokens=4)
    reading: list[float] = []
    window.read_ahead.status.connect(lambda _text, fraction: reading.append(fraction))
    _attach(qtbot, window, guide(tmp_path, pages=12))
    qtbot.waitUntil(lambda: len(reading) >= 2, timeout=120_000)
    assert window.read_ahead.running

    events = _turn_events(window)
    send_and_wait(qtbot, window, QUESTION)
    assert not window.read_ahead.running
    started = next(e for e in events if isinstance(e, p.Started))
    assert started.cached_tokens >= 2 * 512  # the batches read before Send
    assert window.banner.isHidden()  # the cancelled reading is not an error
    answer = window.chat.message_widgets()[-1]
    assert answer.documents_note is not None and answer.documents_note.isVisible()


def test_switched_off_nothing_is_read_before_send(
    qtbot: QtBot, open_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(max_tokens=4, settings=Settings(read_ahead=False))
    asked: list[Any] = []
    monkeypatch.setattr(window.bridge.client, "read_ahead", lambda *a, **k: asked.append(a))
    _attach(qtbot, window, guide(tmp_path, pages=2))
    qtbot.wait(3 * DELAY_MS)
    assert asked == []

    # Switched on again: the documents on the tray are read.
    monkeypatch.undo()
    with qtbot.waitSignal(window.read_ahead.finished, timeout=120_000):
        window.apply_settings(Settings(read_ahead=True))
    assert not window.read_ahead.running


def test_writing_in_a_reopened_chat_reads_its_earlier_documents(
    qtbot: QtBot, open_window: WindowFactory, tmp_path: Path
) -> None:
    """A chat opened again after a restart is not in the worker's cache: its documents are
    read once the user starts writing, not merely when the chat is looked at."""
    window = open_window(max_tokens=4)
    _attach(qtbot, window, guide(tmp_path, pages=5))
    send_and_wait(qtbot, window, QUESTION)
    conversation = window._thread.conversation.id if window._thread else 0
    window.close()

    again = open_window(max_tokens=4)
    asked: list[int] = []
    real = again.bridge.client.read_ahead

    def read_ahead(*args: Any, **kwargs: Any) -> int:
        asked.append(len(kwargs.get("documents") or []))
        return real(*args, **kwargs)

    again.bridge.client.read_ahead = read_ahead  # type: ignore[method-assign]
    with qtbot.waitSignal(again.conversation_shown, timeout=10_000):
        again.open_conversation(conversation)
    qtbot.wait(3 * DELAY_MS)
    assert asked == []  # looking at a chat reads nothing

    with qtbot.waitSignal(again.read_ahead.finished, timeout=120_000) as done:
        again.composer.text.setPlainText("Who made the lens?")
    assert asked == [1] and done.args == [True]
    events = _turn_events(again)
    with qtbot.waitSignal(again.answer_saved, timeout=90_000):
        again.composer.send_button.click()
    started = next(e for e in events if isinstance(e, p.Started))
    assert started.prompt_tokens - started.cached_tokens < 32


def test_the_question_is_read_as_it_is_written_without_stopping_the_documents(
    qtbot: QtBot, open_window: WindowFactory, tmp_path: Path
) -> None:
    window = open_window(max_tokens=4)
    client = window.bridge.client
    asked: list[str] = []
    cancelled: list[int] = []
    real_read_ahead, real_cancel = client.read_ahead, client.cancel

    def read_ahead(messages: Any, **kwargs: Any) -> int:
        asked.append(messages[-1].content)
        return real_read_ahead(messages, **kwargs)

    def cancel(req: int = -1) -> None:
        cancelled.append(req)
        real_cancel(req)

    client.read_ahead = read_ahead  # type: ignore[method-assign]
    client.cancel = cancel  # type: ignore[method-assign]
    reading: list[float] = []
    window.read_ahead.status.connect(lambda _text, fraction: reading.append(fraction))
    _attach(qtbot, window, guide(tmp_path, pages=8))
    qtbot.waitUntil(lambda: len(reading) >= 1, timeout=120_000)
    # Words typed while the document is being read: that reading goes on.
    draft = QUESTION.rsplit(" ", 1)[0]
    window.composer.text.setPlainText(draft[:8])
    qtbot.wait(2 * DELAY_MS)
    window.composer.text.setPlainText(draft)
    qtbot.waitUntil(
        lambda: asked[-1:] == [draft] and not window.read_ahead.running, timeout=120_000
    )
    assert asked[0] == "" and asked[-1] == draft and cancelled == []

    events = _turn_events(window)
    window.composer.text.setPlainText(QUESTION)  # the last word, and Send at once
    with qtbot.waitSignal(window.answer_saved, timeout=90_000):
        window.composer.send_button.click()
    started = next(e for e in events if isinstance(e, p.Started))
    # Left for after Send: the last word and the turn's closing markers.
    assert 0 < started.prompt_tokens - started.cached_tokens <= 8

    # A follow-up sent after a pause in the typing was read as it is sent: only its last
    # token, which sampling reads anyway, is left.
    follow_up = "And how far does its light reach on a clear night?"
    window.composer.text.setPlainText(follow_up)
    qtbot.waitUntil(
        lambda: asked[-1:] == [follow_up] and not window.read_ahead.running, timeout=120_000
    )
    events = _turn_events(window)
    with qtbot.waitSignal(window.answer_saved, timeout=90_000):
        window.composer.send_button.click()
    started = next(e for e in events if isinstance(e, p.Started))
    assert started.prompt_tokens - started.cached_tokens == 1


def test_words_typed_without_a_pause_are_read_as_each_is_finished(
    qtbot: QtBot, open_window: WindowFactory, tmp_path: Path
) -> None:
    window = open_window(max_tokens=4)
    with qtbot.waitSignal(window.read_ahead.finished, timeout=120_000):
        _attach(qtbot, window, guide(tmp_path, pages=3))
    # Typed steadily, faster than the pause that has a word read in the middle of it.
    assert 0 < KEY_MS < DELAY_MS
    qtbot.keyClicks(window.composer.text, QUESTION, delay=KEY_MS)
    events = _turn_events(window)
    with qtbot.waitSignal(window.answer_saved, timeout=90_000):
        window.composer.send_button.click()  # right after the last key
    started = next(e for e in events if isinstance(e, p.Started))
    # Every finished word was read: left, the last word and the turn's closing markers.
    assert 0 < started.prompt_tokens - started.cached_tokens <= 8


def test_a_closing_question_mark_finishes_the_question_like_a_space_finishes_a_word() -> None:
    assert word_finished("How far does the beam reach ")
    assert word_finished("How far does the beam reach?")
    assert word_finished("Resume o capítulo 3.")
    assert word_finished("¿Qué dice la cláusula 4!")
    assert not word_finished("How far does the beam rea")
    assert not word_finished("")


def test_typed_to_its_question_mark_the_whole_question_is_read_before_send(
    qtbot: QtBot, open_window: WindowFactory, tmp_path: Path
) -> None:
    window = open_window(max_tokens=4)
    with qtbot.waitSignal(window.read_ahead.finished, timeout=120_000):
        _attach(qtbot, window, guide(tmp_path, pages=3))
    asked: list[str] = []
    real_read_ahead = window.bridge.client.read_ahead

    def read_ahead(messages: Any, **kwargs: Any) -> int:
        asked.append(messages[-1].content)
        return real_read_ahead(messages, **kwargs)

    window.bridge.client.read_ahead = read_ahead  # type: ignore[method-assign]
    assert QUESTION.endswith("?")
    qtbot.keyClicks(window.composer.text, QUESTION[:-1], delay=KEY_MS)
    qtbot.waitUntil(lambda: not window.read_ahead.running, timeout=60_000)
    qtbot.keyClicks(window.composer.text, "?")
    # Asked for the whole question within a keystroke's time, as for a finished word: the
    # pause that has a half-typed word read (DELAY_MS) is longer than that.
    qtbot.wait(KEY_MS)
    assert KEY_MS < DELAY_MS and asked[-1] == QUESTION
    assert all(QUESTION.startswith(a) for a in asked)
    qtbot.waitUntil(lambda: not window.read_ahead.running, timeout=60_000)
    events = _turn_events(window)
    with qtbot.waitSignal(window.answer_saved, timeout=90_000):
        window.composer.send_button.click()
    started = next(e for e in events if isinstance(e, p.Started))
    assert started.prompt_tokens - started.cached_tokens == 1
