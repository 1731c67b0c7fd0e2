"""Vector similarity in document search, end to end: a real worker with the demo chat model
and a tiny BERT embedding model beside it, real PDFs, the index on disk; and the CLI's
``--embedding-model`` on ``chat`` and ``docs search``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from engine import protocol as p
from engine.client import EngineClient
from engine.conversation import ChatMessage
from engine.documents.attach import attach, open_index
from engine.documents.index import EMBED_BATCH
from tests.integration.test_chat_documents import QUESTION, guide
from tests.integration.test_cli import run_cli
from tests.support.events import collect, done_of

TINY_BERT_NAME = "tiny-bert-embedding-test"


def load_with(
    client: EngineClient, model: Path, embedding_model: Path | str | None, n_ctx: int = 2048
) -> p.Loaded:
    client.load(model, n_ctx=n_ctx, embedding_model=embedding_model)
    ev = client.wait_for((p.Loaded,), timeout=120)
    assert isinstance(ev, p.Loaded), ev
    return ev


def vectors(index_path: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(index_path) as db:
        return [(str(m), int(n)) for m, n in db.execute(
            "SELECT model, COUNT(*) FROM vectors GROUP BY model"
        )]  # fmt: skip


def chunk_count(index_path: Path) -> int:
    with sqlite3.connect(index_path) as db:
        return int(db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])


def ask(
    client: EngineClient, index_path: Path, path: str
) -> tuple[p.DocumentsPlan, list[dict[str, object]]]:
    req = client.generate(
        [ChatMessage("user", QUESTION)],
        max_tokens=4,
        seed=1,
        documents=[{"path": path, "message": 0}],
        documents_index=str(index_path),
    )
    events = collect(client, req)
    done_of(events)
    plan = next(e for e in events if isinstance(e, p.DocumentsPlan))
    sources = next(e for e in events if isinstance(e, p.Sources)).sources
    return plan, sources


def test_retrieval_embeds_the_passages_once_and_still_cites_the_page(
    client: EngineClient, demo_model: Path, tiny_bert: Path, tmp_path: Path
) -> None:
    loaded = load_with(client, demo_model, tiny_bert, n_ctx=4096)
    assert (loaded.embedding, loaded.embedding_message) == (
        "ready", f"embedding model {tiny_bert.name} loaded"
    )  # fmt: skip
    index_path = tmp_path / "documents.sqlite3"
    for folder in ("small", "large"):
        (tmp_path / folder).mkdir()
    with open_index(index_path) as index:
        small = attach(str(guide(tmp_path / "small", pages=2)), index)
        large = attach(str(guide(tmp_path / "large", pages=12)), index)

    # A document read whole needs no vectors.
    plan, _ = ask(client, index_path, small.path)
    assert plan.strategy == "whole"
    assert vectors(index_path) == []

    # One that must be searched gets a vector per passage, for this model only.
    plan, sources = ask(client, index_path, large.path)
    assert plan.strategy == "retrieval"
    stored = vectors(index_path)
    assert len(stored) == 1
    model, count = stored[0]
    assert model.startswith(f"{TINY_BERT_NAME}:")
    with open_index(index_path) as index:
        assert count == len(index.chunks(large.path))
    assert 2 in [s["page"] for s in sources[:3]]

    # A follow-up finds them stored: nothing is embedded twice.
    plan, sources = ask(client, index_path, large.path)
    assert vectors(index_path) == stored
    assert 2 in [s["page"] for s in sources[:3]]


def test_a_missing_or_broken_embedding_model_is_reported_and_words_still_rank(
    client: EngineClient, demo_model: Path, tiny_bert: Path, tmp_path: Path
) -> None:
    index_path = tmp_path / "documents.sqlite3"
    with open_index(index_path) as index:
        large = attach(str(guide(tmp_path, pages=8)), index)

    loaded = load_with(client, demo_model, tmp_path / "gone.gguf")
    assert loaded.embedding == "missing"
    assert "not installed" in loaded.embedding_message and "words only" in loaded.embedding_message

    corrupt = tmp_path / "corrupt.gguf"
    corrupt.write_bytes(tiny_bert.read_bytes()[:4096])
    loaded = load_with(client, demo_model, corrupt)
    assert loaded.embedding == "failed"
    assert "could not be loaded" in loaded.embedding_message

    plan, sources = ask(client, index_path, large.path)
    assert plan.strategy == "retrieval"
    assert vectors(index_path) == []
    assert sources[0]["page"] == 2  # BM25 alone ranks the beam's page first

    # Loading without one turns it off.
    assert load_with(client, demo_model, None).embedding == "off"


def test_cli_chat_and_docs_search_take_an_embedding_model(
    tmp_path: Path, demo_model: Path, tiny_bert: Path
) -> None:
    home = {"LANTERNA_HOME": str(tmp_path / "home")}
    cache = tmp_path / "home" / "cache" / "documents.sqlite3"
    pdf = guide(tmp_path, pages=8)
    res = run_cli(
        "docs", "search", str(pdf), "--query", "lighthouse beam", "--json", "--k", "3",
        "--embedding-model", str(tiny_bert), env=home,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    hits = [json.loads(line) for line in res.stdout.splitlines()]
    assert 2 in [h["page"] for h in hits]
    stored = vectors(cache)
    assert len(stored) == 1 and stored[0][0].startswith(f"{TINY_BERT_NAME}:")
    assert stored[0][1] == chunk_count(cache)

    res = run_cli(
        "chat", "--model", str(demo_model), "--json", "--ctx", "2048", "--max-tokens", "4",
        "--embedding-model", str(tmp_path / "gone.gguf"), "--attach", str(pdf), "--", QUESTION,
        env=home,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "the embedding model is not installed" in res.stderr
    events = [json.loads(line) for line in res.stdout.splitlines()]
    plan = next(e for e in events if e["type"] == "documents")
    assert plan["strategy"] == "retrieval"

    res = run_cli(
        "docs", "search", str(pdf), "--query", "lighthouse beam", "--json",
        "--embedding-model", str(tmp_path / "gone.gguf"), env=home,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "not installed" in res.stderr
    assert json.loads(res.stdout.splitlines()[0])["page"] == 2


def test_embedding_a_long_document_reports_progress_keeps_its_batches_when_cancelled(
    client: EngineClient, demo_model: Path, tiny_bert: Path, tmp_path: Path
) -> None:
    load_with(client, demo_model, tiny_bert, n_ctx=4096)
    index_path = tmp_path / "documents.sqlite3"
    with open_index(index_path) as index:
        long = attach(str(guide(tmp_path, pages=300)), index)
    total = chunk_count(index_path)
    assert total > 8 * EMBED_BATCH  # leaves time for the cancel to arrive mid-embedding

    req = client.generate(
        [ChatMessage("user", QUESTION)], max_tokens=4, seed=1,
        documents=[{"path": long.path, "message": 0}], documents_index=str(index_path),
    )  # fmt: skip
    first = client.wait_for((p.PromptProgress,), timeout=120)
    assert isinstance(first, p.PromptProgress)
    assert (first.req, first.stage, first.done, first.total) == (req, "passages", 64, total)
    client.cancel(req)
    events = [first, *collect(client, req)]
    assert done_of(events).finish_reason == "cancelled"
    assert not any(isinstance(e, p.DocumentsPlan | p.Started) for e in events)
    # What was embedded before the cancel is stored, whole batches of it.
    kept = sum(n for _, n in vectors(index_path))
    assert kept % EMBED_BATCH == 0 and EMBED_BATCH <= kept < total

    # Asking again embeds only the rest, reporting that, and answers from the passages.
    events = collect(client, client.generate(
        [ChatMessage("user", QUESTION)], max_tokens=4, seed=1,
        documents=[{"path": long.path, "message": 0}], documents_index=str(index_path),
    ))  # fmt: skip
    done_of(events)
    progress = [(e.stage, e.total) for e in events if isinstance(e, p.PromptProgress)]
    assert progress[0] == ("passages", total - kept)
    assert sum(n for _, n in vectors(index_path)) == total
    assert next(e for e in events if isinstance(e, p.DocumentsPlan)).strategy == "retrieval"
    assert next(e for e in events if isinstance(e, p.Sources)).sources
