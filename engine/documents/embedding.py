"""An :class:`~engine.documents.index.Embedder` over a GGUF embedding model, run by llama.cpp.

It runs where native code may crash without harm: in the worker process, beside the chat
model (``LoadModel.embedding_model``), and in ``lanterna-engine docs search``, a command of its
own. The app's process never loads it.

- **Pooling** is the one the file declares (mean, CLS or last token; see
  :mod:`engine.models.kinds`); a file that declares none is refused unless its architecture is
  an encoder, which then pools by mean. Vectors are normalised to unit length, so the index's
  dot product is the cosine.
- **Length.** The context is the model's trained length, at most ``MAX_CONTEXT`` tokens, and
  the batch and micro-batch equal it: an encoder sees a whole text in one micro-batch or not at
  all. A passage of about 1,200 characters is a few hundred tokens in any language, well inside
  the 512 of the smallest models; a longer text is cut to the context, keeping the end-of-text
  token the tokenizer appends (BERT's ``[SEP]``), so what the model sees is still well formed.
- **Batching.** Texts are packed into one decode call as separate sequences until their tokens
  fill the batch, which is several times faster than one call per text and gives the same
  vectors (each sequence attends only to itself).
- **Prefixes** for queries and passages come from :mod:`engine.documents.embedding_prefixes`.
- **Identity.** ``model_id`` is the model's name, the file's size and a hash of its first and
  last MiB (the header and vocabulary, and the last tensors' weights), plus the prefix scheme:
  another file, or the same weights used with other prefixes, never shares vectors with this one.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.backends.llamacpp import default_threads
from engine.documents.embedding_prefixes import Prefixes, prefixes_for
from engine.gguf_header import GGUFError, read_header
from engine.models.kinds import POOLING_NAMES, POOLING_RANK, declared_pooling, embedding_pooling

MAX_CONTEXT = 2048
# When the header gives no trained length (old conversions), the length every BERT has.
DEFAULT_CONTEXT = 512
_HASHED_BYTES = 1 << 20


class EmbeddingError(Exception):
    """The embedding model cannot be used; the message is one line, meant for people."""


def file_identity(path: Path) -> str:
    """Size and a short hash of the first and last MiB: cheap on a large file, and different
    for another conversion or quantisation of the same model."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        digest.update(fh.read(_HASHED_BYTES))
        if size > _HASHED_BYTES:
            fh.seek(max(_HASHED_BYTES, size - _HASHED_BYTES))
            digest.update(fh.read(_HASHED_BYTES))
    return f"{size}:{digest.hexdigest()[:16]}"


def _import_llama_cpp() -> Any:
    try:
        import llama_cpp
    except (ImportError, OSError, RuntimeError) as exc:  # a missing or broken native library
        raise EmbeddingError(f"llama-cpp-python is not available ({exc})") from None
    return llama_cpp


class GgufEmbedder:
    """A loaded GGUF embedding model. ``embed`` and ``embed_query`` may be called from any
    thread, one call at a time (a lock sees to it)."""

    def __init__(self, path: str | os.PathLike[str], *, n_threads: int | None = None) -> None:
        self.path = Path(path)
        try:
            header = read_header(self.path)
        except GGUFError as exc:
            raise EmbeddingError(str(exc)) from None
        meta = header.metadata
        pooling = embedding_pooling(meta)
        if pooling is None:
            kind = "a reranker" if declared_pooling(meta) == POOLING_RANK else "a chat model"
            raise EmbeddingError(
                f"{self.path.name} is not an embedding model ({header.architecture}: {kind})"
            )
        self.name = header.name
        self.pooling = POOLING_NAMES[pooling]
        names = (
            str(meta.get("general.basename") or ""),
            str(meta.get("general.name") or ""),
            self.path.stem,
        )
        self.prefixes: Prefixes = prefixes_for(names)
        self.identity = file_identity(self.path)
        self._id = f"{self.name}:{self.identity}:{self.prefixes.tag}"
        self._lib = _import_llama_cpp()
        n_ctx = min(header.context_length or DEFAULT_CONTEXT, MAX_CONTEXT)
        threads = n_threads or default_threads()
        try:
            self._llm = self._lib.Llama(
                model_path=str(self.path),
                embedding=True,
                pooling_type=pooling,
                n_ctx=n_ctx,
                n_batch=n_ctx,
                n_ubatch=n_ctx,
                n_threads=threads,
                n_threads_batch=threads,
                n_gpu_layers=0,  # a small model: the CPU is fast enough and leaves the GPU alone
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise EmbeddingError(
                f"llama.cpp could not load the embedding model {self.path.name} ({exc})"
            ) from None
        vocab = self._llm._model.vocab
        # The token the tokenizer ends a text with, kept when a text is cut.
        self._keeps_last = bool(
            self._lib.llama_vocab_get_add_sep(vocab) or self._lib.llama_vocab_get_add_eos(vocab)
        )
        self.n_ctx = int(self._llm.n_ctx())
        self.dimensions = int(self._llm.n_embd())
        self._max_sequences = max(1, int(self._llm.context_params.n_seq_max))
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self._id

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Unit vectors of passages, in order."""
        return self._vectors([self.prefixes.document + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        """The unit vector of a search query."""
        return self._vectors([self.prefixes.query + text])[0]

    @property
    def closed(self) -> bool:
        return self._llm is None

    def close(self) -> None:
        with self._lock:
            llm, self._llm = self._llm, None
            if llm is not None:
                llm.close()

    # ---------------------------------------------------------------- internals

    def _tokens(self, text: str) -> list[int]:
        llm = self._llm
        tokens: list[int] = llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)
        if len(tokens) > self.n_ctx:
            tail = tokens[-1:] if self._keeps_last else []
            tokens = tokens[: self.n_ctx - len(tail)] + tail
        return tokens

    def _vectors(self, texts: Sequence[str]) -> list[list[float]]:
        with self._lock:
            if self._llm is None:
                raise EmbeddingError("the embedding model is closed")
            sequences = [self._tokens(t) for t in texts]
            out: list[list[float]] = [[] for _ in sequences]
            group: list[int] = []
            used = 0
            for i, tokens in enumerate(sequences):
                if not tokens:  # nothing to read (a causal model without BOS, empty text)
                    out[i] = [0.0] * self.dimensions
                    continue
                if group and (used + len(tokens) > self.n_ctx or len(group) >= self._max_sequences):
                    self._decode(group, sequences, out)
                    group, used = [], 0
                group.append(i)
                used += len(tokens)
            if group:
                self._decode(group, sequences, out)
            return out

    def _decode(
        self, group: list[int], sequences: list[list[int]], out: list[list[float]]
    ) -> None:
        llm, lib = self._llm, self._lib
        batch = llm._batch
        batch.reset()
        for seq, i in enumerate(group):
            batch.add_sequence(sequences[i], seq, True)
        llm._ctx.kv_cache_clear()
        try:
            llm._ctx.decode(batch)
        except RuntimeError as exc:
            raise EmbeddingError(f"the embedding model failed on a text ({exc})") from None
        finally:
            batch.reset()
        for seq, i in enumerate(group):
            pointer = lib.llama_get_embeddings_seq(llm._ctx.ctx, seq)
            if not pointer:
                raise EmbeddingError("the embedding model returned no vector")
            raw = np.ctypeslib.as_array(
                ctypes.cast(pointer, ctypes.POINTER(ctypes.c_float)), shape=(self.dimensions,)
            )
            vector = np.array(raw, dtype=np.float64)
            norm = float(np.linalg.norm(vector))
            out[i] = (vector / norm if norm > 0 else vector).tolist()
        llm._ctx.kv_cache_clear()


@dataclass(frozen=True)
class EmbedderLoad:
    """What became of a request for an embedding model: ``state`` is "off" (none asked for),
    "ready", "missing" or "failed"; ``message`` says it in words."""

    state: str
    message: str = ""
    embedder: GgufEmbedder | None = None


def load_embedder(
    path: str | None, n_threads: int | None = None, current: GgufEmbedder | None = None
) -> EmbedderLoad:
    """Load the embedding model at ``path``, or keep ``current`` when it is that same file
    unchanged (a chat model switch must not reload it). A missing or broken model is reported,
    not raised: document search then ranks by words alone."""
    if not path:
        return EmbedderLoad("off")
    file = Path(path)
    if not file.is_file():
        return EmbedderLoad(
            "missing",
            f"the embedding model is not installed ({file}); document search ranks passages "
            "by their words only",
        )
    if current is not None and current.path == file:
        try:
            same = current.identity == file_identity(file)
        except OSError:
            same = False
        if same and not current.closed:
            return EmbedderLoad("ready", f"embedding model {file.name} loaded", current)
    try:
        embedder = GgufEmbedder(file, n_threads=n_threads)
    except (EmbeddingError, OSError) as exc:
        return EmbedderLoad(
            "failed",
            f"the embedding model could not be loaded: {exc}; document search ranks passages "
            "by their words only",
        )
    return EmbedderLoad("ready", f"embedding model {file.name} loaded", embedder)
