"""The llama.cpp backend in this process: lifetime, special texts, piece decoding."""

from __future__ import annotations

import gc
from pathlib import Path

import llama_cpp

from engine.backends.base import LoadParams
from engine.backends.llamacpp import LlamaCppBackend


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
