"""The MLX backend in this process, on the tiny gpt-oss folder: tokens, pieces, loading with
progress and cancel, cancel while the prompt is read, cache reuse and context snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.backends.base import (
    BackendError,
    Cancelled,
    GenerationStats,
    LoadParams,
    SamplingParams,
)
from engine.backends.mlx import MlxBackend
from engine.harmony import tokens as ht
from tests.support.tiny_mlx_gptoss import N_VOCAB

pytest.importorskip("mlx_lm")  # the backend imports it when it is made

GREEDY = SamplingParams(temperature=0.0, top_p=1.0, top_k=0, min_p=0.0)
SAMPLED = SamplingParams(temperature=1.0, top_p=1.0, top_k=0, min_p=0.0, seed=4)


@pytest.fixture
def backend(tiny_mlx_gptoss: Path) -> Iterator[MlxBackend]:
    b = MlxBackend()
    b.load(LoadParams(tiny_mlx_gptoss, n_ctx=4096, n_batch=64), lambda _f: True)
    yield b
    b.close()


def run(
    b: MlxBackend, prompt: list[int], n: int, sampling: SamplingParams = GREEDY
) -> tuple[list[int], GenerationStats]:
    stats = GenerationStats()
    out: list[int] = []
    for token in b.generate(prompt, sampling, lambda: False, stats):
        out.append(token)
        if len(out) >= n:
            break
    return out, stats


def text_prompt(b: MlxBackend, text: str) -> list[int]:
    return b.tokenize(f"<|start|>user<|message|>{text}<|end|><|start|>assistant", add_bos=False)


def test_tokens_and_pieces(backend: MlxBackend) -> None:
    for token, text in ht.TEXT_OF.items():
        assert backend.tokenize(text, add_bos=False) == [token]
        assert backend.piece(token) == text.encode()
        assert backend.is_control(token)
    assert set(ht.TEXT_OF.values()) <= set(backend.special_texts())
    text = "ação √2 <|start|>x"
    tokens = backend.tokenize(text, add_bos=False)
    assert b"".join(backend.piece(t) for t in tokens) == text.encode()
    assert tokens.count(ht.START) == 1
    assert not backend.is_control(tokens[0])
    assert backend.is_eog(ht.RETURN) and backend.is_eog(ht.CALL) and not backend.is_eog(ht.END)
    # The model's vocabulary is padded past the tokenizer's: such ids are no text.
    assert backend.piece(N_VOCAB - 1) == b"" and backend.is_control(N_VOCAB - 1)
    assert backend.tokenize("a", add_bos=True)[0] == 199998  # <|startoftext|>


def test_load_reports_progress_and_can_be_cancelled(tiny_mlx_gptoss: Path) -> None:
    b = MlxBackend()
    seen: list[float] = []
    facts = b.load(LoadParams(tiny_mlx_gptoss), lambda f: seen.append(f) or True)
    assert facts.architecture == "gpt-oss" and facts.n_ctx_train == 4096 and not facts.add_bos
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(Cancelled):
        b.load(LoadParams(tiny_mlx_gptoss), lambda f: f < 0.5)
    with pytest.raises(BackendError) as err:
        b.tokenize("x", add_bos=False)
    assert err.value.kind == "no_model"


def test_greedy_decoding_is_repeatable(backend: MlxBackend) -> None:
    prompt = text_prompt(backend, "Hello")
    first, _ = run(backend, prompt, 12)
    second, stats = run(backend, prompt, 12)
    assert first == second and len(first) == 12
    assert stats.cached_tokens == len(prompt) - 1
    sampled, _ = run(backend, prompt, 12, SAMPLED)
    again, _ = run(backend, prompt, 12, SAMPLED)
    assert sampled == again


def test_cancel_while_reading_the_prompt_keeps_the_chunks_read(backend: MlxBackend) -> None:
    prompt = text_prompt(backend, "lorem ipsum " * 100)  # ~1200 tokens, chunks of 64
    checks = 0

    def cancelled() -> bool:
        nonlocal checks
        checks += 1
        return checks > 3

    with pytest.raises(Cancelled):
        next(iter(backend.generate(prompt, GREEDY, cancelled, GenerationStats())))
    # Three chunks were read before the cancel; the next request goes on from there.
    _, stats = run(backend, prompt, 1)
    assert stats.cached_tokens == 3 * 64


def test_reading_a_long_prompt_is_reported_chunk_by_chunk(backend: MlxBackend) -> None:
    prompt = text_prompt(backend, "lorem ipsum " * 100)  # ~1200 tokens, chunks of 64
    reports: list[tuple[int, int]] = []
    stats = GenerationStats()
    next(iter(backend.generate(prompt, GREEDY, lambda: False, stats,
                               lambda done, total: reports.append((done, total)))))  # fmt: skip
    new = len(prompt) - stats.cached_tokens
    assert {total for _, total in reports} == {new}
    done = [d for d, _ in reports]
    # The last prompt token is read with the first sampled one.
    assert done == sorted(done) and done[0] == 64 and done[-1] == new - 1
    # A short prompt takes one chunk: nothing to report.
    reports.clear()
    short = text_prompt(backend, "Hi")
    next(iter(backend.generate(short, GREEDY, lambda: False, GenerationStats(),
                               lambda d, t: reports.append((d, t)))))  # fmt: skip
    assert reports == []


def test_a_prompt_read_ahead_is_reused_whole_by_the_next_generation(
    backend: MlxBackend, tiny_mlx_gptoss: Path
) -> None:
    # Far longer than the sliding window (16): those layers have wrapped when it is reused.
    start = backend.tokenize("<|start|>user<|message|>" + "lorem ipsum " * 100, add_bos=False)
    reports: list[tuple[int, int]] = []
    stats = GenerationStats()
    backend.read_prompt(start, lambda: False, stats, lambda d, t: reports.append((d, t)))
    assert stats.cached_tokens == 0 and stats.prompt_tokens == len(start)
    assert reports[0] == (64, len(start)) and reports[-1] == (len(start), len(start))

    prompt = start + backend.tokenize(" Sum it up.<|end|><|start|>assistant", add_bos=False)
    first, stats = run(backend, prompt, 4)
    assert stats.cached_tokens == len(start)
    fresh = MlxBackend()
    try:
        fresh.load(LoadParams(tiny_mlx_gptoss, n_batch=64), lambda _f: True)
        assert run(fresh, prompt, 4)[0] == first  # as if read in one go
    finally:
        fresh.close()


def test_cancel_between_tokens(backend: MlxBackend) -> None:
    prompt = text_prompt(backend, "Hi")
    n = 0

    def cancelled() -> bool:
        return n >= 5

    with pytest.raises(Cancelled):
        for _token in backend.generate(prompt, SAMPLED, cancelled, GenerationStats()):
            n += 1
    assert n == 5


def test_a_short_cache_is_trimmed_to_the_shared_prefix(backend: MlxBackend) -> None:
    # Shorter than the sliding window (16): every layer can still be trimmed.
    prompt = backend.tokenize("abcdefgh", add_bos=False)
    run(backend, prompt, 3)
    _, stats = run(backend, prompt[:5] + backend.tokenize("xyz", add_bos=False), 1)
    assert stats.cached_tokens == 5


def test_a_wrapped_window_resumes_from_the_prompt_checkpoint(
    backend: MlxBackend, tiny_mlx_gptoss: Path
) -> None:
    prompt = text_prompt(backend, "Tell me about lighthouses.")
    run(backend, prompt, 20, SAMPLED)
    follow = prompt + backend.tokenize("<|message|>Fine.<|end|><|start|>user", add_bos=False)
    first, stats = run(backend, follow, 4)
    assert stats.cached_tokens == len(prompt) - 1
    # Same as reading the whole prompt from scratch.
    fresh = MlxBackend()
    try:
        fresh.load(LoadParams(tiny_mlx_gptoss, n_batch=64), lambda _f: True)
        assert run(fresh, follow, 4)[0] == first
    finally:
        fresh.close()
    # The sliding layers cannot be cut back to any point (so the worker reads ahead nothing
    # that may be cut back), and a prompt sharing less than the checkpoint starts afresh.
    assert not backend.can_cut_back()
    _, stats = run(backend, prompt[:10] + backend.tokenize("zz", add_bos=False), 1)
    assert stats.cached_tokens == 0


def test_context_snapshots_restore_the_conversation(backend: MlxBackend) -> None:
    prompt = text_prompt(backend, "A question about the sea.")
    run(backend, prompt, 10, SAMPLED)
    saved = backend.save_context()
    follow = prompt + backend.tokenize("<|message|>Yes.<|end|><|start|>user", add_bos=False)
    expected, _ = run(backend, follow, 4)
    for _ in range(2):  # a snapshot can be restored more than once
        backend.restore_context(saved)
        _, other = run(backend, backend.tokenize("something else entirely", add_bos=False), 3)
        assert other.cached_tokens == 0
        backend.restore_context(saved)
        got, stats = run(backend, follow, 4)
        assert stats.cached_tokens >= len(prompt) - 1
        assert got == expected
