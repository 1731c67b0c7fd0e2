"""The worker process with the bundled Gemma 3 270M model: generate, cancel, crash, recover."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from engine import protocol as p
from engine.client import EngineClient, WorkerExited
from engine.conversation import ChatMessage
from tests.support.events import answer_text, collect, done_of, load, wait_exit

HELLO = [ChatMessage("user", "Hello! Tell me about lighthouses.")]
LONG_PROMPT = [
    ChatMessage("user", "The lighthouse keeper wrote in his log. " * 250)
]  # ~2000 tokens


def test_generates_and_reports_stats(client: EngineClient, demo_model: Path) -> None:
    loaded = load(client, demo_model, n_ctx=1024)
    assert loaded.architecture == "gemma3"
    assert loaded.prompt_format == "plain"  # a base model: no chat template
    assert loaded.supports_effort is False
    assert loaded.n_ctx == 1024

    req = client.generate(HELLO, max_tokens=16, seed=3)
    events = collect(client, req)
    done = done_of(events)
    assert done.finish_reason in ("stop", "length")
    assert 1 <= done.completion_tokens <= 16
    assert done.prompt_tokens > 5
    assert done.ttft_ms > 0
    assert done.effort is None  # effort only applies to harmony models
    assert answer_text(events) or done.finish_reason == "stop"


def test_same_seed_same_answer(client: EngineClient, demo_model: Path) -> None:
    load(client, demo_model, n_ctx=1024)
    first = collect(client, client.generate(HELLO, max_tokens=24, seed=11, ignore_eos=True))
    second = collect(client, client.generate(HELLO, max_tokens=24, seed=11, ignore_eos=True))
    assert answer_text(first) == answer_text(second)
    assert answer_text(first)


def test_text_events_are_coalesced(client: EngineClient, demo_model: Path) -> None:
    load(client, demo_model, n_ctx=1024)
    events = collect(client, client.generate(HELLO, max_tokens=200, seed=1, ignore_eos=True))
    done = done_of(events)
    texts = [ev for ev in events if isinstance(ev, p.Text)]
    assert done.completion_tokens == 200
    assert "".join(t.text for t in texts)
    # One flush per 1/60 s of decoding at most (plus the immediate first piece and the final
    # flush), whatever the decode speed; and never more events than tokens.
    decode_seconds = (done.completion_tokens - 1) / done.tokens_per_s
    assert len(texts) <= 3 + decode_seconds * 60 * 1.05
    assert len(texts) <= done.completion_tokens


def test_kv_cache_prefix_is_reused_across_turns(client: EngineClient, demo_model: Path) -> None:
    load(client, demo_model, n_ctx=2048)
    first = done_of(collect(client, client.generate(HELLO, max_tokens=12, seed=2)))
    assert first.cached_tokens == 0
    answer = "Lighthouses guide ships."
    follow = [*HELLO, ChatMessage("assistant", answer), ChatMessage("user", "And lenses?")]
    second = done_of(collect(client, client.generate(follow, max_tokens=12, seed=2)))
    # The whole first prompt is a prefix of the second one.
    assert second.cached_tokens >= first.prompt_tokens - 1
    assert second.prompt_tokens > first.prompt_tokens


def test_cancel_mid_stream(client: EngineClient, demo_model: Path) -> None:
    load(client, demo_model, n_ctx=2048)
    req = client.generate(HELLO, max_tokens=1500, seed=5, ignore_eos=True)
    seen: list[p.Message | WorkerExited] = []
    while True:
        ev = client.next_event(60)
        seen.append(ev)
        if isinstance(ev, p.Text):
            break
    client.cancel(req)
    rest = collect(client, req)
    done = done_of(rest)
    assert done.finish_reason == "cancelled"
    assert 0 < done.completion_tokens < 1500
    # The worker keeps serving after a cancel.
    again = done_of(collect(client, client.generate(HELLO, max_tokens=4, seed=1)))
    assert again.finish_reason in ("stop", "length")


def test_cancel_during_prompt_processing(client: EngineClient, demo_model: Path) -> None:
    # Small batches make a long prompt take many decode calls; cancel lands between two.
    load(client, demo_model, n_ctx=4096, n_batch=32)
    long_prompt = LONG_PROMPT
    req = client.generate(long_prompt, max_tokens=50, seed=1)
    time.sleep(0.05)
    client.cancel(req)
    done = done_of(collect(client, req))
    assert done.finish_reason == "cancelled"
    assert done.completion_tokens == 0
    assert done.prompt_tokens > 1000


def test_sigkill_mid_stream_keeps_partial_answer_and_recovers(
    client: EngineClient, demo_model: Path
) -> None:
    load(client, demo_model, n_ctx=2048)
    req = client.generate(HELLO, max_tokens=1500, seed=9, ignore_eos=True)
    received = []
    while len(received) < 3:
        ev = client.next_event(60)
        if isinstance(ev, p.Text) and ev.req == req:
            received.append(ev.text)
    assert client.pid is not None
    os.kill(client.pid, signal.SIGKILL)
    exited = wait_exit(client)
    assert exited.signal == "SIGKILL"
    assert exited.exit_code == -signal.SIGKILL
    assert "killed" in exited.reason
    assert exited.req == req
    assert not exited.expected
    assert exited.partial_text.startswith("".join(received))

    client.restart()
    assert isinstance(client.wait_for((p.Ready,), timeout=60), p.Ready)
    load(client, demo_model, n_ctx=1024)
    done = done_of(collect(client, client.generate(HELLO, max_tokens=4, seed=1)))
    assert done.finish_reason in ("stop", "length")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_native_crash_is_reported_with_signal_and_stderr(lanterna_home: Path) -> None:
    # A stand-in worker that dies in native code the way a broken llama.cpp build does.
    crash = (
        "import sys, ctypes; print('about to crash', file=sys.stderr, flush=True); "
        "ctypes.string_at(0)"
    )
    c = EngineClient(command=[sys.executable, "-c", crash])
    c.start()
    ev = c.wait_for((WorkerExited,), timeout=30)
    assert isinstance(ev, WorkerExited)
    assert ev.signal == "SIGSEGV"
    assert "native code" in ev.reason
    assert "about to crash" in ev.stderr_tail


def test_load_errors_are_clear_and_the_worker_survives(
    client: EngineClient, demo_model: Path, tmp_path: Path
) -> None:
    not_gguf = tmp_path / "notes.gguf"
    not_gguf.write_text("hello, I am not a model")
    data = demo_model.read_bytes()
    cut_header = tmp_path / "cut-header.gguf"
    cut_header.write_bytes(data[:200_000])
    cut_tensors = tmp_path / "cut-tensors.gguf"
    cut_tensors.write_bytes(data[: len(data) // 2])
    missing = tmp_path / "missing.gguf"
    for path, words in (
        (not_gguf, "not a GGUF"),
        (missing, "no such file"),
        (cut_header, "truncated"),
        (cut_tensors, "could not load"),
    ):
        client.load(path)
        ev = client.wait_for((p.Loaded,), timeout=60)
        assert isinstance(ev, p.Error), ev
        assert words in ev.message
    loaded = load(client, demo_model, n_ctx=512)
    assert loaded.architecture == "gemma3"


def test_generate_without_model_is_an_error(client: EngineClient) -> None:
    req = client.generate(HELLO, max_tokens=4)
    ev = collect(client, req)[-1]
    assert isinstance(ev, p.Error)
    assert ev.kind == "no_model"


def test_prompt_longer_than_context_is_refused(client: EngineClient, demo_model: Path) -> None:
    load(client, demo_model, n_ctx=256)
    req = client.generate([ChatMessage("user", "word " * 600)], max_tokens=4)
    ev = collect(client, req)[-1]
    assert isinstance(ev, p.Error)
    assert ev.kind == "context_full"


def test_load_can_be_cancelled(client: EngineClient, demo_model: Path) -> None:
    req = client.load(demo_model, n_ctx=1024)
    client.cancel(req)
    ev = client.wait_for((p.Loaded,), timeout=60)
    assert isinstance(ev, p.Error)
    assert ev.kind == "cancelled"
    assert isinstance(load(client, demo_model, n_ctx=512), p.Loaded)


def test_progress_is_reported_while_loading(client: EngineClient, demo_model: Path) -> None:
    req = client.load(demo_model, n_ctx=512)
    fractions = []
    while True:
        ev = client.next_event(60)
        if isinstance(ev, p.LoadProgress) and ev.req == req:
            fractions.append(ev.fraction)
        if isinstance(ev, p.Loaded | p.Error):
            break
    assert isinstance(ev, p.Loaded)
    assert len(fractions) >= 3
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0


def test_unsupported_architecture_is_named(client: EngineClient, tmp_path: Path) -> None:
    import gguf
    import numpy as np

    path = tmp_path / "strange.gguf"
    writer = gguf.GGUFWriter(str(path), arch="nonesuch")
    writer.add_name("Strange model")
    writer.add_tensor("token_embd.weight", np.zeros((4, 4), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    client.load(path)
    ev = client.wait_for((p.Loaded,), timeout=60)
    assert isinstance(ev, p.Error)
    assert ev.message == "architecture 'nonesuch' is not supported by this llama.cpp build"


def test_unload_frees_the_model(client: EngineClient, demo_model: Path) -> None:
    load(client, demo_model, n_ctx=512)
    req = client.unload()
    ev = client.wait_for((p.Unloaded,), timeout=30)
    assert isinstance(ev, p.Unloaded) and ev.req == req
    after = collect(client, client.generate(HELLO, max_tokens=4))[-1]
    assert isinstance(after, p.Error) and after.kind == "no_model"


def test_cancel_interrupts_a_single_large_prompt_batch(
    client: EngineClient, demo_model: Path
) -> None:
    # The whole prompt is one batch: only llama.cpp's abort hook can stop it part-way.
    load(client, demo_model, n_ctx=4096, n_batch=4096)
    long_prompt = LONG_PROMPT
    req = client.generate(long_prompt, max_tokens=4, seed=1)
    time.sleep(0.3)
    client.cancel(req)
    done = done_of(collect(client, req))
    assert done.finish_reason == "cancelled"
    assert done.completion_tokens == 0
    # The interrupted batch left nothing in the cache: the same prompt is read from scratch,
    # and the worker answers normally afterwards.
    again = done_of(collect(client, client.generate(long_prompt, max_tokens=4, seed=1)))
    assert again.cached_tokens == 0
    assert again.finish_reason in ("stop", "length")
    assert again.prompt_tokens == done.prompt_tokens


def test_shutdown_skips_queued_work_and_exits_cleanly(
    client: EngineClient, demo_model: Path
) -> None:
    client.load(demo_model, n_ctx=2048)
    client.generate(HELLO, max_tokens=1500, seed=1, ignore_eos=True)  # ~20 s if it ran
    client.shutdown(timeout=10)
    exited = wait_exit(client)
    # Exit code 0: it left by itself instead of being killed after the timeout.
    assert exited.expected and exited.exit_code == 0


def test_restarting_a_live_worker_is_not_a_crash(client: EngineClient, demo_model: Path) -> None:
    load(client, demo_model, n_ctx=512)
    client.restart()
    seen = []
    while True:
        ev = client.next_event(60)
        seen.append(ev)
        if isinstance(ev, p.Ready):
            break
    exits = [ev for ev in seen if isinstance(ev, WorkerExited)]
    assert len(exits) == 1 and exits[0].expected
    assert isinstance(load(client, demo_model, n_ctx=512), p.Loaded)


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({"max_tokens": 0}, "bad_request"),
        ({"tools": ["not a tool"]}, "bad_request"),
        ({"date": "<|start|>"}, "bad_request"),
        ({"effort": "extreme"}, "bad_request"),
    ],
)
def test_bad_requests_are_refused(
    client: EngineClient, demo_model: Path, change: dict[str, object], kind: str
) -> None:
    load(client, demo_model, n_ctx=512)
    req = 999
    cmd = p.Generate(req, [{"role": "user", "content": "hi"}], **change)  # type: ignore[arg-type]
    client._send(cmd)
    ev = collect(client, req)[-1]
    assert isinstance(ev, p.Error)
    assert ev.kind == kind
