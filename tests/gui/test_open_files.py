"""Models handed over by the desktop: as a command-line argument, or a macOS file-open event."""

from __future__ import annotations

from pathlib import Path

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
            lambda: window._loaded is not None
            and window._loaded.path == str(scripted_answer_gptoss),
            timeout=60_000,
        )
        QCoreApplication.sendEvent(app, QFileOpenEvent(str(Path(__file__))))  # not a model
        assert opened == [str(scripted_answer_gptoss)]
    finally:
        app.removeEventFilter(filt)
