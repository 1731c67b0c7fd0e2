"""The first window with a real worker and the demo model, offscreen."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from engine import protocol as p


@pytest.fixture
def window(qtbot: QtBot, demo_model: Path) -> MainWindow:
    win = MainWindow(model=demo_model)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.send_button.isEnabled(), timeout=60_000)
    return win


def test_send_streams_an_answer(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    assert "Gemma" in window.model_label.text()
    assert not window.effort.isEnabled()  # the demo model has no effort control
    window.composer.setPlainText("What is the capital of France?")
    with qtbot.waitSignal(
        window.bridge.event, timeout=60_000, check_params_cb=lambda ev: isinstance(ev, p.Done)
    ):
        window.send_button.click()
    transcript = window.transcript.toPlainText()
    assert "What is the capital of France?" in transcript
    assert window.send_button.text() == "Send"
    answer = window._messages[-1]
    assert answer.role == "assistant" and answer.content.strip() in transcript
    window.grab().save(str(tmp_path / "window.png"))


def test_killed_worker_shows_banner_and_restarts(qtbot: QtBot, window: MainWindow) -> None:
    assert window.bridge.client.pid is not None
    os.kill(window.bridge.client.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=30_000)
    assert "SIGKILL" in window.banner_text.text()
    assert not window.send_button.isEnabled()
    window.restart_button.click()
    qtbot.waitUntil(lambda: window.send_button.isEnabled(), timeout=60_000)
    assert not window.banner.isVisible()
