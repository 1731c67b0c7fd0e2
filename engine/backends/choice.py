"""Which backend runs a model: what is installed, what a load asks for, and making one.

``auto`` follows the model's form: a folder is an MLX model (config.json + safetensors, what
mlx-lm publishes; on macOS with Apple silicon the catalog offers those), a file is a GGUF for
llama.cpp. MLX cannot read a GGUF file and llama.cpp cannot read an MLX folder, so an explicit
choice that does not fit the model is an error, said plainly.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from engine.backends.base import Backend, BackendError
from engine.backends.mlx_folder import not_a_folder

BACKENDS = ("llamacpp", "mlx")
CHOICES = ("auto", *BACKENDS)
# What must be importable for each backend: the native library and its Python side.
_MODULES = {"llamacpp": ("llama_cpp",), "mlx": ("mlx.core", "mlx_lm")}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except Exception:  # a parent package that is missing or broken (it is imported to look)
        return False


def available_backends() -> list[str]:
    """Backends whose packages are installed here.

    Found without importing them (a worker starts in a fraction of a second, and mlx-lm's
    imports alone take one); a native library that is present but broken is reported when a
    model is loaded with it.
    """
    return [name for name in BACKENDS if all(_installed(m) for m in _MODULES[name])]


def choose_backend(path: Path, requested: str) -> str:
    """The backend that runs ``path`` when ``requested`` is "auto", "llamacpp" or "mlx"."""
    if requested not in CHOICES:
        raise BackendError(
            f"unknown backend {requested!r}: choose one of {', '.join(CHOICES)}", "bad_request"
        )
    is_folder = path.is_dir()
    if requested == "auto":
        return "mlx" if is_folder else "llamacpp"
    if requested == "llamacpp" and is_folder:
        raise BackendError(
            f"{path} is a folder; llama.cpp runs GGUF files (an MLX model folder runs on the "
            "MLX backend)",
            "bad_model",
        )
    if requested == "mlx" and path.is_file():
        raise BackendError(not_a_folder(path), "bad_model")
    return requested


def create_backend(name: str) -> Backend:
    """A new, empty backend; raises :class:`BackendError` when its library cannot be used."""
    if name == "llamacpp":
        from engine.backends.llamacpp import LlamaCppBackend

        return LlamaCppBackend()
    if name == "mlx":
        from engine.backends.mlx import MlxBackend

        return MlxBackend()
    raise BackendError(f"unknown backend {name!r}", "bad_request")
