"""The llama.cpp backend in this process: lifetime, special texts, piece decoding."""

from __future__ import annotations

import gc
from pathlib import Path

import llama_cpp

from engine.backends.base import GenerationStats, LoadParams, SamplingParams
from engine.backends.kv_cache import FULL_SWA_MAX_CTX, use_full_swa_cache
from engine.backends.llamacpp import LlamaCppBackend
from engine.models.fit import RuntimeSettings

GREEDY = SamplingParams(temperature=0.0, top_p=1.0, top_k=1, min_p=0.0, seed=1)


def test_closing_a_backend_leaves_logging_safe(tiny_gptoss: Path) -> None:
    # llama.cpp keeps its log callback forever: a collected backend must not take it along.
    first = LlamaCppBackend()
    first.load(LoadParams(tiny_gptoss, n_ctx=256), lambda _f: True)
    first.close()
    del first
    gc.collect()
    llm = llama_cpp.Llama(model_path=str(tiny_gptoss), vocab_only=True, verbose=False)  # logs
    llm.close()
    second = LlamaCppBackend()
    facts = second.load(LoadParams(tiny_gptoss, n_ctx=256), lambda _f: True)
    assert facts.architecture == "gpt-oss"
    second.close()


def test_special_texts_cover_markers_but_not_whitespace(
    tiny_gptoss: Path, demo_model: Path
) -> None:
    backend = LlamaCppBackend()
    try:
        backend.load(LoadParams(tiny_gptoss, n_ctx=256), lambda _f: True)
        harmony = set(backend.special_texts())
        # llama.cpp retypes these as user-defined for gpt-oss; they must still be guarded.
        assert {"<|start|>", "<|message|>", "<|channel|>", "<|end|>", "<|return|>"} <= harmony
        backend.load(LoadParams(demo_model, n_ctx=256), lambda _f: True)
        gemma = set(backend.special_texts())
        assert {"<bos>", "<start_of_turn>", "<end_of_turn>"} <= gemma
        assert "\n\n" not in gemma  # a user-defined token that is plain text
    finally:
        backend.close()


def test_pieces_keep_special_text_and_long_tokens(demo_model: Path) -> None:
    backend = LlamaCppBackend()
    try:
        backend.load(LoadParams(demo_model, n_ctx=256), lambda _f: True)
        tokens = backend.tokenize("<start_of_turn>" + " " * 40 + "ação", add_bos=False)
        assert (
            b"".join(backend.piece(t) for t in tokens)
            == ("<start_of_turn>" + " " * 40 + "ação").encode()
        )
    finally:
        backend.close()


def _greedy(backend: LlamaCppBackend, prompt: list[int], n: int) -> tuple[list[int], int]:
    stats = GenerationStats()
    out: list[int] = []
    for token in backend.generate(prompt, GREEDY, lambda: False, stats):
        out.append(token)
        if len(out) == n:
            break
    return out, stats.cached_tokens


def test_windowed_cache_reads_again_what_it_can_no_longer_cut_back(tiny_gptoss: Path) -> None:
    # Beyond 32k tokens the sliding-window layers keep only their window. A follow-up that
    # diverges from the cached conversation long before its end (harmony drops the previous
    # turn's reasoning) must not reuse the cut-back cache: its window lost the tokens it needs.
    n_ctx = FULL_SWA_MAX_CTX * 2
    assert not use_full_swa_cache(n_ctx)
    backend = LlamaCppBackend()
    fresh = LlamaCppBackend()
    try:
        backend.load(LoadParams(tiny_gptoss, n_ctx=n_ctx), lambda _f: True)
        fresh.load(LoadParams(tiny_gptoss, n_ctx=n_ctx), lambda _f: True)
        assert not backend.can_cut_back()
        first = backend.tokenize("the lantern was lit at dusk. " * 40, add_bos=False)
        # The windowed cache holds the window plus a micro-batch (768 cells here): after a
        # 1,000-token answer it no longer holds the end of ``first``.
        answer, _ = _greedy(backend, first, 1000)
        follow_up = first + backend.tokenize(" and then the wind rose", add_bos=False)
        got, cached = _greedy(backend, follow_up, 24)
        assert cached == 0
        want, _ = _greedy(fresh, follow_up, 24)
        assert got == want
        # Continuing right after the cached tokens keeps the cache: the window is intact there.
        follow_up_answer, _ = _greedy(backend, follow_up, 24)
        more = follow_up + follow_up_answer + backend.tokenize(" again", add_bos=False)
        _, cached = _greedy(backend, more, 4)
        assert cached >= len(follow_up)
        assert len(answer) == 1000
    finally:
        backend.close()
        fresh.close()


def test_short_contexts_keep_the_full_cache_and_reuse_the_shared_prefix(
    tiny_gptoss: Path,
) -> None:
    backend = LlamaCppBackend()
    try:
        backend.load(LoadParams(tiny_gptoss, n_ctx=2048), lambda _f: True)
        assert backend.can_cut_back()
        first = backend.tokenize("the lantern was lit at dusk. " * 40, add_bos=False)
        _greedy(backend, first, 500)
        follow_up = first + backend.tokenize(" and then the wind rose", add_bos=False)
        _, cached = _greedy(backend, follow_up, 4)
        assert cached == len(first)
    finally:
        backend.close()


def test_the_loaded_context_is_laid_out_as_the_fit_estimate_assumes(tiny_gptoss: Path) -> None:
    backend = LlamaCppBackend()
    try:
        for n_ctx in (2048, FULL_SWA_MAX_CTX * 2):
            backend.load(LoadParams(tiny_gptoss, n_ctx=n_ctx), lambda _f: True)
            params = backend._llm.context_params
            settings = RuntimeSettings()
            assert bool(params.swa_full) == settings.full_swa_at(n_ctx)
            flash = params.flash_attn_type == llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED
            assert flash == settings.flash_attention
    finally:
        backend.close()
