"""The GGUF header reader: real metadata from a file, and only GGUFError on bad input."""

from __future__ import annotations

import contextlib
import random
import struct
from pathlib import Path

import pytest

from engine.gguf_header import GGUFError, read_header


def _string(s: str) -> bytes:
    data = s.encode()
    return struct.pack("<Q", len(data)) + data


def write_small_gguf(path: Path) -> Path:
    kv = [
        (_string("general.architecture"), 8, _string("llama")),
        (_string("general.name"), 8, _string("Tiny")),
        (_string("llama.context_length"), 4, struct.pack("<I", 4096)),
        (_string("tokenizer.chat_template"), 8, _string("{{ messages }}")),
        (_string("tokenizer.ggml.bos_token_id"), 4, struct.pack("<I", 1)),
        (
            _string("tokenizer.ggml.tokens"),
            9,
            struct.pack("<IQ", 8, 3) + _string("<unk>") + _string("<s>") + _string("</s>"),
        ),
        (_string("tokenizer.ggml.scores"), 9, struct.pack("<IQ", 6, 3) + b"\0" * 12),
    ]
    body = b"".join(k + struct.pack("<I", t) + v for k, t, v in kv)
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, len(kv)) + body + b"\0" * 64)
    return path


def test_reads_metadata(tmp_path: Path) -> None:
    h = read_header(write_small_gguf(tmp_path / "m.gguf"))
    assert h.architecture == "llama"
    assert h.name == "Tiny"
    assert h.context_length == 4096
    assert h.chat_template == "{{ messages }}"
    assert h.token_text("tokenizer.ggml.bos_token_id") == "<s>"
    assert "tokenizer.ggml.scores" not in h.metadata  # numeric arrays are skipped


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"", "not a GGUF"), (b"PK\x03\x04" + b"\0" * 40, "not a GGUF"),
     (b"GGUF" + struct.pack("<IQQ", 7, 0, 0), "version 7"),
     (b"GGUF" + struct.pack("<IQQ", 3, 0, 10**12), "impossible")],
)  # fmt: skip
def test_clear_errors(tmp_path: Path, data: bytes, words: str) -> None:
    f = tmp_path / "bad.gguf"
    f.write_bytes(data)
    with pytest.raises(GGUFError, match=words):
        read_header(f)


def test_mutated_files_only_ever_raise_gguf_error(tmp_path: Path) -> None:
    good = write_small_gguf(tmp_path / "good.gguf").read_bytes()
    rng = random.Random(1234)
    target = tmp_path / "mutant.gguf"
    for _ in range(500):
        data = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            data = data[: rng.randrange(len(data))]
        target.write_bytes(bytes(data))
        with contextlib.suppress(GGUFError):  # any other exception fails the test
            read_header(target)


def test_deeply_nested_arrays_are_refused(tmp_path: Path) -> None:
    depth = 200
    value = struct.pack("<IQ", 9, 1) * depth + struct.pack("<IQ", 4, 0)
    kv = _string("x.nested") + struct.pack("<I", 9) + value
    f = tmp_path / "nested.gguf"
    f.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + kv + b"\0" * 64)
    with pytest.raises(GGUFError, match="nested"):
        read_header(f)
