"""The GGUF embedder on a real (tiny, random-weight) BERT model run by llama.cpp: vectors,
batching, truncation, identity, prefixes, and what a missing or broken model gives."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from engine.documents.embedding import (
    EmbeddingError,
    GgufEmbedder,
    load_embedder,
)
from engine.documents.embedding_prefixes import NONE, prefixes_for
from engine.documents.index import DocumentIndex, QueryEmbedder
from engine.documents.model import ExtractedDocument, Section
from engine.documents.session import DocumentLibrary
from engine.models.kinds import embedding_pooling, is_embedding_model
from tests.support.tiny_bert import CONTEXT_LENGTH, N_EMBD, SEP_ID, build_tiny_bert_gguf
from tests.unit.test_documents_session import index_path, prepare  # noqa: F401  (a fixture)

TEXTS = [
    "the report of page 12",
    "search the document for the passage",
    "zebra crossing at 7 am",
    "",
    "query " * 40,
]


@pytest.fixture(scope="module")
def embedder(tiny_bert: Path) -> Iterator[GgufEmbedder]:
    e = GgufEmbedder(tiny_bert, n_threads=1)
    yield e
    e.close()


def test_vectors_are_unit_length_and_deterministic(
    embedder: GgufEmbedder, tiny_bert: Path
) -> None:
    first = np.array(embedder.embed(TEXTS))
    assert first.shape == (len(TEXTS), N_EMBD)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-6)
    again = GgufEmbedder(tiny_bert, n_threads=1)
    try:
        assert np.allclose(np.array(again.embed(TEXTS)), first, atol=1e-6)
    finally:
        again.close()
    # Different texts, different vectors; texts sharing words are closer.
    assert float(first[0] @ first[2]) < 0.99
    near, far = np.array(embedder.embed(["the report", "the sea"]))
    assert float(first[0] @ near) > float(first[0] @ far)


def test_a_batch_gives_what_one_text_at_a_time_gives(embedder: GgufEmbedder) -> None:
    together = np.array(embedder.embed(TEXTS))
    alone = np.array([embedder.embed([t])[0] for t in TEXTS])
    assert np.abs(together - alone).max() < 1e-4


def test_more_texts_than_one_batch_holds(embedder: GgufEmbedder) -> None:
    # Each text is 302 tokens: a 512-token batch holds one, so this takes several calls.
    texts = [f"{chr(97 + i)} " * 300 for i in range(5)]
    many = np.array(embedder.embed(texts))
    assert many.shape == (5, N_EMBD)
    assert np.abs(many[3] - np.array(embedder.embed([texts[3]])[0])).max() < 1e-4


def test_a_long_text_is_cut_to_the_context_keeping_its_end_token(embedder: GgufEmbedder) -> None:
    assert embedder.n_ctx == CONTEXT_LENGTH
    tokens = embedder._tokens("ab " * 2000)
    assert len(tokens) == CONTEXT_LENGTH and tokens[-1] == SEP_ID
    # A passage of 1,200 characters fits whole.
    assert len(embedder._tokens("the report " * 110)) < CONTEXT_LENGTH
    vector = embedder.embed(["ab " * 2000])[0]
    assert np.isclose(np.linalg.norm(vector), 1.0)


def test_the_model_id_names_the_file(tiny_bert: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copy(tiny_bert, tmp_path / "copy.gguf"))
    other = build_tiny_bert_gguf(tmp_path / "other.gguf", seed=1)
    ids = []
    for path in (tiny_bert, copy, other):
        e = GgufEmbedder(path, n_threads=1)
        ids.append(e.model_id)
        e.close()
    assert ids[0] == ids[1]  # the same bytes: the same vectors
    assert ids[2] != ids[0]  # same name and size, other weights
    assert ids[0].startswith("tiny-bert-embedding-test:")


def test_prefixes_come_from_the_model_name() -> None:
    assert prefixes_for(["multilingual-e5", "Multilingual E5 Small"]).query == "query: "
    assert prefixes_for(["Multilingual E5 Small"]).document == "passage: "
    instruct = prefixes_for(["multilingual-e5-large-instruct"])
    assert instruct.query.startswith("Instruct:") and instruct.document == ""
    nomic = prefixes_for(["nomic-embed-text-v1.5"])
    assert (nomic.query, nomic.document) == ("search_query: ", "search_document: ")
    assert prefixes_for(["bge-small-en-v1.5"]).query.startswith("Represent")
    assert prefixes_for(["bge-m3", "BGE M3"]) is NONE
    assert prefixes_for(["gte-small", "", "  "]) is NONE


def test_queries_and_passages_get_their_prefixes(tmp_path: Path, embedder: GgufEmbedder) -> None:
    e5 = GgufEmbedder(build_tiny_bert_gguf(tmp_path / "e5.gguf", name="multilingual-e5-tiny"))
    try:
        assert isinstance(e5, QueryEmbedder)
        assert e5.prefixes.tag == "e5" and e5.model_id.endswith(":e5")
        text = "the report"
        # The embedder adds "passage: " to passages and "query: " to queries.
        assert np.allclose(e5.embed([text])[0], embedder.embed([f"passage: {text}"])[0], atol=1e-5)
        assert np.allclose(e5.embed_query(text), embedder.embed([f"query: {text}"])[0], atol=1e-5)
        # The plain model embeds a query as it embeds a passage.
        assert np.allclose(embedder.embed_query(text), embedder.embed([text])[0], atol=1e-6)
    finally:
        e5.close()


def test_what_is_not_an_embedding_model_is_refused(tmp_path: Path) -> None:
    no_pooling = build_tiny_bert_gguf(tmp_path / "none.gguf", pooling=0)
    with pytest.raises(EmbeddingError, match="not an embedding model"):
        GgufEmbedder(no_pooling)
    reranker = build_tiny_bert_gguf(tmp_path / "rank.gguf", pooling=4)
    with pytest.raises(EmbeddingError, match="reranker"):
        GgufEmbedder(reranker)
    # An encoder whose conversion left the pooling out pools by mean.
    assert embedding_pooling({"general.architecture": "bert"}) == 1
    assert not is_embedding_model({"general.architecture": "llama"})
    assert is_embedding_model({"general.architecture": "qwen3", "qwen3.pooling_type": 3})


def test_load_states(tiny_bert: Path, tmp_path: Path) -> None:
    assert load_embedder(None).state == "off"
    missing = load_embedder(str(tmp_path / "gone.gguf"))
    assert missing.state == "missing" and "not installed" in missing.message
    corrupt = tmp_path / "corrupt.gguf"
    corrupt.write_bytes(tiny_bert.read_bytes()[:5000])
    failed = load_embedder(str(corrupt))
    assert failed.state == "failed" and failed.embedder is None
    assert "could not be loaded" in failed.message
    ready = load_embedder(str(tiny_bert), n_threads=1)
    assert ready.state == "ready" and ready.embedder is not None
    try:
        # The same file asked for again: the loaded model is kept, not loaded twice.
        assert load_embedder(str(tiny_bert), current=ready.embedder).embedder is ready.embedder
    finally:
        ready.embedder.close()
    assert ready.embedder.closed
    with pytest.raises(EmbeddingError, match="closed"):
        ready.embedder.embed(["x"])


def test_the_index_stores_vectors_once_per_model(tmp_path: Path, embedder: GgufEmbedder) -> None:
    path = tmp_path / "documents.sqlite3"
    doc = ExtractedDocument(
        str(tmp_path / "report.pdf"), "pdf", "Report",
        tuple(
            Section(f"On page {p} the report is about the {topic}.", page=p)
            for p, topic in enumerate(("lighthouse", "beam", "lens"), start=1)
        ),
        3, 300,
    )  # fmt: skip
    with DocumentIndex(path) as plain:
        plain.add(doc)
        assert plain.embed_missing([doc.path]) == 0  # no embedder, nothing to do
    with DocumentIndex(path, embedder) as index:
        assert index.embed_missing([doc.path]) == 3
        assert index.embed_missing([doc.path]) == 0  # once
        hits = index.search("the beam", k=3, paths=[doc.path])
        assert [h.chunk.page for h in hits][:1] == [2]
        # Cosine alone ranks the same way: the model is a bag of words (tests/support).
        pages = dict(index._read("SELECT id, page FROM chunks"))
        assert [pages[chunk_id] for chunk_id, _ in index._nearest("the beam", 3, None)][:1] == [2]
    with DocumentIndex(path) as plain:
        rows = plain._read("SELECT model, length(vector) FROM vectors")
    assert rows == [(embedder.model_id, 4 * N_EMBD)] * 3


def _vector_count(path: Path) -> int:
    with DocumentIndex(path) as index:
        return int(index._read("SELECT COUNT(*) FROM vectors")[0][0])


def test_the_worker_library_embeds_only_for_retrieval(
    index_path: Path, tmp_path: Path, embedder: GgufEmbedder  # noqa: F811
) -> None:
    library = DocumentLibrary()
    library.set_embedder(embedder)
    try:
        whole = prepare(library, index_path, tmp_path, n_ctx=32768)
        assert whole.strategy == "whole"
        assert _vector_count(index_path) == 0  # whole documents need no vectors
        retrieval = prepare(library, index_path, tmp_path, n_ctx=2048)
        assert retrieval.strategy == "retrieval"
        with DocumentIndex(index_path) as index:
            chunks = index.chunk_count()
        assert _vector_count(index_path) == chunks  # every chunk of both documents, once
        # The passages are still the right ones, now fused with cosine similarity.
        assert "[1] contract.pdf, p. 3" in retrieval.messages[0].content
        assert library.embedder is embedder
    finally:
        library.close()


class _BrokenEmbedder:
    model_id = "broken"

    def embed(self, texts: object) -> list[list[float]]:
        raise EmbeddingError("the embedding model failed on a text (llama_decode returned -1)")


def test_retrieval_goes_on_by_words_when_embedding_fails(
    index_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    library = DocumentLibrary()
    library.set_embedder(_BrokenEmbedder())
    try:
        prepared = prepare(library, index_path, tmp_path, n_ctx=2048)
    finally:
        library.close()
    assert prepared.strategy == "retrieval"
    assert "[1] contract.pdf, p. 3" in prepared.messages[0].content
    assert library.embedder is None
    assert "without vectors" in capsys.readouterr().err
