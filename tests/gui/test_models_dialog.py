"""The Models window on real files: import (chosen or dropped), and a download from a Hub
served on loopback that ends in the installed list and the model selector."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.models_dialog import ModelsDialog
from tests.gui.conftest import WindowFactory
from tests.support.fake_hub import HubFile, HubRepo, serve_fake_hub


def _dialog(qtbot: QtBot, window: MainWindow) -> ModelsDialog:
    window.open_models()
    dialog = window.models_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: not window.io.busy, timeout=30_000)
    return dialog


def _installed_names(dialog: ModelsDialog) -> list[str]:
    table = dialog.installed
    return [table.item(r, 0).text() for r in range(table.rowCount())]


def test_import_accepts_a_model_and_rejects_a_broken_file(
    qtbot: QtBot,
    home: Path,
    open_window: WindowFactory,
    scripted_answer_gptoss: Path,
    tmp_path: Path,
) -> None:
    window = open_window()
    dialog = _dialog(qtbot, window)
    assert _installed_names(dialog) == []
    dialog.import_file(scripted_answer_gptoss)
    qtbot.waitUntil(lambda: len(_installed_names(dialog)) == 1, timeout=30_000)
    assert "scripted-answer" in _installed_names(dialog)[0]
    assert dialog.installed.item(0, 2).text() == "gpt-oss"
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 64)
    dialog.import_file(broken)
    qtbot.waitUntil(lambda: "Not imported" in dialog.installed_note.text(), timeout=30_000)
    qtbot.waitUntil(lambda: not window.io.busy, timeout=10_000)
    assert len(_installed_names(dialog)) == 1


def test_dropping_a_gguf_on_the_window_imports_it(
    qtbot: QtBot, home: Path, open_window: WindowFactory, scripted_answer_gptoss: Path
) -> None:
    window = open_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(scripted_answer_gptoss))])
    drop = QDropEvent(
        QPointF(100, 100),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)
    dialog = window.models_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: len(_installed_names(dialog)) == 1, timeout=30_000)
    assert "Imported" in dialog.installed_note.text()


def test_a_download_shows_progress_and_installs_the_model(
    qtbot: QtBot,
    home: Path,
    open_window: WindowFactory,
    scripted_answer_gptoss: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = scripted_answer_gptoss.read_bytes()
    repo = HubRepo("lanterna-test/scripted-GGUF", [HubFile("scripted-Q8_0.gguf", data)])
    with serve_fake_hub(monkeypatch, [repo]) as hub:
        hub.faults.chunk_delay = 0.002  # slow enough to be seen downloading
        window = open_window()
        dialog = _dialog(qtbot, window)
        key = dialog.start_download(repo.repo_id, "scripted-Q8_0.gguf")
        assert window.downloads is not None
        states: list[str] = []
        window.downloads.changed.connect(
            lambda k: states.append(window.downloads.items[k].state) if window.downloads else None
        )
        with qtbot.waitSignal(window.downloads.finished, timeout=120_000):
            pass
        item = window.downloads.items[key]
        assert item.state == "done" and item.done == item.total == len(data)
        assert "downloading" in states
        qtbot.waitUntil(lambda: len(_installed_names(dialog)) == 1, timeout=30_000)
        models_dir = home / "data" / "models"
        assert (models_dir / "scripted-Q8_0.gguf").read_bytes() == data
        combo = window.model_bar.combo
        qtbot.waitUntil(
            lambda: any("scripted-Q8_0" in combo.itemText(i) for i in range(combo.count())),
            timeout=10_000,
        )


def test_a_models_own_settings_apply_when_it_loads(
    qtbot: QtBot, home: Path, open_window: WindowFactory, scripted_answer_gptoss: Path
) -> None:
    from engine import protocol as p
    from engine.models.registry import import_model

    model = import_model(scripted_answer_gptoss)
    window = open_window()
    dialog = _dialog(qtbot, window)
    dialog.save_model_settings(model, 1024, 1, 0)
    qtbot.waitUntil(lambda: "saved" in dialog.installed_note.text(), timeout=10_000)
    with qtbot.waitSignal(
        window.bridge.event,
        timeout=60_000,
        check_params_cb=lambda ev: isinstance(ev, p.Loaded),
    ) as blocker:
        dialog.use_model.emit(str(scripted_answer_gptoss))
    loaded = blocker.args[0]
    assert loaded.n_ctx == 1024 and loaded.path == str(scripted_answer_gptoss)


def test_a_download_stopped_by_closing_the_app_resumes_by_itself_in_the_next_run(
    qtbot: QtBot, home: Path, scripted_answer_gptoss: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.downloads import DownloadManager

    data = scripted_answer_gptoss.read_bytes()
    repo = HubRepo("lanterna-test/resume-GGUF", [HubFile("resume-Q8_0.gguf", data)])
    dest = home / "data" / "models"
    stall = 3_000_000
    with serve_fake_hub(monkeypatch, [repo]) as hub:
        hub.faults.stall_after = stall
        first = DownloadManager(dest)
        key = first.start(repo.repo_id, "resume-Q8_0.gguf")
        assert hub.stalled.wait(60)
        first.shutdown(timeout=0)  # what closing the window does
        hub.release()
        qtbot.waitUntil(lambda: first.items[key].state == "paused", timeout=30_000)
        kept = first.items[key].done
        # What reached the disk before the pause (the writer flushes in steps): more than
        # nothing, less than the file, and not under the final name.
        assert 0 < kept < len(data) and not (dest / "resume-Q8_0.gguf").exists()

        second = DownloadManager(dest)  # the next start of the app
        left = second.find_paused()
        assert [(i.key, i.state, i.done) for i in left] == [(key, "interrupted", kept)]
        with qtbot.waitSignal(second.finished, timeout=120_000):
            second.adopt(left)
        assert second.items[key].state == "done"
        ranges = [s.range for s in hub.served if s.server == "cdn" and s.method == "GET"]
        assert ranges[-1] == f"bytes={kept}-"
        assert (dest / "resume-Q8_0.gguf").read_bytes() == data
        second.shutdown()


def test_a_download_the_user_paused_stays_paused_after_a_restart(
    qtbot: QtBot, home: Path, scripted_answer_gptoss: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.downloads import DownloadManager

    data = scripted_answer_gptoss.read_bytes()
    repo = HubRepo("lanterna-test/held-GGUF", [HubFile("held-Q8_0.gguf", data)])
    dest = home / "data" / "models"
    with serve_fake_hub(monkeypatch, [repo]) as hub:
        hub.faults.stall_after = 3_000_000
        first = DownloadManager(dest)
        key = first.start(repo.repo_id, "held-Q8_0.gguf")
        assert hub.stalled.wait(60)
        first.pause(key)  # the Pause button
        hub.release()
        qtbot.waitUntil(lambda: first.items[key].state == "paused", timeout=30_000)
        first.shutdown()
        gets = len([s for s in hub.served if s.server == "cdn" and s.method == "GET"])

        second = DownloadManager(dest)
        left = second.find_paused()
        assert [(i.key, i.state) for i in left] == [(key, "paused")]
        second.adopt(left)
        assert second.items[key].state == "paused" and not second.running(key)
        # Resuming by hand lifts the hold: a third start would resume it by itself.
        with qtbot.waitSignal(second.finished, timeout=120_000):
            second.start(repo.repo_id, "held-Q8_0.gguf")
        assert len([s for s in hub.served if s.server == "cdn" and s.method == "GET"]) == gets + 1
        assert (dest / "held-Q8_0.gguf").read_bytes() == data
        second.shutdown()


def test_an_mlx_model_folder_downloads_whole_and_is_listed(
    qtbot: QtBot,
    home: Path,
    open_window: WindowFactory,
    tiny_mlx_gptoss: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = [
        HubFile(p.name, p.read_bytes(), lfs=p.suffix == ".safetensors")
        for p in sorted(tiny_mlx_gptoss.iterdir())
        if p.is_file()
    ]
    repo = HubRepo("lanterna-test/tiny-MLX", [*files, HubFile("README.md", b"card", lfs=False)])
    with serve_fake_hub(monkeypatch, [repo]):
        window = open_window()
        dialog = _dialog(qtbot, window)
        assert window.downloads is not None
        with qtbot.waitSignal(window.downloads.finished, timeout=120_000):
            key = dialog.start_download(repo.repo_id, "")
        row = dialog.download_table.item(0, 0)
        assert row is not None and row.text() == "tiny-MLX"
        assert window.downloads.items[key].state == "done"
        folder = home / "data" / "models" / "tiny-MLX"
        assert sorted(p.name for p in folder.iterdir()) == sorted(f.path for f in files)
        qtbot.waitUntil(lambda: "tiny-MLX" in " ".join(_installed_names(dialog)), timeout=30_000)
