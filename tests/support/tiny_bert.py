"""A tiny GGUF embedding model of llama.cpp's ``bert`` architecture, for tests.

It has what llama.cpp's BERT loader reads — token, token-type and position embeddings with
their norm, and per layer separate Q/K/V projections with biases, the attention output, its
norm, a GELU feed-forward pair and the output norm, all with biases — scaled down to a few
dimensions, plus the ``bert`` (WordPiece) tokenizer and a pooling type (mean by default).

Vocabulary, in the form llama.cpp's WordPiece tokenizer expects (a word's first piece starts
with ``▁``, U+2581, continuation pieces are bare):

* ids 0-4: ``[PAD]``, ``[UNK]``, ``[CLS]``, ``[SEP]``, ``[MASK]``, typed CONTROL;
* then ``▁x`` and ``x`` for every lower-case ASCII letter and digit, so any ASCII word
  tokenizes letter by letter (a word with another letter becomes ``[UNK]``);
* then a few whole words: ``STOP_WORDS`` and ``CONTENT_WORDS``.

The weights make it a bag-of-words model, so that its similarities mean something and tests
can check that fused rankings still find the right passage. Position and token-type
embeddings are zero, and every layer's attention output and feed-forward down projection are
zero, so each token leaves the layers as its normalised embedding. Letters, digits, stop
words and the unknown token have constant embeddings, which the embedding norm turns into
zero vectors: they weigh nothing. Content words and ``[CLS]``/``[SEP]`` have random (seeded)
embeddings. A text's mean-pooled vector is then the sum of its content words' vectors plus
a fixed part from ``[CLS]`` and ``[SEP]`` (never zero), and two texts are close when they
share content words. The attention's Q/K/V and the feed-forward up projection are random:
llama.cpp computes them, they just do not reach the output.
"""

from __future__ import annotations

import pathlib
import string

import numpy as np

ARCHITECTURE = "bert"
N_EMBD = 32
N_HEAD = 2
N_LAYER = 2
N_FF = 64
N_TOKEN_TYPES = 2
CONTEXT_LENGTH = 512
NORM_EPS = 1e-12

SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
PAD_ID, UNK_ID, CLS_ID, SEP_ID, MASK_ID = range(len(SPECIALS))
STOP_WORDS = ("the", "of", "and", "is", "how", "does")
CONTENT_WORDS = (
    "page", "report", "topic", "search", "document", "query", "passage",
    "lighthouse", "beam", "lens", "light", "sea", "warranty", "refunds",
)  # fmt: skip

# gguf's token types: 1 normal, 3 control.
_NORMAL = 1
_CONTROL = 3
# gguf's pooling types: 1 mean, 2 CLS.
POOLING_MEAN = 1


def build_vocab() -> tuple[list[str], list[int]]:
    tokens = list(SPECIALS)
    alphabet = string.ascii_lowercase + string.digits
    tokens += [f"\u2581{c}" for c in alphabet]
    tokens += list(alphabet)
    tokens += [f"\u2581{w}" for w in (*STOP_WORDS, *CONTENT_WORDS)]
    types = [_CONTROL] * len(SPECIALS) + [_NORMAL] * (len(tokens) - len(SPECIALS))
    return tokens, types


def _normal(rng: np.random.Generator, *shape: int, scale: float = 0.2) -> np.ndarray:
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def build_tiny_bert_gguf(
    path: pathlib.Path,
    *,
    seed: int = 0,
    name: str = "tiny-bert-embedding-test",
    pooling: int | None = POOLING_MEAN,
) -> pathlib.Path:
    """Write the model to ``path``; ``seed`` picks the word vectors, ``name`` is general.name,
    and ``pooling`` the pooling type in the metadata (None: none written)."""
    import gguf  # test dependency; imported here so importing this module stays cheap

    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    tokens, types = build_vocab()
    n_vocab = len(tokens)

    writer = gguf.GGUFWriter(path, ARCHITECTURE)
    writer.add_name(name)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_context_length(CONTEXT_LENGTH)
    writer.add_embedding_length(N_EMBD)
    writer.add_block_count(N_LAYER)
    writer.add_feed_forward_length(N_FF)
    writer.add_head_count(N_HEAD)
    writer.add_layer_norm_eps(NORM_EPS)
    writer.add_causal_attention(False)
    if pooling is not None:
        writer.add_pooling_type(gguf.PoolingType(pooling))

    writer.add_tokenizer_model("bert")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_type_count(N_TOKEN_TYPES)
    writer.add_bos_token_id(CLS_ID)  # llama.cpp starts a BERT input with its CLS as BOS
    writer.add_sep_token_id(SEP_ID)
    writer.add_unk_token_id(UNK_ID)
    writer.add_pad_token_id(PAD_ID)
    writer.add_mask_token_id(MASK_ID)
    writer.add_add_bos_token(True)
    writer.add_add_sep_token(True)

    ones = np.ones(N_EMBD, dtype=np.float32)
    zeros = np.zeros(N_EMBD, dtype=np.float32)
    embedding = np.ones((n_vocab, N_EMBD), dtype=np.float32)  # constant rows: normed to zero
    meaningful = [CLS_ID, SEP_ID, *range(n_vocab - len(CONTENT_WORDS), n_vocab)]
    embedding[meaningful] = _normal(rng, len(meaningful), N_EMBD, scale=1.0)
    writer.add_tensor("token_embd.weight", embedding)
    writer.add_tensor("token_types.weight", np.zeros((N_TOKEN_TYPES, N_EMBD), np.float32))
    writer.add_tensor("position_embd.weight", np.zeros((CONTEXT_LENGTH, N_EMBD), np.float32))
    writer.add_tensor("token_embd_norm.weight", ones)
    writer.add_tensor("token_embd_norm.bias", zeros)
    for i in range(N_LAYER):
        blk = f"blk.{i}"
        for proj in ("attn_q", "attn_k", "attn_v"):
            writer.add_tensor(f"{blk}.{proj}.weight", _normal(rng, N_EMBD, N_EMBD))
            writer.add_tensor(f"{blk}.{proj}.bias", _normal(rng, N_EMBD, scale=0.02))
        writer.add_tensor(f"{blk}.attn_output.weight", np.zeros((N_EMBD, N_EMBD), np.float32))
        writer.add_tensor(f"{blk}.attn_output.bias", zeros)
        writer.add_tensor(f"{blk}.attn_output_norm.weight", ones)
        writer.add_tensor(f"{blk}.attn_output_norm.bias", zeros)
        writer.add_tensor(f"{blk}.ffn_up.weight", _normal(rng, N_FF, N_EMBD))
        writer.add_tensor(f"{blk}.ffn_up.bias", _normal(rng, N_FF, scale=0.02))
        writer.add_tensor(f"{blk}.ffn_down.weight", np.zeros((N_EMBD, N_FF), np.float32))
        writer.add_tensor(f"{blk}.ffn_down.bias", zeros)
        writer.add_tensor(f"{blk}.layer_output_norm.weight", ones)
        writer.add_tensor(f"{blk}.layer_output_norm.bias", zeros)

    try:
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
    finally:
        writer.close()
    return path
