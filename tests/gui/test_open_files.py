"""Models handed over by the desktop: as a command-line argument, or a macOS file-open event."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFileOpenEvent
from pytestqt.qtbot import QtBot

from desktop.open_files import FileOpenFilter, split_model_paths
from tests.gui.conftest import WindowFactory


def test_model_paths_are_told_apart_from_qts_own_arguments(tmp_path: Path) -> None:
    model = tmp_path / "My Model Q4.gguf"
    model.write_bytes(b"GGUF")
    folder = tmp_path / "mlx-model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    args = ["-platform", "offscreen", str(model), "--smoke", str(folder), "notes.txt"]
    models, rest = split_model_paths(args)
    assert models == [model.resolve(), folder.resolve()]
    assert rest == ["-platform", "offscreen", "--smoke", "notes.txt"]
    # A name that is not there is left alone (argparse or Qt will say what is wrong with it).
    assert split_model_paths([str(tmp_path / "gone.gguf")]) == ([], [str(tmp_path / "gone.gguf")])


def test_a_file_open_event_loads_the_model(
    qtbot: QtBot, open_window: WindowFactory, scripted_answer_gptoss: Path
) -> None:
    window = open_window()
    opened: list[str] = []

    def open_model(path: str) -> None:
        opened.append(path)
        window.open_model_path(path)

    filt = FileOpenFilter(open_model)
    app = QCoreApplication.instance()
    assert app is not None
    app.installEventFilter(filt)
    try:
        QCoreApplication.sendEvent(app, QFileOpenEvent(str(scripted_answer_gptoss)))
        assert opened == [str(scripted_answer_gptoss)]
        qtbot.waitUntil(
            lambda: (
                window._loaded is not None and window._loaded.path == str(scripted_answer_gptoss)
            ),
            timeout=60_000,
        )
        QCoreApplication.sendEvent(app, QFileOpenEvent(str(Path(__file__))))  # not a model
        assert opened == [str(scripted_answer_gptoss)]
    finally:
        app.removeEventFilter(filt)


def test_a_model_that_will_not_fit_asks_before_loading(
    qtbot: QtBot,
    open_window: WindowFactory,
    scripted_answer_gptoss: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from engine.models import fit

    window = open_window()
    # A machine with far less memory than the model needs (this one has plenty).
    small = fit.MachineMemory(total_bytes=64 * 2**20, available_bytes=32 * 2**20)
    monkeypatch.setattr(fit, "detect_memory", lambda **_kw: small)
    path = str(scripted_answer_gptoss)

    window.open_model_path(path)
    qtbot.waitUntil(lambda: window.load_warning is not None and window.load_warning.isVisible())
    box = window.load_warning
    assert box is not None and "33.6 MB available" in box.text()  # 32 MiB, in SI units
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: window.model_bar.state_name == "stopped")
    assert "not enough memory" in window.model_bar.state.text()
    assert window._loaded is None

    window.open_model_path(path)  # asked again, and this time loaded anyway
    qtbot.waitUntil(lambda: window.load_warning is not box and window.load_warning is not None)
    again = window.load_warning
    assert again is not None
    [load] = [
        b for b in again.buttons() if again.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole
    ]
    load.click()
    qtbot.waitUntil(
        lambda: window._loaded is not None and window._loaded.path == path, timeout=60_000
    )
