"""The interface every inference backend implements (llama.cpp, and MLX on Apple silicon).

Backends work at the token level: the worker renders the prompt itself (harmony or a chat
template), asks the backend to tokenize it with special tokens parsed, and gets token ids back
one at a time, which it turns into text with special tokens kept. Everything above this
interface (prompt formats, parsers, moderation) is shared by all backends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class BackendError(RuntimeError):
    """A failure with a message meant for people (bad file, unsupported model, no memory)."""

    def __init__(self, message: str, kind: str = "backend") -> None:
        super().__init__(message)
        self.kind = kind


class Cancelled(Exception):
    """Raised inside a backend when the worker's cancel flag was set."""


@dataclass(frozen=True)
class LoadParams:
    path: Path
    n_ctx: int = 8192
    n_threads: int | None = None
    n_batch: int = 512
    n_gpu_layers: int = 0


@dataclass(frozen=True)
class SamplingParams:
    temperature: float
    top_p: float
    top_k: int
    min_p: float
    seed: int | None = None


@dataclass(frozen=True)
class ModelFacts:
    """What the worker needs to know about a loaded model to format prompts for it."""

    name: str
    architecture: str
    n_ctx: int
    n_ctx_train: int
    chat_template: str | None
    bos_text: str
    eos_text: str
    add_bos: bool
    # Where the model runs: "cpu", "cuda", "vulkan" or "metal"; the GPU's name; how many layers
    # were offloaded to it; and why that device, in words (engine.gpu).
    device: str = "cpu"
    device_name: str = ""
    gpu_layers: int = 0
    device_note: str = ""


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    cached_tokens: int = 0
    prompt_ms: float = 0.0
    # The most memory the backend's allocator held during the request (weights, cache and
    # scratch); 0 when the backend cannot tell (llama.cpp).
    peak_memory_bytes: int = 0


# ``progress(fraction)`` returns False to abort loading.
ProgressFn = Callable[[float], bool]
CancelFn = Callable[[], bool]
# ``read(done, total)``: ``done`` of the prompt's ``total`` uncached tokens are read.
ReadFn = Callable[[int, int], None]


class Backend(Protocol):
    name: str

    def load(self, params: LoadParams, progress: ProgressFn) -> ModelFacts: ...

    def tokenize(self, text: str, *, add_bos: bool) -> list[int]:
        """Tokenize ``text`` with special tokens (``<|start|>`` …) parsed to their ids."""
        ...

    def piece(self, token: int) -> bytes:
        """The bytes of one token, special tokens included as their text."""
        ...

    def special_texts(self) -> list[str]:
        """Texts the tokenizer would turn into special tokens (see ``engine.special_guard``)."""
        ...

    def is_eog(self, token: int) -> bool: ...

    def is_control(self, token: int) -> bool:
        """Control tokens (turn markers) are structure, never answer text."""
        ...

    def generate(
        self,
        prompt: list[int],
        sampling: SamplingParams,
        cancelled: CancelFn,
        stats: GenerationStats,
        read: ReadFn | None = None,
    ) -> Iterator[int]:
        """Yield sampled token ids until the caller stops iterating.

        The prompt is processed in batches and ``cancelled`` is checked between batches and
        between tokens (raising :class:`Cancelled`). A prompt sharing a prefix with the previous
        call reuses the cached keys/values of that prefix; ``stats`` reports how many tokens
        were reused and how long the rest took. ``read`` is told after each whole batch how
        many of the uncached tokens are read (not after the last batch, which is read with
        the first sampled token).
        """
        ...

    def read_prompt(
        self,
        prompt: list[int],
        cancelled: CancelFn,
        stats: GenerationStats,
        read: ReadFn | None = None,
    ) -> None:
        """Read ``prompt`` into the cache without sampling, so that a later :meth:`generate`
        whose prompt starts with it reuses it all. Reuses a cached prefix as generate does;
        ``read`` is told after each batch when there is more than one; :class:`Cancelled`
        keeps the batches read before it."""
        ...

    def can_cut_back(self) -> bool:
        """Whether the cache can be cut back to any point of what it holds, keeping the rest:
        not when a sliding-window layer keeps only its window (what it forgot is read
        again from the start)."""
        ...

    def save_context(self) -> object:
        """An opaque copy of the cached context, for :meth:`restore_context`."""
        ...

    def restore_context(self, state: object) -> None:
        """Put back a context saved by :meth:`save_context`, so the next prompt sharing its
        prefix reuses it as if nothing had run in between."""
        ...

    def close(self) -> None: ...
