"""Reading a question's documents while it is written (``ReadAhead``), with the demo model in
a real worker: the documents and the words written end up in the cache, so the question itself
reads only what was typed after them (nothing when sent as it was read); words changed later
cut the cache back; a cancelled read-ahead keeps the batches it read; a document searched by
passages has only the conversation read ahead."""

from __future__ import annotations

from pathlib import Path

from engine import protocol as p
from engine.backends.kv_cache import FULL_SWA_MAX_CTX
from engine.client import EngineClient
from engine.conversation import ChatMessage
from engine.documents.attach import attach, open_index
from tests.integration.test_chat_documents import QUESTION, guide
from tests.support.events import collect, done_of, load

BATCH = 512  # the worker's default batch (LoadParams.n_batch)
DRAFT = QUESTION.rsplit(" ", 1)[0]  # the question being written, but its last word


def attached(tmp_path: Path, pages: int) -> tuple[list[dict[str, object]], str]:
    index_path = tmp_path / "documents.sqlite3"
    with open_index(index_path) as index:
        doc = attach(str(guide(tmp_path, pages=pages)), index)
    return [{"path": doc.path, "message": 0}], str(index_path)


def read_ahead_done(events: list[object]) -> p.ReadAheadDone:
    done = events[-1]
    assert isinstance(done, p.ReadAheadDone), events[-3:]
    return done


def test_a_document_read_ahead_leaves_the_question_only_its_own_words(
    client: EngineClient, demo_model: Path, tmp_path: Path
) -> None:
    load(client, demo_model, n_ctx=8192)
    documents, index = attached(tmp_path, pages=4)
    # The question as written so far: Send comes before its last word was read.
    req = client.read_ahead([ChatMessage("user", DRAFT)], documents=documents,
                            documents_index=index)  # fmt: skip
    events = collect(client, req)
    ahead = read_ahead_done(events)
    plan = next(e for e in events if isinstance(e, p.DocumentsPlan))
    assert plan.strategy == "whole" and plan.tokens > 2 * BATCH
    assert not ahead.cancelled and ahead.read == ahead.tokens > plan.tokens
    progress = [e for e in events if isinstance(e, p.PromptProgress)]
    assert [e.done for e in progress] == [*range(BATCH, ahead.read, BATCH), ahead.read]
    assert {e.total for e in progress} == {ahead.read}

    req = client.generate([ChatMessage("user", QUESTION)], max_tokens=4, seed=1,
                          documents=documents, documents_index=index)  # fmt: skip
    events = collect(client, req)
    done_of(events)
    started = next(e for e in events if isinstance(e, p.Started))
    # The draft was read as if sent: its closing markers are cut back, all before them kept.
    assert ahead.tokens - 8 <= started.cached_tokens <= ahead.tokens
    # Left for after Send: the last word and the turn's closing markers.
    assert 0 < started.prompt_tokens - started.cached_tokens <= 8
    assert not any(isinstance(e, p.PromptProgress) for e in events)

    # Read ahead again for the next question: the conversation and document are cached, and
    # only the answer just given is read.
    answer = "".join(e.text for e in events if isinstance(e, p.Text))
    follow_up = [ChatMessage("user", QUESTION), ChatMessage("assistant", answer),
                 ChatMessage("user", "")]  # fmt: skip
    events = collect(client, client.read_ahead(follow_up, documents=documents,
                                                documents_index=index))  # fmt: skip
    again = read_ahead_done(events)
    assert again.tokens > ahead.tokens and 0 < again.read < 64


def test_a_question_sent_as_it_was_read_ahead_reads_nothing_more(
    client: EngineClient, demo_model: Path, tmp_path: Path
) -> None:
    """Send after a pause in the typing: the prompt was read whole but for its last token,
    which sampling reads anyway."""
    load(client, demo_model, n_ctx=8192)
    documents, index = attached(tmp_path, pages=2)
    ahead = read_ahead_done(collect(client, client.read_ahead(
        [ChatMessage("user", QUESTION)], documents=documents, documents_index=index)))
    events = collect(client, client.generate([ChatMessage("user", QUESTION)], max_tokens=4,
                                             seed=1, documents=documents,
                                             documents_index=index))  # fmt: skip
    done_of(events)
    started = next(e for e in events if isinstance(e, p.Started))
    assert (started.cached_tokens, started.prompt_tokens) == (ahead.tokens, ahead.tokens + 1)


def test_a_question_whose_earlier_words_changed_after_the_read_ahead_is_answered(
    client: EngineClient, demo_model: Path, tmp_path: Path
) -> None:
    load(client, demo_model, n_ctx=8192)
    documents, index = attached(tmp_path, pages=3)
    req = client.read_ahead([ChatMessage("user", "How near is the lighthouse beam")],
                            documents=documents, documents_index=index)  # fmt: skip
    events = collect(client, req)
    ahead = read_ahead_done(events)
    plan = next(e for e in events if isinstance(e, p.DocumentsPlan))
    req = client.generate([ChatMessage("user", QUESTION)], max_tokens=4, seed=1,
                          documents=documents, documents_index=index)  # fmt: skip
    events = collect(client, req)
    assert done_of(events).finish_reason in ("stop", "length")
    started = next(e for e in events if isinstance(e, p.Started))
    # The cache is cut back to the last word both share ("How"), the document stays.
    assert plan.tokens < started.cached_tokens < ahead.tokens


def test_a_cancelled_read_ahead_keeps_what_it_read(
    client: EngineClient, demo_model: Path, tmp_path: Path
) -> None:
    load(client, demo_model, n_ctx=16384)
    documents, index = attached(tmp_path, pages=20)
    req = client.read_ahead([ChatMessage("user", "")], documents=documents,
                            documents_index=index)  # fmt: skip
    first = client.wait_for((p.PromptProgress,), timeout=120)
    assert isinstance(first, p.PromptProgress) and first.req == req
    assert first.total > 8 * BATCH  # leaves time for the cancel to arrive mid-reading
    client.cancel(req)
    events = [first, *collect(client, req)]
    ahead = read_ahead_done(events)
    assert ahead.cancelled
    progress = [e for e in events if isinstance(e, p.PromptProgress)]
    read = progress[-1].done
    assert read < first.total

    # The question starts from the batches read.
    req = client.generate([ChatMessage("user", QUESTION)], max_tokens=2, seed=1,
                          documents=documents, documents_index=index)  # fmt: skip
    events = collect(client, req, timeout=300)
    done_of(events)
    started = next(e for e in events if isinstance(e, p.Started))
    assert started.cached_tokens >= read
    # A cancel is not a failure: the worker's log does not say that decoding failed.
    assert not [line for line in client.stderr_tail() if "failed to decode" in line]


def test_passages_are_not_read_ahead_only_the_conversation(
    client: EngineClient, demo_model: Path, tmp_path: Path
) -> None:
    """Each question gets its own passages, so only what comes before the message is read."""
    load(client, demo_model, n_ctx=2048)
    documents, index = attached(tmp_path, pages=6)
    history = [ChatMessage("user", "Hello there, what can you do?"),
               ChatMessage("assistant", "I answer questions about documents.")]  # fmt: skip
    documents = [{**documents[0], "message": 2}]
    # The question's words are not read either: its passages will come before them.
    events = collect(client, client.read_ahead([*history, ChatMessage("user", DRAFT)],
                                               documents=documents, documents_index=index))
    ahead = read_ahead_done(events)
    plan = next(e for e in events if isinstance(e, p.DocumentsPlan))
    assert plan.strategy == "retrieval"
    assert 0 < ahead.tokens < 100  # the first turn and the new message's opening

    req = client.generate([*history, ChatMessage("user", QUESTION)], max_tokens=2, seed=1,
                          documents=documents, documents_index=index)  # fmt: skip
    events = collect(client, req)
    started = next(e for e in events if isinstance(e, p.Started))
    assert started.cached_tokens == ahead.tokens


def test_a_read_ahead_needs_the_message_being_written(
    client: EngineClient, demo_model: Path
) -> None:
    load(client, demo_model)
    req = client.read_ahead([ChatMessage("user", "Hi"), ChatMessage("assistant", "Hello")])
    events = collect(client, req)
    assert isinstance(events[-1], p.Error) and events[-1].kind == "bad_request"
    assert "end with a user message" in events[-1].message


def test_gpt_oss_reads_the_document_ahead_in_its_harmony_prompt(
    client: EngineClient, tiny_gptoss: Path, tmp_path: Path
) -> None:
    """Harmony puts the system and developer messages (effort, date) before the documents: the
    question must be sent with the effort it was read ahead with."""
    load(client, tiny_gptoss, n_ctx=8192)
    documents, index = attached(tmp_path, pages=2)
    ahead = read_ahead_done(collect(client, client.read_ahead(
        [ChatMessage("user", DRAFT)], effort="high", documents=documents, documents_index=index)))
    assert ahead.read == ahead.tokens > 500

    req = client.generate([ChatMessage("user", QUESTION)], effort="high", max_tokens=2, seed=1,
                          documents=documents, documents_index=index)  # fmt: skip
    events = collect(client, req)
    started = next(e for e in events if isinstance(e, p.Started))
    assert ahead.tokens - 8 <= started.cached_tokens <= ahead.tokens
    # The last word's bytes (this test tokenizer has small pieces) and the turn's markers.
    assert started.prompt_tokens - started.cached_tokens <= len(QUESTION) - len(DRAFT) + 8


def test_a_windowed_cache_reads_ahead_only_up_to_the_question(
    client: EngineClient, tiny_gptoss: Path, tmp_path: Path
) -> None:
    """Beyond 32k tokens gpt-oss's sliding-window layers keep only their window: words read
    ahead and then edited would need everything read again, so none are read ahead."""
    load(client, tiny_gptoss, n_ctx=FULL_SWA_MAX_CTX * 2)
    documents, index = attached(tmp_path, pages=2)
    draft = read_ahead_done(collect(client, client.read_ahead(
        [ChatMessage("user", DRAFT)], documents=documents, documents_index=index)))
    empty = read_ahead_done(collect(client, client.read_ahead(
        [ChatMessage("user", "")], documents=documents, documents_index=index)))
    assert draft.read == draft.tokens > 500
    assert (empty.tokens, empty.read) == (draft.tokens, 0)  # the same start, read already
