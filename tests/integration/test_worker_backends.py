"""The same worker tests on both backends: llama.cpp on the tiny gpt-oss GGUF, MLX (mlx-lm on
``mlx[cpu]``) on the tiny gpt-oss model folder.

The models are random, so the tests check what must hold whatever they write: the events are
exactly what our harmony router and moderation filter make of the token stream that the raw
library decodes in this process with the same seed and sampler; cancel, cache reuse and the
scripted reasoning's filtering behave the same on both backends.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from engine import protocol as p
from engine.client import EngineClient, WorkerExited
from engine.conversation import ChatMessage
from engine.harmony.render import HarmonyOptions, render_for_completion
from engine.moderation.lexicon import Lexicon
from engine.moderation.pipeline import FilteredSegment, Moderator
from engine.moderation.stream import ReasoningStream
from engine.routing import HarmonyRouter, Routed
from tests.support.events import answer_text, collect, done_of, load
from tests.support.no_mlx import env_without_mlx
from tests.support.tiny_gptoss import (
    REASONING_SCRIPT,
    SCRIPT_EMAIL,
    SCRIPT_HARMFUL,
    SPECIAL_IDS,
    byte_to_unicode,
)

MESSAGES = [ChatMessage("developer", "Answer briefly."), ChatMessage("user", "Hi there")]
DATE = "2026-01-02"
LAYERS = ("lexical", "pii")
BACKENDS = ("llamacpp", "mlx")
SEEDS = [("low", 1), ("high", 7)]


@pytest.fixture(params=BACKENDS)
def model(request: pytest.FixtureRequest) -> tuple[str, Path]:
    """(backend, tiny gpt-oss model for it)."""
    name: str = request.param
    fixture = "tiny_gptoss" if name == "llamacpp" else "tiny_mlx_gptoss"
    return name, request.getfixturevalue(fixture)


@pytest.fixture(scope="module")
def scripted_mlx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("mlx_lm")
    from tests.support.tiny_mlx_gptoss import build_scripted_mlx_gptoss

    return build_scripted_mlx_gptoss(
        tmp_path_factory.mktemp("models") / "scripted", REASONING_SCRIPT
    )


@pytest.fixture(params=BACKENDS)
def scripted(request: pytest.FixtureRequest) -> tuple[str, Path]:
    """(backend, a gpt-oss model for it that always writes REASONING_SCRIPT)."""
    name: str = request.param
    fixture = "scripted_gptoss" if name == "llamacpp" else "scripted_mlx"
    return name, request.getfixturevalue(fixture)


# ------------------------------------------------------------------------- reference decodes


@dataclass
class Decode:
    prompt_tokens: int
    tokens: list[int]
    piece: Callable[[int], bytes]
    is_eog: Callable[[int], bool]


def _prompt_text(effort: str) -> str:
    return render_for_completion(MESSAGES, HarmonyOptions(effort=effort, date=DATE))  # type: ignore[arg-type]


def _stops(token: int) -> bool:
    return token in (SPECIAL_IDS["<|return|>"], SPECIAL_IDS["<|call|>"])


def _decode_llamacpp(model: Path, text: str, seed: int, max_tokens: int) -> Decode:
    import llama_cpp

    llm = llama_cpp.Llama(
        model_path=str(model), n_ctx=1024, n_threads=2, n_threads_batch=2, verbose=False
    )
    try:
        prompt = llm.tokenize(text.encode(), add_bos=False, special=True)
        # The worker's order of work: the prompt body, then the last token with sampling.
        llm.eval(prompt[:-1])
        llm.set_seed(seed)
        out: list[int] = []
        for token in llm.generate(
            prompt[-1:], reset=False, temp=1.0, top_p=1.0, top_k=0, min_p=0.0,
            typical_p=1.0, repeat_penalty=1.0,
        ):  # fmt: skip
            out.append(token)
            if _stops(token) or token == SPECIAL_IDS["<|endoftext|>"] or len(out) >= max_tokens:
                break
    finally:
        llm.close()
    vocab = llama_cpp.Llama(model_path=str(model), vocab_only=True, verbose=False)
    return Decode(
        len(prompt),
        out,
        lambda t: vocab.detokenize([t], special=True),
        lambda t: bool(llama_cpp.llama_vocab_is_eog(vocab._model.vocab, t)),
    )


def _decode_mlx(model: Path, text: str, seed: int, max_tokens: int) -> Decode:
    """mlx-lm's own load and generate_step on the whole prompt (it reads all but the last token
    in chunks of 512, as the worker does); pieces come from the fixture's known alphabet."""
    import mlx.core as mx
    from mlx_lm import load as mlx_load
    from mlx_lm.generate import generate_step
    from mlx_lm.sample_utils import make_sampler

    from tests.support.tiny_mlx_gptoss import EOS_IDS, vocab_tokens

    lm, tokenizer = mlx_load(str(model))
    prompt = tokenizer.encode(text, add_special_tokens=False)
    mx.random.seed(seed)
    sampler = make_sampler(temp=1.0, top_p=1.0, min_p=0.0, top_k=0)
    out: list[int] = []
    for token, _ in generate_step(mx.array(prompt), lm, sampler=sampler, prefill_step_size=512):
        out.append(int(token))
        if _stops(out[-1]) or len(out) >= max_tokens:
            break
    alphabet = {c: b for b, c in byte_to_unicode().items()}
    specials = set(SPECIAL_IDS.values())
    vocab = vocab_tokens()

    def piece(t: int) -> bytes:
        if t in specials:
            return vocab[t].encode()
        return bytes(alphabet[c] for c in vocab[t])

    return Decode(len(prompt), out, piece, lambda t: t in EOS_IDS)


@dataclass
class Expected:
    final: str
    calls: list[tuple[str, str]]
    reasoning_tokens: int
    finish: str
    segments: list[FilteredSegment]


def _route(decode: Decode, max_tokens: int) -> Expected:
    """What the worker must make of ``decode``: its loop, router and filter, in this process."""
    router = HarmonyRouter(decode.is_eog)
    segments: list[FilteredSegment] = []
    stream = ReasoningStream("filtered", Moderator(LAYERS, Lexicon.load()), segments.append)
    final: list[str] = []
    calls: list[tuple[str, str]] = []
    reasoning_tokens = 0

    def take(items: list[Routed]) -> None:
        for item in items:
            if item.kind == "final":
                final.append(item.text)
            elif item.kind == "reasoning":
                stream.feed(item.text)
            else:
                calls.append((item.name, item.text))

    for n, token in enumerate(decode.tokens, 1):
        take(router.feed(token, decode.piece(token)))
        reasoning_tokens += router.in_reasoning
        if router.stop is not None or n >= max_tokens:
            break
    take(router.finish())
    stream.close()
    finish = {"stop": "stop", "tool_call": "tool_call", None: "length"}[router.stop]
    return Expected("".join(final), calls, reasoning_tokens, finish, segments)


def _segments(events: list[p.Message | WorkerExited]) -> list[dict[str, Any]]:
    """The filtered segments that crossed the pipe, in FilteredSegment.to_json form."""
    return [
        {
            "text": e.text,
            "redactions": e.redactions,
            "categories": e.categories,
            "withheld": e.withheld,
        }
        for e in events
        if isinstance(e, p.Reasoning) and e.text is not None
    ]


def _filtered(text: str) -> list[dict[str, Any]]:
    """``text`` through the worker's filter in this process."""
    out: list[FilteredSegment] = []
    stream = ReasoningStream("filtered", Moderator(LAYERS, Lexicon.load()), out.append)
    stream.feed(text)
    stream.close()
    return [s.to_json() for s in out]


# ------------------------------------------------------------------------- tests


def test_ready_lists_both_backends(lanterna_home: Path) -> None:
    pytest.importorskip("mlx_lm")
    c = EngineClient()
    c.start()
    try:
        ready = c.wait_for((p.Ready,), timeout=60)
        assert isinstance(ready, p.Ready)
        assert set(BACKENDS) <= set(ready.backends)
    finally:
        c.shutdown()


def test_load_says_which_backend_ran(client: EngineClient, model: tuple[str, Path]) -> None:
    name, path = model
    loaded = load(client, path, n_ctx=1024)
    assert loaded.backend == name
    assert loaded.architecture == "gpt-oss"
    assert loaded.prompt_format == "harmony"
    assert loaded.supports_effort and not loaded.thinking_switch
    # Asking for the backend by name gives the same.
    client.load(path, n_ctx=1024, backend=name)
    again = client.wait_for((p.Loaded,), timeout=120)
    assert isinstance(again, p.Loaded) and again.backend == name


def test_generate_streams_started_text_done(client: EngineClient, model: tuple[str, Path]) -> None:
    name, path = model
    load(client, path, n_ctx=1024)
    events = collect(client, client.generate(MESSAGES, max_tokens=60, seed=5, ignore_eos=True))
    done = done_of(events)
    kinds = [type(e) for e in events]
    assert kinds[0] is p.Started
    started = events[0]
    assert isinstance(started, p.Started)
    assert started.prompt_tokens == done.prompt_tokens > 50
    assert started.cached_tokens == 0
    assert done.finish_reason == "length" and done.completion_tokens == 60
    assert done.tokens_per_s > 0 and done.ttft_ms > 0 and done.prompt_ms > 0
    assert set(kinds) <= {p.Started, p.Text, p.Reasoning, p.ToolCallEvent, p.Done}
    # Reasoning is counted, never sent raw (hidden mode).
    assert all(e.text is None for e in events if isinstance(e, p.Reasoning))
    if name == "mlx":
        assert done.peak_memory_bytes > 0
    else:
        assert done.peak_memory_bytes == 0


def test_cancel_during_decoding(client: EngineClient, model: tuple[str, Path]) -> None:
    _name, path = model
    load(client, path, n_ctx=4096)
    req = client.generate(MESSAGES, max_tokens=3500, seed=3, ignore_eos=True)
    started = client.wait_for((p.Started,), timeout=120)
    assert isinstance(started, p.Started)
    time.sleep(0.2)
    client.cancel(req)
    done = done_of(collect(client, req))
    assert done.finish_reason == "cancelled"
    assert 0 < done.completion_tokens < 3500
    # The worker goes on serving, from a cache it can trust.
    again = done_of(collect(client, client.generate(MESSAGES, max_tokens=4, seed=1)))
    assert again.completion_tokens >= 1 and again.finish_reason != "cancelled"


@pytest.mark.parametrize(("effort", "seed"), SEEDS)
def test_harmony_and_filtered_reasoning_match_a_reference_decode(
    client: EngineClient, model: tuple[str, Path], effort: str, seed: int
) -> None:
    name, path = model
    load(client, path, n_ctx=1024, n_threads=2)
    req = client.generate(
        MESSAGES,
        effort=effort,
        seed=seed,
        max_tokens=120,
        date=DATE,
        reasoning="filtered",
        moderation=list(LAYERS),
    )
    events = collect(client, req)
    done = done_of(events)

    decoder = _decode_llamacpp if name == "llamacpp" else _decode_mlx
    decode = decoder(path, _prompt_text(effort), seed, 120)
    expected = _route(decode, 120)
    assert done.prompt_tokens == decode.prompt_tokens
    assert done.completion_tokens == len(decode.tokens)
    assert answer_text(events) == expected.final
    assert [(e.name, e.arguments) for e in events if isinstance(e, p.ToolCallEvent)] == (
        expected.calls
    )
    assert done.reasoning_tokens == expected.reasoning_tokens
    assert done.finish_reason == expected.finish
    assert done.effort == effort
    # Only what the filter let through crossed the pipe, segment for segment.
    assert _segments(events) == [s.to_json() for s in expected.segments]


def test_the_random_models_do_reason(model: tuple[str, Path]) -> None:
    """Keeps the comparison above meaningful: the reference decodes hold reasoning text."""
    name, path = model
    decoder = _decode_llamacpp if name == "llamacpp" else _decode_mlx
    decodes = [decoder(path, _prompt_text(effort), seed, 120) for effort, seed in SEEDS]
    assert any(s.text.strip() for d in decodes for s in _route(d, 120).segments)


def test_scripted_reasoning_is_filtered_the_same_way(
    client: EngineClient, scripted: tuple[str, Path]
) -> None:
    name, path = scripted
    loaded = load(client, path, n_ctx=512)
    assert loaded.backend == name
    req = client.generate(MESSAGES, reasoning="filtered", moderation=list(LAYERS), seed=1)
    events = collect(client, req)
    done = done_of(events)
    assert done.finish_reason == "stop" and answer_text(events) == ""
    segments = _segments(events)
    assert [s["withheld"] for s in segments] == [False, False, True, False]
    assert "[email]" in segments[1]["text"] and segments[2]["categories"]
    for e in events:
        for raw in (SCRIPT_EMAIL, SCRIPT_HARMFUL.strip(), "pipe bomb"):
            assert raw not in repr(e)
    # Exactly the filter applied to the script's analysis text.
    assert segments == _filtered("".join(REASONING_SCRIPT[3:-2]))


def test_second_turn_reuses_the_cache(client: EngineClient, model: tuple[str, Path]) -> None:
    _name, path = model
    load(client, path, n_ctx=2048)
    first = done_of(collect(client, client.generate(MESSAGES, max_tokens=12, seed=2)))
    assert first.cached_tokens == 0
    follow = [*MESSAGES, ChatMessage("assistant", "Hello."), ChatMessage("user", "And you?")]
    second = done_of(collect(client, client.generate(follow, max_tokens=12, seed=2)))
    # The whole first prompt is a prefix of the second one, although the model's sliding-window
    # layers (window 16) wrapped around long before.
    assert second.cached_tokens >= first.prompt_tokens - 1
    assert second.prompt_tokens > first.prompt_tokens


def test_summary_keeps_the_conversation_cache(
    client: EngineClient, scripted: tuple[str, Path]
) -> None:
    """The summary runs on a prompt of its own between two turns; save/restore_context put the
    conversation's cache back (a model that only writes its script writes no summary)."""
    _name, path = scripted
    load(client, path, n_ctx=1024)
    req = client.generate(MESSAGES, reasoning="summary", moderation=list(LAYERS), seed=1)
    done = done_of(collect(client, req))
    assert done.summary_pending
    summary = client.wait_for((p.ReasoningSummary,), timeout=120)
    assert isinstance(summary, p.ReasoningSummary) and summary.req == req
    follow = [*MESSAGES, ChatMessage("assistant", "Hello."), ChatMessage("user", "Again.")]
    second = done_of(collect(client, client.generate(follow, max_tokens=4, seed=1)))
    assert second.cached_tokens >= done.prompt_tokens - 1


# ------------------------------------------------------------------------- errors


def _load_error(client: EngineClient, path: Path, backend: str = "auto") -> p.Error:
    client.load(path, n_ctx=512, backend=backend)
    ev = client.wait_for((p.Loaded,), timeout=120)
    assert isinstance(ev, p.Error), ev
    assert "\n" not in ev.message
    return ev


@pytest.fixture
def broken_folders(tmp_path: Path, tiny_mlx_gptoss: Path) -> dict[str, Path]:
    empty = tmp_path / "empty"
    empty.mkdir()
    no_weights = tmp_path / "no-weights"
    no_weights.mkdir()
    (no_weights / "config.json").write_text('{"model_type": "gpt_oss"}')
    unknown = tmp_path / "unknown-arch"
    unknown.mkdir()
    for item in tiny_mlx_gptoss.iterdir():
        (unknown / item.name).symlink_to(item)
    (unknown / "config.json").unlink()
    (unknown / "config.json").write_text('{"model_type": "frobnicator"}')
    return {"empty": empty, "no_weights": no_weights, "unknown": unknown}


def test_mlx_load_errors_are_clear(
    client: EngineClient, broken_folders: dict[str, Path], tiny_gptoss: Path
) -> None:
    ev = _load_error(client, broken_folders["empty"])
    assert ev.kind == "bad_model" and "no config.json" in ev.message
    ev = _load_error(client, broken_folders["no_weights"], backend="mlx")
    assert ev.kind == "bad_model" and "no weights" in ev.message
    ev = _load_error(client, broken_folders["unknown"])
    assert ev.kind == "load_failed"
    assert "architecture 'frobnicator' is not supported by mlx-lm" in ev.message
    ev = _load_error(client, tiny_gptoss, backend="mlx")
    assert ev.kind == "bad_model" and "not GGUF files" in ev.message
    ev = _load_error(client, broken_folders["empty"], backend="llamacpp")
    assert ev.kind == "bad_model" and "llama.cpp runs GGUF files" in ev.message
    ev = _load_error(client, tiny_gptoss, backend="tpu")
    assert ev.kind == "bad_request" and "unknown backend" in ev.message


@pytest.fixture
def client_without_mlx(lanterna_home: Path, tmp_path: Path) -> Iterator[EngineClient]:
    c = EngineClient(env=env_without_mlx(tmp_path))
    c.start()
    ready = c.wait_for((p.Ready,), timeout=60)
    assert isinstance(ready, p.Ready)
    assert "mlx" not in ready.backends and "llamacpp" in ready.backends
    yield c
    c.shutdown()


def test_missing_mlx_is_a_clear_error(
    client_without_mlx: EngineClient, tiny_mlx_gptoss: Path, tiny_gptoss: Path
) -> None:
    ev = _load_error(client_without_mlx, tiny_mlx_gptoss)
    assert ev.kind == "backend"
    assert "MLX backend is not available" in ev.message and "No module named 'mlx'" in ev.message
    # llama.cpp models still load in the same worker.
    assert load(client_without_mlx, tiny_gptoss, n_ctx=512).backend == "llamacpp"
