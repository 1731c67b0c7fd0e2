"""Progress while a long prompt is read, with the demo model in a real worker: a report per
batch before the first token, none for a follow-up that the cache mostly covers, a cancel
during the reading that ends the request at once, and the CLI's ``prompt_progress`` events."""

from __future__ import annotations

import json
from pathlib import Path

from engine import protocol as p
from engine.client import EngineClient
from engine.conversation import ChatMessage
from tests.integration.test_cli import run_cli
from tests.support.document_files import licence_lines
from tests.support.events import collect, done_of, load

BATCH = 512  # the worker's default batch (LoadParams.n_batch)


def long_question(lines: int = 120) -> str:
    text = "\n".join((licence_lines() * 4)[:lines])
    return f"{text}\n\nWhat is this licence about?"


def progress_of(events: list[object]) -> list[p.PromptProgress]:
    return [e for e in events if isinstance(e, p.PromptProgress)]


def test_a_long_prompt_reports_each_batch_and_a_follow_up_reports_none(
    client: EngineClient, demo_model: Path
) -> None:
    load(client, demo_model, n_ctx=8192)
    messages = [ChatMessage("user", long_question())]
    events = collect(client, client.generate(messages, max_tokens=4, seed=1))
    done_of(events)
    started = next(e for e in events if isinstance(e, p.Started))
    new = started.prompt_tokens - started.cached_tokens
    assert new > 2 * BATCH, "the question must take several batches"

    progress = progress_of(events)
    assert [e.stage for e in progress] == ["prompt"] * len(progress)
    assert {e.total for e in progress} == {new}
    # One report per whole batch; the last, partial batch is read with the first token.
    assert [e.done for e in progress] == list(range(BATCH, new, BATCH))[: len(progress)]
    assert len(progress) == (new - 1) // BATCH
    assert max(events.index(e) for e in progress) < events.index(started)

    # A follow-up reads only the last answer and the new question: nothing to report.
    messages += [ChatMessage("assistant", "A licence."), ChatMessage("user", "Who wrote it?")]
    events = collect(client, client.generate(messages, max_tokens=4, seed=1))
    done_of(events)
    started = next(e for e in events if isinstance(e, p.Started))
    assert 0 < started.prompt_tokens - started.cached_tokens < BATCH
    assert progress_of(events) == []


def test_cancelling_while_the_prompt_is_read_ends_the_request_before_any_token(
    client: EngineClient, demo_model: Path
) -> None:
    load(client, demo_model, n_ctx=16384)
    req = client.generate([ChatMessage("user", long_question(600))], max_tokens=4, seed=1)
    first = client.wait_for((p.PromptProgress,), timeout=120)
    assert isinstance(first, p.PromptProgress) and first.req == req
    assert first.total > 8 * BATCH  # leaves time for the cancel to arrive mid-reading
    client.cancel(req)
    events = [first, *collect(client, req)]
    assert done_of(events).finish_reason == "cancelled"
    assert not any(isinstance(e, p.Started | p.Text) for e in events)
    assert progress_of(events)[-1].done < first.total

    # The worker is free again and answers the next question.
    events = collect(client, client.generate([ChatMessage("user", "Hi")], max_tokens=4, seed=1))
    assert done_of(events).finish_reason in ("stop", "length")


def test_the_cli_json_stream_carries_the_progress_and_plain_output_keeps_it_off_a_log(
    demo_model: Path,
) -> None:
    question = long_question()
    res = run_cli("chat", "--model", str(demo_model), "--json", "--max-tokens", "4",
                  "--seed", "1", "--ctx", "4096", "--", question)  # fmt: skip
    assert res.returncode == 0, res.stderr
    events = [json.loads(line) for line in res.stdout.splitlines()]
    progress = [e for e in events if e["type"] == "prompt_progress"]
    done = next(e for e in events if e["type"] == "done")
    assert progress and {e["stage"] for e in progress} == {"prompt"}
    assert {e["total"] for e in progress} == {done["prompt_tokens"] - done["cached_tokens"]}
    assert events.index(progress[-1]) < events.index(done)

    # Not on a terminal: the answer alone, and no progress line in the captured stderr.
    res = run_cli("chat", "--model", str(demo_model), "--max-tokens", "4", "--seed", "1",
                  "--ctx", "4096", "--", question)  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "reading the prompt" not in res.stderr
