"""llama.cpp backend on llama-cpp-python, used at the token level.

Why not the chat API: it strips special tokens and has no per-call reasoning effort, so the
worker renders prompts itself and only asks this backend to tokenize, evaluate and sample.

Decoding goes through ``Llama.generate`` (the library's own loop), so the per-token cost is the
library's; what this module adds is around it: the prompt suffix is evaluated here in batches so
that a cancel takes effect within one batch, and the cached prefix of the previous call is kept.
"""

from __future__ import annotations

import collections
import ctypes
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.backends import llamacpp_variant
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
from engine.backends.kv_cache import FLASH_ATTENTION, use_full_swa_cache
from engine.gguf_header import GGUFError, read_header
from engine.special_guard import looks_like_marker

_LOG_LEVEL_ERROR = 4  # ggml_log_level: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5
_LOG_LEVEL_CONT = 5


def default_threads() -> int:
    """Threads for decoding: every core we may use on small machines, half on large ones.

    Beyond ~4 cores, the visible count usually includes SMT siblings, which slow llama.cpp's
    decode down rather than up; users can always set the count in settings.
    """
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        available = os.cpu_count() or 1
    return available if available <= 4 else max(4, available // 2)


def offloaded_layers(requested: int, n_blocks: int) -> int:
    """How many layers llama.cpp puts on the GPU for ``n_gpu_layers=requested``.

    It counts the output layer as one more than the model's blocks, and -1 (or anything
    larger) means all of them.
    """
    total = n_blocks + 1
    return total if requested < 0 else min(requested, total)


_ABORTED = "failed to decode, ret = 2"


class _LlamaLog:
    """Keeps llama.cpp's recent error lines so a failed load can say why."""

    def __init__(self, llama_cpp: Any) -> None:
        self.lines: collections.deque[str] = collections.deque(maxlen=20)
        self._level = 0

        def on_log(level: int, text: bytes, _user: Any) -> None:
            lvl = self._level if level == _LOG_LEVEL_CONT else level
            self._level = lvl
            if lvl == _LOG_LEVEL_ERROR:
                line = text.decode("utf-8", errors="replace").rstrip()
                # ret = 2 is llama_decode stopped by the abort hook: a cancel the user asked
                # for (Stop, or Send during a read-ahead), not a failure worth a log line.
                if line and not line.endswith(_ABORTED):
                    self.lines.append(line)
                    os.write(2, text)

        # Keep a reference: ctypes callbacks are freed with their Python object.
        self._callback = llama_cpp.llama_log_callback(on_log)
        llama_cpp.llama_log_set(self._callback, ctypes.c_void_p(0))

    def reason(self) -> str:
        return self.lines[-1] if self.lines else ""


_log: _LlamaLog | None = None


def _shared_log(llama_cpp: Any) -> _LlamaLog:
    """One log hook per process, installed once and never freed.

    llama.cpp keeps the callback pointer for good; if it belonged to an object that was later
    garbage-collected (a closed backend), the next log line would call freed memory.
    """
    global _log
    if _log is None:
        _log = _LlamaLog(llama_cpp)
    return _log


def _import_llama_cpp() -> Any:
    # Whichever build llamacpp_variant.activate() put first, or the installed one.
    try:
        import llama_cpp
    except (ImportError, OSError, RuntimeError) as exc:  # a missing or broken native library
        raise BackendError(
            f"llama-cpp-python is not available in this installation ({exc})", kind="backend"
        ) from None
    return llama_cpp


@contextmanager
def _load_progress(llama_cpp: Any, progress: ProgressFn) -> Iterator[None]:
    """Route llama.cpp's model-load progress (and abort) through ``progress``.

    ``Llama.__init__`` builds its model parameters from ``llama_model_default_params`` and
    offers no hook, so the defaults function is wrapped for the duration of one load.
    """
    lib = llama_cpp.llama_cpp
    original = lib.llama_model_default_params

    def on_progress(fraction: float, _user: Any) -> bool:
        try:
            return bool(progress(float(fraction)))
        except Exception:  # an exception must not unwind through C
            return False

    callback = lib.llama_progress_callback(on_progress)

    def with_progress() -> Any:
        params = original()
        params.progress_callback = callback
        return params

    lib.llama_model_default_params = with_progress
    try:
        yield
    finally:
        lib.llama_model_default_params = original


@dataclass(frozen=True)
class _Snapshot:
    data: Any
    size: int
    tokens: list[int]


class LlamaCppBackend:
    name = "llamacpp"

    def __init__(self) -> None:
        self._lib = _import_llama_cpp()
        self._log = _shared_log(self._lib)
        self._llm: Any = None
        self._vocab: Any = None
        self._pieces: dict[int, bytes] = {}
        self._eog: dict[int, bool] = {}
        self._n_batch = 512

    # -------------------------------------------------------------- loading

    def load(self, params: LoadParams, progress: ProgressFn) -> ModelFacts:
        try:
            header = read_header(params.path)
        except GGUFError as exc:
            raise BackendError(str(exc), kind="bad_model") from None
        self.close()
        self._log.lines.clear()
        aborted = False

        def track(fraction: float) -> bool:
            nonlocal aborted
            keep_going = progress(fraction)
            aborted = not keep_going
            return keep_going

        threads = params.n_threads or default_threads()
        runtime = llamacpp_variant.current()
        # On the CPU nothing is offloaded, whatever the model's own setting asks: a GPU build the
        # user keeps on the CPU (Metal on Apple silicon) would offload otherwise.
        gpu_layers = params.n_gpu_layers if runtime.offloads else 0
        try:
            with _load_progress(self._lib, track):
                llm = self._lib.Llama(
                    model_path=str(params.path),
                    n_ctx=params.n_ctx,
                    n_batch=params.n_batch,
                    n_ubatch=params.n_batch,
                    n_threads=threads,
                    n_threads_batch=threads,
                    n_gpu_layers=gpu_layers,
                    flash_attn=FLASH_ATTENTION,
                    swa_full=use_full_swa_cache(params.n_ctx),
                    verbose=False,
                )
        except (ValueError, RuntimeError, OSError) as exc:
            if aborted:
                raise Cancelled() from None
            raise BackendError(
                self._load_failure(header.architecture, exc), "load_failed"
            ) from None
        self._llm = llm
        self._vocab = llm._model.vocab
        self._n_batch = llm.n_batch
        self._pieces = {}
        self._eog = {}
        meta: dict[str, str] = dict(llm.metadata)
        arch = meta.get("general.architecture", header.architecture)
        return ModelFacts(
            name=header.name,
            architecture=arch,
            n_ctx=llm.n_ctx(),
            n_ctx_train=int(llm._model.n_ctx_train()),
            chat_template=meta.get("tokenizer.chat_template") or None,
            bos_text=self._token_text(llm.token_bos()),
            eos_text=self._token_text(llm.token_eos()),
            add_bos=bool(self._lib.llama_vocab_get_add_bos(self._vocab)),
            device=runtime.device,
            device_name=runtime.device_name,
            gpu_layers=offloaded_layers(gpu_layers, self._blocks(llm)),
            device_note=runtime.note,
        )

    def _blocks(self, llm: Any) -> int:
        """The model's layer blocks, next-token-prediction ones included, as llama.cpp counts
        them for offloading."""
        lib, model = self._lib, llm.model
        return int(lib.llama_model_n_layer(model)) + int(lib.llama_model_n_layer_nextn(model))

    def _load_failure(self, arch: str, exc: Exception) -> str:
        lines = list(self._log.lines)
        if any("unknown model architecture" in line for line in lines):
            return f"architecture '{arch}' is not supported by this llama.cpp build"
        # llama.cpp says what went wrong on its "error loading model: …" line; the lines after
        # it only repeat that loading failed.
        marker = "error loading model:"
        detail = next((ln.split(marker, 1)[1].strip() for ln in lines if marker in ln), "")
        return f"llama.cpp could not load the model ({detail or self._log.reason() or exc})"

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self.piece(token).decode("utf-8", errors="replace")

    # -------------------------------------------------------------- tokens

    def _require(self) -> Any:
        if self._llm is None:
            raise BackendError("no model is loaded", kind="no_model")
        return self._llm

    def tokenize(self, text: str, *, add_bos: bool) -> list[int]:
        llm = self._require()
        tokens: list[int] = llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True)
        return tokens

    def piece(self, token: int) -> bytes:
        cached = self._pieces.get(token)
        if cached is not None:
            return cached
        self._require()
        size = 64
        while True:
            buf = ctypes.create_string_buffer(size)
            n = self._lib.llama_token_to_piece(self._vocab, token, buf, size, 0, True)
            if n >= 0:
                break
            size = -n  # the buffer was too small; llama.cpp says how large it must be
        data = buf.raw[:n]
        self._pieces[token] = data
        return data

    def special_texts(self) -> list[str]:
        """Texts that the tokenizer turns into special tokens when they appear in a prompt.

        Control tokens, plus user-defined tokens shaped like markers: llama.cpp retypes some
        gpt-oss specials (``<|start|>``, ``<|message|>``…) as user-defined, and those match even
        without special parsing. Other user-defined tokens (runs of newlines…) are plain text.
        """
        lib, vocab = self._lib, self._vocab
        self._require()
        control = lib.LLAMA_TOKEN_ATTR_CONTROL
        user = lib.LLAMA_TOKEN_ATTR_USER_DEFINED
        out: list[str] = []
        for token in range(lib.llama_vocab_n_tokens(vocab)):
            attr = lib.llama_vocab_get_attr(vocab, token)
            if attr & (control | user):
                text = lib.llama_vocab_get_text(vocab, token).decode("utf-8", errors="replace")
                if attr & control or looks_like_marker(text):
                    out.append(text)
        return out

    def is_eog(self, token: int) -> bool:
        # Asked once per generated token: a dict lookup is cheaper than a ctypes call.
        known = self._eog.get(token)
        if known is None:
            known = self._eog[token] = bool(self._lib.llama_vocab_is_eog(self._vocab, token))
        return known

    def is_control(self, token: int) -> bool:
        return bool(self._lib.llama_vocab_is_control(self._vocab, token))

    # -------------------------------------------------------------- generation

    @contextmanager
    def _abortable(self, llm: Any, cancelled: CancelFn) -> Iterator[None]:
        """Let ``cancelled`` abort llama.cpp between two operations of a batch.

        A prompt batch can take seconds on a CPU (512 tokens of a 20B model); the hook makes
        cancel act within one operation instead. It is only installed while the prompt is
        read: during decoding it would cost a Python call per graph node on every token, and
        there the worker checks for cancel between tokens anyway.
        """
        lib = self._lib

        def on_check(_data: Any) -> bool:
            try:
                return bool(cancelled())
            except Exception:  # an exception must not unwind through C
                return True

        hook = lib.ggml_abort_callback(on_check)
        lib.llama_set_abort_callback(llm.ctx, hook, None)
        try:
            yield
        finally:
            lib.llama_set_abort_callback(llm.ctx, lib.ggml_abort_callback(), None)
            del hook  # only now: llama.cpp no longer holds the pointer

    def _reuse_prefix(self, prompt: list[int], *, sampling: bool = True) -> int:
        """Keep the cached tokens shared with ``prompt``; return how many were kept."""
        llm = self._llm
        cached = llm._input_ids
        limit = min(len(cached), len(prompt))
        # Vectorised: a follow-up about a long document compares tens of thousands of tokens.
        same = np.asarray(cached[:limit]) == np.asarray(prompt[:limit], dtype=np.intc)
        n = limit if bool(same.all()) else int(np.argmin(same))
        if sampling:
            # Sampling needs fresh logits, so at least the last prompt token is evaluated again.
            n = min(n, len(prompt) - 1)
        if n > 0 and not self._window_covers(n):
            n = 0
        if n > 0 and llm._ctx.kv_cache_seq_rm(-1, n, -1):
            llm.n_tokens = n
            return n
        llm.reset()
        return 0

    def _window_covers(self, n: int) -> bool:
        """Whether the cache still holds what continuing after ``n`` kept tokens needs.

        A windowed sliding-window cache forgets positions older than its window; continuing at
        ``n`` needs the window just before it. Cutting back further than that would let those
        layers attend to too little, so the prompt is read again instead.
        """
        llm = self._llm
        lib = self._lib
        n_swa = int(lib.llama_model_n_swa(llm.model))
        if n_swa <= 0 or llm.context_params.swa_full:
            return True
        oldest = int(lib.llama_memory_seq_pos_min(lib.llama_get_memory(llm.ctx), 0))
        return oldest <= max(0, n - n_swa)

    def generate(
        self,
        prompt: list[int],
        sampling: SamplingParams,
        cancelled: CancelFn,
        stats: GenerationStats,
        read: ReadFn | None = None,
    ) -> Iterator[int]:
        llm = self._require()
        if not prompt:
            raise BackendError("the prompt is empty", kind="bad_request")
        t0 = time.perf_counter()
        kept = self._reuse_prefix(prompt)
        stats.prompt_tokens = len(prompt)
        stats.cached_tokens = kept
        rest = prompt[kept:]
        # Whole batches are read here, between cancel checks; the last (partial) batch goes to
        # generate(), which reads it and samples. Reading it here and then handing generate()
        # only the last token would cost a second pass over the cache for one token — at a
        # long context (a document), a large part of a follow-up's time to first token.
        cut = len(rest) - (len(rest) % self._n_batch or self._n_batch)
        body, last = rest[:cut], rest[cut:]
        self._read(llm, body, len(rest), cancelled, read)
        if cancelled():
            raise Cancelled()
        if sampling.seed is not None:
            llm.set_seed(sampling.seed)
        else:
            llm.set_seed(self._lib.LLAMA_DEFAULT_SEED)
        tokens = llm.generate(
            last,
            reset=False,
            temp=sampling.temperature,
            top_p=sampling.top_p,
            top_k=sampling.top_k,
            min_p=sampling.min_p,
            typical_p=1.0,
            repeat_penalty=1.0,
        )
        with self._abortable(llm, cancelled):  # the first step reads the last prompt batch
            try:
                first = next(tokens, None)
            except RuntimeError:
                if cancelled():
                    raise Cancelled() from None
                raise BackendError("llama.cpp failed while reading the prompt") from None
        if first is None:
            return
        stats.prompt_ms = (time.perf_counter() - t0) * 1000.0
        yield int(first)
        if cancelled():
            raise Cancelled()
        for token in tokens:
            yield int(token)
            if cancelled():
                raise Cancelled()

    def _read(
        self,
        llm: Any,
        tokens: list[int],
        total: int,
        cancelled: CancelFn,
        read: ReadFn | None,
    ) -> None:
        """Evaluate ``tokens`` into the cache batch by batch, telling ``read`` after each one
        how many of ``total`` are read. A cancelled batch is dropped; the ones before it stay."""
        with self._abortable(llm, cancelled):
            for i in range(0, len(tokens), self._n_batch):
                if cancelled():
                    raise Cancelled()
                try:
                    llm.eval(tokens[i : i + self._n_batch])
                except RuntimeError:
                    # llama_decode stops with an error when the abort hook fired; the aborted
                    # batch never counts as cached (eval updates its count only on success).
                    if cancelled():
                        raise Cancelled() from None
                    raise BackendError("llama.cpp failed while reading the prompt") from None
                if read is not None:
                    read(min(i + self._n_batch, len(tokens)), total)

    def read_prompt(
        self,
        prompt: list[int],
        cancelled: CancelFn,
        stats: GenerationStats,
        read: ReadFn | None = None,
    ) -> None:
        llm = self._require()
        t0 = time.perf_counter()
        kept = self._reuse_prefix(prompt, sampling=False)
        stats.prompt_tokens = len(prompt)
        stats.cached_tokens = kept
        rest = prompt[kept:]
        # One batch is read in one step: progress is worth telling only for more.
        self._read(llm, rest, len(rest), cancelled, read if len(rest) > self._n_batch else None)
        stats.prompt_ms = (time.perf_counter() - t0) * 1000.0

    def can_cut_back(self) -> bool:
        llm = self._require()
        return int(self._lib.llama_model_n_swa(llm.model)) <= 0 or bool(
            llm.context_params.swa_full
        )

    # -------------------------------------------------------------- context snapshots

    def save_context(self) -> object:
        """A copy of the cached keys/values (sequence 0) and the tokens they belong to.

        Costs a memory copy of the used cache, far less than reading the conversation again
        after a side job (the reasoning summary) has overwritten the cache.
        """
        llm = self._require()
        lib = self._lib
        size = int(lib.llama_state_seq_get_size(llm.ctx, 0))
        buf = (ctypes.c_uint8 * size)()
        written = int(lib.llama_state_seq_get_data(llm.ctx, buf, size, 0))
        return _Snapshot(buf, written, list(llm._input_ids))

    def restore_context(self, state: object) -> None:
        llm = self._require()
        assert isinstance(state, _Snapshot)
        llm._ctx.kv_cache_seq_rm(-1, 0, -1)
        llm.n_tokens = 0
        if not state.tokens:
            return
        read = int(self._lib.llama_state_seq_set_data(llm.ctx, state.data, state.size, 0))
        if read != state.size:
            # The cache could not take it back: start clean rather than trust half a state.
            llm.reset()
            return
        n = len(state.tokens)
        llm.input_ids[:n] = state.tokens
        llm.n_tokens = n

    def close(self) -> None:
        if self._llm is not None:
            self._llm.close()
            self._llm = None
            self._vocab = None
            self._pieces = {}
