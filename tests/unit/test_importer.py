"""Import validation: 200 broken GGUF files are each refused with a clear reason and never
registered; valid models pass; hostile sizes cost bounded time and memory; and the real worker,
and llama.cpp on its own, refuse the same 200 files without crashing.

How the 200 broken files are picked
-----------------------------------
They are derived, with a seeded RNG, from a small valid GGUF (a 113 KB llama model that
llama.cpp loads, built here with the ``gguf`` writer). The byte offset of every structural field
(counts, length prefixes, type tags, tensor shapes, types and offsets) is taken from the
``gguf`` package's own reader, independent of the parser under test. Only mutations that make
the file invalid by the GGUF rules whatever the random values are counted:

* truncation anywhere before the end of the last tensor's data (the base file has no trailing
  padding, so every cut loses bytes a tensor needs);
* bad magic, a version other than 2 and 3;
* huge counts and lengths (larger than the whole file);
* byte flips (XOR with a random non-zero byte) only where any change breaks the file: the high
  bytes of length prefixes and counts (the value then exceeds the file size), the upper bytes of
  type tags and of ``n_dims`` (no type or dimension count is that large), the high bytes of a
  tensor dimension (the data would exceed the file), any byte of a tensor offset (llama.cpp
  requires each tensor to start exactly where the previous one ends, padded);
* ``general.alignment`` that is not a power of two, or not a uint32;
* an architecture name llama.cpp does not know, offsets that are not aligned, tensors placed
  or grown beyond the end of the file.

Random flips in string contents or scalar values are left out of the count: they can yield a
valid file (another model name, another rope base). They are still thrown at the validator in
``test_arbitrary_damage_never_crashes_the_validator``, which only requires a clean verdict.
"""

from __future__ import annotations

import os
import random
import re
import struct
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from engine import protocol as p
from engine.client import EngineClient
from engine.gguf_header import GGML_TYPES, MAX_TENSOR_NAME, read_layout
from engine.models import importer
from engine.models.importer import (
    ARCHITECTURES,
    FILE_TYPES,
    check_gguf,
    check_model,
    llama_cpp_architectures,
)
from engine.models.registry import ImportRejected, ModelRegistry
from tests.support.tiny_gptoss import byte_to_unicode

SEED = 20240611
ALIGNMENT = 32

# ------------------------------------------------------------------------------ the base file


def build_tiny_llama(path: Path) -> Path:
    """A valid, loadable llama GGUF of 113 KB: one layer, byte-level gpt2 vocabulary."""
    import gguf

    rng = np.random.default_rng(0)
    b2u = byte_to_unicode()
    tokens = [b2u[b] for b in range(256)] + ["Ġt", "he", "in", "<s>", "</s>"]
    types = [1] * 259 + [3, 3]
    n_vocab, n_embd, n_ff = len(tokens), 32, 64
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_custom_alignment(ALIGNMENT)
    w.add_name("tiny llama")
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_context_length(256)
    w.add_embedding_length(n_embd)
    w.add_block_count(1)
    w.add_feed_forward_length(n_ff)
    w.add_head_count(4)
    w.add_head_count_kv(4)
    w.add_rope_dimension_count(8)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(["Ġ t", "h e", "i n"])
    w.add_bos_token_id(n_vocab - 2)
    w.add_eos_token_id(n_vocab - 1)

    def weights(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    w.add_tensor("token_embd.weight", weights(n_vocab, n_embd))
    w.add_tensor("blk.0.attn_norm.weight", np.ones(n_embd, np.float32))
    for name in ("q", "k", "v", "output"):
        w.add_tensor(f"blk.0.attn_{name}.weight", weights(n_embd, n_embd))
    w.add_tensor("blk.0.ffn_norm.weight", np.ones(n_embd, np.float32))
    w.add_tensor("blk.0.ffn_gate.weight", weights(n_ff, n_embd))
    w.add_tensor("blk.0.ffn_up.weight", weights(n_ff, n_embd))
    w.add_tensor("blk.0.ffn_down.weight", weights(n_embd, n_ff))
    w.add_tensor("output_norm.weight", np.ones(n_embd, np.float32))
    w.add_tensor("output.weight", weights(n_vocab, n_embd))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


@dataclass(frozen=True)
class Field:
    kind: str
    pos: int
    size: int
    label: str


@dataclass(frozen=True)
class Layout:
    """Where the structural fields of the base file are, read with the gguf package."""

    fields: tuple[Field, ...]
    arch_value: Field  # the bytes of the architecture name
    alignment_value: Field
    alignment_type: Field
    tensor_offsets: tuple[Field, ...]
    tensor_dims: tuple[Field, ...]
    data_offset: int
    data_end: int

    def of(self, *kinds: str) -> list[Field]:
        return [f for f in self.fields if f.kind in kinds]


def map_fields(path: Path) -> Layout:
    from gguf import GGUFReader, GGUFValueType

    reader = GGUFReader(str(path))
    fields: list[Field] = [Field("count", 8, 8, "tensor count"), Field("count", 16, 8, "kv count")]
    arch_value = alignment_value = alignment_type = None
    for key, f in reader.fields.items():
        if key.startswith("GGUF."):
            continue
        pos = f.offset
        spans = []
        for part in f.parts:
            spans.append((pos, int(part.nbytes)))
            pos += int(part.nbytes)
        fields.append(Field("key_len", *spans[0], key))
        fields.append(Field("type", *spans[2], key))
        vtype = f.types[0]
        if vtype == GGUFValueType.STRING:
            fields.append(Field("str_len", *spans[3], key))
        if vtype == GGUFValueType.ARRAY:
            fields.append(Field("etype", *spans[3], key))
            fields.append(Field("arr_count", *spans[4], key))
            if f.types[1] == GGUFValueType.STRING:
                fields.extend(Field("item_len", *spans[i], key) for i in range(5, len(spans), 2))
        if key == "general.architecture":
            arch_value = Field("arch", *spans[4], key)
        if key == "general.alignment":
            alignment_type = Field("type", *spans[2], key)
            alignment_value = Field("alignment", *spans[3], key)
    offsets, dims = [], []
    for t in reader.tensors:
        pos = t.field.offset
        spans = []
        for part in t.field.parts:
            spans.append((pos, int(part.nbytes)))
            pos += int(part.nbytes)
        name = str(t.name)
        fields.append(Field("name_len", *spans[0], name))
        fields.append(Field("n_dims", *spans[2], name))
        start, size = spans[3]
        dims.extend(Field("dim", start + 8 * i, 8, name) for i in range(size // 8))
        fields.append(Field("ggml_type", *spans[4], name))
        offsets.append(Field("offset", *spans[5], name))
    fields.extend(dims)
    fields.extend(offsets)
    last = reader.tensors[-1]
    assert arch_value and alignment_value and alignment_type
    return Layout(
        tuple(fields),
        arch_value,
        alignment_value,
        alignment_type,
        tuple(offsets),
        tuple(dims),
        reader.data_offset,
        int(last.data_offset) + int(last.n_bytes),
    )


# ------------------------------------------------------------------------------ the mutants


@dataclass(frozen=True)
class Mutant:
    category: str
    label: str
    data: bytes


def _put(data: bytes, pos: int, raw: bytes) -> bytes:
    return data[:pos] + raw + data[pos + len(raw) :]


def _flip(data: bytes, pos: int, rng: random.Random) -> bytes:
    return _put(data, pos, bytes([data[pos] ^ rng.randrange(1, 256)]))


def _u64(value: int) -> bytes:
    return struct.pack("<Q", value)


def make_mutants(base: bytes, lay: Layout, known: frozenset[str]) -> list[Mutant]:
    rng = random.Random(SEED)
    out: list[Mutant] = []

    # Truncation: every cut loses bytes a tensor needs.
    assert lay.data_end == len(base), "the base file must end with its last tensor's data"
    # Cuts in the header, metadata and tensor table, and as many in the tensor data.
    head = sorted(rng.sample(range(24, lay.data_offset), 24))
    cuts = [0, 2, 13, *head, *sorted(rng.sample(range(lay.data_offset, lay.data_end), 23))]
    out += [Mutant("truncated", f"cut at {c}", base[:c]) for c in cuts]

    for _ in range(10):
        magic = bytes(rng.randrange(256) for _ in range(4))
        assert magic != b"GGUF"
        out.append(Mutant("bad magic", f"magic {magic!r}", _put(base, 0, magic)))

    versions = [3 << 24, *[v for v in rng.sample(range(1 << 32), 12) if v not in (2, 3)][:9]]
    out += [Mutant("bad version", f"v{v}", _put(base, 4, struct.pack("<I", v))) for v in versions]

    def huge() -> int:
        return rng.randrange(1 << 33, 1 << 64)

    kv_count, tensor_count = lay.fields[1], lay.fields[0]
    out.append(Mutant("huge", "2^60 metadata entries", _put(base, kv_count.pos, _u64(1 << 60))))
    for target, n in ((kv_count, 4), (tensor_count, 5)):
        out += [
            Mutant("huge", f"{target.label} {v}", _put(base, target.pos, _u64(v)))
            for v in (huge() for _ in range(n))
        ]
    for kind, n in (
        ("key_len", 8),
        ("str_len", 6),
        ("arr_count", 8),
        ("item_len", 4),
        ("name_len", 4),
    ):
        for f in (rng.choice(lay.of(kind)) for _ in range(n)):
            v = huge()
            out.append(Mutant("huge", f"{kind} of {f.label} = {v}", _put(base, f.pos, _u64(v))))

    # Byte flips where any change breaks the file (see the module docstring).
    breaking_bytes = {
        "key_len": range(4, 8),
        "str_len": range(4, 8),
        "arr_count": range(4, 8),
        "item_len": range(4, 8),
        "count": range(4, 8),
        "name_len": range(1, 8),
        "type": range(1, 4),
        "etype": range(1, 4),
        "n_dims": range(1, 4),
        "ggml_type": range(1, 4),
        "dim": range(4, 8),
        "offset": range(0, 8),
    }
    kinds = sorted(breaking_bytes)
    for _ in range(45):
        kind = rng.choice(kinds)
        f = rng.choice(lay.of(kind))
        if kind == "offset" and f.pos == lay.tensor_offsets[0].pos:
            f = lay.tensor_offsets[-1]  # the first offset is 0: flip a later one instead
        pos = f.pos + rng.choice(breaking_bytes[kind])
        out.append(Mutant("byte flip", f"{kind} of {f.label} @{pos}", _flip(base, pos, rng)))

    for value in rng.sample([v for v in range(3, 4096) if v & (v - 1)], 3):
        raw = struct.pack("<I", value)
        out.append(
            Mutant("alignment", f"alignment {value}", _put(base, lay.alignment_value.pos, raw))
        )
    for vtype in (5, 6):  # int32, float32: the same size as the uint32 it should be
        raw = struct.pack("<I", vtype)
        out.append(
            Mutant("alignment", f"alignment type {vtype}", _put(base, lay.alignment_type.pos, raw))
        )

    arch = lay.arch_value
    while len([m for m in out if m.category == "unknown architecture"]) < 10:
        name = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(arch.size))
        if name not in known:
            out.append(Mutant("unknown architecture", name, _put(base, arch.pos, name.encode())))

    for f in rng.sample(lay.tensor_offsets, 12) + rng.sample(lay.tensor_offsets, 3):
        old = struct.unpack_from("<Q", base, f.pos)[0]
        value = old + rng.randrange(1, ALIGNMENT)
        out.append(
            Mutant("misaligned", f"{f.label} offset {value}", _put(base, f.pos, _u64(value)))
        )

    room = len(base) - lay.data_offset
    for f in rng.sample(lay.tensor_offsets, 10):
        value = (room // ALIGNMENT + rng.randrange(1, 1 << 20)) * ALIGNMENT
        out.append(Mutant("beyond EOF", f"{f.label} at {value}", _put(base, f.pos, _u64(value))))
    last_dims = [d for d in lay.tensor_dims if d.label == lay.tensor_offsets[-1].label]
    for grow in rng.sample(range(2, 50), 5):
        d = last_dims[-1]
        old = struct.unpack_from("<Q", base, d.pos)[0]
        out.append(
            Mutant("beyond EOF", f"{d.label} dim x{grow}", _put(base, d.pos, _u64(old * grow)))
        )
    return out


# The reason a message gives, for the summary.
REASONS: tuple[tuple[str, str], ...] = (
    ("not a GGUF file", "not a GGUF file"),
    ("GGUF version", "unsupported version"),
    ("big-endian", "unsupported version"),
    ("tensor data ends at byte", "truncated: tensor data"),
    ("truncated", "truncated"),
    ("beyond the end of the file", "tensor beyond EOF"),
    ("impossible header", "impossible counts"),
    ("claims .* (items|strings)", "impossible counts"),
    ("claims .* bytes", "impossible lengths"),
    ("unknown value type|array of unknown type|nested arrays", "unknown metadata type"),
    ("general.alignment", "bad alignment"),
    ("dimensions|impossible shape|rows of", "bad tensor shape"),
    ("unknown tensor type", "unknown tensor type"),
    ("not a multiple of the alignment", "misaligned tensor"),
    ("tensors overlap or leave a gap", "tensor offset out of sequence"),
    ("unknown architecture", "unknown architecture"),
    ("appears twice", "duplicate name"),
)


def reason_of(message: str) -> str:
    for pattern, reason in REASONS:
        if re.search(pattern, message):
            return reason
    return "other"


EXPECTED = {
    "truncated": ("truncated", "truncated: tensor data", "not a GGUF file"),
    "bad magic": ("not a GGUF file",),
    "bad version": ("unsupported version",),
    "huge": ("impossible counts", "impossible lengths"),
    "alignment": ("bad alignment",),
    "unknown architecture": ("unknown architecture",),
    "misaligned": ("misaligned tensor",),
    "beyond EOF": ("tensor beyond EOF", "truncated: tensor data"),
}


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def base_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_llama(tmp_path_factory.mktemp("base") / "tiny-llama.gguf")


@pytest.fixture(scope="module")
def mutants(base_file: Path) -> list[Mutant]:
    known = llama_cpp_architectures()
    assert known is not None
    out = make_mutants(base_file.read_bytes(), map_fields(base_file), known.names)
    assert len(out) == 200
    assert len({m.data for m in out}) == 200, "every mutant is a different file"
    return out


def _write_all(folder: Path, mutants: list[Mutant]) -> Iterator[tuple[Mutant, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    for i, m in enumerate(mutants):
        path = folder / f"mutant-{i:03d}.gguf"
        path.write_bytes(m.data)
        yield m, path


# ------------------------------------------------------------------------------ tests


def test_the_base_file_and_real_models_are_accepted(
    base_file: Path, tiny_gptoss: Path, demo_model: Path
) -> None:
    base = check_gguf(base_file)
    assert base.ok, base.message
    assert (base.architecture, base.quantisation, base.context_length) == ("llama", "F32", 256)
    assert base.name == "tiny llama"
    assert base.size == base_file.stat().st_size
    assert base.n_params == sum(t.n_elements for t in read_layout(base_file).tensors) > 20_000

    oss = check_gguf(tiny_gptoss)
    assert oss.ok, oss.message
    assert (oss.architecture, oss.quantisation, oss.context_length) == ("gpt-oss", "F32", 2048)

    demo = check_model(demo_model)
    assert demo.ok, demo.message
    assert (demo.architecture, demo.quantisation) == ("gemma3", "Q4_K_M")
    assert demo.context_length == 32768
    assert demo.n_params is not None and 260e6 < demo.n_params < 280e6
    assert "gemma3" in demo.message and "\n" not in demo.message


def test_200_broken_files_are_refused_clearly_and_never_registered(
    tmp_path: Path, mutants: list[Mutant]
) -> None:
    models, data = tmp_path / "models", tmp_path / "data"
    registry = ModelRegistry(models, data)
    by_reason: Counter[str] = Counter()
    for i, (m, path) in enumerate(_write_all(tmp_path / "offered", mutants)):
        with pytest.raises(ImportRejected) as info:
            registry.import_model(path, copy=i % 2 == 0)
        message = str(info.value)
        assert message == info.value.check.message and not info.value.check.ok
        assert message and "\n" not in message and len(message) < 300, (m.label, message)
        reason = reason_of(message)
        assert reason != "other", (m.category, m.label, message)
        if m.category in EXPECTED:
            assert reason in EXPECTED[m.category], (m.category, m.label, message)
        by_reason[reason] += 1
    assert sum(by_reason.values()) == 200
    assert registry.list_models() == []
    assert not (data / "models.json").exists()
    assert not any(models.rglob("*.gguf")) and not any(models.rglob("*.part"))
    print("\nrejections by reason:", dict(sorted(by_reason.items())))


def test_messages_name_the_problem(tmp_path: Path, base_file: Path) -> None:
    base = base_file.read_bytes()
    lay = map_fields(base_file)
    f = tmp_path / "x.gguf"

    def verdict(data: bytes) -> str:
        f.write_bytes(data)
        result = check_gguf(f)
        assert not result.ok
        return result.message

    assert verdict(b"PK\x03\x04rest") == "not a GGUF file (starts with 50 4b 03 04)"
    assert verdict(b"hello world") == "not a GGUF file (starts with 'hell')"
    assert verdict(b"") == "not a GGUF file (it is empty)"
    assert verdict(_put(base, 4, struct.pack("<I", 7))) == (
        "GGUF version 7; versions 2 and 3 are known"
    )
    cut = len(base) - 100
    assert verdict(base[:cut]) == (
        f"truncated: tensor data ends at byte {len(base)} but the file has {cut}"
    )
    name = "frobz".ljust(lay.arch_value.size, "z")
    assert verdict(_put(base, lay.arch_value.pos, name.encode())) == (
        f"unknown architecture '{name}' for this llama.cpp"
    )
    off = lay.tensor_offsets[3]
    old = struct.unpack_from("<Q", base, off.pos)[0]
    assert verdict(_put(base, off.pos, _u64(old + 4))) == (
        f"corrupt: tensor '{off.label}' starts at offset {old + 4}, not a multiple of the "
        "alignment 32"
    )
    name_len = lay.of("name_len")[0]
    assert verdict(_put(base, name_len.pos, _u64(64))) == (
        "corrupt: the name of tensor 1 of 12 claims 64 bytes (llama.cpp allows at most 63)"
    )
    assert MAX_TENSOR_NAME == 63


def test_arbitrary_damage_never_crashes_the_validator(tmp_path: Path, base_file: Path) -> None:
    """Flips anywhere before the tensor data (string contents and values included): some
    results are valid files, so only a clean verdict is required of each."""
    base = base_file.read_bytes()
    head = map_fields(base_file).data_offset
    rng = random.Random(SEED + 1)
    f = tmp_path / "damaged.gguf"
    verdicts: Counter[bool] = Counter()
    for _ in range(400):
        data = bytearray(base)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(head)] ^= rng.randrange(1, 256)
        if rng.random() < 0.2:
            data = data[: rng.randrange(len(data))]
        f.write_bytes(bytes(data))
        result = check_gguf(f)  # any exception fails the test
        assert result.ok or (result.message and "\n" not in result.message)
        verdicts[result.ok] += 1
    assert verdicts[False] > 300  # most damage is structural


def _hostile(path: Path, body: bytes, n_tensors: int = 0, n_kv: int = 1) -> Path:
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, n_tensors, n_kv) + body)
    return path


def _s(text: str) -> bytes:
    raw = text.encode()
    return _u64(len(raw)) + raw


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("2^60 entries", "impossible header"),
        ("2^60 tensors", "impossible header"),
        ("key of 2^62 bytes", "claims 4611686018427387904 bytes"),
        ("value of 2^50 bytes", "claims 1125899906842624 bytes"),
        ("array of 2^59 items", "claims 576460752303423488 items"),
        ("array of 2^24 strings", "claims 16777216 strings"),
        ("string item of 2^40 bytes", "claims 1099511627776 bytes"),
        ("nested arrays", "nested arrays"),
        ("tensor of 2^62 elements", "truncated: tensor data ends at byte"),
        ("tensor with 2^32 dims", "dimensions"),
    ],
)
def test_hostile_sizes_cost_bounded_time_and_memory(tmp_path: Path, case: str, words: str) -> None:
    arch = _s("general.architecture") + struct.pack("<I", 8) + _s("llama")
    f = tmp_path / "hostile.gguf"
    pad = b"\0" * 4096
    if case == "2^60 entries":
        _hostile(f, arch + pad, n_kv=1 << 60)
    elif case == "2^60 tensors":
        _hostile(f, arch + pad, n_tensors=1 << 60)
    elif case == "key of 2^62 bytes":
        _hostile(f, _u64(1 << 62) + pad)
    elif case == "value of 2^50 bytes":
        _hostile(f, _s("general.name") + struct.pack("<I", 8) + _u64(1 << 50) + pad)
    elif case == "array of 2^59 items":
        _hostile(f, _s("a.b") + struct.pack("<IIQ", 9, 10, 1 << 59) + pad)
    elif case == "array of 2^24 strings":
        _hostile(f, _s("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 1 << 24) + pad)
    elif case == "string item of 2^40 bytes":
        body = _s("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 2) + _u64(1 << 40)
        _hostile(f, body + pad)
    elif case == "nested arrays":
        _hostile(f, _s("a.b") + struct.pack("<I", 9) + struct.pack("<IQ", 9, 1) * 100_000)
    elif case == "tensor of 2^62 elements":
        tensor = _s("t") + struct.pack("<I", 2) + _u64(1 << 31) + _u64(1 << 31)
        _hostile(f, arch + tensor + struct.pack("<I", 0) + _u64(0) + pad, n_tensors=1)
    elif case == "tensor with 2^32 dims":
        tensor = _s("t") + struct.pack("<I", 0xFFFFFFFF)
        _hostile(f, arch + tensor + pad, n_tensors=1)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = check_gguf(f)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert not result.ok
    assert words in result.message, result.message
    assert peak < 8 * 1024 * 1024, f"{case}: {peak} bytes"
    assert elapsed < 2.0, f"{case}: {elapsed:.2f} s"


def test_a_string_array_as_long_as_the_file_allows_is_walked_quickly(tmp_path: Path) -> None:
    """The worst a file of a few dozen MB can ask of the validator: millions of strings."""
    n = 4_000_000
    f = tmp_path / "many.gguf"
    arch = _s("general.architecture") + struct.pack("<I", 8) + _s("llama")
    body = arch + _s("tokenizer.ggml.merges") + struct.pack("<IIQ", 9, 8, n)
    with f.open("wb") as fh:
        fh.write(b"GGUF" + struct.pack("<IQQ", 3, 0, 2) + body)
        fh.truncate(fh.tell() + 8 * n + 64)  # n empty strings
    started = time.perf_counter()
    result = check_gguf(f)
    assert time.perf_counter() - started < 10.0
    assert result.message == "the file holds no tensors (a vocabulary-only file?)"


def test_ggml_types_and_file_types_match_the_installed_library() -> None:
    import ctypes

    import llama_cpp.llama_cpp as bindings

    lib = bindings._lib
    blck = lib.ggml_blck_size
    blck.restype, blck.argtypes = ctypes.c_int64, [ctypes.c_int]
    size = lib.ggml_type_size
    size.restype, size.argtypes = ctypes.c_size_t, [ctypes.c_int]
    name = lib.ggml_type_name
    name.restype, name.argtypes = ctypes.c_char_p, [ctypes.c_int]
    for type_id, (type_name, block, type_size) in GGML_TYPES.items():
        assert (blck(type_id), size(type_id)) == (block, type_size), type_name
        assert name(type_id).decode().upper() == type_name
    ftypes = {
        value: key.removeprefix("LLAMA_FTYPE_").removeprefix("MOSTLY_").removeprefix("ALL_")
        for key, value in vars(bindings).items()
        if key.startswith("LLAMA_FTYPE_") and key != "LLAMA_FTYPE_GUESSED"
    }
    assert ftypes == FILE_TYPES


def test_the_architecture_list_comes_from_the_library_and_the_fallback_agrees() -> None:
    known = llama_cpp_architectures()
    assert known is not None
    assert known.source == "llama.cpp (llm_arch_name)"
    assert {"llama", "gemma3", "gpt-oss", "qwen2", "bert"} <= known.names
    assert "(unknown)" not in known.names and "unknown" not in known.names
    assert llama_cpp_architectures() is known  # computed once
    lib_path = Path(importer._llama_library()._name)
    assert importer._names_from_file(lib_path) == known.names
    assert set(ARCHITECTURES) == known.names


_CHECK_IN_A_FRESH_PROCESS = """
import sys
from engine.models.importer import check_gguf
result = check_gguf(sys.argv[1])
print(result.ok, result.architecture, "llama_cpp" in sys.modules)
"""


def test_the_list_is_cached_so_the_window_need_not_load_libllama(
    base_file: Path, tmp_path: Path
) -> None:
    # The app's window checks files on its I/O thread: after the first time, that must not
    # load llama.cpp into its process (tens of MB) just to learn the architecture names.
    env = {**os.environ, "LANTERNA_HOME": str(tmp_path / "home")}
    root = Path(__file__).resolve().parents[2]

    def check() -> str:
        cmd = [sys.executable, "-c", _CHECK_IN_A_FRESH_PROCESS, str(base_file)]
        done = subprocess.run(cmd, env=env, cwd=root, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert check() == "True llama True"  # first time: asks the library, fills the cache
    cache = tmp_path / "home" / "cache" / importer.CACHE_FILE
    assert "gpt-oss" in cache.read_text()
    assert check() == "True llama False"
    # Another llama.cpp (its file changed): the cached list no longer counts.
    cache.write_text(cache.read_text().replace('"library": "', '"library": "old-'))
    assert check() == "True llama True"
    cache.write_text("{not json")
    assert check() == "True llama True"


def test_without_llama_cpp_an_architecture_cannot_be_vouched_for(
    base_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "llama_cpp_architectures", lambda: None)
    result = check_gguf(base_file)
    assert not result.ok
    assert result.message == "cannot check architecture 'llama': llama.cpp is not installed here"


# ------------------------------------------------------------------------------ the worker


def test_the_worker_refuses_the_same_files_and_survives(
    client: EngineClient, tmp_path: Path, mutants: list[Mutant], base_file: Path
) -> None:
    """All 200 mutants (a small file each, so this takes seconds) go to the real worker: each
    load ends in an Error event and the worker keeps running; the intact base file then loads,
    so the refusals are the mutations' doing."""
    kinds: Counter[str] = Counter()
    for m, path in _write_all(tmp_path, mutants):
        req = client.load(path, n_ctx=128, backend="llamacpp")
        ev = client.wait_for((p.Loaded,), timeout=60)
        assert isinstance(ev, p.Error), (m.category, m.label, ev)
        assert ev.req == req
        assert client.running, (m.category, m.label, client.stderr_tail())
        kinds[ev.kind] += 1
    # Both the worker's own header check and llama.cpp's loader get their share.
    assert kinds["bad_model"] > 20 and kinds["load_failed"] > 20, kinds
    assert sum(kinds.values()) == 200
    client.load(base_file, n_ctx=128, backend="llamacpp")
    loaded = client.wait_for((p.Loaded,), timeout=60)
    assert isinstance(loaded, p.Loaded), loaded
    assert loaded.architecture == "llama"


_RAW_LOAD = """
import sys
from llama_cpp import llama_cpp as lib
lib.llama_backend_init()
quiet = lib.llama_log_callback(lambda level, text, user: None)
lib.llama_log_set(quiet, None)
for path in sys.argv[1:]:
    model = lib.llama_model_load_from_file(path.encode(), lib.llama_model_default_params())
    print("loaded" if model else "refused", path, flush=True)
    if model:
        lib.llama_model_free(model)
"""


def test_llama_cpp_itself_refuses_every_mutant(
    tmp_path: Path, mutants: list[Mutant], base_file: Path
) -> None:
    """llama.cpp alone, without the worker's own header check in front of it, refuses each of
    the 200 files and loads the base: the validator rejects nothing llama.cpp would load here.
    In a child process, so a crash would fail the test rather than end the run."""
    paths = [str(path) for _, path in _write_all(tmp_path, mutants)]
    res = subprocess.run(
        [sys.executable, "-c", _RAW_LOAD, *paths, str(base_file)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    verdicts = [line.split(" ", 1) for line in res.stdout.splitlines()]
    assert len(verdicts) == 201
    assert [v for v, _ in verdicts[:-1]] == ["refused"] * 200
    assert verdicts[-1] == ["loaded", str(base_file)]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_pipe_is_refused_without_being_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.gguf"
    os.mkfifo(fifo)
    result = check_gguf(fifo)  # reading it would block for ever
    assert not result.ok
    assert result.message == f"{fifo} is not a regular file"
