"""Copy a GGUF file with a different embedded chat template.

Tests use it to turn a model without a chat template (the bundled Gemma 3 270M base model) into
one that goes through the ``template`` prompt format. Every other metadata key keeps its value
and type, and every tensor keeps its type, shape and bytes: quantized blocks are copied as they
are, never dequantized.

:func:`copy_with_changes` can also replace the data of chosen tensors, for tests that need a
model to behave in a known way (see :func:`copy_rows`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from gguf import GGUFReader, GGUFValueType, GGUFWriter, Keys

CHAT_TEMPLATE_KEY = Keys.Tokenizer.CHAT_TEMPLATE
# The reader exposes the header (version, counts) as fields named "GGUF.*"; the writer
# produces its own header, and these are not metadata keys of the file.
_PSEUDO_PREFIX = "GGUF."

# Receives a tensor's data as the reader maps it (read-only; quantized tensors as uint8 rows of
# blocks) and returns the data to write, of the same dtype and shape.
TensorEdit = Callable[[npt.NDArray[Any]], npt.NDArray[Any]]


def with_chat_template(src: Path, dst: Path, template: str) -> Path:
    """Write a copy of the GGUF file ``src`` to ``dst`` with ``tokenizer.chat_template`` set to
    ``template`` and return ``dst``.

    Any chat template ``src`` already has is replaced. Raises ``ValueError`` for metadata the
    writer cannot reproduce exactly (empty or nested arrays).
    """
    return copy_with_changes(src, dst, chat_template=template)


def copy_with_changes(
    src: Path,
    dst: Path,
    *,
    chat_template: str,
    tensor_edits: Mapping[str, TensorEdit] | None = None,
) -> Path:
    """Like :func:`with_chat_template`, and the tensors named in ``tensor_edits`` get the data
    their edit returns (same type, shape and size as before)."""
    if Path(src).resolve() == Path(dst).resolve():
        raise ValueError("the copy must go to a different file than its source")
    edits = dict(tensor_edits or {})
    reader = _reader(*_identity(src))
    unknown = set(edits) - {tensor.name for tensor in reader.tensors}
    if unknown:
        raise ValueError(f"no tensors named {', '.join(sorted(unknown))} in {src}")
    writer = GGUFWriter(
        dst,
        arch=str(reader.fields[Keys.General.ARCHITECTURE].contents()),
        endianess=reader.endianess,
    )
    try:
        writer.data_alignment = int(reader.alignment)
        for name, field in reader.fields.items():
            if name.startswith(_PSEUDO_PREFIX) or name in (
                CHAT_TEMPLATE_KEY,
                Keys.General.ARCHITECTURE,  # the writer adds it first, from ``arch``
            ):
                continue
            value, vtype, sub_type = _field_value(name, field.types, field.contents())
            writer.add_key_value(name, value, vtype, sub_type)
        writer.add_key_value(CHAT_TEMPLATE_KEY, chat_template, GGUFValueType.STRING)
        for tensor in reader.tensors:
            data = tensor.data
            edit = edits.get(tensor.name)
            if edit is not None:
                data = _edited(tensor.name, data, edit)
            # Quantized data comes as uint8 rows of blocks; with ``raw_dtype`` the writer turns
            # that byte shape back into the element shape and records the original type.
            writer.add_tensor(
                tensor.name, data, raw_dtype=tensor.tensor_type, tensor_endianess=reader.endianess
            )
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
    finally:
        writer.close()
    return dst


def copy_rows(rows: Mapping[int, int]) -> TensorEdit:
    """An edit that sets row ``dst`` of a matrix to a copy of row ``src`` for each
    ``dst: src`` item. Works on quantized matrices too: a row is whole blocks, so the copy is
    exact. For an embedding matrix, a row is one token's embedding."""

    def edit(data: npt.NDArray[Any]) -> npt.NDArray[Any]:
        out = np.array(data, copy=True)
        for dst, src in rows.items():
            out[dst] = data[src]
        return out

    return edit


def _edited(name: str, data: npt.NDArray[Any], edit: TensorEdit) -> npt.NDArray[Any]:
    new = edit(data)
    if new.dtype != data.dtype or new.shape != data.shape:
        raise ValueError(
            f"the edit of {name} returned {new.dtype}{list(new.shape)}, "
            f"not {data.dtype}{list(data.shape)}"
        )
    return new


def _identity(src: Path) -> tuple[str, int, int]:
    path = os.path.realpath(src)
    stat = os.stat(path)
    return path, stat.st_size, stat.st_mtime_ns


@lru_cache(maxsize=2)
def _reader(path: str, size: int, mtime_ns: int) -> GGUFReader:
    # Parsing the metadata of a large vocabulary (262k token strings for Gemma 3) takes seconds;
    # the reader only maps the file, so keeping it lets further copies of the same file skip that.
    # Size and modification time are part of the key, so a rewritten file is read again.
    return GGUFReader(path)


def _field_value(
    name: str, types: list[GGUFValueType], contents: Any
) -> tuple[Any, GGUFValueType, GGUFValueType | None]:
    if not types:
        raise ValueError(f"metadata key {name!r} has no type")
    main = types[0]
    if main != GGUFValueType.ARRAY:
        return contents, main, None
    if len(types) != 2 or types[1] == GGUFValueType.ARRAY:
        raise ValueError(f"metadata key {name!r} is a nested array, which cannot be copied")
    if not contents:
        raise ValueError(f"metadata key {name!r} is an empty array, which cannot be copied")
    return contents, main, types[1]
