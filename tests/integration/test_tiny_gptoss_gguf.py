"""The tiny gpt-oss GGUF loads and generates with the real llama-cpp-python."""

from __future__ import annotations

import filecmp
import itertools
import pathlib
from collections.abc import Iterator

import llama_cpp
import pytest

from tests.support.tiny_gptoss import (
    MERGES,
    MODEL_NAME,
    N_VOCAB,
    SPECIAL_IDS,
    build_tiny_gptoss_gguf,
)

HARMONY_TURN = b"<|start|>assistant<|channel|>final<|message|>hi<|end|>"
HARMONY_PROMPT = (
    b"<|start|>system<|message|>x<|end|><|start|>user<|message|>hi<|end|><|start|>assistant"
)


@pytest.fixture(scope="session")
def tiny_gptoss_path(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return build_tiny_gptoss_gguf(tmp_path_factory.mktemp("tiny-gptoss") / "tiny-gpt-oss.gguf")


@pytest.fixture(scope="module")
def llm(tiny_gptoss_path: pathlib.Path) -> Iterator[llama_cpp.Llama]:
    model = llama_cpp.Llama(model_path=str(tiny_gptoss_path), n_ctx=512, verbose=False)
    try:
        yield model
    finally:
        model.close()


def _vocab(llm: llama_cpp.Llama) -> object:
    return llama_cpp.llama_model_get_vocab(llm.model)


def test_loads_as_gpt_oss(llm: llama_cpp.Llama) -> None:
    assert llm.metadata["general.architecture"] == "gpt-oss"
    assert llm.metadata["general.name"] == MODEL_NAME
    assert "tokenizer.chat_template" not in llm.metadata
    assert llm.n_vocab() == N_VOCAB


def test_harmony_specials_tokenize_to_single_real_ids(llm: llama_cpp.Llama) -> None:
    tokens = llm.tokenize(HARMONY_TURN, add_bos=False, special=True)

    specials = [t for t in tokens if t in SPECIAL_IDS.values()]
    assert specials == [
        SPECIAL_IDS["<|start|>"],
        SPECIAL_IDS["<|channel|>"],
        SPECIAL_IDS["<|message|>"],
        SPECIAL_IDS["<|end|>"],
    ]
    assert llm.detokenize(tokens, special=True) == HARMONY_TURN
    for text, token_id in SPECIAL_IDS.items():
        assert llm.tokenize(text.encode(), add_bos=False, special=True) == [token_id]
        assert llm.detokenize([token_id], special=True) == text.encode()


def test_plain_text_round_trips_through_byte_level_bpe(llm: llama_cpp.Llama) -> None:
    text = "the final user said: héllo, wörld! 🙂\n".encode()
    tokens = llm.tokenize(text, add_bos=False, special=False)
    assert all(t < 256 + len(MERGES) for t in tokens)
    assert len(tokens) < len(text)  # some merges applied
    assert llm.detokenize(tokens) == text


def test_special_token_ids_and_end_of_generation(llm: llama_cpp.Llama) -> None:
    vocab = _vocab(llm)
    assert llama_cpp.llama_vocab_bos(vocab) == SPECIAL_IDS["<|startoftext|>"]
    assert llama_cpp.llama_vocab_eos(vocab) == SPECIAL_IDS["<|return|>"]

    eog = {text for text, i in SPECIAL_IDS.items() if llama_cpp.llama_vocab_is_eog(vocab, i)}
    # llama.cpp drops <|end|> from the end-of-generation set when <|return|> and <|call|> exist.
    assert eog == {"<|return|>", "<|call|>", "<|endoftext|>"}


def test_user_defined_specials_match_without_special_flag(llm: llama_cpp.Llama) -> None:
    # llama.cpp retypes <|start|>, <|channel|>, <|message|>, <|constrain|> (and <|end|>, once it
    # is no longer end-of-generation) as USER_DEFINED, so they are matched even when special
    # tokens are not parsed; <|return|> and <|call|> stay CONTROL.
    for text in ("<|start|>", "<|channel|>", "<|message|>", "<|constrain|>", "<|end|>"):
        assert llm.tokenize(text.encode(), add_bos=False, special=False) == [SPECIAL_IDS[text]]
    for text in ("<|return|>", "<|call|>"):
        assert len(llm.tokenize(text.encode(), add_bos=False, special=False)) > 1
        assert llm.detokenize([SPECIAL_IDS[text]], special=False) == b""


def test_generate_samples_many_varied_tokens(llm: llama_cpp.Llama) -> None:
    prompt = llm.tokenize(HARMONY_TURN, add_bos=False, special=True)
    stream = llm.generate(prompt, temp=1.0, top_p=1.0, top_k=0, min_p=0.0)
    generated = list(itertools.islice(stream, 64))

    assert len(generated) == 64
    assert len(set(generated)) > 10
    assert all(0 <= t < N_VOCAB for t in generated)
    for token in generated:
        assert isinstance(llm.detokenize([token], special=True), bytes)


def test_full_harmony_prompt_evaluates(llm: llama_cpp.Llama) -> None:
    prompt = llm.tokenize(HARMONY_PROMPT, add_bos=False, special=True)
    assert prompt.count(SPECIAL_IDS["<|start|>"]) == 3
    assert prompt.count(SPECIAL_IDS["<|end|>"]) == 2

    llm.reset()
    llm.eval(prompt)
    assert llm.n_tokens == len(prompt)

    stream = llm.generate(prompt, temp=0.0)
    first = next(stream)
    stream.close()
    assert 0 <= first < N_VOCAB


def test_same_seed_gives_same_file(tmp_path: pathlib.Path, tiny_gptoss_path: pathlib.Path) -> None:
    again = build_tiny_gptoss_gguf(tmp_path / "again.gguf")
    assert filecmp.cmp(again, tiny_gptoss_path, shallow=False)
