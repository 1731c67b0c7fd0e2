"""Installing and choosing an embedding model: the catalog entry, the registry telling it from
chat models, and the setting."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine.models.catalog import CatalogError, find_entry, parse_catalog, recommended_entry
from engine.models.registry import ModelRegistry
from engine.settings import Settings, load_settings, save_settings
from tests.unit.test_catalog import _toml


def test_the_catalog_offers_a_multilingual_embedding_model() -> None:
    entry = find_entry("multilingual-e5-small")
    assert entry is not None and entry.embedding and entry.kind == "embedding"
    assert entry.backend == "llamacpp" and entry.architecture == "bert"
    assert entry.primary_file is not None and entry.primary_file.name.endswith(".gguf")
    # Facts not confirmed are said to be so.
    assert not entry.verified and "sha256" in entry.unverified and entry.size_approximate
    # Never suggested as the model to chat with.
    for system, machine in (("Linux", "x86_64"), ("Darwin", "arm64"), ("Windows", "AMD64")):
        chosen = recommended_entry(system, machine)
        assert chosen is not None and not chosen.embedding


def test_a_catalog_kind_is_checked() -> None:
    def with_kind(kind: str) -> str:
        # The kind goes with the model's keys, before its [[model.files]] table.
        return _toml().replace('title = "T"', f'title = "T"\nkind = "{kind}"')

    assert parse_catalog(with_kind("embedding"))[0].embedding
    assert parse_catalog(_toml())[0].kind == "chat"
    with pytest.raises(CatalogError, match="kind"):
        parse_catalog(with_kind("reranker"))


def test_the_registry_tells_embedding_models_from_chat_models(
    tiny_bert: Path, demo_model: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(tiny_bert, folder / "e5.gguf")
    shutil.copy(demo_model, folder / "chat.gguf")
    models = {m.name: m for m in ModelRegistry(folder, tmp_path / "data").list_models()}
    assert models["e5"].embedding and not models["e5"].problem
    assert not models["chat"].embedding
    assert models["e5"].to_json()["embedding"] is True


def test_the_embedding_model_setting(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    assert load_settings(path).embedding_path() is None
    save_settings(Settings(embedding_model="/models/e5.gguf"), path)
    assert load_settings(path).embedding_path() == "/models/e5.gguf"
    for value in ("", None):
        path.write_text(json.dumps({"embedding_model": value}))
        assert load_settings(path).embedding_path() is None
    path.write_text(json.dumps({"embedding_model": 3}))
    assert load_settings(path).embedding_model is None
