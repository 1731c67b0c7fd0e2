"""A tiny random-weight mlx-lm ``gpt_oss`` model folder for tests of the MLX backend.

The folder is what a converted gpt-oss checkpoint looks like to ``mlx_lm.load``: a
``config.json`` (``model_type`` ``gpt_oss``, the sizes below, ``eos_token_id`` <|return|> and
<|call|>), the weights in ``model.safetensors`` and a Hugging Face tokenizer
(``tokenizer.json`` + ``tokenizer_config.json``, loaded as ``PreTrainedTokenizerFast``).

The tokenizer is character level: one token per byte, in GPT-2's byte-to-unicode alphabet
(ids 0-255), as a byte-level BPE without merges, so any UTF-8 text tokenizes and every token
decodes to its byte.  The harmony specials sit at their o200k_harmony ids (<|start|> 200006,
<|return|> 200002 ...), exactly like in the real gpt-oss tokenizer and in the tiny GGUF of
``tests.support.tiny_gptoss``: the engine's harmony parser knows the markers by id.  The ids in
between are placeholder tokens ``<|reserved_N|>`` in the BPE vocabulary, which tokenizing never
produces (there are no merges to build them).

The model's embedding and output matrices have the real gpt-oss vocabulary size (201088 rows)
but only 32 columns.  As in the tiny GGUF, embedding dimension 0 is a constant "bias channel"
that no layer writes to, and the output projection reads it to give placeholders a logit far
below everything else (they are never sampled) and the harmony specials a small boost (they
show up now and then in sampled text, so random output has some harmony structure).
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from tests.support.tiny_gptoss import SPECIAL_IDS, byte_to_unicode, script_token_ids

N_VOCAB = 201088  # the embedding rows of real gpt-oss
N_TOKENIZER = max(SPECIAL_IDS.values()) + 1  # the tokenizer stops after <|call|>
HIDDEN = 32
N_LAYER = 2
N_HEAD = 4
N_HEAD_KV = 2
HEAD_DIM = 8
N_EXPERT = 4
N_EXPERT_USED = 2
INTERMEDIATE = 32
# Much shorter than a test prompt: the sliding-window layers' rotating caches wrap around,
# which is the case where mlx-lm cannot trim a cache back to a shared prefix.
SLIDING_WINDOW = 16
CONTEXT_LENGTH = 4096
ROPE_THETA = 150000

MODEL_TYPE = "gpt_oss"
EOS_IDS = [SPECIAL_IDS["<|return|>"], SPECIAL_IDS["<|call|>"]]

_BIAS_CHANNEL_VALUE = 0.5
_PLACEHOLDER_LOGIT = -100.0
_SPECIAL_LOGIT = 1.0
_WEIGHT_SCALE = 0.02
_OUTPUT_SCALE = 0.2


def config_dict(hidden: int = HIDDEN) -> dict[str, Any]:
    """``config.json``: the fields of ``mlx_lm.models.gpt_oss.ModelArgs`` and the eos ids."""
    return {
        "model_type": MODEL_TYPE,
        "architectures": ["GptOssForCausalLM"],
        "num_hidden_layers": N_LAYER,
        "num_local_experts": N_EXPERT,
        "num_experts_per_tok": N_EXPERT_USED,
        "vocab_size": N_VOCAB,
        "rms_norm_eps": 1e-5,
        "hidden_size": hidden,
        "intermediate_size": INTERMEDIATE,
        "head_dim": HEAD_DIM,
        "num_attention_heads": N_HEAD,
        "num_key_value_heads": N_HEAD_KV,
        "sliding_window": SLIDING_WINDOW,
        "rope_theta": ROPE_THETA,
        "layer_types": ["sliding_attention", "full_attention"] * (N_LAYER // 2),
        "max_position_embeddings": CONTEXT_LENGTH,
        "eos_token_id": EOS_IDS,
        "bos_token_id": SPECIAL_IDS["<|startoftext|>"],
        "pad_token_id": SPECIAL_IDS["<|endoftext|>"],
    }


def vocab_tokens(extra: dict[int, str] | None = None) -> list[str]:
    """The tokenizer's vocabulary in id order: bytes, placeholders, harmony specials.

    ``extra`` puts more tokens (already in the byte-level alphabet) at placeholder ids.
    """
    tokens = [f"<|reserved_{i}|>" for i in range(N_TOKENIZER)]
    byte_tokens = sorted(byte_to_unicode().values(), key=ord)
    tokens[: len(byte_tokens)] = byte_tokens
    for text, token_id in SPECIAL_IDS.items():
        tokens[token_id] = text
    for token_id, text in (extra or {}).items():
        tokens[token_id] = text
    return tokens


def tokenizer_json(tokens: list[str]) -> dict[str, Any]:
    """A byte-level BPE without merges over ``tokens``, with the harmony specials added as
    special tokens (matched in text, kept whole, ``special`` for ``is_control``)."""
    added = [
        {
            "id": token_id,
            "content": text,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
        for text, token_id in sorted(SPECIAL_IDS.items(), key=lambda kv: kv[1])
    ]
    byte_level = {"add_prefix_space": False, "trim_offsets": True, "use_regex": False}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", **byte_level},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", **byte_level},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": {text: i for i, text in enumerate(tokens)},
            "merges": [],
        },
    }


def _write_tokenizer(folder: pathlib.Path, tokens: list[str]) -> None:
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer.from_str(json.dumps(tokenizer_json(tokens)))
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token="<|startoftext|>",
        eos_token="<|return|>",
        pad_token="<|endoftext|>",
    )
    wrapped.save_pretrained(str(folder))


def parameter_shapes(hidden: int = HIDDEN) -> dict[str, tuple[int, ...]]:
    """Names and shapes of the parameters mlx-lm's gpt_oss model expects, from the model."""
    from mlx.utils import tree_flatten
    from mlx_lm.models.gpt_oss import Model, ModelArgs

    model = Model(ModelArgs.from_dict(config_dict(hidden)))
    return {name: tuple(value.shape) for name, value in tree_flatten(model.parameters())}


def _random_weights(rng: np.random.Generator) -> dict[str, np.ndarray]:
    used = np.asarray([*range(256), *SPECIAL_IDS.values()])
    special = np.asarray(sorted(SPECIAL_IDS.values()))
    weights: dict[str, np.ndarray] = {}
    for name, shape in parameter_shapes().items():
        if name.endswith("norm.weight"):
            weights[name] = np.ones(shape, dtype=np.float32)
        elif name.endswith(("sinks", "router.weight")):
            weights[name] = rng.standard_normal(shape, dtype=np.float32) * 0.5
        elif name.endswith("router.bias"):
            weights[name] = rng.standard_normal(shape, dtype=np.float32) * 0.1
        elif name in ("model.embed_tokens.weight", "lm_head.weight"):
            continue
        else:
            weights[name] = rng.standard_normal(shape, dtype=np.float32) * _WEIGHT_SCALE
        # Keep the bias channel constant: no layer writes into residual dimension 0.
        if name.endswith("o_proj.weight"):
            weights[name][0, :] = 0.0
        elif name.endswith("o_proj.bias"):
            weights[name][0] = 0.0
        elif name.endswith("experts.down_proj.weight"):
            weights[name][:, 0, :] = 0.0
        elif name.endswith("experts.down_proj.bias"):
            weights[name][:, 0] = 0.0

    embedding = np.zeros((N_VOCAB, HIDDEN), dtype=np.float32)
    embedding[used] = rng.standard_normal((used.size, HIDDEN), dtype=np.float32) * _WEIGHT_SCALE
    embedding[:, 0] = _BIAS_CHANNEL_VALUE
    # After the final RMS norm the channel is about sqrt(hidden) * value / rms.
    other_sq = (HIDDEN - 1) * _WEIGHT_SCALE**2
    channel = _BIAS_CHANNEL_VALUE * np.sqrt(HIDDEN / (_BIAS_CHANNEL_VALUE**2 + other_sq))
    output = np.zeros((N_VOCAB, HIDDEN), dtype=np.float32)
    output[used, 1:] = rng.standard_normal((used.size, HIDDEN - 1), dtype=np.float32)
    output[used, 1:] *= _OUTPUT_SCALE
    output[:, 0] = _PLACEHOLDER_LOGIT / channel
    output[used, 0] = 0.0
    output[special, 0] = _SPECIAL_LOGIT / channel
    weights["model.embed_tokens.weight"] = embedding
    weights["lm_head.weight"] = output
    return weights


def _write_folder(
    folder: pathlib.Path, weights: dict[str, np.ndarray], tokens: list[str], hidden: int = HIDDEN
) -> pathlib.Path:
    from safetensors.numpy import save_file

    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config_dict(hidden), indent=2), "utf-8")
    save_file(weights, str(folder / "model.safetensors"), metadata={"format": "mlx"})
    _write_tokenizer(folder, tokens)
    return folder


def build_tiny_mlx_gptoss(folder: pathlib.Path, *, seed: int = 0) -> pathlib.Path:
    """Write the tiny model folder (created if needed) and return it.

    The same seed gives the same weights.  About 58 MB: two 201088 x 32 float32 matrices and a
    7 MB tokenizer.json.
    """
    weights = _random_weights(np.random.default_rng(seed))
    return _write_folder(folder, weights, vocab_tokens())


# ---------------------------------------------------------------------------------------------
# The scripted variant: the same bigram machine as ``build_scripted_gptoss_gguf`` (see there).
# Every layer adds exactly zero to the residual stream, each script item's token has a one-hot
# embedding of its own, and the output projection maps each one to its successor with a logit
# gap of 100, so after any prompt the model writes the script, token for token, at any
# temperature up to about 2. Text items are tokens of their own at the ids
# ``script_token_ids`` gives, unreachable by tokenizing (no merges build them).

_SCRIPT_LOGIT_GAP = 100.0


def build_scripted_mlx_gptoss(folder: pathlib.Path, script: Sequence[str]) -> pathlib.Path:
    """Write an MLX gpt-oss folder that generates exactly the tokens of ``script``."""
    ids = script_token_ids(script)
    to_unicode = byte_to_unicode()
    extra: dict[int, str] = {}
    taken = set(vocab_tokens())
    for item, token_id in zip(script, ids, strict=True):
        if item in SPECIAL_IDS:
            continue
        text = "".join(to_unicode[b] for b in item.encode())
        if text in taken:
            raise ValueError(f"script item {item!r} is already a token of the vocabulary")
        extra[token_id] = text
        taken.add(text)

    hidden = 16 * ((len(ids) + 1 + 15) // 16)
    weights = {
        name: (np.ones if name.endswith("norm.weight") else np.zeros)(shape, dtype=np.float32)
        for name, shape in parameter_shapes(hidden).items()
    }
    default_dim = 0
    embedding = weights["model.embed_tokens.weight"]
    embedding[:, default_dim] = 1.0
    output = weights["lm_head.weight"]
    # The final RMS norm turns a one-hot embedding into sqrt(hidden) along the same dimension.
    gain = _SCRIPT_LOGIT_GAP / np.sqrt(hidden)
    output[ids[0], default_dim] = gain
    for position, token_id in enumerate(ids):
        state = position + 1
        embedding[token_id, default_dim] = 0.0
        embedding[token_id, state] = 1.0
        output[ids[(position + 1) % len(ids)], state] = gain
    return _write_folder(folder, weights, vocab_tokens(extra), hidden)
