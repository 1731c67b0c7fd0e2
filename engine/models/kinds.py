"""What a GGUF model is for: writing (a chat model) or turning text into vectors (an embedding
model), told from its header alone.

llama.cpp's converters write ``<arch>.pooling_type`` only for models whose output is pooled
into one vector per text: embedding models (mean, CLS or last-token pooling) and rerankers
("rank" pooling). Encoder-only architectures (BERT and its descendants) cannot write text at
all, so they are embedding models even when an old conversion left the pooling type out; they
then pool by mean, the usual choice for sentence embeddings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# llama.cpp's enum llama_pooling_type.
POOLING_NONE = 0
POOLING_MEAN = 1
POOLING_CLS = 2
POOLING_LAST = 3
POOLING_RANK = 4
POOLING_NAMES = {POOLING_MEAN: "mean", POOLING_CLS: "cls", POOLING_LAST: "last"}

# llama.cpp architectures with no decoder: they only embed.
ENCODER_ARCHITECTURES = frozenset(
    {
        "bert",
        "nomic-bert",
        "nomic-bert-moe",
        "jina-bert-v2",
        "jina-bert-v3",
        "neo-bert",
        "modern-bert",
        "gemma-embedding",
    }
)


def declared_pooling(metadata: Mapping[str, Any]) -> int | None:
    """The pooling type the header declares, or None when it declares none."""
    arch = metadata.get("general.architecture")
    value = metadata.get(f"{arch}.pooling_type")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def embedding_pooling(metadata: Mapping[str, Any]) -> int | None:
    """How the model pools its output into one vector per text; None if it is not an embedding
    model (a chat model, or a reranker whose output is a score)."""
    declared = declared_pooling(metadata)
    if declared in POOLING_NAMES:
        return declared
    if declared is None and metadata.get("general.architecture") in ENCODER_ARCHITECTURES:
        return POOLING_MEAN
    return None


def is_embedding_model(metadata: Mapping[str, Any]) -> bool:
    return embedding_pooling(metadata) is not None
