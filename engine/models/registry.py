"""The installed models: what is in the models folder, plus files imported from elsewhere.

A model is installed when it is

* a ``.gguf`` file anywhere under the models folder (a model split into ``-00001-of-0000N``
  parts counts once, by its first part), or an MLX model folder there (``config.json`` next to
  ``*.safetensors`` files); or
* a GGUF file or MLX folder imported where it is: registered in ``models.json`` in the data
  folder, and left in place.

Partial downloads are never models: anything inside a folder whose name starts with a dot (the
downloader's ``.partial/``), dotfiles, and ``*.part``/``*.partial``/``*.incomplete`` files are
skipped.

Names are stable: the file's stem (or the folder's name). When two models in the folder share a
stem, each is named by its path relative to the models folder instead; an imported model gets
its name once, at import time (the stem, or ``stem-2``… when that is taken), and keeps it.

``models.json`` also holds each model's own settings (context length, threads, GPU layers);
models in the folder are keyed by their relative path, so the settings survive a rename of the
folder itself. Every change is a read-modify-write under a lock file, written atomically, so
the app and the command line can both change the registry without losing each other's work.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from engine.atomic import write_text_atomic
from engine.models.importer import ImportCheck, check_model, folder_size
from engine.paths import app_paths
from engine.settings import MAX_CONTEXT, MAX_THREADS, MIN_CONTEXT, load_settings

MODELS_FILE = "models.json"
PARTIAL_DIR = ".partial"
SCHEMA_VERSION = 1
SKIPPED_SUFFIXES = (".part", ".partial", ".incomplete", ".tmp")
MAX_GPU_LAYERS = 10_000
LOCK_TIMEOUT = 10.0
_FINGERPRINT_BYTES = 1 << 20
_SPLIT = re.compile(r"^(?P<base>.+)-(?P<part>\d{5})-of-(?P<total>\d{5})$")


class RegistryError(Exception):
    """A registry operation failed; the message is meant for people."""


class ImportRejected(RegistryError):
    """The model failed validation; ``check`` says why."""

    def __init__(self, check: ImportCheck) -> None:
        super().__init__(check.message)
        self.check = check


class DuplicateModel(RegistryError):
    """The model is installed already."""


@dataclass
class ModelSettings:
    """Per-model overrides; 0 (None for GPU layers) means "use the app's setting"."""

    context_length: int = 0
    threads: int = 0
    gpu_layers: int | None = None  # -1: every layer

    @staticmethod
    def from_json(raw: Any) -> ModelSettings:
        settings = ModelSettings()
        if isinstance(raw, dict):
            for key, value in raw.items():
                if key in _SETTING_KEYS and _valid_setting(key, value):
                    setattr(settings, key, value)
        return settings

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (0, None)}


_SETTING_KEYS = ("context_length", "threads", "gpu_layers")


def _valid_setting(key: str, value: Any) -> bool:
    if key == "gpu_layers" and value is None:
        return True
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    if key == "context_length":
        return value == 0 or MIN_CONTEXT <= value <= MAX_CONTEXT
    if key == "threads":
        return 0 <= value <= MAX_THREADS
    return -1 <= value <= MAX_GPU_LAYERS


@dataclass(frozen=True)
class InstalledModel:
    name: str
    path: Path  # the GGUF file (the first part of a split model) or the MLX folder
    size: int  # bytes on disk, every part or file of the folder included
    architecture: str
    quantisation: str
    context_length: int
    backend: str  # "llamacpp" or "mlx"
    imported: bool  # registered where it is, outside the models folder's scan
    settings: ModelSettings = field(default_factory=ModelSettings)
    problem: str = ""  # why it cannot be used (missing, damaged); "" when fine
    n_params: int | None = None
    parts: tuple[Path, ...] = ()  # every file of a split GGUF, in order
    embedding: bool = False  # for document search, not for chatting (engine.models.kinds)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": str(self.path),
            "size": self.size,
            "architecture": self.architecture,
            "quantisation": self.quantisation,
            "context_length": self.context_length,
            "backend": self.backend,
            "imported": self.imported,
            "settings": asdict(self.settings),
            "problem": self.problem,
            "n_params": self.n_params,
            "embedding": self.embedding,
        }


@dataclass
class _Found:
    path: Path
    backend: str
    parts: tuple[Path, ...]
    imported: bool
    name: str = ""
    settings_key: str = ""
    settings: ModelSettings = field(default_factory=ModelSettings)


# Header facts of GGUF files, keyed by path, size and modification time: listing the models
# then reads each header once per change, not once per call.
_facts_lock = threading.Lock()
_facts: dict[tuple[str, int, int], ImportCheck] = {}
_FACTS_MAX = 512


def _checked(path: Path) -> ImportCheck:
    try:
        st = path.stat()
    except OSError:
        return check_model(path)
    if path.is_dir():
        return check_model(path)
    key = (str(path), st.st_size, st.st_mtime_ns)
    with _facts_lock:
        hit = _facts.get(key)
    if hit is not None:
        return hit
    result = check_model(path)
    with _facts_lock:
        if len(_facts) >= _FACTS_MAX:
            _facts.clear()
        _facts[key] = result
    return result


def _skipped(name: str) -> bool:
    return name.startswith(".") or name.lower().endswith(SKIPPED_SUFFIXES)


def _split_parts(path: Path) -> tuple[Path, ...] | None:
    """All parts of a split GGUF whose first part is ``path``; None when it is not split."""
    m = _SPLIT.match(path.stem)
    if not m:
        return None
    total = int(m["total"])
    base = m["base"]
    return tuple(
        path.with_name(f"{base}-{i:05d}-of-{total:05d}{path.suffix}") for i in range(1, total + 1)
    )


def _is_mlx_folder(files: list[str]) -> bool:
    return "config.json" in files and any(f.endswith(".safetensors") for f in files)


def _size(paths: tuple[Path, ...]) -> int:
    total = 0
    for p in paths:
        with contextlib.suppress(OSError):
            total += p.stat().st_size
    return total


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _fingerprint(path: Path) -> str:
    """A cheap identity for "the same file": size plus hashes of its first and last MiB."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        h.update(str(size).encode())
        h.update(fh.read(_FINGERPRINT_BYTES))
        fh.seek(max(0, size - _FINGERPRINT_BYTES))
        h.update(fh.read(_FINGERPRINT_BYTES))
    return h.hexdigest()


class ModelRegistry:
    """The models of one models folder and one ``models.json``.

    Both default to the current settings (``Settings.models_folder()``) and the data folder
    (``engine.paths``), read when the registry is made.
    """

    def __init__(self, models_folder: Path | None = None, data_folder: Path | None = None) -> None:
        self.models_folder = Path(models_folder or load_settings().models_folder()).expanduser()
        self.data_folder = Path(data_folder or app_paths().data).expanduser()
        self.file = self.data_folder / MODELS_FILE

    # ------------------------------------------------------------------ models.json

    def _read(self) -> dict[str, Any]:
        try:
            raw = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raw = {}
        except (OSError, ValueError):
            # Keep what cannot be read for a person to look at; start from an empty registry.
            with contextlib.suppress(OSError):
                os.replace(self.file, self.file.with_name(f"{MODELS_FILE}.broken"))
            raw = {}
        if not isinstance(raw, dict):
            raw = {}
        imported = raw.get("imported")
        settings = raw.get("settings")
        return {
            "version": SCHEMA_VERSION,
            "imported": [
                e
                for e in (imported if isinstance(imported, list) else [])
                if isinstance(e, dict)
                and isinstance(e.get("path"), str)
                and isinstance(e.get("name"), str)
                and e["name"]
            ],
            "settings": {
                k: v
                for k, v in (settings if isinstance(settings, dict) else {}).items()
                if isinstance(k, str) and isinstance(v, dict)
            },
        }

    def _write(self, data: dict[str, Any]) -> None:
        write_text_atomic(self.file, json.dumps(data, ensure_ascii=False, indent=2) + "\n")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        """The registry data, written back when the block ends without an error."""
        self.data_folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.file) + ".lock", timeout=LOCK_TIMEOUT)
        try:
            with lock:
                data = self._read()
                yield data
                self._write(data)
        except Timeout:
            raise RegistryError(
                f"{self.file} is locked by another Lanterna process; try again"
            ) from None

    # ------------------------------------------------------------------ listing

    def _scan_folder(self) -> list[_Found]:
        root = self.models_folder
        found: list[_Found] = []
        if not root.is_dir():
            return found
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            if _is_mlx_folder(filenames):
                dirnames[:] = []  # its subfolders belong to it
                found.append(_Found(here, "mlx", (), imported=False))
                continue
            for name in sorted(filenames):
                if _skipped(name) or not name.lower().endswith(".gguf"):
                    continue
                path = here / name
                parts = _split_parts(path)
                if parts is None:
                    found.append(_Found(path, "llamacpp", (path,), imported=False))
                elif parts[0] == path:
                    found.append(_Found(path, "llamacpp", parts, imported=False))
        return found

    def _collect(self, data: dict[str, Any]) -> list[_Found]:
        imported: list[_Found] = []
        for entry in data["imported"]:
            path = Path(entry["path"])
            backend = "mlx" if entry.get("backend") == "mlx" or path.is_dir() else "llamacpp"
            parts = () if backend == "mlx" else (_split_parts(path) or (path,))
            imported.append(
                _Found(
                    path,
                    backend,
                    parts,
                    imported=True,
                    name=entry["name"],
                    settings_key=entry["path"],
                    settings=ModelSettings.from_json(entry.get("settings")),
                )
            )
        taken_paths = {str(f.path.resolve()) for f in imported}
        local = [f for f in self._scan_folder() if str(f.path.resolve()) not in taken_paths]
        self._name_local(local, {f.name for f in imported})
        for f in local:
            f.settings = ModelSettings.from_json(data["settings"].get(f.settings_key))
        return local + imported

    def _name_local(self, local: list[_Found], reserved: set[str]) -> None:
        def stem(f: _Found) -> str:
            if f.backend == "mlx":
                return f.path.name
            m = _SPLIT.match(f.path.stem)
            return m["base"] if m else f.path.stem

        counts: dict[str, int] = {}
        for f in local:
            counts[stem(f)] = counts.get(stem(f), 0) + 1
        used = set(reserved)
        for f in local:
            rel = f.path.relative_to(self.models_folder).as_posix()
            f.settings_key = rel
            name = stem(f)
            if counts[name] > 1 or name in reserved:
                name = rel
            base, n = name, 2
            while name in used:
                name, n = f"{base} ({n})", n + 1
            used.add(name)
            f.name = name

    def _describe(self, f: _Found) -> InstalledModel:
        exists = f.path.exists()
        size = folder_size(f.path) if f.backend == "mlx" else _size(f.parts)
        base = InstalledModel(
            name=f.name,
            path=f.path,
            size=size,
            architecture="",
            quantisation="",
            context_length=0,
            backend=f.backend,
            imported=f.imported,
            settings=f.settings,
            parts=f.parts,
        )
        if not exists:
            return replace(
                base, problem="the file is missing" if f.parts else "the folder is missing"
            )
        check = _checked(f.path)
        missing = [p.name for p in f.parts if not p.exists()]
        problem = "" if check.ok else check.message
        if missing and not problem:
            problem = f"part {missing[0]} is missing"
        return replace(
            base,
            architecture=check.architecture,
            quantisation=check.quantisation,
            context_length=check.context_length,
            problem=problem,
            n_params=check.n_params,
            embedding=check.embedding,
        )

    def list_models(self) -> list[InstalledModel]:
        """Every installed model, those in the models folder first, each group by name."""
        found = self._collect(self._read())
        models = [self._describe(f) for f in found]
        return sorted(models, key=lambda m: (m.imported, m.name.casefold()))

    def get(self, name: str) -> InstalledModel:
        for m in self.list_models():
            if m.name == name:
                return m
        raise RegistryError(f"no installed model is called '{name}'")

    def settings_for_path(self, path: str | Path) -> ModelSettings:
        """The model's own settings, found by its path without checking every installed model
        (this runs before each load)."""
        data = self._read()
        wanted = Path(path).expanduser().resolve()
        for entry in data["imported"]:
            if Path(entry["path"]).expanduser().resolve() == wanted:
                return ModelSettings.from_json(entry.get("settings"))
        if _inside(wanted, self.models_folder):
            key = wanted.relative_to(self.models_folder.resolve()).as_posix()
            return ModelSettings.from_json(data["settings"].get(key))
        return ModelSettings()

    # ------------------------------------------------------------------ changes

    def _refuse_duplicate(self, path: Path, check: ImportCheck) -> None:
        resolved = path.resolve()
        for m in self.list_models():
            other = m.path
            same = other.exists() and path.exists() and os.path.samefile(other, path)
            if same or other.resolve() == resolved:
                raise DuplicateModel(f"{path} is installed already, as '{m.name}'")
            if (
                m.backend == check.backend == "llamacpp"
                and m.size == _size(_split_parts(path) or (path,))
                and other.is_file()
                and _fingerprint(other) == _fingerprint(path)
            ):
                raise DuplicateModel(f"the same file is installed already, as '{m.name}'")

    def import_model(self, path: str | Path, copy: bool = False) -> InstalledModel:
        """Validate and register ``path``; with ``copy``, copy it into the models folder.

        Raises :class:`ImportRejected` (invalid: nothing is registered or copied),
        :class:`DuplicateModel`, or :class:`RegistryError`.
        """
        p = Path(path).expanduser().absolute()
        if _inside(p, self.models_folder) and p.exists():
            raise DuplicateModel(f"{p} is in the models folder already")
        check = check_model(p)
        if not check.ok:
            raise ImportRejected(check)
        parts = () if check.backend == "mlx" else (_split_parts(p) or (p,))
        missing = [q.name for q in parts if not q.exists()]
        if missing:
            raise ImportRejected(replace(check, ok=False, message=f"{missing[0]} is missing"))
        self._refuse_duplicate(p, check)
        if copy:
            target = self._copy_in(p, parts)
            for m in self.list_models():
                if m.path == target:
                    return m
            raise RegistryError(f"{target} was copied but is not listed")  # pragma: no cover
        with self._locked() as data:
            # Checked again under the lock: another process may have imported it meanwhile.
            resolved = p.resolve()
            if any(Path(e["path"]).resolve() == resolved for e in data["imported"]):
                raise DuplicateModel(f"{p} is installed already")
            names = {f.name for f in self._collect(data)}
            base = p.name if check.backend == "mlx" else (_split_base(p) or p.stem)
            name, n = base, 2
            while name in names:
                name, n = f"{base}-{n}", n + 1
            data["imported"].append(
                {
                    "name": name,
                    "path": str(resolved),
                    "backend": check.backend,
                    "added": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                }
            )
        return self.get(name)

    def _copy_in(self, source: Path, parts: tuple[Path, ...]) -> Path:
        """Copy a model into the models folder through the staging folder, which listing
        skips, so that a copy cut short never shows up as a model."""
        folder = self.models_folder
        staging = folder / PARTIAL_DIR
        staging.mkdir(parents=True, exist_ok=True)
        if not parts:  # an MLX folder
            target = _free_name(folder, source.name, "")
            tmp = Path(tempfile.mkdtemp(prefix=f"{source.name}.", dir=staging))
            try:
                shutil.copytree(source, tmp, dirs_exist_ok=True)
                os.replace(tmp, target)
            except OSError as exc:
                shutil.rmtree(tmp, ignore_errors=True)
                raise RegistryError(f"cannot copy {source.name}: {exc.strerror or exc}") from None
            return target
        if len(parts) == 1:
            targets = [_free_name(folder, parts[0].stem, ".gguf")]
        else:  # the parts' names tie them together: they cannot be renamed one by one
            targets = [folder / (q.stem + ".gguf") for q in parts]
            for t in targets:
                if t.exists():
                    raise RegistryError(f"the models folder has a '{t.name}' already")
        done: list[Path] = []
        try:
            for q, t in zip(parts, targets, strict=True):
                fd, tmp_name = tempfile.mkstemp(prefix=f"{t.name}.", suffix=".part", dir=staging)
                os.close(fd)
                tmp = Path(tmp_name)
                try:
                    shutil.copyfile(q, tmp)
                    if tmp.stat().st_size != q.stat().st_size:
                        raise RegistryError(f"copying {q.name} was incomplete")
                    os.replace(tmp, t)
                finally:
                    tmp.unlink(missing_ok=True)
                done.append(t)
        except (OSError, RegistryError) as exc:
            for t in done:
                t.unlink(missing_ok=True)
            if isinstance(exc, RegistryError):
                raise
            raise RegistryError(f"cannot copy {source.name}: {exc.strerror or exc}") from None
        return targets[0]

    def remove_model(self, name: str, delete_file: bool = False) -> InstalledModel:
        """Remove ``name``. A model in the models folder is deleted from disk; an imported one
        is unregistered, and its file deleted only with ``delete_file``."""
        model = self.get(name)
        with self._locked() as data:
            if model.imported:
                data["imported"] = [e for e in data["imported"] if e["name"] != name]
            else:
                key = model.path.relative_to(self.models_folder).as_posix()
                data["settings"].pop(key, None)
            if not model.imported or delete_file:
                self._delete(model)
        return model

    def _delete(self, model: InstalledModel) -> None:
        try:
            if model.backend == "mlx":
                if model.path.resolve() == self.models_folder.resolve():
                    raise RegistryError("refusing to delete the models folder itself")
                if model.path.exists():
                    shutil.rmtree(model.path)
                return
            for part in model.parts or (model.path,):
                part.unlink(missing_ok=True)
            # The demo model's verification stamp goes with it.
            model.path.with_name(model.path.name + ".verified").unlink(missing_ok=True)
        except OSError as exc:
            raise RegistryError(f"cannot delete {model.path}: {exc.strerror or exc}") from None

    def set_model_settings(self, name: str, **values: Any) -> ModelSettings:
        """Change some of ``name``'s own settings (context_length, threads, gpu_layers)."""
        for key, value in values.items():
            if key not in _SETTING_KEYS:
                raise RegistryError(
                    f"unknown model setting '{key}' (known: {', '.join(_SETTING_KEYS)})"
                )
            if not _valid_setting(key, value):
                raise RegistryError(f"invalid value for {key}: {value!r}")
        model = self.get(name)
        settings = replace(model.settings, **values)
        with self._locked() as data:
            if model.imported:
                for entry in data["imported"]:
                    if entry["name"] == name:
                        entry["settings"] = settings.to_json()
            else:
                key = model.path.relative_to(self.models_folder).as_posix()
                if settings.to_json():
                    data["settings"][key] = settings.to_json()
                else:
                    data["settings"].pop(key, None)
        return settings


def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem+suffix``, or ``stem-2``… when another model already has that name."""
    target, n = folder / f"{stem}{suffix}", 2
    while target.exists():
        target, n = folder / f"{stem}-{n}{suffix}", n + 1
    return target


def _split_base(path: Path) -> str | None:
    m = _SPLIT.match(path.stem)
    return m["base"] if m else None


def settings_for_path(path: str | Path) -> ModelSettings:
    return ModelRegistry().settings_for_path(path)


def list_models() -> list[InstalledModel]:
    return ModelRegistry().list_models()


def import_model(path: str | Path, copy: bool = False) -> InstalledModel:
    return ModelRegistry().import_model(path, copy=copy)


def remove_model(name: str, delete_file: bool = False) -> InstalledModel:
    return ModelRegistry().remove_model(name, delete_file=delete_file)


def set_model_settings(name: str, **values: Any) -> ModelSettings:
    return ModelRegistry().set_model_settings(name, **values)
