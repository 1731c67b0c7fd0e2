"""The model selector at the top of the window: which model, and what the engine is doing.

States: starting, loading (with progress), ready, generating, stopped (the worker died), error.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QProgressBar, QWidget

OPEN_FILE = "__open__"
STATES = ("starting", "loading", "ready", "generating", "stopped", "error")
# A ``fraction`` for work under way whose progress is not known yet: a busy bar, not a 0%.
UNKNOWN_PROGRESS = -1.0


def model_label(path: str, demo: str | None) -> str:
    p = Path(path)
    if demo is not None and p == Path(demo):
        return QCoreApplication.translate("ModelBar", "Gemma 3 270M (demo)")
    return p.stem if p.suffix == ".gguf" else p.name


class ModelBar(QWidget):
    """Signals:
    model_chosen(str): the user picked a model (a path).
    open_file_requested(): the user wants to pick a model file.
    """

    model_chosen = Signal(str)
    open_file_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox(self)
        self.combo.setObjectName("modelSelector")
        self.combo.setAccessibleName(self.tr("Model"))
        self.combo.setToolTip(self.tr("The model answering in this window"))
        self.combo.setMinimumContentsLength(24)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.activated.connect(self._on_activated)
        self.state = QLabel("", self)
        self.state.setObjectName("engineState")
        self.state.setAccessibleName(self.tr("Engine state"))
        self.progress = QProgressBar(self)
        self.progress.setObjectName("loadProgress")
        self.progress.setAccessibleName(self.tr("Loading progress"))
        self.progress.setRange(0, 100)
        self.progress.setFixedWidth(120)
        self.progress.setTextVisible(False)
        self.progress.hide()
        row.addWidget(self.combo)
        row.addWidget(self.progress)
        row.addWidget(self.state, 1)
        self.state_name = "starting"
        self._current: str | None = None
        self._demo: str | None = None

    def set_models(self, paths: list[str], current: str | None, demo: str | None) -> None:
        """Fill the selector; ``current`` is kept even when it is not in the models folder."""
        self._demo = demo
        self._current = current
        self.combo.blockSignals(True)
        self.combo.clear()
        seen: set[str] = set()
        for path in ([current] if current else []) + paths:
            if path in seen:
                continue
            seen.add(path)
            self.combo.addItem(model_label(path, demo), path)
            self.combo.setItemData(self.combo.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
        self.combo.insertSeparator(self.combo.count())
        self.combo.addItem(self.tr("Open a model file…"), OPEN_FILE)
        index = self.combo.findData(current) if current else -1
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.blockSignals(False)

    @property
    def busy(self) -> bool:
        """Whether the bar shows work under way whose progress is not known yet."""
        return self.progress.isVisibleTo(self) and self.progress.maximum() == 0

    def current_path(self) -> str | None:
        return self._current

    def _on_activated(self, index: int) -> None:
        data = self.combo.itemData(index)
        if data == OPEN_FILE:
            # Back to the model in use until a file is chosen.
            back = self.combo.findData(self._current) if self._current else 0
            self.combo.setCurrentIndex(max(back, 0))
            self.open_file_requested.emit()
        elif isinstance(data, str) and data != self._current:
            self._current = data
            self.model_chosen.emit(data)

    def set_state(
        self, state: str, text: str, fraction: float | None = None, detail: str = ""
    ) -> None:
        """``detail`` goes under ``text`` in the tooltip (why the model runs where it runs).

        A ``fraction`` of 0 while the bar is already busy for the same state is no news (a
        loader's first report, before it has read anything): the busy bar and its text stay
        until some progress is known, rather than a bar and a text stuck at 0%.
        """
        assert state in STATES, state
        if fraction == 0 and state == self.state_name and self.busy:
            return
        self.state_name = state
        self.state.setText(text)
        self.state.setToolTip(f"{text}\n{detail}" if detail else text)
        if fraction is None:
            self.progress.hide()
        else:
            self.progress.show()
            if fraction < 0:
                self.progress.setRange(0, 0)  # Qt draws a busy bar
            else:
                self.progress.setRange(0, 100)
                self.progress.setValue(int(fraction * 100))
        # Switching models mid-answer would cut the answer: wait for it to end.
        self.combo.setEnabled(state != "generating")
