"""The settings dialog: models, reasoning and moderation, appearance.

The dialog only edits a copy: :meth:`SettingsDialog.result_settings` returns the user's choices
as a new :class:`~engine.settings.Settings`, and the caller saves it (off the GUI thread) and
applies what can change live. Nothing here touches the disk: the folder and file pickers are
Qt's non-blocking ``QFileDialog.open()``, and paths are not checked for existence (a stat of a
sleeping network share can hang for seconds); the worker reports a bad path when it uses it.
The installed embedding models offered for document search are listed by the caller, or else
found by a scan of the models on a thread of its own, the choice list filled when it ends.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop.gui_queue import GuiQueue
from engine.gpu import PREFERENCES as GPU_BACKENDS
from engine.moderation.pipeline import LAYERS
from engine.settings import DEFAULT_CONTEXT, MAX_THREADS, Settings

CONTEXT_CHOICES = (0, 4096, 8192, 16384, 32768, 65536, 131072)
REASONING_CHOICES = ("hidden", "filtered", "summary")
THEME_CHOICES = ("system", "light", "dark")
# Each language is named in itself, whatever the app's language: someone who cannot read the
# current one must still find their own.
LANGUAGE_NAMES = (
    ("en", "English"),
    ("pt_BR", "Português (Brasil)"),
    ("es", "Español"),
)
# The dialog is never narrower than this, even where every label and field is short.
MIN_WIDTH = 580
# A field is never squeezed below its whole text (a choice list's longest entry), up to this many
# characters: a path or a model's file name can be longer, and its tooltip has all of it.
FIELD_MAX_CHARS = 40


def _accessible(label: str) -> str:
    """A form label as a screen reader should say it: no mnemonic marker, no colon."""
    return label.replace("&", "").strip().rstrip(":").strip()


def installed_embedding_models(settings: Settings) -> list[str]:
    """The paths of the usable embedding models installed (reads the disk: not on the GUI
    thread)."""
    from engine.models.registry import ModelRegistry

    models = ModelRegistry(settings.models_folder()).list_models()
    return sorted(str(m.path) for m in models if m.embedding and not m.problem)


class SettingsDialog(QDialog):
    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        embedding_models: Sequence[str] | None = None,
    ) -> None:
        """``embedding_models``: the installed embedding models' paths; None to look for them
        in the background."""
        super().__init__(parent)
        self._settings = settings
        self._inbox = GuiQueue(self)
        self._file_dialog: QFileDialog | None = None
        self._form_labels: list[QLabel] = []
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(self._build_models())
        layout.addWidget(self._build_reasoning())
        layout.addWidget(self._build_appearance())
        layout.addStretch(1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.setObjectName("buttons")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        # One label column for all three sections, so their fields line up.
        width = max(label.sizeHint().width() for label in self._form_labels)
        for label in self._form_labels:
            label.setMinimumWidth(width)

        self.setMinimumWidth(MIN_WIDTH)
        self._load(settings)
        if embedding_models is None:
            self._scan_embedding_models(settings)
        else:
            self.set_embedding_models(embedding_models)

    def showEvent(self, event: QShowEvent) -> None:
        self._fit_width()
        # The layout has placed the widgets now, so the notes' real width is known. Reserve the
        # height of their longest text: Qt's minimum size ignores wrapped lines, and it caps a
        # new window at two thirds of the screen, so a long translation on a small screen
        # would otherwise squeeze a note onto its combo box; the reserve also keeps the rows
        # below from jumping when the explanation changes length.
        explanation = self.reasoning_explanation
        shown = explanation.text()
        needed = 0
        for mode in REASONING_CHOICES:
            explanation.setText(self._explanation(mode))
            needed = max(needed, explanation.heightForWidth(explanation.width()))
        explanation.setText(shown)
        explanation.setMinimumHeight(needed)
        self.language_note.setMinimumHeight(
            self.language_note.heightForWidth(self.language_note.width())
        )
        self.setMinimumHeight(self._relayout().height())
        if self.height() < self.minimumHeight():
            self.resize(self.width(), self.minimumHeight())
        super().showEvent(event)

    def _fit_width(self) -> None:
        """Make the dialog wide enough for its longest label and every field's whole text.

        Qt would rather squeeze the fields to a few letters than widen a window past its
        minimum, and a translation can make the label column much wider (the labels of all
        three sections share it): so each field is given the width of its text as a minimum,
        and the dialog the width its layout needs. Called when shown, once the style and the
        fonts are final.
        """
        cap = self.fontMetrics().averageCharWidth() * FIELD_MAX_CHARS
        fields: tuple[QWidget, ...] = (
            self.models_dir_edit,
            self.threads_spin,
            self.context_combo,
            self.gpu_combo,
            self.embedding_combo,
            self.reasoning_combo,
            self.guard_edit,
            self.theme_combo,
            self.language_combo,
        )
        for field in fields:
            field.setMinimumWidth(min(field.sizeHint().width(), cap))
        # "No guard model chosen" reads wrong cut short; a path may be (see the tooltip). Around
        # its text a line edit has its frame, a 2-pixel margin each side and the text margins.
        edit = self.guard_edit
        style = edit.style()
        frame = style.pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, edit)
        text_margins = edit.textMargins()
        chrome = 2 * frame + 4 + text_margins.left() + text_margins.right()
        wanted = edit.fontMetrics().horizontalAdvance(edit.placeholderText()) + chrome
        edit.setMinimumWidth(min(max(edit.minimumWidth(), wanted), cap))
        width = max(MIN_WIDTH, self._relayout().width())
        self.setMinimumWidth(width)
        if self.width() < width:
            self.resize(width, self.height())

    def _relayout(self) -> QSize:
        """Bring every layout up to date now and return the dialog's minimum size. A widget's
        new minimum reaches the layouts above it only when Qt handles the layout request it
        posted, after this event: until then they would measure with their old sizes."""
        for widget in self.findChildren(QWidget):
            widget.updateGeometry()  # drops the sizes its layout kept, and the layout's own
        layout = self.layout()
        if layout is None:
            return self.minimumSize()
        layout.activate()
        return layout.totalMinimumSize()

    # ---------------------------------------------------------------- building

    def _form(self, title: str, name: str) -> tuple[QGroupBox, QFormLayout]:
        box = QGroupBox(title, self)
        box.setObjectName(name)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        return box, form

    def _row(
        self, form: QFormLayout, label_text: str, field: QWidget, buddy: QWidget | None = None
    ) -> QLabel:
        label = QLabel(label_text, form.parentWidget())
        label.setBuddy(buddy or field)
        form.addRow(label, field)
        self._form_labels.append(label)
        return label

    def _control(self, widget: QWidget, name: str, accessible: str, tip: str) -> None:
        widget.setObjectName(name)
        widget.setAccessibleName(_accessible(accessible))
        widget.setToolTip(tip)

    def _note(self, text: str, name: str, parent: QWidget) -> QLabel:
        note = QLabel(text, parent)
        note.setObjectName(name)
        note.setWordWrap(True)
        note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # The palette's placeholder colour is the muted text of both themes, dim yet readable.
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        return note

    def _build_models(self) -> QGroupBox:
        box, form = self._form(self.tr("Models"), "modelsGroup")

        folder_label = self.tr("Models &folder:")
        self.models_dir_edit = QLineEdit(box)
        self._control(
            self.models_dir_edit,
            "modelsDirEdit",
            folder_label,
            self.tr(
                "Where Lanterna keeps downloaded and imported models. "
                "Leave empty to use the default folder."
            ),
        )
        self._default_models_folder = str(Settings(models_dir="").models_folder())
        default_folder = self.tr("Default: {folder}").format(folder=self._default_models_folder)
        self.models_dir_edit.setPlaceholderText(default_folder)
        # A long path is cut short in the box: the tooltip has all of it.
        self.models_dir_edit.setToolTip(f"{self.models_dir_edit.toolTip()}\n{default_folder}")
        self.models_browse = QPushButton(self.tr("Browse…"), box)
        choose_folder = self.tr("Choose the models folder")
        self._control(self.models_browse, "modelsBrowseButton", choose_folder, choose_folder)
        self.models_browse.clicked.connect(self._on_browse_models)
        models_field = self._pair(box, self.models_dir_edit, self.models_browse)
        self._row(form, folder_label, models_field, self.models_dir_edit)

        threads_label = self.tr("CPU &threads:")
        self.threads_spin = QSpinBox(box)
        self.threads_spin.setRange(0, MAX_THREADS)
        self.threads_spin.setSpecialValueText(self.tr("Automatic"))
        self._control(
            self.threads_spin,
            "threadsSpin",
            threads_label,
            self.tr(
                "How many processor threads run the model. "
                "Automatic picks a number that suits this computer."
            ),
        )
        self._row(form, threads_label, self.threads_spin)

        context_label = self.tr("Conte&xt length:")
        self.context_combo = QComboBox(box)
        self._control(
            self.context_combo,
            "contextCombo",
            context_label,
            self.tr(
                "How much text the model can take into account at once: the conversation and "
                "any attached documents. Longer contexts need more memory."
            ),
        )
        for tokens in CONTEXT_CHOICES:
            self.context_combo.addItem(self._context_text(tokens), tokens)
        self._row(form, context_label, self.context_combo)

        gpu_label = self.tr("&GPU:")
        self.gpu_combo = QComboBox(box)
        self._control(
            self.gpu_combo,
            "gpuCombo",
            gpu_label,
            self.tr(
                "Where GGUF models run. Automatic uses a graphics card when this computer has "
                "one and Lanterna has a build for it; the bar at the top shows what runs. "
                "Changing it restarts the engine."
            ),
        )
        gpu_names = {
            "auto": self.tr("Automatic"),
            "cpu": self.tr("Processor (CPU) only"),
            "cuda": self.tr("NVIDIA (CUDA)"),
            "vulkan": self.tr("Other graphics cards (Vulkan)"),
        }
        for value in GPU_BACKENDS:
            self.gpu_combo.addItem(gpu_names[value], value)
        self._row(form, gpu_label, self.gpu_combo)

        embedding_label = self.tr("&Embedding model for document search:")
        self.embedding_combo = QComboBox(box)
        self._control(
            self.embedding_combo,
            "embeddingCombo",
            embedding_label,
            self.tr(
                "When documents are too long to be read whole, an embedding model helps find "
                "the passages that answer by their meaning, not only by their words. Download "
                "one in the Models window."
            ),
        )
        self.embedding_combo.addItem(self.tr("None (search by words only)"), "")
        self._row(form, embedding_label, self.embedding_combo)

        read_ahead_text = self.tr("&Read attached documents while I type")
        self.read_ahead_check = QCheckBox(read_ahead_text, box)
        self._control(
            self.read_ahead_check,
            "readAheadCheck",
            read_ahead_text,
            self.tr(
                "The model starts reading the documents you attach as soon as they are ready, "
                "so the answer starts sooner after you send. It keeps the processor busy "
                "while you write."
            ),
        )
        # Across both columns: a check box's text does not wrap, and the label column is wide.
        form.addRow(self.read_ahead_check)
        return box

    def _build_reasoning(self) -> QGroupBox:
        box, form = self._form(self.tr("Reasoning"), "reasoningGroup")

        display_label = self.tr("Reasoning &display:")
        self.reasoning_combo = QComboBox(box)
        self._control(
            self.reasoning_combo,
            "reasoningCombo",
            display_label,
            self.tr("What you see of the model's thinking before it answers."),
        )
        names = {
            "hidden": self.tr("Hidden"),
            "filtered": self.tr("Filtered"),
            "summary": self.tr("Summary"),
        }
        for mode in REASONING_CHOICES:
            self.reasoning_combo.addItem(names[mode], mode)
        self.reasoning_explanation = self._note("", "reasoningExplanation", box)
        self.reasoning_combo.currentIndexChanged.connect(self._on_reasoning_changed)
        field = QWidget(box)
        column = QVBoxLayout(field)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.reasoning_combo)
        column.addWidget(self.reasoning_explanation)
        self._row(form, display_label, field, self.reasoning_combo)

        self.layer_boxes: dict[str, QCheckBox] = {}
        layer_texts = {
            "lexical": (
                self.tr("&Word lists"),
                self.tr(
                    "Withholds sentences that word lists and a small classifier place in a "
                    "harmful category, such as violence or self-harm."
                ),
            ),
            "pii": (
                self.tr("&Personal data"),
                self.tr(
                    "Replaces e-mail addresses, phone numbers, card numbers and similar "
                    "personal data with a placeholder."
                ),
            ),
            "guard": (
                self.tr("&Guard model"),
                self.tr(
                    "A classifier model checks what the other filters let through. "
                    "Slower, and needs a guard model file."
                ),
            ),
        }
        filters = QWidget(box)
        column = QVBoxLayout(filters)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        for layer in LAYERS:
            text, tip = layer_texts[layer]
            check = QCheckBox(text, filters)
            self._control(check, f"{layer}Check", text, tip)
            column.addWidget(check)
            self.layer_boxes[layer] = check
        filters_label = self._row(form, self.tr("Filters:"), filters, self.layer_boxes["lexical"])
        filters_label.setToolTip(self.tr("Applied to the reasoning before any of it is shown."))

        guard_label = self.tr("Guard model f&ile:")
        self.guard_edit = QLineEdit(box)
        self._control(
            self.guard_edit,
            "guardModelEdit",
            guard_label,
            self.tr("The guard model, a .gguf file. Used only when Guard model is ticked."),
        )
        self.guard_edit.setPlaceholderText(self.tr("No guard model chosen"))
        self.guard_browse = QPushButton(self.tr("Browse…"), box)
        choose_guard = self.tr("Choose the guard model file")
        self._control(self.guard_browse, "guardBrowseButton", choose_guard, choose_guard)
        self.guard_browse.clicked.connect(self._on_browse_guard)
        self.guard_label = self._row(
            form, guard_label, self._pair(box, self.guard_edit, self.guard_browse), self.guard_edit
        )
        self.layer_boxes["guard"].toggled.connect(self._on_guard_toggled)
        return box

    def _build_appearance(self) -> QGroupBox:
        box, form = self._form(self.tr("Appearance"), "appearanceGroup")

        theme_label = self.tr("T&heme:")
        self.theme_combo = QComboBox(box)
        self._control(
            self.theme_combo,
            "themeCombo",
            theme_label,
            self.tr("Light or dark colours. System follows your operating system."),
        )
        themes = {"system": self.tr("System"), "light": self.tr("Light"), "dark": self.tr("Dark")}
        for theme in THEME_CHOICES:
            self.theme_combo.addItem(themes[theme], theme)
        self._row(form, theme_label, self.theme_combo)

        language_label = self.tr("&Language:")
        self.language_combo = QComboBox(box)
        self._control(
            self.language_combo,
            "languageCombo",
            language_label,
            self.tr("The language of Lanterna's windows. System default follows your computer."),
        )
        self.language_combo.addItem(self.tr("System default"), "system")
        for code, name in LANGUAGE_NAMES:
            self.language_combo.addItem(name, code)
        note = self._note(
            self.tr("A new language applies the next time Lanterna starts."), "languageNote", box
        )
        self.language_note = note
        field = QWidget(box)
        column = QVBoxLayout(field)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.language_combo)
        column.addWidget(note)
        self._row(form, language_label, field, self.language_combo)
        return box

    @staticmethod
    def _pair(parent: QWidget, edit: QLineEdit, button: QPushButton) -> QWidget:
        field = QWidget(parent)
        row = QHBoxLayout(field)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(edit, 1)
        row.addWidget(button)
        return field

    def _context_text(self, tokens: int) -> str:
        size = self.locale().toString(tokens or DEFAULT_CONTEXT)
        if tokens == 0:
            return self.tr("Automatic ({size} tokens)").format(size=size)
        return self.tr("{size} tokens").format(size=size)

    def _explanation(self, mode: str) -> str:
        if mode == "filtered":
            text = self.tr(
                "The reasoning, sentence by sentence, once the filters below have removed "
                "harmful or personal content."
            )
        elif mode == "summary":
            text = self.tr("A short summary the model writes after answering, filtered too.")
        else:
            text = self.tr("Only how long the model thought and how many tokens it used.")
        return text + " " + self.tr("Raw reasoning is never shown.")

    # ---------------------------------------------------------------- values

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(max(index, 0))

    def _load(self, s: Settings) -> None:
        self.models_dir_edit.setText(s.models_dir)
        self.threads_spin.setValue(s.threads)
        if self.context_combo.findData(s.context_length) < 0:
            # A length set outside the dialog (the settings file, the CLI) is kept as it is.
            self.context_combo.addItem(self._context_text(s.context_length), s.context_length)
        self._select(self.context_combo, s.context_length)
        self._select(self.gpu_combo, s.gpu_backend)
        self._offer_embedding_model(s.embedding_model or "")
        self._select(self.embedding_combo, s.embedding_model or "")
        self.read_ahead_check.setChecked(s.read_ahead)
        self._select(self.reasoning_combo, s.reasoning_display)
        for layer, check in self.layer_boxes.items():
            check.setChecked(layer in s.moderation_layers)
        self.guard_edit.setText(s.guard_model)
        self._select(self.theme_combo, s.theme)
        self._select(self.language_combo, s.language)
        self._on_reasoning_changed()
        self._on_guard_toggled(self.layer_boxes["guard"].isChecked())

    def result_settings(self) -> Settings:
        """The settings passed in, with the user's choices; the original is left untouched."""
        return dataclasses.replace(
            self._settings,
            models_dir=self.models_dir_edit.text().strip(),
            threads=self.threads_spin.value(),
            context_length=int(self.context_combo.currentData()),
            gpu_backend=str(self.gpu_combo.currentData()),
            embedding_model=str(self.embedding_combo.currentData()) or None,
            read_ahead=self.read_ahead_check.isChecked(),
            reasoning_display=str(self.reasoning_combo.currentData()),
            moderation_layers=[n for n in LAYERS if self.layer_boxes[n].isChecked()],
            guard_model=self.guard_edit.text().strip(),
            theme=str(self.theme_combo.currentData()),
            language=str(self.language_combo.currentData()),
            extra=dict(self._settings.extra),
        )

    def _offer_embedding_model(self, path: str) -> None:
        if path and self.embedding_combo.findData(path) < 0:
            self.embedding_combo.addItem(os.path.basename(path) or path, path)
            index = self.embedding_combo.count() - 1
            self.embedding_combo.setItemData(index, path, Qt.ItemDataRole.ToolTipRole)

    def set_embedding_models(self, paths: Sequence[str]) -> None:
        """Offer these installed embedding models (the current choice stays selected)."""
        for path in paths:
            self._offer_embedding_model(path)

    def _scan_embedding_models(self, settings: Settings) -> None:
        inbox = self._inbox

        def scan() -> None:
            try:
                found = installed_embedding_models(settings)
            except Exception:  # an unreadable models folder: only the current choice is offered
                return
            inbox.post(lambda: self.set_embedding_models(found))

        threading.Thread(target=scan, name="settings-embedding-scan", daemon=True).start()

    # ---------------------------------------------------------------- slots

    @Slot()
    def _on_reasoning_changed(self) -> None:
        self.reasoning_explanation.setText(
            self._explanation(str(self.reasoning_combo.currentData()))
        )

    @Slot(bool)
    def _on_guard_toggled(self, on: bool) -> None:
        for widget in (self.guard_label, self.guard_edit, self.guard_browse):
            widget.setEnabled(on)

    @Slot()
    def _on_browse_models(self) -> None:
        start = self.models_dir_edit.text().strip() or self._default_models_folder
        dialog = QFileDialog(self, self.tr("Choose the models folder"), start)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self.choose_models_dir)
        self._open_file_dialog(dialog)

    @Slot()
    def _on_browse_guard(self) -> None:
        dialog = QFileDialog(self, self.tr("Choose the guard model file"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([self.tr("GGUF models (*.gguf)"), self.tr("All files (*)")])
        if self.guard_edit.text().strip():
            dialog.selectFile(self.guard_edit.text().strip())
        dialog.fileSelected.connect(self.choose_guard_model)
        self._open_file_dialog(dialog)

    def _open_file_dialog(self, dialog: QFileDialog) -> None:
        # open() is window-modal and returns at once; exec() would run a nested event loop.
        dialog.setObjectName("fileDialog")
        dialog.finished.connect(dialog.deleteLater)
        self._file_dialog = dialog
        dialog.open()

    @Slot(str)
    def choose_models_dir(self, path: str) -> None:
        if path:
            self.models_dir_edit.setText(path)

    @Slot(str)
    def choose_guard_model(self, path: str) -> None:
        if path:
            self.guard_edit.setText(path)
            self.layer_boxes["guard"].setChecked(True)
