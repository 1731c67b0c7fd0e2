"""Which backend runs a model, MLX model folders checked without MLX, harmony marker ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.backends.base import BackendError
from engine.backends.choice import CHOICES, choose_backend
from engine.backends.mlx_folder import MlxFolderError, read_mlx_folder
from engine.harmony import tokens as ht


def _mlx_folder(root: Path, config: str = '{"model_type": "llama"}') -> Path:
    root.mkdir()
    (root / "config.json").write_text(config)
    (root / "model-00001-of-00002.safetensors").write_bytes(b"")
    return root


def test_auto_follows_the_model_form(tmp_path: Path) -> None:
    folder = _mlx_folder(tmp_path / "m")
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    assert choose_backend(folder, "auto") == "mlx"
    assert choose_backend(gguf, "auto") == "llamacpp"
    assert choose_backend(tmp_path / "missing.gguf", "auto") == "llamacpp"
    assert choose_backend(folder, "mlx") == "mlx"
    assert choose_backend(gguf, "llamacpp") == "llamacpp"
    assert CHOICES == ("auto", "llamacpp", "mlx")


@pytest.mark.parametrize(
    ("form", "backend", "kind", "words"),
    [
        ("folder", "llamacpp", "bad_model", "llama.cpp runs GGUF files"),
        ("file", "mlx", "bad_model", "the MLX backend runs model folders"),
        ("file", "cuda", "bad_request", "unknown backend 'cuda'"),
    ],
)
def test_a_backend_that_cannot_run_the_model_is_refused(
    tmp_path: Path, form: str, backend: str, kind: str, words: str
) -> None:
    path = _mlx_folder(tmp_path / "m") if form == "folder" else tmp_path / "m.gguf"
    if form == "file":
        path.write_bytes(b"GGUF")
    with pytest.raises(BackendError) as err:
        choose_backend(path, backend)
    assert err.value.kind == kind and words in str(err.value)


def test_an_mlx_folder_is_read_without_mlx(tmp_path: Path) -> None:
    folder = read_mlx_folder(
        _mlx_folder(tmp_path / "gpt", '{"model_type": "gpt_oss", "max_position_embeddings": 7}')
    )
    assert folder.model_type == "gpt_oss" and folder.name == "gpt" and folder.context_length == 7


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        ("missing", "does not exist"),
        ("file", "is a file"),
        ("no_config", "has no config.json"),
        ("bad_json", "cannot read"),
        ("not_object", "is not a JSON object"),
        ("no_model_type", "no model_type"),
        ("no_weights", "has no weights"),
    ],
)
def test_folders_that_are_no_mlx_model_say_why(tmp_path: Path, setup: str, words: str) -> None:
    path = tmp_path / "m"
    if setup == "file":
        path.write_text("{}")
    elif setup != "missing":
        path.mkdir()
        config = {
            "no_config": None,
            "bad_json": "{",
            "not_object": "[]",
            "no_model_type": '{"vocab_size": 5}',
            "no_weights": '{"model_type": "llama"}',
        }[setup]
        if config is not None:
            (path / "config.json").write_text(config)
        if setup != "no_weights":
            (path / "model.safetensors").write_bytes(b"")
    with pytest.raises(MlxFolderError) as err:
        read_mlx_folder(path)
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_harmony_markers_must_sit_at_their_o200k_ids() -> None:
    right = {text: [token] for token, text in ht.TEXT_OF.items()}
    assert ht.misplaced_markers(lambda text: right[text]) == ""
    moved = {**right, "<|start|>": [7]}
    problem = ht.misplaced_markers(lambda text: moved[text])
    assert "<|start|> is [7] instead of [200006]" in problem
