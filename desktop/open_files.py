"""Model files handed to the app by the desktop: "Open with Lanterna", a double-clicked .gguf.

Linux file managers pass them as arguments (``Exec=lanterna %F``) and Windows likewise; macOS
sends a file-open event to the running app instead.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFileOpenEvent


def is_model_path(text: str) -> bool:
    """A .gguf file, or a model folder (MLX: a config.json inside), that exists."""
    if text.startswith("-"):
        return False
    path = Path(text)
    if path.suffix.lower() == ".gguf":
        return path.is_file()
    return path.is_dir() and (path / "config.json").is_file()


def split_model_paths(args: list[str]) -> tuple[list[Path], list[str]]:
    """(model paths, the other arguments), in order. The others are for Qt (``-platform X``);
    a value of such an option is never taken for a model unless it names an existing one."""
    models = [Path(a).resolve() for a in args if is_model_path(a)]
    rest = [a for a in args if not is_model_path(a)]
    return models, rest


class FileOpenFilter(QObject):
    """Passes macOS file-open events for models to ``open_model``."""

    def __init__(self, open_model: Callable[[str], None], parent: QObject | None = None):
        super().__init__(parent)
        self._open_model = open_model

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            path = event.file()
            if path and is_model_path(path):
                self._open_model(path)
                return True
        return super().eventFilter(watched, event)
