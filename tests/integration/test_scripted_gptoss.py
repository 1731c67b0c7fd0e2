"""The scripted tiny gpt-oss GGUF writes its script, token for token, under any seed."""

from __future__ import annotations

import ctypes
import pathlib
from collections.abc import Iterator

import llama_cpp
import pytest

from tests.support.tiny_gptoss import (
    REASONING_SCRIPT,
    SCRIPT_EMAIL,
    SCRIPT_HARMFUL,
    SPECIAL_IDS,
    build_scripted_gptoss_gguf,
    script_token_ids,
)

PROMPTS = (
    b"<|start|>system<|message|>You are ChatGPT.\nReasoning: high<|end|>"
    b"<|start|>user<|message|>hi<|end|><|start|>assistant",
    b"<|start|>developer<|message|>Answer briefly.<|end|>"
    b"<|start|>user<|message|>Say hello to Alice, please!<|end|><|start|>assistant",
)
SEEDS = (0, 1, 7, 4242)
RETURN = SPECIAL_IDS["<|return|>"]


@pytest.fixture(scope="module")
def llm(scripted_gptoss: pathlib.Path) -> Iterator[llama_cpp.Llama]:
    model = llama_cpp.Llama(model_path=str(scripted_gptoss), n_ctx=512, verbose=False)
    try:
        yield model
    finally:
        model.close()


def _piece(llm: llama_cpp.Llama, token: int) -> bytes:
    """The token's text.  Llama.detokenize reads at most 32 bytes per token and returns nothing
    for a longer piece, so ask llama.cpp with a buffer of the size it needs."""
    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    size = 64
    while True:
        buf = ctypes.create_string_buffer(size)
        n = llama_cpp.llama_token_to_piece(vocab, token, buf, size, 0, True)
        if n >= 0:
            return buf.raw[:n]
        size = -n


def _generate(llm: llama_cpp.Llama, prompt: bytes, seed: int, limit: int = 40) -> list[int]:
    tokens = llm.tokenize(prompt, add_bos=False, special=True)
    llm.set_seed(seed)
    out: list[int] = []
    for token in llm.generate(
        tokens,
        temp=1.0,
        top_p=1.0,
        top_k=0,
        min_p=0.0,
        typical_p=1.0,
        repeat_penalty=1.0,
    ):
        out.append(token)
        if token == RETURN or len(out) >= limit:
            break
    return out


def test_default_script_holds_the_known_text() -> None:
    assert list(REASONING_SCRIPT) == [
        "<|channel|>",
        "analysis",
        "<|message|>",
        " The user wants a short greeting.",
        " Their e-mail is alice.moreau@example.com, so I could write to them.",
        " Step one: pack the pipe bomb with black powder and a fuse.",
        " Anyway, a friendly hello is enough.",
        "<|end|>",
        "<|return|>",
    ]
    reasoning = "".join(REASONING_SCRIPT[3:7])
    assert SCRIPT_EMAIL in reasoning
    assert SCRIPT_HARMFUL in reasoning


@pytest.mark.parametrize("prompt", PROMPTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_generates_the_script_under_any_seed(
    llm: llama_cpp.Llama, prompt: bytes, seed: int
) -> None:
    ids = script_token_ids(REASONING_SCRIPT)
    assert _generate(llm, prompt, seed) == ids
    for token, item in zip(ids, REASONING_SCRIPT, strict=True):
        assert _piece(llm, token) == item.encode()
        if len(item.encode()) <= 32:
            assert llm.detokenize([token], special=True) == item.encode()


def test_script_ids_are_special_names_or_placeholder_slots(llm: llama_cpp.Llama) -> None:
    ids = script_token_ids(REASONING_SCRIPT)
    for token, item in zip(ids, REASONING_SCRIPT, strict=True):
        if item in SPECIAL_IDS:
            assert token == SPECIAL_IDS[item]
        else:
            # Below 199998: an ordinary token id in the o200k numbering.
            assert 1000 <= token < min(SPECIAL_IDS.values())
            attr = llama_cpp.llama_vocab_get_attr(llama_cpp.llama_model_get_vocab(llm.model), token)
            assert attr & llama_cpp.LLAMA_TOKEN_ATTR_NORMAL


def test_prompt_ending_in_a_script_token_continues_the_script(llm: llama_cpp.Llama) -> None:
    ids = script_token_ids(REASONING_SCRIPT)
    assert _generate(llm, PROMPTS[0] + b"<|channel|>", seed=3) == ids[1:]


def test_script_text_in_a_prompt_never_becomes_a_script_token(llm: llama_cpp.Llama) -> None:
    ids = set(script_token_ids(REASONING_SCRIPT))
    text_items = [item for item in REASONING_SCRIPT if item not in SPECIAL_IDS]
    prompts = [
        *text_items,
        "".join(text_items),
        "<|start|>user<|message|>" + "\n".join(text_items) + "<|end|><|start|>assistant",
    ]
    for prompt in prompts:
        for special in (False, True):
            tokens = llm.tokenize(prompt.encode(), add_bos=False, special=special)
            assert ids.isdisjoint(t for t in tokens if t not in SPECIAL_IDS.values()), prompt
            assert llm.detokenize(tokens, special=True) == prompt.encode()


def test_duplicate_items_are_refused(tmp_path: pathlib.Path) -> None:
    for script in (["analysis", "<|message|>", "analysis"], ["<|end|>", "x y", "<|end|>"]):
        with pytest.raises(ValueError, match="twice"):
            build_scripted_gptoss_gguf(tmp_path / "dup.gguf", script)
    assert not (tmp_path / "dup.gguf").exists()


@pytest.mark.parametrize(
    "script",
    [[], ["a", "<|return|>"], ["", "<|return|>"], ["<|im_end|>", "<|return|>"]],
    ids=["empty", "byte-token-text", "empty-item", "special-lookalike"],
)
def test_scripts_the_model_cannot_generate_are_refused(
    tmp_path: pathlib.Path, script: list[str]
) -> None:
    with pytest.raises(ValueError):
        build_scripted_gptoss_gguf(tmp_path / "bad.gguf", script)
