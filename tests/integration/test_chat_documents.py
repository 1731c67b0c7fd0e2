"""Asking about attached documents: ``chat --attach`` as a user runs it, the worker's choice of
strategy, the KV cache of a follow-up, and gpt-oss's ``documents.search`` loop — real files,
real extraction, a real worker and real models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine import protocol as p
from engine.client import EngineClient
from engine.conversation import ChatMessage
from engine.documents.attach import attach, expand, open_index
from engine.documents.search_tool import MAX_CALLS
from tests.integration.test_cli import run_cli
from tests.support.document_files import licence_lines, pages_of, write_pdf
from tests.support.events import answer_text, collect, done_of, load
from tests.support.tiny_gptoss import build_scripted_gptoss_gguf

QUESTION = "How far does the lighthouse beam reach?"
BEAM = "The Fresnel lens of the lighthouse throws its beam forty kilometres out to sea."


def guide(tmp_path: Path, pages: int = 3) -> Path:
    """Pages of licence text with one line about the lighthouse beam on page 2."""
    text = [list(page) for page in pages_of(licence_lines() * 4, pages=pages, per_page=40)]
    text[1][12] = BEAM
    return write_pdf(tmp_path / "guide.pdf", text, title="Lighthouse guide")


def json_events(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def of_type(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind]


def test_attach_reads_a_small_document_whole_and_cites_its_page(
    tmp_path: Path, demo_model: Path
) -> None:
    pdf = guide(tmp_path, pages=2)
    res = run_cli(
        "chat", "--model", str(demo_model), "--json", "--max-tokens", "8", "--seed", "1",
        "--attach", str(pdf), QUESTION,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    events = json_events(res.stdout)
    types = [e["type"] for e in events]
    # The plan comes before the answer, the sources just before done.
    assert types[0] == "documents" and types[-2:] == ["sources", "done"]
    plan = events[0]
    assert (plan["strategy"], plan["documents"], plan["tool"], plan["missing"]) == (
        "whole", 1, False, []
    )  # fmt: skip
    assert 0 < plan["tokens"] <= plan["budget"]
    sources = of_type(events, "sources")[0]["sources"]
    assert sources[0]["file"] == "guide.pdf" and sources[0]["path"] == str(pdf)
    assert sources[0]["page"] == 2 and sources[0]["heading"] is None
    assert "lighthouse" in sources[0]["excerpt"]
    # The whole document was in the prompt: far more tokens than the question alone.
    assert of_type(events, "done")[0]["prompt_tokens"] >= plan["tokens"]


def test_a_document_too_long_for_the_context_is_answered_from_passages(
    tmp_path: Path, demo_model: Path
) -> None:
    pdf = guide(tmp_path, pages=6)
    res = run_cli(
        "chat", "--model", str(demo_model), "--json", "--ctx", "2048", "--max-tokens", "8",
        "--attach", str(pdf), "--", QUESTION,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    events = json_events(res.stdout)
    plan = of_type(events, "documents")[0]
    assert plan["strategy"] == "retrieval" and plan["tool"] is False
    assert plan["tokens"] <= plan["budget"] < 2048
    done = of_type(events, "done")[0]
    assert done["prompt_tokens"] < 2048
    pages = [s["page"] for s in of_type(events, "sources")[0]["sources"][:3]]
    assert 2 in pages


def test_plain_output_lists_the_sources_after_the_answer(tmp_path: Path, demo_model: Path) -> None:
    pdf = guide(tmp_path, pages=2)
    res = run_cli(
        "chat", "--model", str(demo_model), "--max-tokens", "8", "--attach", str(pdf), QUESTION
    )
    assert res.returncode == 0, res.stderr
    assert "\nSources:\n1. guide.pdf, p. 2\n" in res.stdout
    assert "1 document read whole" in res.stderr


def test_unreadable_attachments_are_named_and_the_rest_is_answered(
    tmp_path: Path, demo_model: Path
) -> None:
    pdf = guide(tmp_path, pages=2)
    locked = write_pdf(tmp_path / "locked.pdf", [["secret"]], encrypt_with="pw")
    fake = tmp_path / "notes.txt"
    fake.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 64)
    res = run_cli(
        "chat", "--model", str(demo_model), "--json", "--max-tokens", "4",
        "--attach", str(pdf), str(locked), str(fake), str(tmp_path / "gone.md"), QUESTION,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    errors = [line for line in res.stderr.splitlines() if "error:" in line]
    assert len(errors) == 3, res.stderr
    assert any("locked.pdf" in e and "password" in e.lower() for e in errors)
    assert any("notes.txt" in e for e in errors)
    assert any("gone.md: no such file" in e for e in errors)
    assert of_type(json_events(res.stdout), "documents")[0]["documents"] == 1


def test_a_mistyped_file_name_last_is_not_taken_for_the_question(
    tmp_path: Path, demo_model: Path
) -> None:
    pdf = guide(tmp_path, pages=2)
    res = run_cli("chat", "--model", str(demo_model), "--attach", str(pdf), "guied.pdf")
    assert res.returncode == 1
    assert res.stderr.splitlines() == [
        "lanterna-engine: error: guied.pdf: no such file or folder "
        "(the question goes after the documents, or after --)"
    ]
    assert res.stdout == ""


def test_nothing_readable_is_an_error(tmp_path: Path, demo_model: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    res = run_cli("chat", "--model", str(demo_model), "--attach", str(empty), "--", QUESTION)
    assert res.returncode != 0
    assert "holds no documents" in res.stderr
    assert "none of the attached documents could be read" in res.stderr


def test_a_follow_up_reuses_the_cached_document(
    client: EngineClient, demo_model: Path, tmp_path: Path
) -> None:
    """The second question's prompt starts with the first one's, document included: the worker
    finds it in the KV cache and reads only what is new."""
    load(client, demo_model, n_ctx=4096)
    index_path = tmp_path / "documents.sqlite3"
    with open_index(index_path) as index:
        attached = attach(str(guide(tmp_path, pages=3)), index)
    documents = [{"path": attached.path, "message": 0}]
    first = [ChatMessage("user", QUESTION)]
    req = client.generate(first, max_tokens=16, seed=3, documents=documents,
                          documents_index=str(index_path))  # fmt: skip
    events = collect(client, req)
    plan = next(e for e in events if isinstance(e, p.DocumentsPlan))
    assert plan.strategy == "whole" and plan.tokens > 1500
    follow_up = [*first, ChatMessage("assistant", answer_text(events)),
                 ChatMessage("user", "Who made the lens?")]  # fmt: skip
    req = client.generate(follow_up, max_tokens=4, seed=3, documents=documents,
                          documents_index=str(index_path))  # fmt: skip
    events = collect(client, req)
    started = next(e for e in events if isinstance(e, p.Started))
    assert started.cached_tokens >= plan.tokens
    assert started.prompt_tokens - started.cached_tokens < 100


def test_a_request_naming_a_missing_index_is_refused(
    client: EngineClient, demo_model: Path, tmp_path: Path
) -> None:
    load(client, demo_model)
    req = client.generate(
        [ChatMessage("user", "hi")],
        documents=[{"path": str(tmp_path / "a.pdf"), "message": 0}],
        documents_index=str(tmp_path / "nowhere.sqlite3"),
    )
    err = collect(client, req)[-1]
    assert isinstance(err, p.Error) and err.kind == "bad_request"
    assert "no document index" in err.message
    # The worker goes on serving.
    req = client.generate([ChatMessage("user", "hi")], max_tokens=2)
    assert done_of(collect(client, req)).completion_tokens >= 1


SEARCH_QUERY = '{"query": "lighthouse beam", "k": 1}'
SEARCH_SCRIPT = (
    "<|channel|>",
    "analysis to=documents.search ",
    "<|constrain|>",
    "json",
    "<|message|>",
    SEARCH_QUERY,
    "<|call|>",
)


@pytest.fixture(scope="module")
def searching_gptoss(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gpt-oss that answers any prompt by searching the documents for the lighthouse beam."""
    path = tmp_path_factory.mktemp("models") / "searching-gpt-oss.gguf"
    return build_scripted_gptoss_gguf(path, SEARCH_SCRIPT)


def search_with(
    client: EngineClient, model: Path, tmp_path: Path, n_ctx: int
) -> list[p.Message | Any]:
    load(client, model, n_ctx=n_ctx)
    index_path = tmp_path / "documents.sqlite3"
    files, problems = expand([guide(tmp_path, pages=12)])
    assert not problems
    with open_index(index_path) as index:
        attached = attach(files[0], index)
    req = client.generate(
        [ChatMessage("user", QUESTION)],
        max_tokens=400,
        documents=[{"path": attached.path, "message": 0}],
        documents_index=str(index_path),
    )
    return collect(client, req)


def test_gpt_oss_answers_when_the_context_has_no_room_for_more_passages(
    client: EngineClient, searching_gptoss: Path, tmp_path: Path
) -> None:
    events = search_with(client, searching_gptoss, tmp_path, n_ctx=4096)
    calls = [e for e in events if isinstance(e, p.ToolCallEvent)]
    assert len(calls) == 1
    done = done_of(events)
    assert done.finish_reason == "stop" and answer_text(events) == SEARCH_QUERY
    assert done.prompt_tokens + done.completion_tokens < 4096


def test_gpt_oss_searches_the_documents_until_it_must_answer(
    client: EngineClient, searching_gptoss: Path, tmp_path: Path
) -> None:
    """Each call is run and answered, the model goes on; past the limit it is made to answer.

    The scripted model calls documents.search after every prompt, so the loop runs to its
    limit; the final answer it is then made to write is the rest of its script.
    """
    events = search_with(client, searching_gptoss, tmp_path, n_ctx=16384)
    plan = next(e for e in events if isinstance(e, p.DocumentsPlan))
    assert plan.strategy == "retrieval" and plan.tool
    calls = [e for e in events if isinstance(e, p.ToolCallEvent)]
    assert [c.name for c in calls] == ["documents.search"] * (MAX_CALLS + 1)
    assert all(json.loads(c.arguments) == {"query": "lighthouse beam", "k": 1} for c in calls)
    sources = next(e for e in events if isinstance(e, p.Sources)).sources
    assert sources[0]["page"] == 2 and "beam" in sources[0]["excerpt"]
    done = done_of(events)
    assert done.finish_reason == "stop"
    # Forced into the final channel, the model wrote the rest of its script as the answer.
    assert answer_text(events) == SEARCH_QUERY
    assert events.index(next(e for e in events if isinstance(e, p.Sources))) == len(events) - 2


CITING_ANSWER = "The guide says how far the beam reaches [guide.pdf, p. 7]."


def test_the_page_the_answer_cites_leads_its_sources(client: EngineClient, tmp_path: Path) -> None:
    # A gpt-oss that answers at once, citing page 7 (the beam is on page 2): what the answer
    # rests on comes first, marked as cited, then the question's own best passage.
    model = build_scripted_gptoss_gguf(
        tmp_path / "citing-gpt-oss.gguf",
        ("<|channel|>", "final ", "<|message|>", CITING_ANSWER, "<|return|>"),
    )
    events = search_with(client, model, tmp_path, n_ctx=16384)
    assert answer_text(events) == CITING_ANSWER
    sources = next(e for e in events if isinstance(e, p.Sources)).sources
    assert (sources[0]["file"], sources[0]["page"], sources[0]["cited"]) == ("guide.pdf", 7, True)
    assert sources[0]["excerpt"]
    assert (sources[1]["page"], sources[1]["cited"]) == (2, False)
    assert "beam" in sources[1]["excerpt"]
