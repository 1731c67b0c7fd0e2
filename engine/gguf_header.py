"""Read a GGUF file's header and metadata without loading the model.

Used to give clear errors before a worker is asked to load anything ("not a GGUF file",
"truncated", "architecture X is not supported") and to read the chat template and special
token texts for ``lanterna-engine prompt``. Only the metadata section is read; tensor data is
never touched, so this is fast on a 12 GB file. Every length is bounded so that a hostile file
cannot make us allocate unbounded memory.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

GGUF_MAGIC = b"GGUF"
MAX_STRING = 64 * 1024 * 1024  # chat templates are a few KiB; 64 MiB is far beyond any real one
MAX_ARRAY = 16 * 1024 * 1024
MAX_KV = 1_000_000
MAX_NESTING = 8  # real files nest arrays one level deep at most

# GGUF value types.
_SCALARS: dict[int, tuple[str, int]] = {
    0: ("<B", 1),
    1: ("<b", 1),
    2: ("<H", 2),
    3: ("<h", 2),
    4: ("<I", 4),
    5: ("<i", 4),
    6: ("<f", 4),
    7: ("<?", 1),
    10: ("<Q", 8),
    11: ("<q", 8),
    12: ("<d", 8),
}
_STRING = 8
_ARRAY = 9

# Arrays we keep (the rest are skipped to save memory: merges, scores, token types).
_KEEP_ARRAYS = {"tokenizer.ggml.tokens"}


class GGUFError(ValueError):
    """The file is not a usable GGUF; the message is meant for people."""


@dataclass
class GGUFHeader:
    path: Path
    version: int
    tensor_count: int
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", ""))

    @property
    def name(self) -> str:
        name = self.metadata.get("general.name")
        return str(name) if name else self.path.stem

    @property
    def chat_template(self) -> str | None:
        tpl = self.metadata.get("tokenizer.chat_template")
        return tpl if isinstance(tpl, str) and tpl.strip() else None

    def token_text(self, key: str) -> str:
        """Text of the special token whose id is stored under ``key`` (e.g. bos), or ""."""
        tokens = self.metadata.get("tokenizer.ggml.tokens")
        idx = self.metadata.get(key)
        if isinstance(tokens, list) and isinstance(idx, int) and 0 <= idx < len(tokens):
            return str(tokens[idx])
        return ""

    @property
    def context_length(self) -> int:
        value = self.metadata.get(f"{self.architecture}.context_length")
        return int(value) if isinstance(value, int) else 0


class _Reader:
    def __init__(self, fh: BinaryIO, size: int) -> None:
        self.fh = fh
        self.size = size

    def take(self, n: int) -> bytes:
        data = self.fh.read(n)
        if len(data) != n:
            raise GGUFError("the file is truncated (its header ends early)")
        return data

    def scalar(self, fmt: str, n: int) -> Any:
        return struct.unpack(fmt, self.take(n))[0]

    def u64(self) -> int:
        return int(self.scalar("<Q", 8))

    def string(self) -> str:
        n = self.u64()
        if n > MAX_STRING or n > self.size:
            raise GGUFError(f"a metadata string claims {n} bytes: the file is corrupt")
        return self.take(n).decode("utf-8", errors="replace")

    def skip(self, n: int) -> None:
        if n > self.size:
            raise GGUFError("the file is truncated (its header ends early)")
        self.fh.seek(n, 1)

    def value(self, vtype: int, keep: bool, depth: int = 0) -> Any:
        if depth > MAX_NESTING:
            raise GGUFError("metadata arrays are nested too deeply: the file is corrupt")
        if vtype in _SCALARS:
            return self.scalar(*_SCALARS[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            etype = int(self.scalar("<I", 4))
            count = self.u64()
            if count > MAX_ARRAY:
                raise GGUFError(f"a metadata array claims {count} items: the file is corrupt")
            if not keep and etype in _SCALARS:
                self.skip(count * _SCALARS[etype][1])
                return None
            if etype not in _SCALARS and etype not in (_STRING, _ARRAY):
                raise GGUFError(f"unknown metadata type {etype}: the file is corrupt")
            items = [self.value(etype, keep, depth + 1) for _ in range(count)]
            return items if keep else None
        raise GGUFError(f"unknown metadata type {vtype}: the file is corrupt")


def read_header(path: str | Path) -> GGUFHeader:
    """Parse the header of ``path``; raise :class:`GGUFError` with a readable reason."""
    p = Path(path)
    if not p.exists():
        raise GGUFError(f"no such file: {p}")
    if p.is_dir():
        raise GGUFError(f"{p} is a folder, not a GGUF model file")
    size = p.stat().st_size
    try:
        with p.open("rb") as fh:
            r = _Reader(fh, size)
            if size < 24 or r.take(4) != GGUF_MAGIC:
                raise GGUFError(f"{p.name} is not a GGUF model file")
            version = int(r.scalar("<I", 4))
            if version not in (2, 3):
                raise GGUFError(f"{p.name} is GGUF version {version}; versions 2 and 3 are known")
            n_tensors = r.u64()
            n_kv = r.u64()
            if n_kv > MAX_KV or n_tensors > MAX_KV:
                raise GGUFError(f"{p.name} has an impossible header: the file is corrupt")
            meta: dict[str, Any] = {}
            for _ in range(n_kv):
                key = r.string()
                vtype = int(r.scalar("<I", 4))
                val = r.value(vtype, keep=key in _KEEP_ARRAYS)
                if val is not None:
                    meta[key] = val
    except OSError as exc:
        raise GGUFError(f"cannot read {p}: {exc.strerror or exc}") from None
    return GGUFHeader(path=p, version=version, tensor_count=n_tensors, metadata=meta)
