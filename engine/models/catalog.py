"""The model catalog: what Lanterna offers to download, and the model it ships.

The entries live in ``resources/models/catalog.toml`` as data, so that correcting a size or a
checksum is an edit to one file (whose header says how each fact was checked), not to code.
Loading validates every entry: a malformed catalog is a packaging bug and fails loudly at the
first read rather than as a confusing download error later.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from engine.resources import resource

CATALOG_PARTS = ("models", "catalog.toml")
BACKENDS = ("llamacpp", "mlx")
# What a model is for: "chat" models answer, "embedding" models turn passages into vectors for
# document search (chosen in the settings, never offered as the chat model).
KINDS = ("chat", "embedding")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")


class CatalogError(ValueError):
    """The catalog file is missing or malformed."""


@dataclass(frozen=True)
class CatalogFile:
    name: str
    size_bytes: int
    # Empty when the hub's checksum could not be confirmed: the file is then checked by size.
    sha256: str = ""


@dataclass(frozen=True)
class CatalogArch:
    """Architecture numbers the memory estimate needs before the model is on disk."""

    n_layer: int
    n_head: int
    n_head_kv: int
    key_length: int
    value_length: int
    n_embd: int
    n_vocab: int
    sliding_window: int = 0
    n_swa_layers: int = 0


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    title: str
    backend: str
    repository: str
    size_bytes: int
    license: str
    context_length: int
    architecture: str
    quantization: str
    files: tuple[CatalogFile, ...] = ()
    platforms: tuple[str, ...] = ()
    recommended: bool = False
    bundled: bool = False
    supports_effort: bool = False
    thinking_switch: bool = False
    size_approximate: bool = False
    verified: bool = False
    unverified: tuple[str, ...] = ()
    note: str = ""
    arch: CatalogArch | None = field(default=None, compare=False)
    kind: str = "chat"

    @property
    def embedding(self) -> bool:
        return self.kind == "embedding"

    @property
    def primary_file(self) -> CatalogFile | None:
        """The file a GGUF entry runs (the first shard of a split model); None for folders."""
        return self.files[0] if self.files else None

    def runs_on(self, system: str, machine: str) -> bool:
        return not self.platforms or platform_key(system, machine) in self.platforms


def platform_key(system: str, machine: str) -> str:
    """``darwin-arm64`` style: ``platform.system()`` and ``platform.machine()``, normalised.

    Windows and some Linux builds report ``AMD64`` / ``aarch64`` for what macOS calls
    ``x86_64`` / ``arm64``; the catalog uses one spelling for each.
    """
    machine = machine.lower()
    machine = {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    return f"{system.lower()}-{machine}"


def _need(table: dict[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in table:
        raise CatalogError(f"{where}: '{key}' is missing")
    value = table[key]
    # bool is a subclass of int: a number field must not accept true/false, nor the reverse.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise CatalogError(f"{where}: '{key}' must be a {kind.__name__}")
    return value


def _opt(table: dict[str, Any], key: str, kind: type, default: Any, where: str) -> Any:
    return _need(table, key, kind, where) if key in table else default


def _strings(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    items = _opt(table, key, list, [], where)
    if not all(isinstance(s, str) for s in items):
        raise CatalogError(f"{where}: '{key}' must be a list of strings")
    return tuple(items)


def _parse_file(table: Any, where: str) -> CatalogFile:
    if not isinstance(table, dict):
        raise CatalogError(f"{where}: each file is a table")
    sha = _opt(table, "sha256", str, "", where).lower()
    if sha and not _SHA256.fullmatch(sha):
        raise CatalogError(f"{where}: sha256 must be 64 hex digits or empty")
    size = _need(table, "size_bytes", int, where)
    if size <= 0:
        raise CatalogError(f"{where}: size_bytes must be positive")
    return CatalogFile(name=_need(table, "name", str, where), size_bytes=size, sha256=sha)


def _parse_arch(table: Any, where: str) -> CatalogArch:
    if not isinstance(table, dict):
        raise CatalogError(f"{where}: 'arch' is a table")
    numbers = {
        key: _need(table, key, int, where)
        for key in ("n_layer", "n_head", "n_head_kv", "key_length", "value_length", "n_embd")
    }
    numbers["n_vocab"] = _need(table, "n_vocab", int, where)
    numbers["sliding_window"] = _opt(table, "sliding_window", int, 0, where)
    numbers["n_swa_layers"] = _opt(table, "n_swa_layers", int, 0, where)
    if any(v < 0 for v in numbers.values()) or numbers["n_layer"] == 0:
        raise CatalogError(f"{where}: architecture numbers must be positive")
    if numbers["n_swa_layers"] > numbers["n_layer"]:
        raise CatalogError(f"{where}: more sliding-window layers than layers")
    if numbers["n_swa_layers"] and not numbers["sliding_window"]:
        raise CatalogError(f"{where}: sliding-window layers without a sliding window")
    return CatalogArch(**numbers)


def _parse_entry(table: Any, index: int) -> CatalogEntry:
    if not isinstance(table, dict):
        raise CatalogError(f"model {index}: each model is a table")
    name = _need(table, "name", str, f"model {index}")
    where = f"model {name!r}"
    backend = _need(table, "backend", str, where)
    if backend not in BACKENDS:
        raise CatalogError(f"{where}: backend must be one of {', '.join(BACKENDS)}")
    repository = _need(table, "repository", str, where)
    if not _REPO.fullmatch(repository):
        raise CatalogError(f"{where}: repository must look like owner/name")
    files = tuple(
        _parse_file(f, f"{where}, file {i}")
        for i, f in enumerate(_opt(table, "files", list, [], where))
    )
    if backend == "llamacpp" and not files:
        raise CatalogError(f"{where}: a llama.cpp model names its GGUF file(s)")
    size = _need(table, "size_bytes", int, where)
    if files and size != sum(f.size_bytes for f in files):
        raise CatalogError(f"{where}: size_bytes is not the sum of its files' sizes")
    unverified = _strings(table, "unverified", where)
    verified = _need(table, "verified", bool, where)
    if verified == bool(unverified):
        raise CatalogError(f"{where}: 'verified' is false exactly when 'unverified' names facts")
    arch = table.get("arch")
    kind = _opt(table, "kind", str, "chat", where)
    if kind not in KINDS:
        raise CatalogError(f"{where}: kind must be one of {', '.join(KINDS)}")
    return CatalogEntry(
        name=name,
        title=_need(table, "title", str, where),
        backend=backend,
        repository=repository,
        size_bytes=size,
        license=_need(table, "license", str, where),
        context_length=_need(table, "context_length", int, where),
        architecture=_need(table, "architecture", str, where),
        quantization=_need(table, "quantization", str, where),
        files=files,
        platforms=_strings(table, "platforms", where),
        recommended=_opt(table, "recommended", bool, False, where),
        bundled=_opt(table, "bundled", bool, False, where),
        supports_effort=_opt(table, "supports_effort", bool, False, where),
        thinking_switch=_opt(table, "thinking_switch", bool, False, where),
        size_approximate=_opt(table, "size_approximate", bool, False, where),
        verified=verified,
        unverified=unverified,
        note=_opt(table, "note", str, "", where).strip(),
        arch=None if arch is None else _parse_arch(arch, f"{where}, arch"),
        kind=kind,
    )


def parse_catalog(text: str) -> list[CatalogEntry]:
    """Entries from catalog TOML text; raises :class:`CatalogError` on any malformed entry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"the model catalog is not valid TOML: {exc}") from None
    models = data.get("model", [])
    if not isinstance(models, list):
        raise CatalogError("the model catalog's 'model' entries must be an array of tables")
    entries = [_parse_entry(table, i) for i, table in enumerate(models)]
    names = [e.name for e in entries]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CatalogError(f"the model catalog names {', '.join(duplicates)} more than once")
    return entries


@functools.cache
def _load_cached() -> tuple[CatalogEntry, ...]:
    path = resource(*CATALOG_PARTS)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read the model catalog {path}: {exc.strerror or exc}") from None
    return tuple(parse_catalog(text))


def load_catalog() -> list[CatalogEntry]:
    """Every catalog entry, in file order (recommended models first by convention)."""
    # The file is read-only data in the installed app, so one read per process is enough.
    return list(_load_cached())


def find_entry(name_or_repo: str) -> CatalogEntry | None:
    """The entry with this catalog name, or failing that this repository (case-insensitive).

    A repository can hold several entries' files in principle; the first one in the file wins,
    which is why the recommended build of a model is listed before its alternatives.
    """
    wanted = name_or_repo.strip().lower()
    entries = load_catalog()
    for entry in entries:
        if entry.name.lower() == wanted:
            return entry
    for entry in entries:
        if entry.repository.lower() == wanted:
            return entry
    return None


def entries_for_platform(system: str, machine: str) -> list[CatalogEntry]:
    """The entries that run on this system and machine (``platform.system()``/``.machine()``)."""
    return [e for e in load_catalog() if e.runs_on(system, machine)]


def recommended_entry(system: str, machine: str) -> CatalogEntry | None:
    """The model to suggest on this machine: the MLX build where MLX is the default backend
    (Apple silicon), the GGUF elsewhere."""
    recommended = [
        e for e in entries_for_platform(system, machine) if e.recommended and not e.embedding
    ]
    if platform_key(system, machine) == "darwin-arm64":
        mlx = [e for e in recommended if e.backend == "mlx"]
        if mlx:
            return mlx[0]
    gguf = [e for e in recommended if e.backend == "llamacpp"]
    return gguf[0] if gguf else (recommended[0] if recommended else None)
