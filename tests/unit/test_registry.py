"""The model registry: the models folder's files and MLX folders, imported files, removal,
duplicates, partial downloads skipped, per-model settings kept in models.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine.models import registry as reg
from engine.models.registry import (
    DuplicateModel,
    ImportRejected,
    ModelRegistry,
    ModelSettings,
    RegistryError,
)
from tests.unit.test_importer import build_tiny_llama


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_llama(tmp_path_factory.mktemp("src") / "tiny-llama.gguf")


def variant(src: Path, dst: Path, name: str) -> Path:
    """A different valid file: the same model under another general.name of the same length."""
    data = src.read_bytes()
    old = b"tiny llama"
    assert len(name) == len(old) and data.count(old) == 1
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(data.replace(old, name.encode()))
    return dst


def mlx_folder(path: Path, model_type: str = "llama") -> Path:
    path.mkdir(parents=True)
    config = {"model_type": model_type, "max_position_embeddings": 4096}
    config["quantization"] = {"bits": 4, "group_size": 64}
    (path / "config.json").write_text(json.dumps(config))
    (path / "model.safetensors").write_bytes(b"\0" * 1000)
    (path / "tokenizer.json").write_text("{}")
    return path


@pytest.fixture
def registry(tmp_path: Path) -> ModelRegistry:
    return ModelRegistry(tmp_path / "models", tmp_path / "data")


def names(r: ModelRegistry) -> list[str]:
    return [m.name for m in r.list_models()]


def test_empty_or_missing_folder_lists_nothing(registry: ModelRegistry) -> None:
    assert registry.list_models() == []
    registry.models_folder.mkdir()
    assert registry.list_models() == []
    assert not registry.file.exists()  # listing writes nothing


def test_folder_models_are_found_and_partials_skipped(registry: ModelRegistry, tiny: Path) -> None:
    folder = registry.models_folder
    folder.mkdir(exist_ok=True)
    shutil.copy(tiny, folder / "alpha.gguf")
    variant(tiny, folder / "family" / "beta.gguf", "tiny betaa")
    mlx_folder(folder / "gamma-mlx")
    # Not models: partial downloads, dotfiles, a config without weights.
    variant(tiny, folder / ".partial" / "delta.gguf", "tiny delta")
    (folder / ".partial" / "epsilon.gguf.part").write_bytes(b"GGUF")
    variant(tiny, folder / ".hidden.gguf", "tiny hiddn")
    (folder / "zeta.gguf.part").write_bytes(tiny.read_bytes()[:1000])
    (folder / "eta.gguf.incomplete").write_bytes(b"GGUF")
    (folder / "no-weights").mkdir()
    (folder / "no-weights" / "config.json").write_text('{"model_type": "llama"}')
    (folder / "notes.txt").write_text("hello")

    models = {m.name: m for m in registry.list_models()}
    assert sorted(models) == ["alpha", "beta", "gamma-mlx"]
    alpha = models["alpha"]
    assert (alpha.architecture, alpha.quantisation, alpha.context_length) == ("llama", "F32", 256)
    assert alpha.size == tiny.stat().st_size
    assert (alpha.backend, alpha.imported, alpha.problem) == ("llamacpp", False, "")
    assert models["beta"].path == folder / "family" / "beta.gguf"
    gamma = models["gamma-mlx"]
    assert (gamma.backend, gamma.architecture, gamma.quantisation) == ("mlx", "llama", "4-bit")
    assert gamma.context_length == 4096
    assert gamma.size == sum(f.stat().st_size for f in gamma.path.iterdir())


def test_a_broken_file_in_the_folder_is_listed_with_its_problem(
    registry: ModelRegistry, tiny: Path
) -> None:
    registry.models_folder.mkdir()
    (registry.models_folder / "broken.gguf").write_bytes(tiny.read_bytes()[:5000])
    [model] = registry.list_models()
    assert model.name == "broken"
    assert model.problem.startswith("truncated:")


def test_names_are_stems_and_duplicates_use_their_relative_path(
    registry: ModelRegistry, tiny: Path
) -> None:
    folder = registry.models_folder
    variant(tiny, folder / "a" / "model.gguf", "tiny aaaaa")
    variant(tiny, folder / "b" / "model.gguf", "tiny bbbbb")
    variant(tiny, folder / "solo.gguf", "tiny solos")
    first = names(registry)
    assert first == ["a/model.gguf", "b/model.gguf", "solo"]
    variant(tiny, folder / "0-new.gguf", "tiny newer")  # sorts first: must not shift names
    assert names(registry) == ["0-new", "a/model.gguf", "b/model.gguf", "solo"]


def test_split_models_count_once(registry: ModelRegistry, tiny: Path) -> None:
    folder = registry.models_folder
    folder.mkdir()
    shutil.copy(tiny, folder / "big-00001-of-00002.gguf")
    (folder / "big-00002-of-00002.gguf").write_bytes(b"\0" * 5000)
    [model] = registry.list_models()
    assert model.name == "big"
    assert model.size == tiny.stat().st_size + 5000
    assert len(model.parts) == 2 and model.problem == ""
    (folder / "big-00002-of-00002.gguf").unlink()
    [model] = registry.list_models()
    assert model.problem == "part big-00002-of-00002.gguf is missing"


def test_import_in_place_registers_without_copying(
    registry: ModelRegistry, tiny: Path, tmp_path: Path
) -> None:
    src = variant(tiny, tmp_path / "elsewhere" / "mine.gguf", "tiny mine!")
    model = registry.import_model(src)
    assert (model.name, model.path, model.imported) == ("mine", src.resolve(), True)
    assert model.architecture == "llama" and model.problem == ""
    assert not registry.models_folder.exists() or not any(registry.models_folder.iterdir())
    data = json.loads(registry.file.read_text())
    assert [e["path"] for e in data["imported"]] == [str(src.resolve())]
    # A new registry (another process) sees it.
    assert names(ModelRegistry(registry.models_folder, registry.data_folder)) == ["mine"]


def test_duplicates_are_refused(registry: ModelRegistry, tiny: Path, tmp_path: Path) -> None:
    src = variant(tiny, tmp_path / "one" / "dup.gguf", "tiny dupli")
    registry.import_model(src)
    with pytest.raises(DuplicateModel, match="installed already, as 'dup'"):
        registry.import_model(src)
    with pytest.raises(DuplicateModel, match="installed already, as 'dup'"):
        registry.import_model(src, copy=True)
    same_bytes = tmp_path / "two" / "renamed.gguf"
    same_bytes.parent.mkdir()
    shutil.copy(src, same_bytes)
    with pytest.raises(DuplicateModel, match="the same file is installed already, as 'dup'"):
        registry.import_model(same_bytes)
    registry.models_folder.mkdir(exist_ok=True)
    inside = shutil.copy(tiny, registry.models_folder / "local.gguf")
    with pytest.raises(DuplicateModel, match="in the models folder already"):
        registry.import_model(inside)
    assert names(registry) == ["local", "dup"]


def test_an_imported_name_never_collides(
    registry: ModelRegistry, tiny: Path, tmp_path: Path
) -> None:
    registry.models_folder.mkdir()
    shutil.copy(tiny, registry.models_folder / "x.gguf")
    a = registry.import_model(variant(tiny, tmp_path / "a" / "x.gguf", "tiny xxxxa"))
    b = registry.import_model(variant(tiny, tmp_path / "b" / "x.gguf", "tiny xxxxb"))
    assert (a.name, b.name) == ("x-2", "x-3")
    assert names(registry) == ["x", "x-2", "x-3"]


def test_import_with_copy_puts_the_file_in_the_models_folder(
    registry: ModelRegistry, tiny: Path, tmp_path: Path
) -> None:
    src = variant(tiny, tmp_path / "dl" / "copied.gguf", "tiny copyy")
    model = registry.import_model(src, copy=True)
    assert model.path == registry.models_folder / "copied.gguf"
    assert (model.name, model.imported) == ("copied", False)
    assert model.path.read_bytes() == src.read_bytes() and src.exists()
    assert list((registry.models_folder / ".partial").iterdir()) == []
    assert not registry.file.exists() or json.loads(registry.file.read_text())["imported"] == []
    with pytest.raises(DuplicateModel):
        registry.import_model(src, copy=True)


def test_mlx_folders_import_in_place_and_by_copy(registry: ModelRegistry, tmp_path: Path) -> None:
    here = registry.import_model(mlx_folder(tmp_path / "mlx-here", "qwen2"))
    assert (here.backend, here.architecture, here.imported) == ("mlx", "qwen2", True)
    copied = registry.import_model(mlx_folder(tmp_path / "mlx-copy", "gemma3"), copy=True)
    assert copied.path == registry.models_folder / "mlx-copy"
    assert (copied.path / "config.json").is_file() and not copied.imported
    assert names(registry) == ["mlx-copy", "mlx-here"]


def test_a_failed_file_is_never_registered(
    registry: ModelRegistry, tiny: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(tiny.read_bytes()[:-64])
    for copy in (False, True):
        with pytest.raises(ImportRejected, match=r"^truncated: tensor data ends at byte"):
            registry.import_model(bad, copy=copy)
    with pytest.raises(ImportRejected, match="no such file"):
        registry.import_model(tmp_path / "nothing.gguf")
    assert registry.list_models() == []
    assert not registry.file.exists()
    assert not registry.models_folder.exists() or not any(registry.models_folder.rglob("*.gguf"))


def test_remove_deletes_folder_models_and_only_unregisters_imported_ones(
    registry: ModelRegistry, tiny: Path, tmp_path: Path
) -> None:
    registry.models_folder.mkdir()
    local = Path(shutil.copy(tiny, registry.models_folder / "local.gguf"))
    stamp = local.with_name(local.name + ".verified")
    stamp.write_text("{}")
    kept = registry.import_model(variant(tiny, tmp_path / "k" / "kept.gguf", "tiny kept!"))
    gone = registry.import_model(variant(tiny, tmp_path / "g" / "gone.gguf", "tiny gone!"))

    registry.remove_model("local")
    assert not local.exists() and not stamp.exists()
    registry.remove_model("kept")
    assert kept.path.exists()
    registry.remove_model("gone", delete_file=True)
    assert not gone.path.exists()
    assert registry.list_models() == []
    with pytest.raises(RegistryError, match="no installed model is called 'local'"):
        registry.remove_model("local")


def test_a_vanished_imported_file_is_shown_and_can_be_removed(
    registry: ModelRegistry, tiny: Path, tmp_path: Path
) -> None:
    src = variant(tiny, tmp_path / "v" / "vanish.gguf", "tiny vanis")
    registry.import_model(src)
    src.unlink()
    [model] = registry.list_models()
    assert model.problem == "the file is missing"
    registry.remove_model("vanish", delete_file=True)
    assert registry.list_models() == []


def test_per_model_settings_are_validated_and_persisted(
    registry: ModelRegistry, tiny: Path, tmp_path: Path
) -> None:
    registry.models_folder.mkdir()
    shutil.copy(tiny, registry.models_folder / "local.gguf")
    registry.import_model(variant(tiny, tmp_path / "i" / "imp.gguf", "tiny impor"))
    assert registry.set_model_settings("local", context_length=4096, gpu_layers=-1) == (
        ModelSettings(context_length=4096, threads=0, gpu_layers=-1)
    )
    registry.set_model_settings("imp", threads=6)
    registry.set_model_settings("imp", context_length=2048)

    again = {
        m.name: m.settings
        for m in ModelRegistry(registry.models_folder, registry.data_folder).list_models()
    }
    assert again["local"] == ModelSettings(4096, 0, -1)
    assert again["imp"] == ModelSettings(2048, 6, None)

    with pytest.raises(RegistryError, match="unknown model setting 'temperature'"):
        registry.set_model_settings("local", temperature=0.5)
    with pytest.raises(RegistryError, match="invalid value for context_length"):
        registry.set_model_settings("local", context_length=100)
    with pytest.raises(RegistryError, match="invalid value for threads"):
        registry.set_model_settings("local", threads=True)
    with pytest.raises(RegistryError, match="no installed model"):
        registry.set_model_settings("ghost", threads=2)

    registry.remove_model("local")
    assert json.loads(registry.file.read_text())["settings"] == {}


def test_a_broken_models_json_is_kept_aside_not_trusted(
    registry: ModelRegistry, tiny: Path, tmp_path: Path
) -> None:
    registry.data_folder.mkdir(parents=True)
    registry.file.write_text("{ this is not json")
    assert registry.list_models() == []
    registry.import_model(variant(tiny, tmp_path / "n" / "new.gguf", "tiny new!!"))
    assert (registry.data_folder / "models.json.broken").read_text() == "{ this is not json"
    assert [e["name"] for e in json.loads(registry.file.read_text())["imported"]] == ["new"]
    # Hand-edited entries with bad values are ignored, not fatal.
    data = json.loads(registry.file.read_text())
    data["imported"].append({"path": 7})
    data["imported"][0]["settings"] = {"threads": "many", "context_length": 4096}
    registry.file.write_text(json.dumps(data))
    [model] = registry.list_models()
    assert model.settings == ModelSettings(context_length=4096)


def test_module_functions_use_the_settings_folders(
    tmp_path: Path, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANTERNA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LANTERNA_MODELS_DIR", raising=False)
    src = variant(tiny, tmp_path / "x" / "funcs.gguf", "tiny funcs")
    model = reg.import_model(src, copy=True)
    assert model.path == tmp_path / "home" / "data" / "models" / "funcs.gguf"
    assert [m.name for m in reg.list_models()] == ["funcs"]
    assert reg.set_model_settings("funcs", threads=3).threads == 3
    reg.remove_model("funcs")
    assert reg.list_models() == []


def test_a_copy_whose_name_is_taken_gets_a_free_one(
    registry: ModelRegistry, tiny: Path, tmp_path: Path
) -> None:
    registry.models_folder.mkdir()
    shutil.copy(tiny, registry.models_folder / "same.gguf")
    model = registry.import_model(
        variant(tiny, tmp_path / "o" / "same.gguf", "tiny other"), copy=True
    )
    assert model.path == registry.models_folder / "same-2.gguf"
    assert names(registry) == ["same", "same-2"]
    assert (registry.models_folder / "same.gguf").read_bytes() == tiny.read_bytes()


def test_settings_are_found_by_path_for_folder_and_imported_models(
    registry: ModelRegistry, tiny: Path, tmp_path: Path
) -> None:
    inside = registry.models_folder / "sub" / "inside.gguf"
    inside.parent.mkdir(parents=True)
    shutil.copy(tiny, inside)
    outside = tmp_path / "elsewhere" / "outside.gguf"
    outside.parent.mkdir()
    shutil.copy(tiny, outside)
    outside.write_bytes(outside.read_bytes() + b"\0" * 64)  # not a duplicate of the other
    imported = registry.import_model(outside)
    registry.set_model_settings("inside", context_length=2048, threads=3)
    registry.set_model_settings(imported.name, gpu_layers=-1)
    assert registry.settings_for_path(inside).context_length == 2048
    assert registry.settings_for_path(inside).threads == 3
    assert registry.settings_for_path(outside).gpu_layers == -1
    assert registry.settings_for_path(tmp_path / "unknown.gguf") == reg.ModelSettings()
