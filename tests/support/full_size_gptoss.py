"""A random-weight GGUF with gpt-oss-20b's exact shapes and tensor types, for timing only.

    python -m tests.support.full_size_gptoss PATH

What a benchmark needs from gpt-oss-20b is its cost, and that depends on shapes and types, not
on trained values: 24 layers of 64 query heads and 8 key/value heads of 64 dimensions, every
other layer attending to a 128-token window, 32 experts of 2,880 x 2,880 with 4 used per token,
a 2,880-wide residual stream and a 201,088-token vocabulary. The experts are MXFP4 and the other
matrices Q8_0, as in the published GGUF (about 12 GB). The tokenizer is the tiny test model's
byte-level one, so a text costs about one token per byte instead of o200k's four; benchmarks
count tokens, not characters.

Tensors are streamed to disk one at a time, so building it needs little memory; every expert
tensor holds the same random blocks (the router still spreads tokens over all 32 experts, which
is what the cost depends on).
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from dataclasses import dataclass

import numpy as np

from tests.support import tiny_gptoss as tiny

N_EMBD = 2880
N_LAYER = 24
N_HEAD = 64
N_HEAD_KV = 8
HEAD_DIM = 64
N_EXPERT = 32
N_EXPERT_USED = 4
N_FF_EXP = 2880
SLIDING_WINDOW = 128
CONTEXT_LENGTH = 131072
MODEL_NAME = "gpt-oss-20b-shaped-random"
SHAPE = tiny.Shape(N_EMBD, N_LAYER, N_HEAD, N_HEAD_KV, HEAD_DIM, N_EXPERT, N_EXPERT_USED,
                   N_FF_EXP, SLIDING_WINDOW, CONTEXT_LENGTH)  # fmt: skip

# Block layouts (elements per block, bytes per block) of the two quantized types used.
_QK = 32
_MXFP4_BLOCK = 17  # one E8M0 scale byte, then 16 bytes of packed 4-bit values
_Q8_0_BLOCK = 34  # one float16 scale, then 32 int8 values
# E8M0 exponent of every MXFP4 block: 2**-8 keeps random 4-bit values (at most 6) near the
# magnitude of trained weights, so activations stay finite through 24 layers.
_MXFP4_SCALE = 127 - 8
_Q8_0_SCALE = np.float16(0.02 / 64)


def _mxfp4_rows(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    blocks = rng.integers(0, 256, size=(rows, cols // _QK, _MXFP4_BLOCK), dtype=np.uint8)
    blocks[:, :, 0] = _MXFP4_SCALE
    return blocks.reshape(rows, cols // _QK * _MXFP4_BLOCK)


def _q8_0_rows(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    blocks = rng.integers(-64, 64, size=(rows, cols // _QK, _Q8_0_BLOCK), dtype=np.int8)
    blocks = blocks.view(np.uint8)
    blocks[:, :, 0:2] = np.frombuffer(_Q8_0_SCALE.tobytes(), dtype=np.uint8)
    return blocks.reshape(rows, cols // _QK * _Q8_0_BLOCK)


@dataclass(frozen=True)
class _Quantized:
    """A quantized tensor whose bytes are made when it is written; shape in numpy order."""

    kind: str  # "q8_0" or "mxfp4"
    shape: tuple[int, ...]


def _tensors(rng: np.random.Generator) -> list[tuple[str, np.ndarray | _Quantized]]:
    """(name, float32 array or quantized tensor) in file order."""
    q_dim, kv_dim = N_HEAD * HEAD_DIM, N_HEAD_KV * HEAD_DIM
    out: list[tuple[str, np.ndarray | _Quantized]] = [
        ("token_embd.weight", _Quantized("q8_0", (tiny.N_VOCAB, N_EMBD)))
    ]
    for layer in range(N_LAYER):

        def small(shape: tuple[int, ...], scale: float) -> np.ndarray:
            return rng.standard_normal(shape, dtype=np.float32) * np.float32(scale)

        blk = f"blk.{layer}."
        out += [
            (blk + "attn_norm.weight", np.ones(N_EMBD, np.float32)),
            (blk + "attn_q.weight", _Quantized("q8_0", (q_dim, N_EMBD))),
            (blk + "attn_q.bias", small((q_dim,), 0.02)),
            (blk + "attn_k.weight", _Quantized("q8_0", (kv_dim, N_EMBD))),
            (blk + "attn_k.bias", small((kv_dim,), 0.02)),
            (blk + "attn_v.weight", _Quantized("q8_0", (kv_dim, N_EMBD))),
            (blk + "attn_v.bias", small((kv_dim,), 0.02)),
            (blk + "attn_output.weight", _Quantized("q8_0", (N_EMBD, q_dim))),
            (blk + "attn_output.bias", small((N_EMBD,), 0.02)),
            (blk + "attn_sinks.weight", small((N_HEAD,), 0.5)),
            (blk + "post_attention_norm.weight", np.ones(N_EMBD, np.float32)),
            (blk + "ffn_gate_inp.weight", small((N_EXPERT, N_EMBD), 0.5)),
            (blk + "ffn_gate_inp.bias", small((N_EXPERT,), 0.1)),
            (blk + "ffn_gate_exps.weight", _Quantized("mxfp4", (N_EXPERT, N_FF_EXP, N_EMBD))),
            (blk + "ffn_gate_exps.bias", small((N_EXPERT, N_FF_EXP), 0.02)),
            (blk + "ffn_up_exps.weight", _Quantized("mxfp4", (N_EXPERT, N_FF_EXP, N_EMBD))),
            (blk + "ffn_up_exps.bias", small((N_EXPERT, N_FF_EXP), 0.02)),
            (blk + "ffn_down_exps.weight", _Quantized("mxfp4", (N_EXPERT, N_EMBD, N_FF_EXP))),
            (blk + "ffn_down_exps.bias", small((N_EXPERT, N_EMBD), 0.02)),
        ]
    out += [
        ("output_norm.weight", np.ones(N_EMBD, np.float32)),
        ("output.weight", _Quantized("q8_0", (tiny.N_VOCAB, N_EMBD))),
    ]
    return out


def build_full_size_gptoss_gguf(path: pathlib.Path, *, seed: int = 0) -> pathlib.Path:
    """Write the model to ``path`` (parents created) and return the path."""
    import gguf  # test dependency

    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    tensors = _tensors(rng)

    writer = gguf.GGUFWriter(path, tiny.ARCHITECTURE)
    tiny.add_metadata(
        writer,
        SHAPE,
        name=MODEL_NAME,
        file_type=gguf.LlamaFileType.MOSTLY_MXFP4_MOE,
        vocab=tiny.build_vocab(),
    )

    kinds = {"q8_0": (gguf.GGMLQuantizationType.Q8_0, _Q8_0_BLOCK),
             "mxfp4": (gguf.GGMLQuantizationType.MXFP4, _MXFP4_BLOCK)}  # fmt: skip
    for name, source in tensors:
        if isinstance(source, np.ndarray):
            writer.add_tensor_info(name, source.shape, source.dtype, source.nbytes)
            continue
        qtype, block = kinds[source.kind]
        byte_shape = (*source.shape[:-1], source.shape[-1] // _QK * block)
        writer.add_tensor_info(name, byte_shape, np.dtype(np.uint8),
                               int(np.prod(byte_shape)), raw_dtype=qtype)  # fmt: skip

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    expert: np.ndarray | None = None  # one random expert tensor, written for all 72
    try:
        for _name, source in tensors:
            if isinstance(source, np.ndarray):
                writer.write_tensor_data(source)
                continue
            shape = source.shape
            if source.kind == "mxfp4":
                if expert is None:
                    expert = _mxfp4_rows(rng, N_EXPERT * N_FF_EXP, N_EMBD)
                writer.write_tensor_data(expert.reshape(shape[0], shape[1], -1))
            else:
                rows = int(np.prod(shape[:-1]))
                data = _q8_0_rows(rng, rows, shape[-1])
                writer.write_tensor_data(data.reshape(*shape[:-1], -1))
    finally:
        writer.close()
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", type=pathlib.Path)
    args = ap.parse_args(argv)
    out = build_full_size_gptoss_gguf(args.path)
    print(f"{out}: {out.stat().st_size / 1e9:.1f} GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
