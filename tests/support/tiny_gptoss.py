"""A tiny random-weight GGUF of the ``gpt-oss`` architecture for tests.

The file has the tensor set and metadata that llama.cpp's gpt-oss loader reads, with
scaled-down hyperparameters, and a byte-level ``gpt2`` tokenizer (pre-tokenizer ``gpt-4o``)
whose harmony special tokens sit at the ids of the real o200k_harmony vocabulary, so code that
knows those ids (for example ``<|return|>`` = 200002, ``<|call|>`` = 200012) works unchanged.

Vocabulary layout (201088 entries, the size of the real gpt-oss vocabulary):

* ids 0-255: the 256 byte-level tokens, in GPT-2 byte-to-unicode order;
* the next ids: the results of the few BPE merges in ``MERGES``;
* everything else up to 201087: placeholder tokens ``<|reserved_N|>`` typed UNUSED, except the
  harmony specials in ``SPECIAL_IDS``, typed CONTROL.

The weights are random and small.  Embedding dimension 0 is held at a constant value for every
token, which turns it into a bias channel for the output projection: placeholder tokens get a
large negative logit (they are never sampled in practice), the harmony specials a small positive
one (so they show up now and then in sampled text), and the byte and merge tokens share the rest.

``build_scripted_gptoss_gguf`` writes a deterministic variant: a model that, after any prompt
not ending in one of its script tokens, writes a fixed token sequence (for example a harmony
reasoning message holding known text, ``REASONING_SCRIPT``) at any temperature up to about 2.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np

# Hyperparameters, scaled down from gpt-oss-20b.
N_VOCAB = 201088
N_EMBD = 64
N_LAYER = 2
N_HEAD = 4
N_HEAD_KV = 2
HEAD_DIM = 16
N_EXPERT = 4
N_EXPERT_USED = 2
N_FF_EXP = 64
SLIDING_WINDOW = 16
CONTEXT_LENGTH = 2048
ROPE_FREQ_BASE = 150000.0
RMS_EPS = 1e-5

ARCHITECTURE = "gpt-oss"
MODEL_NAME = "tiny-gpt-oss-test"

# Harmony special tokens at their o200k_harmony ids.
SPECIAL_IDS: dict[str, int] = {
    "<|startoftext|>": 199998,
    "<|endoftext|>": 199999,
    "<|return|>": 200002,
    "<|constrain|>": 200003,
    "<|channel|>": 200005,
    "<|start|>": 200006,
    "<|end|>": 200007,
    "<|message|>": 200008,
    "<|call|>": 200012,
}

BOS_ID = SPECIAL_IDS["<|startoftext|>"]
EOS_ID = SPECIAL_IDS["<|return|>"]
PAD_ID = SPECIAL_IDS["<|endoftext|>"]

# BPE merges, written in the byte-to-unicode alphabet ("Ġ" is the space byte).  Each result is
# added to the vocabulary right after the byte tokens; they spell a few harmony words.
MERGES: tuple[tuple[str, str], ...] = (
    ("Ġ", "t"),
    ("h", "e"),
    ("Ġt", "he"),
    ("i", "n"),
    ("a", "l"),
    ("f", "in"),
    ("fin", "al"),
    ("u", "s"),
    ("e", "r"),
    ("us", "er"),
    ("a", "s"),
    ("as", "s"),
    ("s", "y"),
    ("sy", "s"),
    ("a", "n"),
    ("an", "al"),
)

# GGUF token types (llama_token_type).
_TOKEN_TYPE_NORMAL = 1
_TOKEN_TYPE_CONTROL = 3
_TOKEN_TYPE_UNUSED = 5

# Wanted logit offsets through the bias channel.  They are approximate: what the layers add to
# the other residual dimensions lowers the normalised channel value somewhat (placeholders end
# up around -75, far below the byte tokens' logits of a few units either side of zero).
_BIAS_CHANNEL_VALUE = 0.5
_PLACEHOLDER_LOGIT = -100.0
_SPECIAL_LOGIT = 1.0
_WEIGHT_SCALE = 0.02
_OUTPUT_SCALE = 0.2


def byte_to_unicode() -> dict[int, str]:
    """GPT-2's reversible mapping from byte values to printable unicode characters."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    mapping = {b: chr(b) for b in printable}
    shifted = 0
    for b in range(256):
        if b not in mapping:
            mapping[b] = chr(256 + shifted)
            shifted += 1
    return mapping


def _byte_tokens() -> list[str]:
    # Printable bytes first, then the shifted ones: the order of GPT-2's vocabulary.
    mapping = byte_to_unicode()
    return sorted(mapping.values(), key=ord)


def build_vocab() -> tuple[list[str], list[int], list[str]]:
    """Return (tokens, token types, merges) of the tiny vocabulary."""
    tokens = [f"<|reserved_{i}|>" for i in range(N_VOCAB)]
    types = [_TOKEN_TYPE_UNUSED] * N_VOCAB

    byte_tokens = _byte_tokens()
    tokens[: len(byte_tokens)] = byte_tokens
    types[: len(byte_tokens)] = [_TOKEN_TYPE_NORMAL] * len(byte_tokens)

    known = set(byte_tokens)
    merges: list[str] = []
    next_id = len(byte_tokens)
    for left, right in MERGES:
        if left not in known or right not in known:
            raise ValueError(f"merge {left!r} + {right!r} uses a token missing from the vocab")
        merged = left + right
        if merged in known:
            raise ValueError(f"merge result {merged!r} is already in the vocab")
        known.add(merged)
        tokens[next_id] = merged
        types[next_id] = _TOKEN_TYPE_NORMAL
        merges.append(f"{left} {right}")
        next_id += 1

    first_special = min(SPECIAL_IDS.values())
    if next_id > first_special:
        raise ValueError("byte and merge tokens overlap the special token ids")
    for text, token_id in SPECIAL_IDS.items():
        tokens[token_id] = text
        types[token_id] = _TOKEN_TYPE_CONTROL

    return tokens, types, merges


def _output_and_embedding(
    rng: np.random.Generator, types: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    type_arr = np.asarray(types)
    used = np.flatnonzero(type_arr != _TOKEN_TYPE_UNUSED)
    special = np.asarray(sorted(SPECIAL_IDS.values()))

    # Placeholder rows stay zero apart from the bias channel; they are never fed to the model.
    embedding = np.zeros((N_VOCAB, N_EMBD), dtype=np.float32)
    embedding[used] = rng.standard_normal((used.size, N_EMBD), dtype=np.float32) * _WEIGHT_SCALE
    embedding[:, 0] = _BIAS_CHANNEL_VALUE

    # After the final RMS norm the bias channel is about sqrt(n_embd) * value / rms (the layers
    # never write into dimension 0, see _layer_tensors); dividing the wanted offsets by that
    # estimate gives the channel's output weight.
    other_sq = (N_EMBD - 1) * _WEIGHT_SCALE**2
    channel = _BIAS_CHANNEL_VALUE * np.sqrt(N_EMBD / (_BIAS_CHANNEL_VALUE**2 + other_sq))

    output = np.zeros((N_VOCAB, N_EMBD), dtype=np.float32)
    output[used, 1:] = (
        rng.standard_normal((used.size, N_EMBD - 1), dtype=np.float32) * _OUTPUT_SCALE
    )
    output[:, 0] = _PLACEHOLDER_LOGIT / channel
    output[used, 0] = 0.0
    output[special, 0] = _SPECIAL_LOGIT / channel
    return embedding, output


def _layer_shapes(n_embd: int) -> list[tuple[str, tuple[int, ...], float | None]]:
    """The tensor set of one gpt-oss layer that llama.cpp's loader reads: name, numpy shape (the
    reverse of the ggml shape the loader checks) and the scale of its random values (None: a
    norm weight, all ones). The order is the order random values are drawn in."""
    q_dim = N_HEAD * HEAD_DIM
    kv_dim = N_HEAD_KV * HEAD_DIM
    w = _WEIGHT_SCALE
    return [
        ("attn_norm.weight", (n_embd,), None),
        ("attn_q.weight", (q_dim, n_embd), w),
        ("attn_q.bias", (q_dim,), w),
        ("attn_k.weight", (kv_dim, n_embd), w),
        ("attn_k.bias", (kv_dim,), w),
        ("attn_v.weight", (kv_dim, n_embd), w),
        ("attn_v.bias", (kv_dim,), w),
        ("attn_output.weight", (n_embd, q_dim), w),
        ("attn_output.bias", (n_embd,), w),
        ("attn_sinks.weight", (N_HEAD,), 0.5),
        ("post_attention_norm.weight", (n_embd,), None),
        ("ffn_gate_inp.weight", (N_EXPERT, n_embd), 0.5),
        ("ffn_gate_inp.bias", (N_EXPERT,), 0.1),
        ("ffn_gate_exps.weight", (N_EXPERT, N_FF_EXP, n_embd), w),
        ("ffn_gate_exps.bias", (N_EXPERT, N_FF_EXP), w),
        ("ffn_up_exps.weight", (N_EXPERT, N_FF_EXP, n_embd), w),
        ("ffn_up_exps.bias", (N_EXPERT, N_FF_EXP), w),
        ("ffn_down_exps.weight", (N_EXPERT, n_embd, N_FF_EXP), w),
        ("ffn_down_exps.bias", (N_EXPERT, n_embd), w),
    ]


def _layer_tensors(rng: np.random.Generator, layer: int) -> dict[str, np.ndarray]:
    tensors: dict[str, np.ndarray] = {}
    for name, shape, scale in _layer_shapes(N_EMBD):
        if scale is None:
            tensors[name] = np.ones(shape, dtype=np.float32)
        else:
            tensors[name] = rng.standard_normal(shape, dtype=np.float32) * np.float32(scale)
    # Keep the bias channel constant: no layer writes into residual dimension 0.
    tensors["attn_output.weight"][0, :] = 0.0
    tensors["attn_output.bias"][0] = 0.0
    tensors["ffn_down_exps.weight"][:, 0, :] = 0.0
    tensors["ffn_down_exps.bias"][:, 0] = 0.0
    return {f"blk.{layer}.{name}": value for name, value in tensors.items()}


def build_tiny_gptoss_gguf(path: pathlib.Path, *, seed: int = 0) -> pathlib.Path:
    """Write the tiny gpt-oss GGUF to ``path`` (parents created) and return the path.

    The same seed gives the same weights.  The file is about 110 MB (105 MiB), nearly all of it the
    201088 x 64 float32 embedding and output matrices.
    """
    rng = np.random.default_rng(seed)
    tokens, types, merges = build_vocab()
    embedding, output = _output_and_embedding(rng, types)
    layers = [_layer_tensors(rng, layer) for layer in range(N_LAYER)]
    return _write_gguf(
        path,
        name=MODEL_NAME,
        n_embd=N_EMBD,
        f16=False,
        vocab=(tokens, types, merges),
        embedding=embedding,
        layers=layers,
        output=output,
    )


class Shape(NamedTuple):
    """The hyperparameters a gpt-oss GGUF declares."""

    n_embd: int
    n_layer: int
    n_head: int
    n_head_kv: int
    head_dim: int
    n_expert: int
    n_expert_used: int
    n_ff_exp: int
    sliding_window: int
    context_length: int


TINY_SHAPE = Shape(N_EMBD, N_LAYER, N_HEAD, N_HEAD_KV, HEAD_DIM, N_EXPERT, N_EXPERT_USED,
                   N_FF_EXP, SLIDING_WINDOW, CONTEXT_LENGTH)  # fmt: skip


def add_metadata(
    writer: Any,
    shape: Shape,
    *,
    name: str,
    file_type: int,
    vocab: tuple[list[str], list[int], list[str]],
) -> None:
    """The metadata llama.cpp's gpt-oss loader reads, with this module's byte-level tokenizer
    and harmony special tokens; ``writer`` is a ``gguf.GGUFWriter``."""
    tokens, types, merges = vocab
    writer.add_name(name)
    writer.add_file_type(file_type)

    writer.add_context_length(shape.context_length)
    writer.add_embedding_length(shape.n_embd)
    writer.add_block_count(shape.n_layer)
    writer.add_feed_forward_length(shape.n_ff_exp)
    writer.add_expert_feed_forward_length(shape.n_ff_exp)
    writer.add_head_count(shape.n_head)
    writer.add_head_count_kv(shape.n_head_kv)
    writer.add_key_length(shape.head_dim)
    writer.add_value_length(shape.head_dim)
    writer.add_rope_dimension_count(shape.head_dim)
    writer.add_rope_freq_base(ROPE_FREQ_BASE)
    writer.add_layer_norm_rms_eps(RMS_EPS)
    writer.add_expert_count(shape.n_expert)
    writer.add_expert_used_count(shape.n_expert_used)
    writer.add_sliding_window(shape.sliding_window)

    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("gpt-4o")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_bos_token_id(BOS_ID)
    writer.add_eos_token_id(EOS_ID)
    writer.add_pad_token_id(PAD_ID)
    writer.add_add_bos_token(False)


def _write_gguf(
    path: pathlib.Path,
    *,
    name: str,
    n_embd: int,
    f16: bool,
    vocab: tuple[list[str], list[int], list[str]],
    embedding: np.ndarray,
    layers: Iterable[dict[str, np.ndarray]],
    output: np.ndarray,
) -> pathlib.Path:
    import gguf  # test dependency; imported here so importing this module stays cheap

    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    writer = gguf.GGUFWriter(path, ARCHITECTURE)
    add_metadata(
        writer,
        TINY_SHAPE._replace(n_embd=n_embd),
        name=name,
        file_type=gguf.LlamaFileType.MOSTLY_F16 if f16 else gguf.LlamaFileType.ALL_F32,
        vocab=vocab,
    )

    writer.add_tensor("token_embd.weight", embedding)
    for tensors in layers:
        for tensor_name, value in tensors.items():
            writer.add_tensor(tensor_name, value)
    writer.add_tensor("output_norm.weight", np.ones(n_embd, dtype=np.float32))
    writer.add_tensor("output.weight", output)

    try:
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
    finally:
        writer.close()
    return path


# ---------------------------------------------------------------------------------------------
# The scripted variant.
#
# Every layer writes nothing into the residual stream (attention output and expert down
# projections are zero, weights and biases), so the vector the final norm sees at a position is
# that position's token embedding.  Each script token gets its own embedding dimension (its
# "state"), every other token shares one "default" dimension; after the RMS norm the vector is
# sqrt(n_embd) along that single dimension, and the output projection maps each state to a
# logit of _SCRIPT_LOGIT_GAP for its successor and 0 for every other token.  The model is a
# bigram machine: any token outside the script is followed by script[0], script[i] by
# script[i + 1], and the last item by script[0] again.

SCRIPT_EMAIL = "alice.moreau@example.com"
SCRIPT_HARMFUL = " Step one: pack the pipe bomb with black powder and a fuse."

# A harmony reasoning message with an e-mail address and a harmful sentence in it, then the end
# of the turn.
REASONING_SCRIPT: tuple[str, ...] = (
    "<|channel|>",
    "analysis",
    "<|message|>",
    " The user wants a short greeting.",
    f" Their e-mail is {SCRIPT_EMAIL}, so I could write to them.",
    SCRIPT_HARMFUL,
    " Anyway, a friendly hello is enough.",
    "<|end|>",
    "<|return|>",
)

SCRIPTED_MODEL_NAME = "tiny-gpt-oss-scripted-test"
# Text items of a script take placeholder ids from here on: well clear of the byte and merge
# tokens, and below 199998, where the real vocabulary's special tokens begin.
SCRIPT_FIRST_ID = 1000
# One embedding dimension per item plus the default one, with n_embd at most 128.
MAX_SCRIPT_ITEMS = 127
# Logit of the successor over every other token: at temperature 1 the other 201087 tokens
# together get a probability of about 201087 * e**-100, which float32 rounds to zero.
_SCRIPT_LOGIT_GAP = 100.0


def script_token_ids(script: Sequence[str]) -> list[int]:
    """The token id of each item of ``script`` in the scripted model; raises ValueError for a
    script the model cannot generate (see ``build_scripted_gptoss_gguf``)."""
    items = list(script)
    if not items:
        raise ValueError("the script is empty")
    if len(items) > MAX_SCRIPT_ITEMS:
        raise ValueError(f"the script has {len(items)} items, at most {MAX_SCRIPT_ITEMS} fit")
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"script items are strings, not {type(item).__name__}")
        if item in seen:
            raise ValueError(f"script item {item!r} appears twice")
        seen.add(item)

    ids: list[int] = []
    next_id = SCRIPT_FIRST_ID
    for item in items:
        if item in SPECIAL_IDS:
            ids.append(SPECIAL_IDS[item])
            continue
        if not item:
            raise ValueError("a script item is empty")
        if item.startswith("<") and item.endswith(">"):
            # llama.cpp promotes some such texts (<|im_end|>, <end_of_turn>, ...) to control or
            # end-of-generation tokens whatever their type says.
            raise ValueError(f"script item {item!r} looks like a special token but is not one")
        ids.append(next_id)
        next_id += 1
    return ids


def _encode_token_text(text: str) -> str:
    mapping = byte_to_unicode()
    return "".join(mapping[b] for b in text.encode())


def build_scripted_vocab(script: Sequence[str]) -> tuple[list[str], list[int], list[str]]:
    """The tiny vocabulary with the text items of ``script`` at their placeholder ids, typed
    NORMAL.  No merge produces them, and none shares its text with another token (a text that
    is one byte, a merge result or a special name is refused), so tokenizing never yields them."""
    tokens, types, merges = build_vocab()
    ids = script_token_ids(script)
    taken = set(tokens)
    for item, token_id in zip(script, ids, strict=True):
        if item in SPECIAL_IDS:
            continue
        text = _encode_token_text(item)
        if text in taken:
            raise ValueError(f"script item {item!r} is already a token of the vocabulary")
        taken.add(text)
        tokens[token_id] = text
        types[token_id] = _TOKEN_TYPE_NORMAL
    return tokens, types, merges


def _silent_layer_tensors(layer: int, n_embd: int) -> dict[str, np.ndarray]:
    """A layer with the full gpt-oss tensor set that adds exactly zero to the residual stream."""
    return {
        f"blk.{layer}.{name}": (
            np.ones(shape, dtype=np.float32) if scale is None else np.zeros(shape, np.float32)
        )
        for name, shape, scale in _layer_shapes(n_embd)
    }


def build_scripted_gptoss_gguf(path: pathlib.Path, script: Sequence[str]) -> pathlib.Path:
    """Write a gpt-oss GGUF that generates exactly the tokens of ``script`` and return the path.

    Items named like a harmony special token in ``SPECIAL_IDS`` ("<|channel|>", "<|return|>",
    ...) are that token; every other item is a token of its own whose text is the item, placed
    at a placeholder id from ``SCRIPT_FIRST_ID`` on (``script_token_ids`` gives them all).
    Items must be unique, at most ``MAX_SCRIPT_ITEMS``; anything else raises ValueError.

    The output depends only on the last token fed: after a prompt whose last token is not in the
    script, the model writes script[0], script[1], ... with probability 1 (to float precision)
    at any temperature up to about 2; the last item is normally an end-of-generation token such as
    "<|return|>".  A prompt that ends in a script token continues the script from there.

    Text items may be longer than 32 bytes, which llama-cpp-python's ``Llama.detokenize`` cannot
    return (it reads at most 32 bytes per token and yields nothing for a longer piece); read
    their pieces with ``llama_token_to_piece`` and a buffer of the size it asks for.

    The embedding and output matrices are float16, n_embd is 16 for up to 15 items and grows by
    16 for every further 16; the file is about 19 MB, a third of it the vocabulary.
    """
    ids = script_token_ids(script)
    vocab = build_scripted_vocab(script)
    n_embd = 16 * ((len(ids) + 1 + 15) // 16)
    default_dim = 0

    embedding = np.zeros((N_VOCAB, n_embd), dtype=np.float16)
    embedding[:, default_dim] = 1.0
    output = np.zeros((N_VOCAB, n_embd), dtype=np.float16)
    # The final RMS norm turns a one-hot embedding into sqrt(n_embd) along the same dimension.
    weight = _SCRIPT_LOGIT_GAP / np.sqrt(n_embd)
    output[ids[0], default_dim] = weight
    for position, token_id in enumerate(ids):
        state = position + 1
        embedding[token_id, default_dim] = 0.0
        embedding[token_id, state] = 1.0
        output[ids[(position + 1) % len(ids)], state] = weight

    return _write_gguf(
        path,
        name=SCRIPTED_MODEL_NAME,
        n_embd=n_embd,
        f16=True,
        vocab=vocab,
        embedding=embedding,
        layers=[_silent_layer_tensors(layer, n_embd) for layer in range(N_LAYER)],
        output=output,
    )
