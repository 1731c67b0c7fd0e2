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
    path.write_text(json.dumps({"theme": "dark", "reasoning_display": "summary"}))
    s = load_settings(path)
    assert s.reasoning_display == "summary"
    s.moderation_layers = ["lexical", "pii", "guard"]
    s.guard_model = "/models/guard.gguf"
    save_settings(s, path)
    again = load_settings(path)
    assert again.extra == {"theme": "dark"}
    assert again.guard_path() == "/models/guard.gguf"
    assert json.loads(path.read_text())["theme"] == "dark"


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
