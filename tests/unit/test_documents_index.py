"""The document index on real SQLite files: adding, replacing, searching, excerpts, fusion,
and retrieval quality on real documents (tests/data/documents/questions.jsonl)."""

from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

import engine.documents.index as index_module
from engine.documents.excerpt import excerpt
from engine.documents.extract import extract
from engine.documents.fusion import RRF_K, reciprocal_rank_fusion
from engine.documents.index import (
    SCHEMA_VERSION,
    DocumentIndex,
    DocumentIndexError,
    Hit,
    normalize_path,
)
from engine.documents.model import ExtractedDocument, Section
from engine.documents.query import parse_query
from tests.support.real_documents import (
    LICENSES,
    MissingDocuments,
    plain_document,
    question_documents,
)

QUESTIONS = Path(__file__).parents[1] / "data" / "documents" / "questions.jsonl"


def _doc(
    path: str, *sections: Section, title: str = "Guide", kind: str = "pdf"
) -> ExtractedDocument:
    return ExtractedDocument(
        path=path,
        kind=kind,
        title=title,
        sections=sections,
        pages=sum(s.page is not None for s in sections) or None,
        size=sum(len(s.text.encode()) for s in sections),
    )


GUIDE = _doc(
    "/docs/lighthouse-guide.pdf",
    Section("Keepers trimmed the wick of the lamp every night and polished the lens.", page=1),
    Section("The Fresnel lens bends light into a beam visible for twenty miles.", page=2),
    Section("Fog signals: when the fog rolls in, the horn sounds every thirty seconds.", page=3),
)
MANUAL = _doc(
    "/docs/manual.md",
    Section("Run the installer and follow the steps.", heading="Install"),
    Section("On Linux use the AppImage or the .deb package.", heading="Install › Linux"),
    Section("A configuração da ação de cópia fica em Preferências.", heading="Configuração"),
    kind="markdown",
)


@pytest.fixture
def index(tmp_path: Path) -> Iterator[DocumentIndex]:
    with DocumentIndex(tmp_path / "documents.sqlite3") as idx:
        yield idx


def _where(hit: Hit) -> int | str | None:
    return hit.chunk.page if hit.chunk.page is not None else hit.chunk.heading


# Searching


def test_search_cites_the_page_and_shows_the_matched_words(index: DocumentIndex) -> None:
    assert index.add(GUIDE) == "added"
    hits = index.search("How far can the beam of the lens be seen?")
    assert hits[0].chunk.page == 2
    assert hits[0].chunk.path == normalize_path(GUIDE.path)
    assert hits[0].title == "Guide"
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    top = hits[0]
    assert {w.lower() for w in top.matched} >= {"beam", "lens"}
    for start, end in top.highlights:
        assert top.excerpt[start:end].lower() in {"beam", "lens", "seen"}


def test_accents_and_case_are_ignored(index: DocumentIndex) -> None:
    index.add(MANUAL)
    for query in ("acao", "AÇÃO", "configuracao", "Ação"):
        hits = index.search(query)
        assert hits and hits[0].chunk.heading == "Configuração", query
    index.add(_doc("/docs/plain.txt", Section("sem acentos: acao e configuracao"), kind="text"))
    found = {h.chunk.path for h in index.search("ação")}
    assert normalize_path("/docs/plain.txt") in found


def test_english_inflections_match(index: DocumentIndex) -> None:
    index.add(
        _doc(
            "/docs/notes.txt",
            Section("The keepers were installing a new lamp.", heading="Lamp"),
            Section("The horn sounds in fog.", heading="Horn"),
            kind="text",
        )
    )
    assert [h.chunk.heading for h in index.search("installed")] == ["Lamp"]


def test_portuguese_and_spanish_word_forms_match(index: DocumentIndex) -> None:
    index.add(
        _doc(
            "/docs/apt.txt",
            Section("Apenas descarrega os ficheiros, não os instala.", heading="download"),
            Section("Muestra las versiones disponibles de un paquete.", heading="madison"),
            kind="text",
        )
    )
    assert index.search("Como descarregar pacotes?")[0].chunk.heading == "download"
    assert index.search("¿Qué versión del paquete?")[0].chunk.heading == "madison"


HOSTILE_QUERIES = [
    '"', '""', '"unbalanced quote', "'", "\\", "*", "^start", "-minus", "+plus", "(", ")",
    "((((", "NEAR(a b", "NEAR/2", "a NEAR b", "AND", "OR", "NOT", "x AND NOT y OR", "col:val",
    "title:lens", "{title heading}: lens", "C++", "AT&T", "e-mail", "3.11", "don't", "l'été",
    "\x00", "\ud800", "\u0303", "😀🚢", "漢字", "مرحبا", "  \t\n ", "lens" * 2000,
    "word " * 5000, '"' * 101, "lens\x00beam", "%_%", "'; DROP TABLE chunks; --",
]  # fmt: skip


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_no_user_input_makes_search_fail(index: DocumentIndex, query: str) -> None:
    index.add(GUIDE)
    hits = index.search(query, k=3)
    assert len(hits) <= 3
    assert index.chunk_count() == 3  # and nothing was harmed


def test_punctuated_words_find_their_text(index: DocumentIndex) -> None:
    index.add(
        _doc(
            "/docs/history.txt",
            Section("Bjarne Stroustrup designed C++ at AT&T Bell Labs.", heading="C++"),
            Section("Python 3.11 made the interpreter faster.", heading="Python"),
            Section("Email and e-mail are both accepted spellings.", heading="Style"),
            kind="text",
        )
    )
    assert index.search("AT&T")[0].chunk.heading == "C++"
    assert index.search("what changed in 3.11")[0].chunk.heading == "Python"
    assert index.search("e-mail")[0].chunk.heading == "Style"


def test_a_quoted_phrase_ranks_the_exact_phrase_first(index: DocumentIndex) -> None:
    index.add(
        _doc(
            "/docs/phrases.txt",
            Section("The light house on the hill had no light of its own.", heading="A"),
            Section("The lighthouse light was seen from the house.", heading="B"),
            Section("Every house needs light; a light house needs a keeper.", heading="C"),
            kind="text",
        )
    )
    top = index.search('"light house"', k=3)
    assert {h.chunk.heading for h in top[:2]} == {"A", "C"}


def test_function_words_alone_still_search(index: DocumentIndex) -> None:
    index.add(_doc("/docs/hamlet.txt", Section("To be, or not to be, that is the question.")))
    assert index.search("to be or not to be")


def test_nothing_to_search_for(index: DocumentIndex) -> None:
    index.add(GUIDE)
    assert index.search("") == []
    assert index.search("?!…") == []
    assert index.search("lens", k=0) == []


def test_paths_limit_the_search(index: DocumentIndex) -> None:
    index.add(GUIDE)
    index.add(MANUAL)
    index.add(_doc("/docs/other.pdf", Section("The lens of a camera.", page=1)))
    hits = index.search("lens", paths=["/docs/other.pdf"])
    assert {h.chunk.path for h in hits} == {normalize_path("/docs/other.pdf")}
    assert index.search("lens", paths=["/docs/never-added.pdf"]) == []
    assert index.search("lens", paths=[]) == []
    both = index.search("lens install", paths=["/docs/manual.md", "/docs/lighthouse-guide.pdf"])
    assert {h.chunk.path for h in both} == {
        normalize_path("/docs/manual.md"),
        normalize_path("/docs/lighthouse-guide.pdf"),
    }


def test_chunks_and_documents_are_listed(index: DocumentIndex) -> None:
    index.add(GUIDE)
    index.add(MANUAL)
    docs = index.documents()
    assert [d.path for d in docs] == sorted(normalize_path(p) for p in (GUIDE.path, MANUAL.path))
    guide = index.document(GUIDE.path)
    assert guide is not None
    assert (guide.title, guide.kind, guide.pages, guide.chunks) == ("Guide", "pdf", 3, 3)
    assert guide.tokens == sum(c.tokens for c in index.chunks(GUIDE.path))
    assert [c.page for c in index.chunks(GUIDE.path)] == [1, 2, 3]
    assert index.chunks("/docs/none") == [] and index.document("/docs/none") is None


# Adding, replacing, removing


class _CountingExtract:
    """The real extraction, counting how often it runs."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, path: str) -> ExtractedDocument:
        self.calls += 1
        return extract(path)


def test_an_unchanged_file_is_not_read_again(index: DocumentIndex, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Keepers\n\nThe keeper lit the lamp at dusk.\n", encoding="utf-8")
    reader = _CountingExtract()
    assert index.add_file(notes, reader) == "added"
    assert index.add_file(str(notes), reader) == "unchanged"
    assert reader.calls == 1
    # Touched but not changed: only the stamp moves, nothing is read.
    os.utime(notes, ns=(1_000_000_000, 1_000_000_000))
    assert index.add_file(notes, reader) == "unchanged"
    assert reader.calls == 1
    doc = index.document(notes)
    assert doc is not None and doc.mtime_ns == 1_000_000_000
    assert doc.sha256 == hashlib.sha256(notes.read_bytes()).hexdigest()


def test_a_changed_file_is_replaced(index: DocumentIndex, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Keepers\n\nThe keeper lit the lamp at dusk.\n", encoding="utf-8")
    reader = _CountingExtract()
    index.add_file(notes, reader)
    notes.write_text("# Keepers\n\nThe keeper rowed the boat to shore.\n", encoding="utf-8")
    assert index.add_file(notes, reader) == "replaced"
    assert reader.calls == 2
    assert index.search("lamp") == []
    assert index.search("boat")[0].chunk.path == str(notes)
    assert index.chunk_count() == 1


def test_errors_of_reading_reach_the_caller(index: DocumentIndex, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        index.add_file(tmp_path / "missing.md", extract)
    assert index.documents() == []


def test_adding_an_extracted_document_twice_is_a_noop(index: DocumentIndex) -> None:
    assert index.add(GUIDE) == "added"
    assert index.add(GUIDE) == "unchanged"
    changed = _doc(GUIDE.path, Section("Only one page now.", page=1))
    assert index.add(changed) == "replaced"
    assert [c.text for c in index.chunks(GUIDE.path)] == ["Only one page now."]


def test_new_chunking_parameters_reindex(
    index: DocumentIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    index.add(GUIDE)
    monkeypatch.setattr(index_module, "CHUNKING", "v2/800/100")
    assert index.add(GUIDE) == "replaced"


def test_remove_and_prune(index: DocumentIndex, tmp_path: Path) -> None:
    kept = tmp_path / "kept.txt"
    gone = tmp_path / "gone.txt"
    for f in (kept, gone):
        f.write_text(f"Text of {f.stem}, about lighthouses.", encoding="utf-8")
        index.add_file(f, extract)
    gone.unlink()
    assert index.prune() == [str(gone)]
    assert [d.path for d in index.documents()] == [str(kept)]
    assert index.remove(kept) is True
    assert index.remove(kept) is False
    assert index.documents() == [] and index.chunk_count() == 0
    # Nothing of the removed documents is left in the full-text index either.
    with sqlite3.connect(index.path) as db:
        assert db.execute("SELECT COUNT(*) FROM chunk_fts").fetchone()[0] == 0


def test_two_connections_see_each_others_changes(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    with DocumentIndex(path) as writer, DocumentIndex(path) as reader:
        assert reader.search("lens") == []
        writer.add(GUIDE)
        assert reader.search("lens")
        writer.remove(GUIDE.path)
        assert reader.search("lens") == []


def test_a_file_that_is_not_an_index_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DocumentIndexError, match="cannot be used"):
        DocumentIndex(bad)
    newer = tmp_path / "newer.sqlite3"
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(DocumentIndexError, match="newer version"):
        DocumentIndex(newer)


# The large-index path: fewer rows scored, the same ranking


def _licences() -> list[ExtractedDocument]:
    paths = sorted(p for p in LICENSES.glob("*") if p.is_file() and not p.is_symlink())
    if len(paths) < 5:
        pytest.skip(f"{LICENSES} is missing (Debian package base-files)")
    return [plain_document(p, p.read_text(encoding="utf-8", errors="replace")) for p in paths]


@pytest.mark.parametrize(
    "query",
    [
        "Can I charge a fee for copies of the program?",
        "warranty disclaimer liability",
        "patent license granted by contributors",
        "the",
        "Source Code Form of the covered software",
        '"GNU General Public License" version',
        "Como distribuir cópias?",
    ],
)
def test_scoring_fewer_rows_gives_the_exact_ranking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    with DocumentIndex(tmp_path / "licences.sqlite3") as idx:
        for doc in _licences():
            idx.add(doc)
        assert idx.chunk_count() > 200
        monkeypatch.setattr(index_module, "SCORE_BUDGET", 10**9)
        exact = [(h.chunk.path, h.chunk.ordinal, round(h.score, 9)) for h in idx.search(query)]
        monkeypatch.setattr(index_module, "SCORE_BUDGET", 20)
        fast = [(h.chunk.path, h.chunk.ordinal, round(h.score, 9)) for h in idx.search(query)]
    assert fast == exact


# Query parsing and excerpts


def test_query_parsing() -> None:
    q = parse_query("How do I define default argument values?")
    assert q.terms == (("define",), ("default",), ("argument",), ("values",))
    assert ("default", "argument") in q.phrases and q.prefixes == ()
    # Spanish function words are not removed from an English question.
    assert ("del",) in parse_query("What does the del statement do?").terms
    assert parse_query("C++ AT&T").terms == (("C",), ("AT", "T"))
    quoted = parse_query('"reading and writing" files')
    assert quoted.terms[0] == ("reading", "and", "writing")
    assert parse_query("Como descarregar os pacotes?").prefixes == ("descarre", "pacot")
    assert parse_query("😀 ?!").fts is None


def test_excerpt_is_the_window_with_most_query_words() -> None:
    text = (
        "Chapter one talks about boats. " * 20
        + "The Fresnel lens bends the light into a beam.\n\n   It was invented in 1822. "
        + "Chapter three talks about boats again. " * 20
    )
    shown, spans = excerpt(text, ["lens", "beam", "invented"], window=16)
    assert shown.startswith("…") and shown.endswith("…")
    assert "\n" not in shown and "  " not in shown
    assert [shown[a:b] for a, b in spans] == ["lens", "beam", "invented"]
    accented, spans = excerpt("Configuração da AÇÃO: ação e acao.", ["acao"])
    assert [accented[a:b] for a, b in spans] == ["AÇÃO", "ação", "acao"]
    inflected, spans = excerpt("It was installed by the installer.", ["install"])
    assert [inflected[a:b] for a, b in spans] == ["installed", "installer"]
    assert excerpt("", ["x"]) == ("", ())
    assert excerpt("no match here", ["zebra"]) == ("no match here", ())


# Reciprocal rank fusion


def test_rrf_adds_the_reciprocal_ranks() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["c", "a", "d"]]))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert fused["b"] == pytest.approx(1 / 62)
    assert fused["d"] == pytest.approx(1 / 63)
    assert RRF_K == 60


def test_rrf_order_ties_and_duplicates() -> None:
    # Found by both lists beats first place in one.
    assert reciprocal_rank_fusion([["a", "b"], ["b", "c"]])[0][0] == "b"
    # Equal scores keep the order first met, earlier lists first.
    assert [x for x, _ in reciprocal_rank_fusion([["a"], ["z"]])] == ["a", "z"]
    # A repeated item counts once, at its best place.
    assert dict(reciprocal_rank_fusion([["a", "a", "b"]])) == pytest.approx(
        {"a": 1 / 61, "b": 1 / 63}
    )
    assert reciprocal_rank_fusion([]) == [] and reciprocal_rank_fusion([[], []]) == []
    assert dict(reciprocal_rank_fusion([["a"]], k=0)) == {"a": 1.0}
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], k=-1)


class ToyEmbedder:
    """FOR TESTS ONLY — not a language model and not a stand-in for one.

    Hashes character trigrams into 64 buckets: deterministic, offline, instant. Texts sharing
    letters get similar vectors, which is all the fusion plumbing needs to be exercised; it
    says nothing about retrieval quality.
    """

    def __init__(self, model_id: str = "toy-trigram-64") -> None:
        self.model_id = model_id
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        out = []
        for text in texts:
            v = [0.0] * 64
            t = f"  {text.lower()}  "
            for i in range(len(t) - 2):
                v[int(hashlib.md5(t[i : i + 3].encode()).hexdigest(), 16) % 64] += 1.0
            out.append(v)
        return out


def _cosine_ranking(embedder: ToyEmbedder, query: str, texts: dict[int, str]) -> list[int]:
    q = np.array(embedder.embed([query])[0])
    sims = {}
    for key, text in texts.items():
        v = np.array(embedder.embed([text])[0])
        sims[key] = float(q @ v / (np.linalg.norm(q) * np.linalg.norm(v)))
    return sorted(sims, key=lambda key: -sims[key])


def test_fusion_with_an_embedder(tmp_path: Path) -> None:
    path = tmp_path / "fused.sqlite3"
    embedder = ToyEmbedder()
    with DocumentIndex(path, embedder=embedder) as fused:
        fused.add(GUIDE)
        fused.add(MANUAL)
        with sqlite3.connect(path) as db:
            rows = db.execute("SELECT model, length(vector) FROM vectors").fetchall()
        assert rows == [("toy-trigram-64", 64 * 4)] * fused.chunk_count()
        query = "lighthouse lens"
        hits = fused.search(query, k=10)
        chunks = {
            (c.path, c.ordinal): c.text for d in (GUIDE, MANUAL) for c in fused.chunks(d.path)
        }
    # The same ranking, rebuilt from its parts: BM25 alone (the file opened without the
    # embedder) and cosine similarity, fused by reciprocal rank.
    with DocumentIndex(path) as plain:
        lexical = [(h.chunk.path, h.chunk.ordinal) for h in plain.search(query, k=50)]
    keys = list(chunks)
    dense = [keys[i] for i in _cosine_ranking(embedder, query, dict(enumerate(chunks.values())))]
    expected = reciprocal_rank_fusion([lexical, dense])
    assert [(h.chunk.path, h.chunk.ordinal) for h in hits] == [key for key, _ in expected[:10]]
    assert [h.score for h in hits] == pytest.approx([score for _, score in expected[:10]])
    # A chunk without any of the words is still found, by its vector alone.
    vector_only = [h for h in hits if (h.chunk.path, h.chunk.ordinal) not in lexical]
    assert vector_only and all(h.highlights == () and h.excerpt for h in vector_only)


def test_vectors_are_added_for_documents_indexed_without_them(tmp_path: Path) -> None:
    path = tmp_path / "later.sqlite3"
    with DocumentIndex(path) as plain:
        plain.add(GUIDE)
    first = ToyEmbedder()
    with DocumentIndex(path, embedder=first) as idx:
        assert idx.add(GUIDE) == "unchanged"
        assert first.calls == 1  # the missing vectors, once
        assert idx.add(GUIDE) == "unchanged" and first.calls == 1
    other = ToyEmbedder("toy-trigram-64-v2")
    with DocumentIndex(path, embedder=other) as idx:
        assert idx.search("lens")  # the first model's vectors are not used, BM25 still is
        idx.add(GUIDE)
        with sqlite3.connect(path) as db:
            models = {m for (m,) in db.execute("SELECT model FROM vectors")}
        assert models == {"toy-trigram-64-v2"}


# Retrieval quality on real documents


def test_top3_hit_rate_on_real_documents(tmp_path: Path) -> None:
    """At least 90% of the questions find the page or section holding their answer in the
    first three hits, all documents indexed together."""
    try:
        docs = question_documents()
    except MissingDocuments as exc:
        pytest.skip(f"the question set's documents are not installed: {exc}")
    questions = [json.loads(line) for line in QUESTIONS.read_text("utf-8").splitlines()]
    assert len(questions) >= 40 and {q["doc"] for q in questions} <= set(docs)
    with DocumentIndex(tmp_path / "questions.sqlite3") as idx:
        for doc in docs.values():
            idx.add(doc)
        found = []
        for q in questions:
            path = normalize_path(docs[q["doc"]].path)
            wanted = {q.get("page", q.get("heading")), *q.get("also", [])}
            hits = idx.search(q["question"], k=3)
            found.append(any(h.chunk.path == path and _where(h) in wanted for h in hits))
    rate = sum(found) / len(found)
    missed = [q["id"] for q, ok in zip(questions, found, strict=True) if not ok]
    assert rate >= 0.90, f"top-3 hit rate {rate:.3f}; missed {missed}"
    assert math.isclose(rate, sum(found) / len(questions))
