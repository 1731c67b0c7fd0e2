"""``lanterna-engine chat --backend``: an MLX model folder from the command line, and the
one-line errors for folders that are no MLX model, architectures mlx-lm lacks and a missing
MLX."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.no_mlx import env_without_mlx

EXE = shutil.which("lanterna-engine", path=str(Path(sys.executable).parent)) or "lanterna-engine"


def run_cli(*args: str, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [EXE, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env or dict(os.environ),
        stdin=subprocess.DEVNULL,
    )


def one_line_error(res: Any) -> str:
    assert res.returncode == 1, res.stdout
    err: str = res.stderr.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("lanterna-engine: error:")
    return err


@pytest.mark.parametrize("backend", ["mlx", "auto"])
def test_chat_on_an_mlx_folder_streams_and_ends_with_done(
    lanterna_home: Path, tiny_mlx_gptoss: Path, backend: str
) -> None:
    res = run_cli(
        "chat", "--backend", backend, "--model", str(tiny_mlx_gptoss), "--json",
        "--max-tokens", "24", "--seed", "1", "Hi",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    done = lines[-1]
    assert done["type"] == "done"
    assert 1 <= done["completion_tokens"] <= 24 and done["prompt_tokens"] > 50
    assert done["effort"] == "medium"  # harmony: the model takes a reasoning effort
    assert done["peak_memory_bytes"] > 0
    assert {obj["type"] for obj in lines[:-1]} <= {"text", "reasoning", "tool_call"}


def _folder(tmp_path: Path, name: str, config: str | None, weights: bool) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    if config is not None:
        (folder / "config.json").write_text(config)
    if weights:
        (folder / "model.safetensors").write_bytes(b"\0" * 16)
    return folder


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("no_config", "is not an MLX model folder: it has no config.json"),
        ("no_model_type", "does not name the architecture"),
        ("no_weights", "it has no weights (model*.safetensors)"),
        ("gguf_on_mlx", "the MLX backend runs model folders"),
        ("folder_on_llamacpp", "llama.cpp runs GGUF files"),
        ("mlx_without_model", "the MLX backend runs model folders: name one with --model"),
    ],
)
def test_bad_mlx_models_are_one_line_errors(
    lanterna_home: Path, tmp_path: Path, tiny_gptoss: Path, case: str, words: str
) -> None:
    args = ["chat", "--max-tokens", "4"]
    if case == "no_config":
        args += ["--model", str(_folder(tmp_path, "m", None, True))]
    elif case == "no_model_type":
        args += ["--model", str(_folder(tmp_path, "m", '{"vocab_size": 3}', True))]
    elif case == "no_weights":
        args += ["--model", str(_folder(tmp_path, "m", '{"model_type": "llama"}', False))]
    elif case == "gguf_on_mlx":
        args += ["--backend", "mlx", "--model", str(tiny_gptoss)]
    elif case == "folder_on_llamacpp":
        folder = _folder(tmp_path, "m", '{"model_type": "llama"}', True)
        args += ["--backend", "llamacpp", "--model", str(folder)]
    else:
        args += ["--backend", "mlx"]
    assert words in one_line_error(run_cli(*args, "hi"))


def test_unknown_architecture_is_a_one_line_error(
    lanterna_home: Path, tmp_path: Path, tiny_mlx_gptoss: Path
) -> None:
    folder = tmp_path / "unknown"
    shutil.copytree(tiny_mlx_gptoss, folder)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "model_type": "frobnicator"}))
    err = one_line_error(run_cli("chat", "--model", str(folder), "hi"))
    assert "architecture 'frobnicator' is not supported by mlx-lm" in err


def test_missing_mlx_is_a_one_line_error(
    lanterna_home: Path, tmp_path: Path, tiny_mlx_gptoss: Path
) -> None:
    res = run_cli(
        "chat", "--json", "--model", str(tiny_mlx_gptoss), "hi", env=env_without_mlx(tmp_path)
    )
    err = one_line_error(res)
    assert "the MLX backend is not available" in err and "No module named 'mlx'" in err
    assert json.loads(res.stdout.splitlines()[-1])["type"] == "error"
