"""Check that a folder holds an MLX model before anything is loaded.

An MLX model (as mlx-lm converts and publishes them) is a folder: ``config.json`` naming the
architecture in ``model_type``, the weights in ``model*.safetensors`` and the Hugging Face
tokenizer files. This module reads only ``config.json`` and the file names, so the command line
and the app can give a clear error at once, without importing MLX (which may not even be
installable on this platform) or starting a worker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_CONFIG_BYTES = 4 * 1024 * 1024  # real config.json files are a few KiB
# mlx-lm loads exactly these weight files (``model.safetensors``, ``model-00001-of-00003...``).
WEIGHTS_GLOB = "model*.safetensors"


class MlxFolderError(ValueError):
    """The folder is not a usable MLX model; the message is meant for people."""


@dataclass(frozen=True)
class MlxFolder:
    path: Path
    model_type: str
    config: dict[str, Any] = field(repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def context_length(self) -> int:
        value = self.config.get("max_position_embeddings")
        if value is None and isinstance(self.config.get("text_config"), dict):
            value = self.config["text_config"].get("max_position_embeddings")
        return value if isinstance(value, int) and value > 0 else 0


def not_a_folder(path: Path) -> str:
    return (
        f"{path} is a file; the MLX backend runs model folders (config.json and safetensors), "
        "not GGUF files"
    )


def read_mlx_folder(path: Path) -> MlxFolder:
    """The folder's model facts; raises :class:`MlxFolderError` saying what is missing."""
    path = Path(path)
    if not path.exists():
        raise MlxFolderError(f"{path} does not exist")
    if not path.is_dir():
        raise MlxFolderError(not_a_folder(path))
    config_path = path / "config.json"
    if not config_path.is_file():
        raise MlxFolderError(f"{path} is not an MLX model folder: it has no config.json")
    try:
        if config_path.stat().st_size > MAX_CONFIG_BYTES:
            raise MlxFolderError(f"{config_path} is too large to be a model configuration")
        config = json.loads(config_path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MlxFolderError(f"cannot read {config_path}: {exc}") from None
    if not isinstance(config, dict):
        raise MlxFolderError(f"{config_path} is not a JSON object")
    model_type = config.get("model_type")
    if not isinstance(model_type, str) or not model_type:
        raise MlxFolderError(f"{config_path} does not name the architecture (no model_type)")
    if not any(path.glob(WEIGHTS_GLOB)):
        raise MlxFolderError(
            f"{path} is not an MLX model folder: it has no weights ({WEIGHTS_GLOB})"
        )
    return MlxFolder(path, model_type, config)
