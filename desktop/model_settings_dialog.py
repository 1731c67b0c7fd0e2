"""One installed model's own settings, opened from the Models window."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QSpinBox, QWidget

from engine.models.registry import InstalledModel


class ModelSettingsDialog(QDialog):
    """One model's own context length, threads and GPU layers (0: the app's setting)."""

    def __init__(self, model: InstalledModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings of %1").replace("%1", model.name))
        form = QFormLayout(self)
        current = model.settings
        self.context = QSpinBox(self)
        self.context.setRange(0, 1 << 20)
        self.context.setSingleStep(1024)
        self.context.setSpecialValueText(self.tr("App setting"))
        self.context.setValue(current.context_length)
        self.threads = QSpinBox(self)
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText(self.tr("App setting"))
        self.threads.setValue(current.threads)
        self.gpu = QSpinBox(self)
        self.gpu.setRange(-1, 999)
        self.gpu.setSpecialValueText(self.tr("All"))
        self.gpu.setValue(current.gpu_layers or 0)
        self.gpu.setToolTip(self.tr("Layers on the GPU where the backend has one; 0: none"))
        for label, box in (
            (self.tr("Context length (tokens)"), self.context),
            (self.tr("CPU threads"), self.threads),
            (self.tr("GPU layers"), self.gpu),
        ):
            box.setAccessibleName(label)
            form.addRow(label, box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[int, int, int]:
        context = self.context.value()
        # Below 512 tokens nothing useful fits; the registry refuses it too.
        return (
            context if context == 0 or context >= 512 else 512,
            self.threads.value(),
            self.gpu.value(),
        )
