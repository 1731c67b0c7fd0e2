"""The Models window on real files: import (chosen or dropped), and a download from a Hub
served on loopback that ends in the installed list and the model selector; what it says about
catalog entries, sizes and failed downloads, the demo model's protection, and its layout in
English and Portuguese."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)
from pytestqt.qtbot import QtBot

import desktop.i18n as i18n
from desktop.background import Background
from desktop.downloads import DownloadManager
from desktop.i18n import compile_translations, install_translations
from desktop.main_window import MainWindow
from desktop.models_dialog import ModelsDialog
from engine.models.catalog import CatalogEntry
from engine.models.registry import InstalledModel
from tests.gui.conftest import WindowFactory
from tests.support.fake_hub import HubFile, HubRepo, serve_fake_hub

REPO = Path(__file__).resolve().parents[2]


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


# ---------------------------------------------------------------- the window on its own


@pytest.fixture
def models_dir(home: Path) -> Path:
    path = home / "data" / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def dialog(qtbot: QtBot, models_dir: Path) -> Iterator[ModelsDialog]:
    """The Models window at its default size, catalog and installed list shown."""
    io = Background()
    downloads = DownloadManager(models_dir)
    shown = ModelsDialog(io, downloads, 8192, None)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    qtbot.waitUntil(lambda: shown.catalog.rowCount() > 0 and not io.busy, timeout=30_000)
    yield shown
    shown.close()
    downloads.shutdown()
    io.shutdown()


@pytest.fixture
def restore_language(qapp: QApplication) -> Iterator[QApplication]:
    """Later tests expect the source strings and the number format they started with."""
    locale = QLocale()
    yield qapp
    install_translations(qapp, "en")
    QLocale.setDefault(locale)


def _install_demo(demo_model: Path, models_dir: Path) -> Path:
    """The demo model where the app prepares it, without assembling it again."""
    target = models_dir / demo_model.name
    try:
        os.link(demo_model, target)
    except OSError:
        shutil.copyfile(demo_model, target)
    return target


def _tip(item: QTableWidgetItem | None) -> str:
    return item.toolTip() if item is not None else ""


def _row_of(table: QTableWidget, text: str) -> int:
    rows = [r for r in range(table.rowCount()) if text in table.item(r, 0).text()]
    assert len(rows) == 1, (text, [table.item(r, 0).text() for r in range(table.rowCount())])
    return rows[0]


def _sources(tmp_path: Path) -> list[str]:
    """Every string lupdate collects from the Models window's code, in its context."""
    lupdate = i18n._find_tool("lupdate")
    ts = tmp_path / "models_window.ts"
    code = [str(p) for p in sorted((REPO / "desktop").glob("model*.py"))]
    subprocess.run([*lupdate, "-silent", *code, "-ts", str(ts)], check=True)
    return [
        m.findtext("source") or ""
        for c in ET.parse(ts).getroot().iter("context")
        if c.findtext("name") == "ModelsDialog"
        for m in c.iter("message")
    ]


def _made_from(text: str, sources: list[str]) -> bool:
    """``text`` is one of ``sources`` with its %1, %2… filled in."""
    for source in sources:
        pattern = "".join(
            r"[^\n]+" if re.fullmatch(r"%\d", part) else re.escape(part)
            for part in re.split(r"(%\d)", source)
        )
        if re.fullmatch(pattern, text):
            return True
    return False


def test_catalog_tooltips_describe_the_model_in_translatable_words(
    dialog: ModelsDialog, tmp_path: Path
) -> None:
    sources = _sources(tmp_path)
    catalog = dialog.catalog
    by_name = {}
    for r in range(catalog.rowCount()):
        entry = catalog.item(r, 0).data(Qt.ItemDataRole.UserRole)
        assert isinstance(entry, CatalogEntry)
        by_name[entry.name] = r
        title, tip = catalog.item(r, 0).text(), catalog.item(r, 0).toolTip()
        # The maintainers' notes on how the facts were checked stay in the catalog file.
        assert entry.note not in tip
        assert "sha256" not in tip and "pin" not in tip
        # Each line is one of the window's own strings (so lupdate offers it to translators)
        # filled in with the entry's facts; so is any label after the model's name.
        lines = tip.split("\n")
        while lines:  # a string may span lines
            taken = next(
                (n for n in range(len(lines), 0, -1) if _made_from("\n".join(lines[:n]), sources)),
                0,
            )
            assert taken, f"not translatable: {lines[0]!r}"
            lines = lines[taken:]
        assert title.startswith(entry.title)
        assert title == entry.title or title[len(entry.title) :] in sources
        assert "(" not in entry.title, "labels belong to the window, in the user's language"
    effort = catalog.item(by_name["gpt-oss-20b"], 0).toolTip()
    assert "low, medium, high" in effort and "ggml-org/gpt-oss-20b-GGUF" in effort
    assert "Settings" in catalog.item(by_name["multilingual-e5-small"], 0).toolTip()
    demo = by_name["gemma-3-270m"]
    assert catalog.item(demo, 0).text() == "Gemma 3 270M (demo)"
    assert "nothing to download" in catalog.item(demo, 0).toolTip()
    # Nothing to download for the model that comes with the app, and the button says so.
    catalog.selectRow(demo)
    assert not dialog.download_catalog_button.isEnabled()
    assert "comes with Lanterna" in dialog.download_catalog_button.toolTip()
    catalog.selectRow(by_name["gpt-oss-20b"])
    assert dialog.download_catalog_button.isEnabled()


def test_sizes_are_in_gb_in_the_users_number_format(
    qtbot: QtBot,
    restore_language: QApplication,
    home: Path,
    models_dir: Path,
    demo_model: Path,
) -> None:
    QLocale.setDefault(QLocale("pt_BR"))
    _install_demo(demo_model, models_dir)
    io = Background()
    downloads = DownloadManager(models_dir)
    dialog = ModelsDialog(io, downloads, 8192, None)
    qtbot.addWidget(dialog)
    try:
        qtbot.waitUntil(
            lambda: dialog.catalog.rowCount() > 0 and dialog.installed.rowCount() == 1,
            timeout=30_000,
        )
        catalog = dialog.catalog
        row = _row_of(catalog, "gpt-oss 20B")
        assert catalog.item(row, 1).text() == "12,1 GB"  # 12,109,566,624 bytes
        fits = catalog.item(row, 3)
        # The memory a model needs is in the same unit as its download.
        assert re.fullmatch(r".+ · \d+,\d GB", fits.text()), fits.text()
        assert "8.192" in fits.toolTip() and "12,1 GB" in fits.toolTip()
        assert dialog.installed.item(0, 1).text() == "253,1 MB"
        assert dialog.installed.item(0, 4).text() == "32.768"
        texts = [
            text
            for table in (catalog, dialog.installed)
            for r in range(table.rowCount())
            for c in range(table.columnCount())
            for text in (table.item(r, c).text(), table.item(r, c).toolTip())
        ]
        assert not [t for t in texts if "GiB" in t or re.search(r"\d\.\d (k|M|G)B", t)]
    finally:
        dialog.close()
        downloads.shutdown()
        io.shutdown()


def test_a_failed_download_says_what_failed_and_what_to_do(
    qtbot: QtBot, dialog: ModelsDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = HubRepo("lanterna-test/only-one-GGUF", [HubFile("one-Q8_0.gguf", b"GGUF" * 64)])
    with serve_fake_hub(monkeypatch, [repo]):
        dialog.start_download(repo.repo_id, "missing-Q4_K_M.gguf")
        table = dialog.download_table
        # Failed, once the engine's reason is in (in the tooltip).
        qtbot.waitUntil(
            lambda: table.rowCount() == 1 and bool(_tip(table.item(0, 4))), timeout=60_000
        )
    assert dialog.tabs.currentIndex() == 2
    bar = table.cellWidget(0, 1)
    assert isinstance(bar, QProgressBar)
    assert bar.text() == "Failed: not found on Hugging Face"
    state = table.item(0, 4)
    assert state.text() == "Check the repository and file name"
    # The engine's own words, for whoever wants the detail.
    assert "missing-Q4_K_M.gguf" in bar.toolTip() and "missing-Q4_K_M.gguf" in state.toolTip()
    # The whole reason is readable in its column.
    assert table.columnWidth(1) >= bar.fontMetrics().horizontalAdvance(bar.text())


def test_the_demo_model_cannot_be_removed_and_says_why(
    qtbot: QtBot,
    dialog: ModelsDialog,
    models_dir: Path,
    demo_model: Path,
    scripted_answer_gptoss: Path,
) -> None:
    demo_file = _install_demo(demo_model, models_dir)
    other_file = Path(shutil.copy(scripted_answer_gptoss, models_dir / "other.gguf"))
    dialog.refresh_installed()
    qtbot.waitUntil(lambda: dialog.installed.rowCount() == 2, timeout=30_000)
    table = dialog.installed
    demo_row = _row_of(table, demo_file.stem)
    demo = table.item(demo_row, 0).data(Qt.ItemDataRole.UserRole)
    assert isinstance(demo, InstalledModel)
    assert "falls back on it" in table.item(demo_row, 0).toolTip()

    table.selectRow(demo_row)
    assert not dialog.remove_button.isEnabled()
    assert "cannot be removed" in dialog.remove_button.toolTip()
    dialog.remove(demo)  # whatever asks, the file stays
    qtbot.waitUntil(lambda: "cannot be removed" in dialog.installed_note.text(), timeout=5_000)
    assert demo_file.exists()

    other_row = _row_of(table, "other")
    table.selectRow(other_row)
    assert dialog.remove_button.isEnabled() and dialog.remove_button.toolTip() == ""
    other = table.item(other_row, 0).data(Qt.ItemDataRole.UserRole)
    dialog.remove(other)
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=30_000)
    assert not other_file.exists() and demo_file.exists()


@pytest.mark.parametrize("language", ["en", "pt_BR"])
def test_get_models_shows_every_entry_unclipped_at_the_default_size(
    qtbot: QtBot,
    restore_language: QApplication,
    models_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
) -> None:
    if language != "en":
        compile_translations(tmp_path)
        monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    assert install_translations(restore_language, language) == language
    io = Background()
    downloads = DownloadManager(models_dir)
    dialog = ModelsDialog(io, downloads, 8192, None)
    qtbot.addWidget(dialog)
    try:
        dialog.tabs.setCurrentIndex(1)
        dialog.show()
        qtbot.waitExposed(dialog)
        qtbot.waitUntil(lambda: dialog.catalog.rowCount() > 0 and not io.busy, timeout=30_000)
        qtbot.wait(50)  # the layout settles once the rows are in
        dialog.grab().save(str(tmp_path / f"models-{language}.png"))
        catalog = dialog.catalog
        # Every entry in view, none cut at the bottom, no sideways scrolling.
        assert catalog.verticalScrollBar().maximum() == 0
        assert catalog.horizontalScrollBar().maximum() == 0
        bottom = catalog.rowViewportPosition(catalog.rowCount() - 1) + catalog.rowHeight(0)
        assert bottom <= catalog.viewport().height()
        # Rows with air around their text, and every text whole in its column.
        metrics = catalog.fontMetrics()
        assert all(catalog.rowHeight(r) >= metrics.height() + 10 for r in range(catalog.rowCount()))
        header = catalog.horizontalHeader()
        for c in range(catalog.columnCount()):
            assert catalog.columnWidth(c) >= catalog.sizeHintForColumn(c), c
            assert catalog.columnWidth(c) >= header.sectionSizeFromContents(c).width(), c
        # The search below still has room for a few results.
        assert (
            dialog.repos.viewport().height()
            >= 4 * dialog.repos.verticalHeader().defaultSectionSize()
        )
        for button in dialog.findChildren(QPushButton):
            if button.isVisible():
                assert button.width() >= button.sizeHint().width(), button.text()
    finally:
        dialog.close()
        downloads.shutdown()
        io.shutdown()
