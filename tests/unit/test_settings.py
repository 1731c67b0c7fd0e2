"""Settings survive a round trip, keep keys they do not know, and shrug off a broken file."""

from __future__ import annotations

import json
from pathlib import Path

from engine.settings import Settings, load_settings, save_settings


def test_defaults_hide_reasoning_and_filter_lexically_and_pii(tmp_path: Path) -> None:
    s = load_settings(tmp_path / "missing.json")
    assert s.reasoning_display == "hidden"
    assert s.moderation_layers == ["lexical", "pii"]
    assert s.guard_path() is None


def test_round_trip_keeps_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"window": {"w": 900}, "reasoning_display": "summary"}))
    s = load_settings(path)
    assert s.reasoning_display == "summary"
    s.moderation_layers = ["lexical", "pii", "guard"]
    s.guard_model = "/models/guard.gguf"
    save_settings(s, path)
    again = load_settings(path)
    assert again.extra == {"window": {"w": 900}}
    assert again.guard_path() == "/models/guard.gguf"
    assert json.loads(path.read_text())["window"] == {"w": 900}


def test_invalid_values_and_broken_files_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"reasoning_display": "raw", "moderation_layers": ["magic"]}))
    s = load_settings(path)
    assert s.reasoning_display == "hidden"  # there is no raw display mode
    assert s.moderation_layers == ["lexical", "pii"]
    path.write_text("{not json")
    assert load_settings(path) == Settings()


def test_backend_choice_is_kept_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"backend": "mlx"}))
    assert load_settings(path).backend == "mlx"
    path.write_text(json.dumps({"backend": "cuda-magic"}))
    assert load_settings(path).backend == "auto"


def test_gpu_backend_defaults_to_auto_and_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    # A file written before the setting existed: the default, everything else kept.
    path.write_text(json.dumps({"backend": "llamacpp", "threads": 2}))
    old = load_settings(path)
    assert (old.gpu_backend, old.backend, old.threads) == ("auto", "llamacpp", 2)
    path.write_text(json.dumps({"gpu_backend": "vulkan"}))
    assert load_settings(path).gpu_backend == "vulkan"
    path.write_text(json.dumps({"gpu_backend": "opencl"}))
    assert load_settings(path).gpu_backend == "auto"
    save_settings(Settings(gpu_backend="cuda"), path)
    assert json.loads(path.read_text())["gpu_backend"] == "cuda"


def test_app_settings_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    good = {"theme": "dark", "language": "pt_BR", "threads": 4, "context_length": 16384}
    path.write_text(json.dumps(good))
    s = load_settings(path)
    assert (s.theme, s.language, s.threads, s.context_length) == ("dark", "pt_BR", 4, 16384)
    assert s.n_ctx() == 16384 and s.n_threads() == 4
    bad = {"theme": "neon", "language": "klingon", "threads": -1, "context_length": 100}
    path.write_text(json.dumps({**bad, "models_dir": 7}))
    s = load_settings(path)
    assert (s.theme, s.language, s.threads, s.context_length) == ("system", "system", 0, 0)
    assert s.n_ctx() == 8192 and s.n_threads() is None and s.models_dir == ""
