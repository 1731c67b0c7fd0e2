"""Read a GGUF file's header, metadata and tensor table without loading the model.

Used to give clear errors before a worker is asked to load anything ("not a GGUF file",
"truncated", "architecture X is not supported"), to read the chat template and special token
texts for ``lanterna-engine prompt``, and to validate a file before it is imported
(:func:`read_layout`). Tensor data is never read, so this is fast on a 12 GB file.

A hostile file must not cost us memory or time in proportion to the numbers it claims: every
count and length is checked against what the rest of the file can actually hold before
anything is read or allocated, strings that are not kept are skipped rather than read, and
the text we do keep has a total budget.

The rules :func:`read_layout` enforces are those of llama.cpp's own GGUF reader (ggml's
``gguf.cpp``) and model loader, so a file that passes here fails in the worker only for model
level reasons (missing tensors, unsupported hyperparameters), not for its structure.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

GGUF_MAGIC = b"GGUF"
HEADER_SIZE = 24  # magic, version, tensor count, metadata count
MAX_STRING = 64 * 1024 * 1024  # chat templates are a few KiB; 64 MiB is far beyond any real one
MAX_KEY = 64 * 1024  # real keys are a few dozen bytes
MAX_ARRAY = 16 * 1024 * 1024  # the largest real vocabularies have a few hundred thousand tokens
MAX_KV = 100_000  # real files have a few dozen metadata entries, a few hundred at most
MAX_TENSORS = 100_000  # the largest real models have a few thousand (about 14 000 unmerged MoE)
# Items of string arrays walked in one file: real files have under a million (tokens plus
# merges); the cap keeps a hostile file from making us loop for more than a few seconds.
MAX_STRING_ITEMS = 8 * 1024 * 1024
# Text kept in memory (string values, token texts): real files keep a few MiB.
MAX_KEPT_BYTES = 128 * 1024 * 1024
# Items of a kept array (token texts): the largest real vocabularies have about 260 000.
MAX_KEPT_ITEMS = 2 * 1024 * 1024
MAX_TENSOR_NAME = 63  # ggml's GGML_MAX_NAME is 64 bytes with the terminating NUL
MAX_DIMS = 4  # ggml's GGML_MAX_DIMS
DEFAULT_ALIGNMENT = 32

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
_UINT32 = 4
_STRING = 8
_ARRAY = 9
_TYPE_NAMES = {
    0: "uint8", 1: "int8", 2: "uint16", 3: "int16", 4: "uint32", 5: "int32", 6: "float32",
    7: "bool", 8: "string", 9: "array", 10: "uint64", 11: "int64", 12: "float64",
}  # fmt: skip

# ggml tensor types this llama.cpp can read: id -> (name, elements per block, bytes per block).
# Ids 4, 5, 31-33 and 36-38 belonged to formats ggml has since removed. The table is checked
# against the installed library by the tests (ggml_blck_size, ggml_type_size).
GGML_TYPES: dict[int, tuple[str, int, int]] = {
    0: ("F32", 1, 4),
    1: ("F16", 1, 2),
    2: ("Q4_0", 32, 18),
    3: ("Q4_1", 32, 20),
    6: ("Q5_0", 32, 22),
    7: ("Q5_1", 32, 24),
    8: ("Q8_0", 32, 34),
    9: ("Q8_1", 32, 36),
    10: ("Q2_K", 256, 84),
    11: ("Q3_K", 256, 110),
    12: ("Q4_K", 256, 144),
    13: ("Q5_K", 256, 176),
    14: ("Q6_K", 256, 210),
    15: ("Q8_K", 256, 292),
    16: ("IQ2_XXS", 256, 66),
    17: ("IQ2_XS", 256, 74),
    18: ("IQ3_XXS", 256, 98),
    19: ("IQ1_S", 256, 50),
    20: ("IQ4_NL", 32, 18),
    21: ("IQ3_S", 256, 110),
    22: ("IQ2_S", 256, 82),
    23: ("IQ4_XS", 256, 136),
    24: ("I8", 1, 1),
    25: ("I16", 1, 2),
    26: ("I32", 1, 4),
    27: ("I64", 1, 8),
    28: ("F64", 1, 8),
    29: ("IQ1_M", 256, 56),
    30: ("BF16", 1, 2),
    34: ("TQ1_0", 256, 54),
    35: ("TQ2_0", 256, 66),
    39: ("MXFP4", 32, 17),
    40: ("NVFP4", 64, 36),
    41: ("Q1_0", 128, 18),
    42: ("Q2_0", 64, 18),
}
REMOVED_GGML_TYPES = frozenset({4, 5, 31, 32, 33, 36, 37, 38})

# Arrays we keep (the rest are skipped to save memory: merges, scores, token types).
_KEEP_ARRAYS = frozenset({"tokenizer.ggml.tokens"})


class GGUFError(ValueError):
    """The file is not a usable GGUF; the message is meant for people.

    ``reason`` is the message without the file's name, for callers that show the name
    elsewhere.
    """

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message


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


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int  # from the start of the data section
    nbytes: int

    @property
    def type_name(self) -> str:
        return GGML_TYPES[self.ggml_type][0]

    @property
    def n_elements(self) -> int:
        return math.prod(self.shape)


@dataclass
class GGUFLayout:
    """A GGUF file whose structure llama.cpp will accept, tensor table included."""

    header: GGUFHeader
    tensors: list[TensorInfo]
    alignment: int
    data_offset: int  # byte where the tensor data section starts
    data_end: int  # byte where the last tensor's data ends
    file_size: int

    @property
    def n_params(self) -> int:
        return sum(t.n_elements for t in self.tensors)


def shown(text: str, limit: int = 80) -> str:
    """``text`` (a key, a tensor name, an architecture) made safe for a one-line message:
    control characters escaped, and cut to ``limit`` characters."""
    safe = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text[: limit + 1])
    return safe if len(safe) <= limit else safe[:limit] + "…"


def _printable(data: bytes) -> str:
    if data and all(32 <= b < 127 for b in data):
        return repr(data.decode("ascii"))
    return " ".join(f"{b:02x}" for b in data)


class _Reader:
    """Reads a file front to back through one buffer, checking every read against its size."""

    CHUNK = 1 << 20

    def __init__(self, fh: BinaryIO, size: int) -> None:
        self.fh = fh
        self.size = size
        self.pos = 0
        self.buf = b""
        self.buf_start = 0
        self.what = "the header"

    def truncated(self, end: int) -> GGUFError:
        return GGUFError(f"truncated: {self.what} ends at byte {end} but the file has {self.size}")

    def _window(self, n: int) -> int:
        """Make bytes [pos, pos + n) available in ``buf``; return where they start in it."""
        end = self.pos + n
        if end > self.size:
            raise self.truncated(end)
        start = self.pos - self.buf_start
        if start < 0 or start + n > len(self.buf):
            self.fh.seek(self.pos)
            self.buf = self.fh.read(max(self.CHUNK, n))
            self.buf_start = self.pos
            start = 0
            if len(self.buf) < n:  # the file shrank while we read it
                raise self.truncated(end)
        return start

    def take(self, n: int) -> bytes:
        start = self._window(n)
        self.pos += n
        return self.buf[start : start + n]

    def scalar(self, fmt: str, n: int) -> Any:
        start = self._window(n)
        self.pos += n
        return struct.unpack_from(fmt, self.buf, start)[0]

    def u32(self) -> int:
        return int(self.scalar("<I", 4))

    def u64(self) -> int:
        return int(self.scalar("<Q", 8))

    def skip(self, n: int) -> None:
        end = self.pos + n
        if end > self.size:
            raise self.truncated(end)
        self.pos = end

    def length(self, limit: int, what: str) -> int:
        """A string length prefix: beyond ``limit`` the file is corrupt; within it, a string
        that runs past the end is most likely a file cut short."""
        n = self.u64()
        if n > limit:
            raise GGUFError(
                f"corrupt: {what} claims {n} bytes "
                + ("(more than the whole file)" if n > self.size else f"(the limit is {limit})")
            )
        if self.pos + n > self.size:
            raise self.truncated(self.pos + n)
        return n


class _Parser:
    def __init__(self, reader: _Reader, strict: bool, keep_arrays: frozenset[str]) -> None:
        self.r = reader
        self.strict = strict
        self.keep_arrays = keep_arrays
        self.string_items = 0
        self.kept_bytes = 0
        self.alignment = DEFAULT_ALIGNMENT

    def keep(self, n: int) -> None:
        self.kept_bytes += n
        if self.kept_bytes > MAX_KEPT_BYTES:
            raise GGUFError(
                f"corrupt: the metadata holds more than {MAX_KEPT_BYTES >> 20} MiB of text"
            )

    def string(self, what: str, keep: bool, limit: int = MAX_STRING) -> str | None:
        n = self.r.length(limit, what)
        if not keep:
            self.r.skip(n)
            return None
        self.keep(n)
        return self.r.take(n).decode("utf-8", errors="replace")

    def metadata(self, n_kv: int) -> dict[str, Any]:
        r = self.r
        meta: dict[str, Any] = {}
        seen: set[str] = set()
        for i in range(n_kv):
            r.what = f"metadata entry {i + 1} of {n_kv}"
            key = self.string(f"the key of {r.what}", keep=True, limit=MAX_KEY) or ""
            if key in seen:
                raise GGUFError(f"corrupt: metadata key '{shown(key)}' appears twice")
            seen.add(key)
            r.what = f"metadata key '{shown(key)}'"
            vtype = r.u32()
            if self.strict and key == "general.alignment":
                self.alignment = self._alignment(vtype)
                meta[key] = self.alignment
                continue
            value = self.value(key, vtype)
            if value is not None:
                meta[key] = value
        return meta

    def _alignment(self, vtype: int) -> int:
        if vtype != _UINT32:
            kind = _TYPE_NAMES.get(vtype, f"unknown type {vtype}")
            raise GGUFError(f"corrupt: general.alignment is a {kind}, not a uint32")
        value = self.r.u32()
        if value == 0 or value & (value - 1):
            raise GGUFError(f"corrupt: general.alignment is {value}, not a power of two")
        return value

    def value(self, key: str, vtype: int) -> Any:
        r = self.r
        if vtype in _SCALARS:
            return r.scalar(*_SCALARS[vtype])
        if vtype == _STRING:
            return self.string(f"the value of {r.what}", keep=True)
        if vtype != _ARRAY:
            raise GGUFError(f"corrupt: {r.what} has unknown value type {vtype}")
        etype = r.u32()
        count = r.u64()
        if etype == _ARRAY:
            # llama.cpp's reader refuses arrays of arrays, so no loadable file has one.
            raise GGUFError(f"corrupt: {r.what} holds nested arrays, which llama.cpp cannot read")
        if etype in _SCALARS:
            item = _SCALARS[etype][1]
        elif etype == _STRING:
            item = 8
        else:
            raise GGUFError(f"corrupt: {r.what} is an array of unknown type {etype}")
        if count > MAX_ARRAY:
            raise GGUFError(
                f"corrupt: {r.what} claims {count} items "
                + (
                    "(more than the whole file)"
                    if count > r.size
                    else f"(the limit is {MAX_ARRAY})"
                )
            )
        keep = key in self.keep_arrays
        if keep and count > MAX_KEPT_ITEMS:
            raise GGUFError(f"corrupt: {r.what} claims {count} items, more than any real model")
        if etype == _STRING:
            self.string_items += count
            if self.string_items > MAX_STRING_ITEMS:
                raise GGUFError(
                    f"corrupt: {r.what} claims {count} strings (the limit is "
                    f"{MAX_STRING_ITEMS} in all)"
                )
        if count * item > r.size - r.pos:
            raise r.truncated(r.pos + count * item)
        if etype == _STRING:
            return self._strings(count, keep)
        if not keep:
            r.skip(count * item)
            return None
        return [r.scalar(*_SCALARS[etype]) for _ in range(count)]

    def _strings(self, count: int, keep: bool) -> list[str] | None:
        # The hot loop of a real file (hundreds of thousands of tokens and merges): lengths are
        # read straight from the reader's buffer.
        r = self.r
        items: list[str] = []
        what = f"an item of {r.what}"
        unpack = struct.Struct("<Q").unpack_from
        for _ in range(count):
            start = r._window(8)
            (n,) = unpack(r.buf, start)
            r.pos += 8
            if n > MAX_STRING:
                raise GGUFError(
                    f"corrupt: {what} claims {n} bytes "
                    + (
                        "(more than the whole file)"
                        if n > r.size
                        else f"(the limit is {MAX_STRING})"
                    )
                )
            if keep:
                self.keep(n)
                items.append(r.take(n).decode("utf-8", errors="replace"))
            else:
                r.skip(n)
        return items if keep else None

    def tensors(self, n_tensors: int) -> list[TensorInfo]:
        r = self.r
        infos: list[TensorInfo] = []
        names: set[str] = set()
        for i in range(n_tensors):
            r.what = f"tensor {i + 1} of {n_tensors}"
            name_len = r.u64()
            if name_len > MAX_TENSOR_NAME:
                raise GGUFError(
                    f"corrupt: the name of {r.what} claims {name_len} bytes "
                    f"(llama.cpp allows at most {MAX_TENSOR_NAME})"
                )
            name = r.take(name_len).decode("utf-8", errors="replace")
            if name in names:
                raise GGUFError(f"corrupt: tensor '{shown(name)}' appears twice")
            names.add(name)
            r.what = f"tensor '{shown(name)}'"
            n_dims = r.u32()
            if n_dims > MAX_DIMS:
                raise GGUFError(f"corrupt: {r.what} has {n_dims} dimensions (at most {MAX_DIMS})")
            shape = tuple(r.u64() for _ in range(n_dims))
            if any(d == 0 or d >= 1 << 63 for d in shape):
                raise GGUFError(f"corrupt: {r.what} has an impossible shape {list(shape)}")
            n_elements = math.prod(shape)
            if n_elements >= 1 << 63:
                raise GGUFError(f"corrupt: {r.what} has an impossible shape {list(shape)}")
            ggml_type = r.u32()
            if ggml_type not in GGML_TYPES:
                removed = " (a format ggml has removed)" if ggml_type in REMOVED_GGML_TYPES else ""
                raise GGUFError(f"corrupt: {r.what} has unknown tensor type {ggml_type}{removed}")
            type_name, block, type_size = GGML_TYPES[ggml_type]
            row = shape[0] if shape else 1
            if row % block:
                raise GGUFError(
                    f"corrupt: {r.what} has rows of {row} elements, not a multiple of the "
                    f"{type_name} block size {block}"
                )
            offset = r.u64()
            infos.append(
                TensorInfo(name, shape, ggml_type, offset, n_elements // block * type_size)
            )
        return infos


def _check_counts(n_tensors: int, n_kv: int, size: int) -> None:
    # Each metadata entry takes at least 13 bytes (empty key, type, one-byte value), each
    # tensor entry at least 24 (empty name, no dimensions, type, offset).
    # Counts beyond the limits are corruption; counts within them that the rest of the file
    # cannot hold are most likely a file cut short.
    for count, limit, least, what in (
        (n_kv, MAX_KV, 13, "metadata entries"),
        (n_tensors, MAX_TENSORS, 24, "tensors"),
    ):
        if count > limit:
            raise GGUFError(f"corrupt: impossible header ({count} {what}; the limit is {limit})")
        if HEADER_SIZE + count * least > size:
            raise GGUFError(
                f"truncated: the header announces {count} {what}, which need at least "
                f"{HEADER_SIZE + count * least} bytes, but the file has {size}"
            )


def _check_data(tensors: list[TensorInfo], alignment: int, data_offset: int, size: int) -> int:
    """Where the tensor data ends; every tensor must follow the previous one, as llama.cpp
    requires, aligned and inside the file."""
    expected = 0
    for t in tensors:
        name = shown(t.name)
        if t.offset % alignment:
            raise GGUFError(
                f"corrupt: tensor '{name}' starts at offset {t.offset}, not a multiple of the "
                f"alignment {alignment}"
            )
        if t.offset != expected:
            start = data_offset + t.offset
            if start + t.nbytes > size:
                raise GGUFError(
                    f"corrupt: tensor '{name}' claims bytes {start} to {start + t.nbytes}, "
                    f"beyond the end of the file ({size} bytes)"
                )
            raise GGUFError(
                f"corrupt: tensor '{name}' starts at offset {t.offset}, expected {expected} "
                "(tensors overlap or leave a gap)"
            )
        expected = t.offset + t.nbytes
        expected += -expected % alignment
    last = tensors[-1] if tensors else None
    data_end = data_offset + (last.offset + last.nbytes if last else 0)
    if data_end > size:
        raise GGUFError(f"truncated: tensor data ends at byte {data_end} but the file has {size}")
    return data_end


def _open(p: Path) -> int:
    if not p.exists():
        raise GGUFError(f"no such file: {p}")
    if p.is_dir():
        raise GGUFError(f"{p} is a folder, not a GGUF model file")
    if not p.is_file():  # a pipe or a device: reading it could block or never end
        raise GGUFError(f"{p} is not a regular file")
    return p.stat().st_size


def _parse(p: Path, strict: bool, keep_arrays: frozenset[str]) -> GGUFLayout:
    size = _open(p)
    with p.open("rb") as fh:
        r = _Reader(fh, size)
        magic = fh.read(4)
        if magic != GGUF_MAGIC:
            if not magic:
                raise GGUFError("not a GGUF file (it is empty)")
            raise GGUFError(f"not a GGUF file (starts with {_printable(magic)})")
        r.pos = 4
        version = r.u32()
        if version not in (2, 3):
            if version in (2 << 24, 3 << 24):
                raise GGUFError("a big-endian GGUF file; this machine reads little-endian ones")
            raise GGUFError(f"GGUF version {version}; versions 2 and 3 are known")
        n_tensors = r.u64()
        n_kv = r.u64()
        _check_counts(n_tensors, n_kv, size)
        parser = _Parser(r, strict, keep_arrays)
        meta = parser.metadata(n_kv)
        header = GGUFHeader(path=p, version=version, tensor_count=n_tensors, metadata=meta)
        if not strict:
            return GGUFLayout(header, [], DEFAULT_ALIGNMENT, r.pos, r.pos, size)
        tensors = parser.tensors(n_tensors)
        alignment = parser.alignment
        data_offset = r.pos + (-r.pos % alignment)
        if data_offset > size:
            r.what = "the padding before the tensor data"
            raise r.truncated(data_offset)
        data_end = _check_data(tensors, alignment, data_offset, size)
    return GGUFLayout(header, tensors, alignment, data_offset, data_end, size)


def _run(path: str | Path, strict: bool, keep_arrays: frozenset[str]) -> GGUFLayout:
    p = Path(path)
    try:
        return _parse(p, strict, keep_arrays)
    except GGUFError as exc:
        if exc.reason.startswith(("no such file", str(p))):
            raise
        raise GGUFError(f"{p.name}: {exc.reason}", exc.reason) from None
    except OSError as exc:
        reason = f"cannot read the file: {exc.strerror or exc}"
        raise GGUFError(f"{p.name}: {reason}", reason) from None


def read_header(path: str | Path) -> GGUFHeader:
    """Parse the metadata of ``path``; raise :class:`GGUFError` with a readable reason.

    The tensor table is not read: this is what the worker and the prompt command need, and it
    keeps the token texts (``tokenizer.ggml.tokens``) for :meth:`GGUFHeader.token_text`.
    """
    return _run(path, strict=False, keep_arrays=_KEEP_ARRAYS).header


def read_layout(path: str | Path, *, tokens: bool = False) -> GGUFLayout:
    """Parse and check the whole structure of ``path``: metadata, tensor table, data bounds.

    Raises :class:`GGUFError` for anything llama.cpp's reader would refuse (and a few absurd
    sizes it would try to allocate). Token texts are kept only when ``tokens`` is true.
    """
    return _run(path, strict=True, keep_arrays=_KEEP_ARRAYS if tokens else frozenset())
