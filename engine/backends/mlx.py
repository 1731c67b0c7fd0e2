"""MLX backend on mlx-lm (Apple silicon; ``mlx[cpu]`` on Linux), used at the token level.

Like the llama.cpp backend it only tokenizes, evaluates and samples; the worker renders prompts
and parses what comes back. A model is a folder as mlx-lm publishes them (``config.json``,
``model*.safetensors``, Hugging Face tokenizer files), loaded with ``mlx_lm.load``.

Decoding goes through mlx-lm's ``generate_step``, which computes token n+1 while token n is
handed out; the prompt suffix is evaluated here, ``n_batch`` tokens at a time, so that a cancel
takes effect between two chunks, and what the cache holds is tracked token by token so the next
prompt can reuse its shared prefix.

Reusing the cache: mlx-lm trims a cache back to a shared prefix only when every layer allows it.
Full-attention layers (``KVCache``) always do; a sliding-window layer (``RotatingKVCache``, half
of gpt-oss's layers, window 128) cannot once the window has wrapped, because the keys it
overwrote are gone. So after each prompt is read, the layers that may become untrimmable are
copied (for gpt-oss: a window's worth of keys per sliding layer, a few MB at most), and when the
next prompt extends the previous prompt — the usual case: the conversation so far plus a new
message — the full-attention layers are trimmed back to that point and the copies put in place
of the others. Anything else starts from an empty cache.

mlx has no type stubs; its objects are ``Any`` here, inside this module only.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import os
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from engine.backends.base import (
    BackendError,
    CancelFn,
    Cancelled,
    GenerationStats,
    LoadParams,
    ModelFacts,
    ProgressFn,
    ReadFn,
    SamplingParams,
)
from engine.backends.mlx_folder import MlxFolder, MlxFolderError, read_mlx_folder

# The rest of the engine names architectures the way llama.cpp's GGUF files do (the prompt format
# is chosen by that name); mlx-lm's model types that differ are mapped here.
_ARCHITECTURE_NAMES = {"gpt_oss": "gpt-oss"}
_MODEL_TYPE = re.compile(r"[A-Za-z0-9_]+")
# Weights are read in groups of about this size, so loading reports progress and can be cancelled.
_LOAD_GROUP_BYTES = 256 * 1024 * 1024
_BYTE_TOKEN = re.compile(r"<0x([0-9A-Fa-f]{2})>")


class _Mlx:
    """The parts of mlx and mlx-lm this backend uses, imported once (untyped: ``Any``)."""

    def __init__(self) -> None:
        # transformers (imported by mlx-lm) prints an advisory about PyTorch on import; the
        # worker's stderr is the app's log, not a place for it.
        os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
        try:
            self.mx: Any = importlib.import_module("mlx.core")
            self.lm: Any = importlib.import_module("mlx_lm")
            self.utils: Any = importlib.import_module("mlx_lm.utils")
            self.generate: Any = importlib.import_module("mlx_lm.generate")
            self.cache: Any = importlib.import_module("mlx_lm.models.cache")
            self.sample: Any = importlib.import_module("mlx_lm.sample_utils")
            self.tree: Any = importlib.import_module("mlx.utils")
        except Exception as exc:  # missing, or broken: a native library for another platform
            raise BackendError(
                f"the MLX backend is not available in this installation ({exc}); it needs "
                "'mlx-lm' and, on Linux, 'mlx[cpu]'",
                kind="backend",
            ) from None
        self.version = str(getattr(importlib.import_module("mlx_lm._version"), "__version__", "?"))


@dataclass(frozen=True)
class _Checkpoint:
    """The cache right after a prompt was read (all but its last token): ``tokens``, and deep
    copies of the layers that a trim could not take back there. Never modified once made, so
    saved contexts may share it."""

    tokens: list[int]
    layers: dict[int, Any]


@dataclass(frozen=True)
class _Snapshot:
    tokens: list[int]
    cache: list[Any] | None  # None: the cache could not be copied; restoring re-reads it
    checkpoint: _Checkpoint | None


def _common_prefix(a: list[int], b: list[int], limit: int) -> int:
    n = 0
    limit = min(limit, len(a), len(b))
    while n < limit and a[n] == b[n]:
        n += 1
    return n


def _decoder_types(state: Any) -> set[str]:
    """Every decoder type named in a tokenizers decoder's JSON (sequences nest them)."""
    found: set[str] = set()
    if isinstance(state, dict):
        if isinstance(state.get("type"), str):
            found.add(state["type"])
        for value in state.values():
            found |= _decoder_types(value)
    elif isinstance(state, list):
        for item in state:
            found |= _decoder_types(item)
    return found


def _unicode_to_byte() -> dict[str, int]:
    """The inverse of GPT-2's byte-to-unicode table, which byte-level BPE vocabularies use."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    table = {chr(b): b for b in printable}
    shifted = 0
    for b in range(256):
        if b not in printable:
            table[chr(256 + shifted)] = b
            shifted += 1
    return table


def _token_bytes_fn(hf: Any) -> Callable[[str], bytes]:
    """How a vocabulary entry turns into the bytes it stands for, from the tokenizer's decoder.

    Per token, never through ``decode``: a token may be part of a multi-byte character, and the
    routers downstream put bytes together themselves.
    """
    import json

    try:
        state = json.loads(hf.backend_tokenizer.decoder.__getstate__())
    except Exception:  # a slow (Python) tokenizer, or no decoder at all
        state = None
    kinds = _decoder_types(state)
    if "ByteLevel" in kinds:
        table = _unicode_to_byte()

        def byte_level(text: str) -> bytes:
            return b"".join(bytes([table[c]]) if c in table else c.encode("utf-8") for c in text)

        return byte_level
    if "ByteFallback" in kinds or "Metaspace" in kinds or "Replace" in kinds:

        def sentencepiece(text: str) -> bytes:
            byte = _BYTE_TOKEN.fullmatch(text)
            if byte is not None:
                return bytes([int(byte.group(1), 16)])
            return text.replace("\u2581", " ").encode("utf-8")

        return sentencepiece

    def plain(text: str) -> bytes:
        return str(hf.convert_tokens_to_string([text])).encode("utf-8")

    return plain


class MlxBackend:
    """A model folder on mlx-lm. MLX chooses its own device (the GPU through Metal on a Mac,
    the CPU elsewhere) and threads, so ``LoadParams.n_threads`` and ``n_gpu_layers`` do not
    apply; ``n_ctx`` bounds the conversation (the cache itself grows as needed)."""

    name = "mlx"

    def __init__(self) -> None:
        self._m = _Mlx()
        self._model: Any = None
        self._hf: Any = None
        self._cache: list[Any] = []
        self._tokens: list[int] = []  # what the cache holds
        self._checkpoint: _Checkpoint | None = None
        self._n_batch = 512
        self._pieces: dict[int, bytes] = {}
        self._added: dict[int, str] = {}
        self._control: frozenset[int] = frozenset()
        self._eog: frozenset[int] = frozenset()
        self._bos: int | None = None
        self._vocab_size = 0
        self._token_bytes: Callable[[str], bytes] = lambda text: text.encode("utf-8")

    # -------------------------------------------------------------- loading

    def load(self, params: LoadParams, progress: ProgressFn) -> ModelFacts:
        try:
            folder = read_mlx_folder(params.path)
        except MlxFolderError as exc:
            raise BackendError(str(exc), kind="bad_model") from None
        self._check_architecture(folder)
        self.close()
        if not progress(0.0):
            raise Cancelled()
        try:
            # Lazily: the weights are read below, in groups, with progress and cancel.
            model, wrapper = self._m.lm.load(str(folder.path), lazy=True)
            self._read_weights(model, progress)
        except (Cancelled, BackendError):
            raise
        except Exception as exc:  # whatever a third-party loader makes of a broken folder
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise BackendError(
                f"mlx-lm could not load the model ({detail})", "load_failed"
            ) from None
        self._model = model
        # The Hugging Face tokenizer: mlx-lm's wrapper forwards attributes to it, not len().
        self._hf = getattr(wrapper, "_tokenizer", wrapper)
        self._n_batch = max(1, params.n_batch)
        self._index_tokenizer(wrapper)
        self._reset_cache()
        progress(1.0)
        n_ctx_train = folder.context_length or params.n_ctx
        return ModelFacts(
            name=folder.name,
            architecture=_ARCHITECTURE_NAMES.get(folder.model_type, folder.model_type),
            n_ctx=params.n_ctx,
            n_ctx_train=n_ctx_train,
            chat_template=self._chat_template(),
            bos_text=str(self._hf.bos_token or ""),
            eos_text=str(self._hf.eos_token or ""),
            add_bos=self._adds_bos(),
            device=self._device(),
        )

    def _device(self) -> str:
        """Where MLX computes: its GPU is Metal on macOS (CUDA for MLX's CUDA build)."""
        mx = self._m.mx
        if mx.default_device().type != mx.gpu:
            return "cpu"
        return "metal" if sys.platform == "darwin" else "cuda"

    def _check_architecture(self, folder: MlxFolder) -> None:
        """Say plainly when mlx-lm has no implementation of the folder's architecture."""
        utils = self._m.utils
        model_type = folder.model_type
        architectures = folder.config.get("architectures") or ()
        if isinstance(architectures, str):
            architectures = (architectures,)
        pairs: dict[Any, str] = getattr(utils, "MODEL_ARCHITECTURE_REMAPPING", {})
        remapped = next(
            (pairs[(model_type, a)] for a in architectures if (model_type, a) in pairs), None
        )
        module = remapped or getattr(utils, "MODEL_REMAPPING", {}).get(model_type, model_type)
        known = False
        if _MODEL_TYPE.fullmatch(module):
            try:
                known = importlib.util.find_spec(f"mlx_lm.models.{module}") is not None
            except ImportError:
                known = False
        if not known:
            raise BackendError(
                f"architecture '{model_type}' is not supported by mlx-lm {self._m.version}",
                kind="load_failed",
            )

    def _read_weights(self, model: Any, progress: ProgressFn) -> None:
        mx = self._m.mx
        arrays = [a for _, a in self._m.tree.tree_flatten(model.parameters())]
        total = sum(int(a.nbytes) for a in arrays) or 1
        done = 0
        group: list[Any] = []
        group_bytes = 0
        for i, array in enumerate(arrays):
            group.append(array)
            group_bytes += int(array.nbytes)
            if group_bytes >= _LOAD_GROUP_BYTES or i == len(arrays) - 1:
                mx.eval(group)
                done += group_bytes
                group, group_bytes = [], 0
                if not progress(min(done / total, 0.99)):
                    raise Cancelled()

    def _index_tokenizer(self, wrapper: Any) -> None:
        hf = self._hf
        added: dict[int, str] = {}
        control: set[int] = set()
        for token_id, token in hf.added_tokens_decoder.items():
            added[int(token_id)] = str(token.content)
            if token.special:
                control.add(int(token_id))
        self._added = added
        self._control = frozenset(control)
        self._eog = frozenset(int(t) for t in wrapper.eos_token_ids)
        bos = hf.bos_token_id
        self._bos = int(bos) if bos is not None else None
        self._vocab_size = len(hf)
        self._pieces = {}
        self._token_bytes = _token_bytes_fn(hf)

    def _chat_template(self) -> str | None:
        template = getattr(self._hf, "chat_template", None)
        if isinstance(template, dict):  # named templates: the default one is the chat template
            template = template.get("default")
        return template if isinstance(template, str) and template else None

    def _adds_bos(self) -> bool:
        """Whether the tokenizer itself starts a text with BOS (its post-processor does it)."""
        if self._bos is None:
            return False
        ids = self._hf.encode("a", add_special_tokens=True)
        return bool(ids) and int(ids[0]) == self._bos

    # -------------------------------------------------------------- tokens

    def _require(self) -> Any:
        if self._model is None:
            raise BackendError("no model is loaded", kind="no_model")
        return self._model

    def tokenize(self, text: str, *, add_bos: bool) -> list[int]:
        self._require()
        # Hugging Face tokenizers match added tokens (<|start|>, <start_of_turn>…) in the text
        # whatever the flag says; the flag only controls BOS/EOS, which we add ourselves.
        ids = [int(t) for t in self._hf.encode(text, add_special_tokens=False)]
        if add_bos and self._bos is not None:
            ids.insert(0, self._bos)
        return ids

    def piece(self, token: int) -> bytes:
        cached = self._pieces.get(token)
        if cached is not None:
            return cached
        self._require()
        added = self._added.get(token)
        if added is not None:
            data = added.encode("utf-8")
        else:
            # Ids past the tokenizer (a model's padded vocabulary) have no text.
            text = self._hf.convert_ids_to_tokens(token) if token < self._vocab_size else None
            data = self._token_bytes(text) if isinstance(text, str) else b""
        self._pieces[token] = data
        return data

    def special_texts(self) -> list[str]:
        """Added tokens: Hugging Face tokenizers match every one of them in plain text."""
        self._require()
        return list(self._added.values())

    def is_eog(self, token: int) -> bool:
        return token in self._eog

    def is_control(self, token: int) -> bool:
        return token in self._control or not 0 <= token < self._vocab_size

    # -------------------------------------------------------------- generation

    def _trimmable_kinds(self) -> tuple[type, ...]:
        return (self._m.cache.KVCache,)

    def _reuse_prefix(self, prompt: list[int], *, sampling: bool = True) -> int:
        """Make the cache hold the longest prefix of ``prompt`` it can; return its length.

        Sampling needs fresh logits, so at least the last prompt token is evaluated again.
        """
        cache_mod = self._m.cache
        live = self._tokens
        n = _common_prefix(live, prompt, len(prompt) - 1 if sampling else len(prompt))
        if n == len(live):
            return n
        if n > 0 and cache_mod.can_trim_prompt_cache(self._cache):
            cache_mod.trim_prompt_cache(self._cache, len(live) - n)
            del live[n:]
            return n
        cp = self._checkpoint
        m = len(cp.tokens) if cp is not None else 0
        if cp is not None and 0 < m <= n and live[:m] == cp.tokens:
            # The live cache went through the checkpoint and shares at least as much with the
            # prompt: trim the layers that can be trimmed, put the copies in for the others.
            for i, layer in enumerate(self._cache):
                if i in cp.layers:
                    self._cache[i] = copy.deepcopy(cp.layers[i])
                else:
                    layer.trim(len(live) - m)
            del live[m:]
            return m
        # Nothing to keep (or a wrapped sliding window with no usable copy): start afresh.
        self._reset_cache()
        return 0

    def _take_checkpoint(self) -> None:
        cp = self._checkpoint
        if cp is not None and cp.tokens == self._tokens:
            return
        kinds = self._trimmable_kinds()
        layers = {
            i: copy.deepcopy(layer)
            for i, layer in enumerate(self._cache)
            if not isinstance(layer, kinds)
        }
        self._checkpoint = _Checkpoint(list(self._tokens), layers) if layers else None

    def generate(
        self,
        prompt: list[int],
        sampling: SamplingParams,
        cancelled: CancelFn,
        stats: GenerationStats,
        read: ReadFn | None = None,
    ) -> Iterator[int]:
        model = self._require()
        if not prompt:
            raise BackendError("the prompt is empty", kind="bad_request")
        m = self._m
        mx = m.mx
        t0 = time.perf_counter()
        mx.reset_peak_memory()
        kept = self._reuse_prefix(prompt)
        stats.prompt_tokens = len(prompt)
        stats.cached_tokens = kept
        body, last = prompt[kept:-1], prompt[-1:]
        self._read(model, body, len(body) + len(last), cancelled, read)
        if cancelled():
            raise Cancelled()
        self._take_checkpoint()
        mx.random.seed(sampling.seed if sampling.seed is not None else secrets.randbits(32))
        sampler = m.sample.make_sampler(
            temp=max(0.0, sampling.temperature),
            top_p=sampling.top_p,
            min_p=sampling.min_p,
            top_k=sampling.top_k,
        )
        steps = m.generate.generate_step(
            mx.array(last),
            model,
            max_tokens=-1,
            sampler=sampler,
            prompt_cache=self._cache,
            prefill_step_size=self._n_batch,
        )
        trusted = False  # whether self._tokens says what the cache holds
        try:
            for token, _logprobs in steps:
                if not trusted:
                    stats.prompt_ms = (time.perf_counter() - t0) * 1000.0
                    self._tokens.extend(last)
                    trusted = True
                # generate_step has already fed this token to the model (it works one step
                # ahead), so the cache holds it from here on.
                self._tokens.append(int(token))
                stats.peak_memory_bytes = int(mx.get_peak_memory())
                yield int(token)
                if cancelled():
                    raise Cancelled()
        except Cancelled:
            raise
        except Exception as exc:
            trusted = False
            raise BackendError(f"MLX failed while generating ({exc})") from None
        finally:
            steps.close()
            if not trusted:
                # Failed before the first token, or mid-step: a cache that may not match its
                # token list is never reused.
                self._reset_cache()

    def _read(
        self,
        model: Any,
        tokens: list[int],
        total: int,
        cancelled: CancelFn,
        read: ReadFn | None,
    ) -> None:
        """Run ``tokens`` through the model into the cache, chunk by chunk, telling ``read``
        after each chunk how many of ``total`` are read (when there is more than one chunk)."""
        mx = self._m.mx
        try:
            with mx.stream(self._m.generate.generation_stream):
                for i in range(0, len(tokens), self._n_batch):
                    if cancelled():
                        raise Cancelled()
                    chunk = tokens[i : i + self._n_batch]
                    model(mx.array(chunk)[None], cache=self._cache)
                    mx.eval([c.state for c in self._cache])
                    self._tokens.extend(chunk)
                    mx.clear_cache()
                    if read is not None and len(tokens) >= self._n_batch:  # only long prompts
                        read(i + len(chunk), total)
        except Cancelled:
            raise  # between chunks: the cache holds exactly the chunks read
        except Exception as exc:  # out of memory, a broken model: the cache is half-written
            self._reset_cache()
            raise BackendError(f"MLX failed while reading the prompt ({exc})") from None

    def read_prompt(
        self,
        prompt: list[int],
        cancelled: CancelFn,
        stats: GenerationStats,
        read: ReadFn | None = None,
    ) -> None:
        model = self._require()
        t0 = time.perf_counter()
        kept = self._reuse_prefix(prompt, sampling=False)
        stats.prompt_tokens = len(prompt)
        stats.cached_tokens = kept
        rest = prompt[kept:]
        self._read(model, rest, len(rest), cancelled, read if len(rest) > self._n_batch else None)
        self._take_checkpoint()
        stats.prompt_ms = (time.perf_counter() - t0) * 1000.0

    def _reset_cache(self) -> None:
        self._cache = self._m.cache.make_prompt_cache(self._model)
        self._tokens = []
        self._checkpoint = None

    # -------------------------------------------------------------- context snapshots

    def can_cut_back(self) -> bool:
        self._require()
        kinds = self._trimmable_kinds()
        return all(isinstance(layer, kinds) for layer in self._cache)

    def save_context(self) -> object:
        """A deep copy of the cache and the tokens it holds (and the shared checkpoint).

        Should a cache type refuse to be copied, only the tokens are kept: restoring then starts
        from an empty cache and the next prompt is read again in full.
        """
        self._require()
        try:
            cache: list[Any] | None = copy.deepcopy(self._cache)
        except Exception:
            cache = None
        return _Snapshot(list(self._tokens), cache, self._checkpoint)

    def restore_context(self, state: object) -> None:
        self._require()
        assert isinstance(state, _Snapshot)
        if state.cache is None:
            self._reset_cache()
            return
        # Copied again, so the snapshot stays as it was and can be restored another time.
        self._cache = copy.deepcopy(state.cache)
        self._tokens = list(state.tokens)
        self._checkpoint = state.checkpoint

    def close(self) -> None:
        if self._model is not None:
            self._model = None
            self._hf = None
            self._cache = []
            self._tokens = []
            self._checkpoint = None
            self._pieces = {}
            self._m.mx.clear_cache()
