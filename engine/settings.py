"""User settings: one JSON file in the config folder, read and written whole.

Only what the engine and the CLI need lives here; the app adds its own keys (they are kept on
save, since the file is merged, not replaced). Secrets never go in this file (see DESIGN: the OS
keyring). A missing or unreadable file means defaults — a broken settings file must not stop the
app from starting — and writes are atomic so a crash cannot leave half a file.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from engine.atomic import write_text_atomic
from engine.backends.choice import CHOICES as BACKEND_CHOICES
from engine.gpu import PREFERENCES as GPU_BACKENDS
from engine.moderation.pipeline import LAYERS
from engine.moderation.stream import DISPLAY_MODES
from engine.paths import app_paths

SETTINGS_FILE = "settings.json"
THEMES = ("system", "light", "dark")
LANGUAGES = ("system", "en", "pt_BR", "es")
DEFAULT_CONTEXT = 8192
MAX_THREADS = 256
MAX_CONTEXT = 1 << 20
MIN_CONTEXT = 512


@dataclass
class Settings:
    # What the user sees of a model's reasoning: "hidden" (default), "filtered" or "summary".
    reasoning_display: str = "hidden"
    # Moderation layers switched on. The guard layer also needs guard_model.
    moderation_layers: list[str] = field(default_factory=lambda: ["lexical", "pii"])
    # A GGUF classifier for the guard layer (path); empty: none chosen.
    guard_model: str = ""
    # What runs models: "auto" (an MLX folder on MLX, a GGUF file on llama.cpp), "llamacpp", "mlx".
    backend: str = "auto"
    # Which llama.cpp build runs GGUF models: "auto" (the best GPU found whose build is
    # installed, else the CPU), "cpu", "cuda" or "vulkan" (see engine.gpu).
    gpu_backend: str = "auto"
    # Where models live; empty: the default under the data folder (engine.paths).
    models_dir: str = ""
    # CPU threads for inference; 0: picked for this machine.
    threads: int = 0
    # Context length asked of a model, in tokens; 0: 8192, or the model's own when smaller.
    context_length: int = 0
    # The app's look: "system", "light" or "dark".
    theme: str = "system"
    # The app's language: "system" (the OS locale), "en", "pt_BR" or "es".
    language: str = "system"
    # The model chosen last (a GGUF file or an MLX folder); empty: the bundled demo model.
    model: str = ""
    # A GGUF embedding model for document search (path); None: passages are ranked by BM25
    # alone. Loaded by the worker beside the chat model.
    embedding_model: str | None = None
    # Read the documents attached to the message being written before it is sent, so its
    # answer starts sooner (the app's read-ahead; it uses the CPU or GPU while the user types).
    read_ahead: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def guard_path(self) -> str | None:
        """The guard model to load, when the guard layer is on and one is chosen."""
        if "guard" in self.moderation_layers and self.guard_model:
            return self.guard_model
        return None

    def embedding_path(self) -> str | None:
        """The embedding model to load for document search, if one is chosen."""
        return self.embedding_model or None

    def models_folder(self) -> Path:
        return Path(self.models_dir).expanduser() if self.models_dir else app_paths().models

    def n_ctx(self) -> int:
        return self.context_length or DEFAULT_CONTEXT

    def n_threads(self) -> int | None:
        return self.threads or None


def settings_path() -> Path:
    return app_paths().config / SETTINGS_FILE


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _valid(name: str, value: Any) -> bool:
    if name == "reasoning_display":
        return value in DISPLAY_MODES
    if name == "moderation_layers":
        return isinstance(value, list) and all(v in LAYERS for v in value)
    if name == "guard_model":
        return isinstance(value, str)
    if name == "backend":
        return value in BACKEND_CHOICES
    if name == "gpu_backend":
        return value in GPU_BACKENDS
    if name in ("models_dir", "model"):
        return isinstance(value, str)
    if name == "embedding_model":
        return value is None or isinstance(value, str)
    if name == "read_ahead":
        return isinstance(value, bool)
    if name == "threads":
        return _is_int(value) and 0 <= value <= MAX_THREADS
    if name == "context_length":
        return _is_int(value) and (value == 0 or MIN_CONTEXT <= value <= MAX_CONTEXT)
    if name == "theme":
        return value in THEMES
    if name == "language":
        return value in LANGUAGES
    return False


def load_settings(path: Path | None = None) -> Settings:
    """Settings from disk; unknown keys are kept, invalid values fall back to defaults."""
    path = path or settings_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(raw, dict):
        return Settings()
    settings = Settings()
    known = {f.name for f in fields(Settings)} - {"extra"}
    for key, value in raw.items():
        if key in known:
            if _valid(key, value):
                setattr(settings, key, value)
        else:
            settings.extra[key] = value
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> None:
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    body = asdict(settings)
    extra = body.pop("extra")
    data = json.dumps({**extra, **body}, ensure_ascii=False, indent=2) + "\n"
    write_text_atomic(path, data)
