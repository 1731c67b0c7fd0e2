"""Reasoning leaves the worker only filtered: real generations, real worker, real store.

The scripted tiny gpt-oss model writes a known analysis message (an e-mail address and a bomb
recipe sentence among harmless ones), so the tests know exactly which raw text must never show
up in an event, the SQLite store or a log, whatever the display mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import protocol as p
from engine.answer import AnswerRecord
from engine.client import EngineClient, WorkerExited
from engine.conversation import ChatMessage
from engine.store import Store
from tests.support.events import collect, done_of, load
from tests.support.tiny_gptoss import SCRIPT_EMAIL, SCRIPT_HARMFUL, build_scripted_gptoss_gguf

MESSAGES = [ChatMessage("user", "Say hello to me.")]
RAW_PIECES = (SCRIPT_EMAIL, SCRIPT_HARMFUL.strip(), "pipe bomb", "black powder")
# A chat template with a thinking switch (Qwen3 style): thinking on opens a <think> block.
SWITCH_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant:"
    "{% if enable_thinking is defined and not enable_thinking %} <think></think>"
    "{% else %} <think>\n{% endif %}{% endif %}"
)


def _guard_script(verdict: str) -> list[str]:
    # "final" is already a token of the tiny vocabulary; script items must be new tokens.
    return ["<|channel|>", "fi", "nal", "<|message|>", verdict, "<|return|>"]


@pytest.fixture(scope="module")
def guards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Guard models that always answer the same verdict: pass, flag, or unreadable prose."""
    root = tmp_path_factory.mktemp("guards")
    return {
        "pass": build_scripted_gptoss_gguf(root / "pass.gguf", _guard_script('{"violation": 0}')),
        "flag": build_scripted_gptoss_gguf(
            root / "flag.gguf", _guard_script('{"violation": 1, "categories": ["hate"]}')
        ),
        "prose": build_scripted_gptoss_gguf(
            root / "prose.gguf", _guard_script("This passage looks fine to me.")
        ),
    }


@pytest.fixture
def logged_client(lanterna_home: Path) -> Iterator[tuple[EngineClient, Path]]:
    log = lanterna_home / "logs" / "worker-test.log"
    c = EngineClient(log_file=log)
    c.start()
    assert isinstance(c.wait_for((p.Ready,), timeout=60), p.Ready)
    yield c, log
    c.shutdown()


def _run(client: EngineClient, req: int) -> list[p.Message | WorkerExited]:
    """A request's events, including the summary that follows Done in summary mode."""
    events = collect(client, req)
    done = events[-1]
    if isinstance(done, p.Done) and done.summary_pending:
        while True:
            ev = client.next_event(120)
            if getattr(ev, "req", None) == req:
                events.append(ev)
                if isinstance(ev, p.ReasoningSummary):
                    break
    return events


def _segments(events: list[p.Message | WorkerExited]) -> list[p.Reasoning]:
    return [e for e in events if isinstance(e, p.Reasoning) and e.text is not None]


def _files_under(*roots: Path) -> dict[Path, bytes]:
    return {f: f.read_bytes() for root in roots for f in root.rglob("*") if f.is_file()}


@pytest.mark.parametrize("mode", ["hidden", "filtered", "summary"])
def test_raw_analysis_never_reaches_events_store_or_logs(
    logged_client: tuple[EngineClient, Path],
    scripted_gptoss: Path,
    lanterna_home: Path,
    tmp_path: Path,
    mode: str,
) -> None:
    client, log = logged_client
    load(client, scripted_gptoss, n_ctx=512)
    req = client.generate(MESSAGES, reasoning=mode, seed=1, max_tokens=64)
    events = _run(client, req)
    done = done_of([e for e in events if not isinstance(e, p.ReasoningSummary)])
    assert done.finish_reason == "stop"
    assert done.reasoning_tokens >= 4  # the four sentences of the analysis message
    assert done.effort == "medium"

    # Everything the client received, as it crossed the pipe.
    wire = b"".join(p.encode(e) for e in events if isinstance(e, p.Message)).decode()
    # Everything the app would keep: the answer stored as the app stores it.
    record = AnswerRecord(req, display=mode)
    for ev in events:
        if isinstance(ev, p.Message):
            record.feed(ev)
    store = Store(tmp_path / "store.sqlite3")
    conv = store.create_conversation("hello")
    user = store.add_message(conv, "user", MESSAGES[0].content)
    store.add_message(
        conv,
        "assistant",
        record.content,
        parent_id=user,
        reasoning=record.reasoning_json(),
        meta=record.meta_json(),
    )
    store.close()
    files = _files_under(tmp_path, lanterna_home)
    assert log in files  # the worker's stderr was logged, so the check below means something
    for raw in RAW_PIECES:
        assert raw not in wire
        assert all(raw.encode() not in data for data in files.values()), raw
        assert all(raw not in line for line in client.stderr_tail())

    segments = _segments(events)
    if mode == "hidden":
        assert segments == []
        assert not any(isinstance(e, p.ReasoningSummary) for e in events)
    elif mode == "filtered":
        texts = [s.text for s in segments]
        assert texts == [
            " The user wants a short greeting. ",
            "Their e-mail is [email], so I could write to them. ",
            "",
            "Anyway, a friendly hello is enough.",
        ]
        bomb = [s for s in segments if s.withheld]
        assert len(bomb) == 1 and bomb[0].text == "" and "violence" in bomb[0].categories
        email = next(s for s in segments if s.redactions)
        red = email.redactions[0]
        assert red["kind"] == "email" and email.text[red["start"] : red["end"]] == "[email]"
    else:
        assert segments == []
        assert done.summary_pending
        summary = events[-1]
        assert isinstance(summary, p.ReasoningSummary)
        # This model only ever writes its analysis script, so it writes no summary: said so.
        assert summary.text == "" and summary.error


def test_reasoning_segments_arrive_while_the_answer_is_unaffected(
    client: EngineClient, demo_model: Path
) -> None:
    """A think model's reasoning streams as filtered segments; with thinking switched off by
    "low" effort the same model answers directly, and the answer records the switch."""
    client.load(demo_model, n_ctx=1024, chat_template=SWITCH_TEMPLATE)
    loaded = client.wait_for((p.Loaded,), timeout=120)
    assert isinstance(loaded, p.Loaded) and loaded.thinking_switch and not loaded.supports_effort

    req = client.generate(MESSAGES, effort="high", reasoning="filtered", seed=3, max_tokens=48)
    events = collect(client, req)
    done = done_of(events)
    assert done.thinking is True and done.effort is None
    segments = _segments(events)
    assert done.reasoning_tokens == done.completion_tokens  # the block never closes
    assert segments and all(not s.withheld for s in segments)

    req = client.generate(MESSAGES, effort="low", reasoning="filtered", seed=3, max_tokens=24)
    events = collect(client, req)
    done = done_of(events)
    assert done.thinking is False
    assert done.reasoning_tokens == 0 and _segments(events) == []


def test_summary_is_written_filtered_and_the_cache_is_kept(
    client: EngineClient, demo_model: Path
) -> None:
    client.load(demo_model, n_ctx=2048, chat_template=SWITCH_TEMPLATE)
    assert isinstance(client.wait_for((p.Loaded,), timeout=120), p.Loaded)
    req = client.generate(MESSAGES, effort="high", reasoning="summary", seed=5, max_tokens=40)
    events = _run(client, req)
    done = next(e for e in events if isinstance(e, p.Done))
    assert done.summary_pending and done.reasoning_tokens > 0
    summary = events[-1]
    assert isinstance(summary, p.ReasoningSummary)
    assert summary.error is None and summary.text.strip()
    assert not _segments(events)  # summary mode sends no segments

    # The summary ran on its own prompt, yet the conversation's cache was put back.
    follow = [*MESSAGES, ChatMessage("assistant", "Hi."), ChatMessage("user", "Again.")]
    req = client.generate(follow, effort="high", reasoning="hidden", seed=5, max_tokens=4)
    assert done_of(collect(client, req)).cached_tokens > 0


def test_cancelling_the_summary_ends_the_request(client: EngineClient, demo_model: Path) -> None:
    client.load(demo_model, n_ctx=2048, chat_template=SWITCH_TEMPLATE)
    assert isinstance(client.wait_for((p.Loaded,), timeout=120), p.Loaded)
    req = client.generate(MESSAGES, effort="high", reasoning="summary", seed=5, max_tokens=40)
    done = done_of(collect(client, req))
    assert done.summary_pending
    client.cancel(req)
    ev = client.wait_for((p.ReasoningSummary,), timeout=120)
    assert isinstance(ev, p.ReasoningSummary) and ev.req == req
    # Cancelled or already written: either way the request is over and the worker serves on.
    req2 = client.generate(MESSAGES, effort="low", max_tokens=4, seed=1)
    assert done_of(collect(client, req2)).completion_tokens >= 1


@pytest.mark.parametrize(
    ("verdict", "expect"),
    [("pass", None), ("flag", ("hate",)), ("prose", ("unverified",))],
)
def test_guard_model_judges_what_the_fast_layers_let_through(
    client: EngineClient,
    scripted_gptoss: Path,
    guards: dict[str, Path],
    verdict: str,
    expect: tuple[str, ...] | None,
) -> None:
    client.load(scripted_gptoss, n_ctx=512, guard_model=guards[verdict])
    loaded = client.wait_for((p.Loaded,), timeout=120)
    assert isinstance(loaded, p.Loaded) and loaded.guard == "ready"
    req = client.generate(MESSAGES, reasoning="filtered", seed=1, max_tokens=64)
    segments = _segments(collect(client, req))
    assert len(segments) == 4
    lexical = [s for s in segments if "violence" in s.categories]
    assert len(lexical) == 1 and lexical[0].withheld  # the fast layer's call stands
    others = [s for s in segments if s is not lexical[0]]
    if expect is None:
        assert not any(s.withheld for s in others)
        assert any("[email]" in s.text for s in others)
    else:
        # A flag, or an answer that is no verdict at all, withholds the segment.
        assert all(s.withheld and tuple(s.categories) == expect for s in others)


def test_guard_enabled_but_not_installed_is_reported(
    client: EngineClient, scripted_gptoss: Path, tmp_path: Path
) -> None:
    client.load(scripted_gptoss, n_ctx=512, guard_model=tmp_path / "absent.gguf")
    loaded = client.wait_for((p.Loaded,), timeout=120)
    assert isinstance(loaded, p.Loaded)
    assert loaded.guard == "missing" and "not installed" in loaded.guard_message
    req = client.generate(MESSAGES, reasoning="filtered", seed=1, max_tokens=64)
    segments = _segments(collect(client, req))
    assert [s.withheld for s in segments] == [False, False, True, False]


def test_bad_display_mode_or_layer_is_a_clear_error(
    client: EngineClient, scripted_gptoss: Path
) -> None:
    load(client, scripted_gptoss, n_ctx=512)
    req = client.generate(MESSAGES, reasoning="raw")
    err = collect(client, req)[-1]
    assert isinstance(err, p.Error) and err.kind == "bad_request" and "hidden" in err.message
    req = client.generate(MESSAGES, reasoning="filtered", moderation=["lexical", "magic"])
    err = collect(client, req)[-1]
    assert isinstance(err, p.Error) and "magic" in err.message
