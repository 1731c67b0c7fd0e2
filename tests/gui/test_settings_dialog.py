"""The settings dialog edits a copy of the settings and hands back every choice."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStyle,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop.settings_dialog import MIN_WIDTH, SettingsDialog
from engine.settings import Settings
from tests.gui.conftest import UseLanguage


def make_dialog(qtbot: QtBot, settings: Settings) -> SettingsDialog:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    return dialog


def select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    assert index >= 0, f"{value!r} is not offered by {combo.objectName()}"
    combo.setCurrentIndex(index)


def test_defaults_round_trip(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, Settings())
    assert dialog.result_settings() == Settings()


def test_every_field_round_trips(qtbot: QtBot) -> None:
    settings = Settings(
        reasoning_display="summary",
        moderation_layers=["pii", "guard"],
        guard_model="/models/guard.gguf",
        backend="llamacpp",
        models_dir="/data/models",
        threads=6,
        context_length=32768,
        gpu_backend="vulkan",
        theme="dark",
        language="es",
        model="/models/chat.gguf",
        extra={"window_geometry": [1, 2, 3, 4]},
    )
    dialog = make_dialog(qtbot, settings)
    result = dialog.result_settings()
    assert result == settings
    assert result is not settings
    assert result.extra is not settings.extra  # the caller may change one without the other


def test_user_choices_reach_the_result(qtbot: QtBot) -> None:
    original = Settings(backend="mlx", model="/models/a.gguf")
    dialog = make_dialog(qtbot, original)
    dialog.models_dir_edit.setText("  /srv/models  ")
    dialog.threads_spin.setValue(12)
    select(dialog.context_combo, 65536)
    select(dialog.gpu_combo, "cpu")
    select(dialog.reasoning_combo, "filtered")
    dialog.layer_boxes["lexical"].setChecked(False)
    dialog.layer_boxes["guard"].setChecked(True)
    dialog.guard_edit.setText("/models/guard.gguf")
    select(dialog.theme_combo, "light")
    select(dialog.language_combo, "pt_BR")

    result = dialog.result_settings()
    assert result.models_dir == "/srv/models"
    assert result.threads == 12
    assert result.context_length == 65536
    assert result.gpu_backend == "cpu"
    assert result.reasoning_display == "filtered"
    assert result.moderation_layers == ["pii", "guard"]
    assert result.guard_model == "/models/guard.gguf"
    assert result.guard_path() == "/models/guard.gguf"
    assert result.theme == "light"
    assert result.language == "pt_BR"
    # Fields the dialog does not show are carried over, and the input is left alone.
    assert (result.backend, result.model) == ("mlx", "/models/a.gguf")
    assert original == Settings(backend="mlx", model="/models/a.gguf")


def test_automatic_values(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, Settings(threads=0, context_length=0))
    assert dialog.threads_spin.text() == "Automatic"
    assert dialog.context_combo.currentData() == 0
    assert dialog.context_combo.currentText().startswith("Automatic")
    assert dialog.context_combo.count() == 7
    dialog.threads_spin.setValue(3)
    dialog.threads_spin.setValue(0)
    assert dialog.result_settings().threads == 0


def test_a_context_length_not_in_the_list_is_kept(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, Settings(context_length=2048))
    assert dialog.context_combo.currentData() == 2048
    assert dialog.result_settings().context_length == 2048


def test_guard_file_field_follows_the_checkbox(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, Settings(moderation_layers=["lexical"], guard_model="/g.gguf"))
    guard = dialog.layer_boxes["guard"]
    assert not guard.isChecked()
    assert not dialog.guard_edit.isEnabled() and not dialog.guard_browse.isEnabled()
    guard.setChecked(True)
    assert dialog.guard_edit.isEnabled() and dialog.guard_browse.isEnabled()
    guard.setChecked(False)
    assert not dialog.guard_edit.isEnabled()
    # The path stays while the layer is off, so ticking the box again brings it back.
    assert dialog.result_settings().guard_model == "/g.gguf"


def test_choosing_a_guard_file_turns_the_layer_on(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, Settings(moderation_layers=[]))
    dialog.choose_guard_model("/models/other-guard.gguf")
    assert dialog.layer_boxes["guard"].isChecked()
    assert dialog.guard_edit.isEnabled()
    assert dialog.result_settings().moderation_layers == ["guard"]


def test_reasoning_explanation_changes_with_the_choice(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, Settings(reasoning_display="hidden"))
    texts = {}
    for mode in ("hidden", "filtered", "summary"):
        select(dialog.reasoning_combo, mode)
        texts[mode] = dialog.reasoning_explanation.text()
    assert len(set(texts.values())) == 3
    for text in texts.values():
        assert "Raw reasoning is never shown." in text
    assert "summary" in texts["summary"]


def test_controls_are_named_labelled_and_explained(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, Settings())
    controls: list[tuple[type[QWidget], str]] = [
        (QLineEdit, "modelsDirEdit"),
        (QSpinBox, "threadsSpin"),
        (QComboBox, "contextCombo"),
        (QComboBox, "gpuCombo"),
        (QComboBox, "reasoningCombo"),
        (QCheckBox, "lexicalCheck"),
        (QCheckBox, "piiCheck"),
        (QCheckBox, "guardCheck"),
        (QLineEdit, "guardModelEdit"),
        (QComboBox, "themeCombo"),
        (QComboBox, "languageCombo"),
        (QWidget, "modelsBrowseButton"),
        (QWidget, "guardBrowseButton"),
    ]
    for kind, name in controls:
        widget = dialog.findChild(kind, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
        assert "&" not in widget.accessibleName() and not widget.accessibleName().endswith(":")
        assert widget.toolTip(), name


def test_language_names_are_in_their_own_language(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, Settings())
    names = [dialog.language_combo.itemText(i) for i in range(dialog.language_combo.count())]
    assert names[1:] == ["English", "Português (Brasil)", "Español"]
    assert "next time" in dialog.language_note.text()


def test_browse_opens_a_folder_picker_without_blocking(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, Settings())
    dialog.show()
    dialog.models_browse.click()  # returns at once: open(), not exec()
    picker = dialog.findChild(QFileDialog, "fileDialog")
    assert picker is not None and picker.isVisible()
    assert picker.fileMode() == QFileDialog.FileMode.Directory
    picker.fileSelected.emit(str(tmp_path))
    picker.reject()
    assert dialog.models_dir_edit.text() == str(tmp_path)
    assert dialog.result_settings().models_dir == str(tmp_path)


@pytest.mark.parametrize(
    ("button", "code"),
    [
        (QDialogButtonBox.StandardButton.Ok, QDialog.DialogCode.Accepted),
        (QDialogButtonBox.StandardButton.Cancel, QDialog.DialogCode.Rejected),
    ],
)
def test_buttons_close_the_dialog(
    qtbot: QtBot, button: QDialogButtonBox.StandardButton, code: QDialog.DialogCode
) -> None:
    dialog = make_dialog(qtbot, Settings())
    dialog.show()
    push = dialog.buttons.button(button)
    assert push is not None
    with qtbot.waitSignal(dialog.finished, timeout=2000) as blocker:
        push.click()
    assert blocker.args == [code.value]
    assert not dialog.isVisible()


def _cut_short(dialog: SettingsDialog) -> list[str]:
    """The visible widgets of the dialog that do not get the room their text needs."""
    cut: list[str] = []
    inside = dialog.rect()
    for widget in dialog.findChildren(QWidget):
        parent = widget.parentWidget()
        if not widget.isVisible() or isinstance(parent, QSpinBox | QComboBox):
            continue  # a spin box's or a combo box's own parts are measured with it
        name = f"{type(widget).__name__} {widget.objectName()!r}"
        box = widget.rect().translated(widget.mapTo(dialog, QPoint(0, 0)))
        if not inside.contains(box):
            cut.append(f"{name} is outside the dialog: {box} not in {inside}")
        if isinstance(widget, QLabel) and widget.wordWrap():
            if widget.height() < widget.heightForWidth(widget.width()):
                cut.append(f"{name} {widget.text()!r} needs more lines than it has")
        elif isinstance(widget, QLabel | QComboBox | QLineEdit | QSpinBox | QAbstractButton):
            text = widget.currentText() if isinstance(widget, QComboBox) else ""
            if widget.width() < widget.sizeHint().width():
                cut.append(f"{name} {text!r}: {widget.width()} < {widget.sizeHint().width()}")
            if widget.height() < widget.minimumSizeHint().height():
                cut.append(f"{name} is squashed: {widget.height()} high")
    # A sentence cut short reads wrong, unlike a path (whose whole text is in the tooltip).
    guard = dialog.guard_edit
    frame = guard.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, guard)
    room = guard.width() - 2 * frame - 4  # a line edit's text keeps 2 pixels off each side
    if guard.fontMetrics().horizontalAdvance(guard.placeholderText()) > room:
        cut.append(f"{guard.placeholderText()!r} is cut short")
    return cut


@pytest.mark.parametrize("language", ["en", "pt_BR", "es"])
def test_nothing_is_cut_short_in_any_language(
    qtbot: QtBot, use_language: UseLanguage, language: str
) -> None:
    """Longer translations (the label column is shared by all three sections) make the dialog
    wider rather than squeezing the fields to a few letters."""
    use_language(language)
    dialog = SettingsDialog(Settings(), embedding_models=[])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert _cut_short(dialog) == []
    # Nor at its smallest; and a longer translation never makes the dialog narrower.
    dialog.resize(dialog.minimumSize())
    qtbot.waitUntil(lambda: dialog.size() == dialog.minimumSize(), timeout=2000)
    assert _cut_short(dialog) == []
    assert dialog.minimumWidth() >= MIN_WIDTH
    # The default models folder, cut short in its box when long, is whole in the tooltip.
    assert dialog.models_dir_edit.placeholderText() in dialog.models_dir_edit.toolTip()
