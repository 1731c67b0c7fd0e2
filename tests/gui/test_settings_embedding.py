"""Choosing the embedding model for document search in the settings dialog."""

from __future__ import annotations

import shutil
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.settings_dialog import SettingsDialog
from engine.settings import Settings


def test_installed_embedding_models_are_offered_with_none(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings(), embedding_models=["/models/e5.gguf", "/models/bge.gguf"])
    qtbot.addWidget(dialog)
    combo = dialog.embedding_combo
    assert combo.objectName() == "embeddingCombo"
    assert combo.accessibleName() == "Embedding model for document search"
    assert combo.toolTip()
    assert [combo.itemData(i) for i in range(combo.count())] == [
        "", "/models/e5.gguf", "/models/bge.gguf"
    ]  # fmt: skip
    assert combo.itemText(1) == "e5.gguf" and combo.currentData() == ""
    assert dialog.result_settings().embedding_model is None
    combo.setCurrentIndex(2)
    assert dialog.result_settings().embedding_model == "/models/bge.gguf"


def test_the_current_choice_is_kept_even_if_not_found(qtbot: QtBot) -> None:
    settings = Settings(embedding_model="/elsewhere/e5.gguf")
    dialog = SettingsDialog(settings, embedding_models=[])
    qtbot.addWidget(dialog)
    assert dialog.embedding_combo.currentData() == "/elsewhere/e5.gguf"
    assert dialog.result_settings() == settings
    dialog.set_embedding_models(["/elsewhere/e5.gguf", "/models/new.gguf"])  # no duplicate
    assert dialog.embedding_combo.count() == 3
    assert dialog.embedding_combo.currentData() == "/elsewhere/e5.gguf"


def test_without_a_list_the_dialog_finds_the_installed_ones(
    qtbot: QtBot, tiny_bert: Path, demo_model: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    e5 = Path(shutil.copy(tiny_bert, folder / "e5.gguf"))
    shutil.copy(demo_model, folder / "chat.gguf")  # a chat model is not offered
    dialog = SettingsDialog(Settings(models_dir=str(folder)))
    qtbot.addWidget(dialog)
    combo = dialog.embedding_combo
    qtbot.waitUntil(lambda: combo.count() == 2, timeout=10_000)
    assert combo.itemData(1) == str(e5)
