"""The document index: chunks of extracted documents in one SQLite file, searchable by BM25.

Tables:

- ``documents``: one row per file, keyed by its absolute path, with what decides whether it
  must be read again — size, modification time (ns) and the sha256 of its bytes — and what a
  citation shows (title, kind, pages, the extractor's notice).
- ``chunks``: where each chunk sits (section, page, heading, offsets) and its token estimate.
- ``chunk_fts``: an FTS5 table holding each chunk's text beside its document's title and its
  heading, under the chunk's id. It is the only copy of the text: the index is most of the
  file, and storing the text twice would double it.
- ``vectors``: optional embeddings, one float32 blob per chunk, with the model that made it.

Re-adding a file whose size and modification time are unchanged does nothing; a file whose
stamp changed but whose bytes did not (copied, touched) only gets its stamp updated; a changed
file is replaced in one transaction. A change of chunking parameters re-indexes on the next
add, since old and new chunks would not be comparable.

The tokenizer is ``porter unicode61 remove_diacritics 2``: case and accents are ignored ("acao"
finds "ação"), and English words match their inflections ("installing" finds "installed").
Porter's rules are English, so on Portuguese or Spanish text they only strip a few endings
("pacotes" and "pacote" both become "pacot"), the same way on both sides; the query adds word
prefixes for those languages (see :mod:`engine.documents.query`).

Ranking is FTS5's ``bm25()`` over title, heading and text. The title counts half: it matches
every chunk of a document alike, so it only tells documents apart. Heading and text count the
same: on the question set (tests/data/documents), weighting headings more put sections that
merely name a common word in their heading ahead of the passage that answers. On a large index
a search scores only the rows holding the query's rarer words, and proves that the others
cannot rank higher (see :meth:`DocumentIndex._bm25`). With an :class:`Embedder`, the BM25 and
cosine rankings are fused by reciprocal rank (:mod:`engine.documents.fusion`); without one,
BM25 alone decides. Excerpts are cut from the hits' text (:mod:`engine.documents.excerpt`).
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from engine.documents.chunking import OVERLAP_CHARS, TARGET_CHARS, Chunk, chunk
from engine.documents.excerpt import excerpt as make_excerpt
from engine.documents.fusion import reciprocal_rank_fusion
from engine.documents.model import ExtractedDocument
from engine.documents.query import Query, parse_query
from engine.sqlite_tx import immediate_transaction, schema_version

SCHEMA_VERSION = 1

# Recorded with each document: chunks cut with other parameters are re-cut on the next add.
CHUNKING = f"v1/{TARGET_CHARS}/{OVERLAP_CHARS}"

# bm25() column weights: title, heading, text (see the module docstring).
BM25_WEIGHTS = (0.5, 1.0, 1.0)

# On an index larger than this, a search scores about this many rows (see DocumentIndex._bm25).
SCORE_BUDGET = 10_000
# FTS5's bm25() constants.
BM25_K1 = 1.2

# How deep each ranking goes before fusion: documents' best passages rarely sit below this in
# either list, and the vector scan costs the same at any depth.
FUSION_DEPTH = 50
# Passages embedded, and stored, at a time: bounds an embedder's memory, and is how often a
# long embedding run can be cancelled and reports progress.
EMBED_BATCH = 64

AddResult = Literal["added", "replaced", "unchanged"]

_SCHEMA: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    chunking TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    pages INTEGER,
    notice TEXT,
    chunks INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    indexed_at REAL NOT NULL,
    used_at REAL NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    section INTEGER NOT NULL,
    page INTEGER,
    heading TEXT,
    start INTEGER NOT NULL,
    stop INTEGER NOT NULL,
    tokens INTEGER NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id, ordinal)",
    """CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5(
    title, heading, text, tokenize = 'porter unicode61 remove_diacritics 2'
)""",
    """CREATE TABLE IF NOT EXISTS vectors (
    chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    vector BLOB NOT NULL
)""",
)


class EmbeddingCancelled(Exception):
    """Embedding passages was cancelled; the batches embedded before are stored."""


class DocumentIndexError(Exception):
    """The index file cannot be used (not a database, newer schema, no FTS5); one line."""


class Embedder(Protocol):
    """Turns texts into vectors. ``model_id`` names the model: vectors of different models
    are not comparable, so the index keeps each vector with the id that made it."""

    @property
    def model_id(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


@runtime_checkable
class QueryEmbedder(Embedder, Protocol):
    """An embedder that embeds a search query differently from a passage (a model trained
    with "query: " and "passage: " prefixes); without ``embed_query``, queries go through
    ``embed`` like passages."""

    def embed_query(self, text: str) -> list[float]: ...


@dataclass(frozen=True)
class FileStamp:
    """What decides whether a file must be read again."""

    size: int
    mtime_ns: int
    sha256: str


@dataclass(frozen=True)
class IndexedDocument:
    path: str
    title: str
    kind: str
    pages: int | None
    notice: str | None
    size: int
    mtime_ns: int
    sha256: str
    chunks: int
    tokens: int  # sum of the chunks' estimates; overlaps count twice
    indexed_at: float
    used_at: float


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk. ``score`` orders hits of one search only: it is BM25 (higher is
    better) without an embedder, the fused RRF score with one. ``rank`` counts from 1.
    ``excerpt`` is a short window of the chunk around its best match, white space collapsed;
    ``highlights`` are the (start, end) spans of the excerpt that matched the query."""

    chunk: Chunk
    title: str
    score: float
    rank: int
    excerpt: str
    highlights: tuple[tuple[int, int], ...]

    @property
    def matched(self) -> tuple[str, ...]:
        """The distinct matched words of the excerpt, in order of appearance."""
        words: dict[str, None] = {}
        for start, end in self.highlights:
            words.setdefault(self.excerpt[start:end], None)
        return tuple(words)


def normalize_path(path: str | os.PathLike[str]) -> str:
    """The key a file is indexed under: absolute and user-expanded, but symlinks kept, like
    extraction's paths — the path the person chose is the one a citation opens."""
    return os.path.abspath(os.path.expanduser(os.fspath(path)))


def file_stamp(path: str | os.PathLike[str]) -> FileStamp:
    st = os.stat(path)
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return FileStamp(st.st_size, st.st_mtime_ns, digest.hexdigest())


def _content_stamp(doc: ExtractedDocument) -> FileStamp:
    # A document with no file behind it (built in memory): its extracted content is the key.
    digest = hashlib.sha256()
    for section in doc.sections:
        digest.update(f"{section.page}\x1f{section.heading}\x1f{section.text}\x1e".encode())
    return FileStamp(doc.size, 0, digest.hexdigest())


class DocumentIndex:
    """One connection to an index file, usable from any thread (one call at a time)."""

    def __init__(self, path: str | os.PathLike[str], embedder: Embedder | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._embedder = embedder
        self._lock = threading.RLock()
        self._writes = 0
        self._vector_cache: tuple[tuple[int, int], _Vectors] | None = None
        self._stats: tuple[tuple[int, int], int, dict[str, int]] = ((-1, -1), 0, {})
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            self._db.execute("PRAGMA busy_timeout=5000")  # the app and the CLI may share it
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise DocumentIndexError(
                f"{self.path} cannot be used as a document index: {exc}"
            ) from None
        except BaseException:
            self._db.close()
            raise

    def _migrate(self) -> None:
        with self._tx() as db:
            version = schema_version(db, self.path, SCHEMA_VERSION, DocumentIndexError)
            for sql in _SCHEMA:
                db.execute(sql)
            if version != SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with immediate_transaction(self._db, self._lock) as db:
            yield db
        self._writes += 1

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # Adding and removing

    def add(self, doc: ExtractedDocument, stamp: FileStamp | None = None) -> AddResult:
        """Index an extracted document under its path, replacing an older version of it.

        Without ``stamp``, the file at ``doc.path`` is stamped (stat and sha256) if there is
        one, else the extracted content is the key and the modification time is 0.
        """
        key = normalize_path(doc.path)
        if doc.path != key:
            doc = replace(doc, path=key)
        if stamp is None:
            stamp = file_stamp(key) if os.path.isfile(key) else _content_stamp(doc)
        row = self._stamp_row(key)
        if row is not None and row[3] == stamp.sha256 and row[4] == CHUNKING:
            self._restamp(row[0], stamp)
            self._embed_missing(row[0])
            return "unchanged"
        chunks = chunk(doc)
        vectors = self._embed_all([c.text for c in chunks])
        now = time.time()
        with self._tx() as db:
            old = db.execute("SELECT id FROM documents WHERE path = ?", (key,)).fetchone()
            if old is not None:
                self._delete(db, old[0])
            cur = db.execute(
                "INSERT INTO documents (path, size, mtime_ns, sha256, chunking, title, kind,"
                " pages, notice, chunks, tokens, indexed_at, used_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    stamp.size,
                    stamp.mtime_ns,
                    stamp.sha256,
                    CHUNKING,
                    doc.title,
                    doc.kind,
                    doc.pages,
                    doc.notice,
                    len(chunks),
                    sum(c.tokens for c in chunks),
                    now,
                    now,
                ),
            )
            doc_id = cur.lastrowid
            # Ids chosen here, not by SQLite, so the chunk row, its FTS row and its vector
            # share one id without a round trip per chunk; the write lock makes it safe.
            first = int(db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM chunks").fetchone()[0])
            db.executemany(
                "INSERT INTO chunks (id, doc_id, ordinal, section, page, heading, start, stop,"
                " tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (first + i, doc_id, c.ordinal, c.section, c.page, c.heading, c.start, c.end,
                     c.tokens)
                    for i, c in enumerate(chunks)
                ],
            )
            db.executemany(
                "INSERT INTO chunk_fts (rowid, title, heading, text) VALUES (?, ?, ?, ?)",
                [(first + i, doc.title, c.heading or "", c.text) for i, c in enumerate(chunks)],
            )
            if vectors is not None and self._embedder is not None:
                model = self._embedder.model_id
                db.executemany(
                    "INSERT INTO vectors (chunk_id, model, vector) VALUES (?, ?, ?)",
                    [(first + i, model, v) for i, v in enumerate(vectors)],
                )
        return "added" if row is None else "replaced"

    def add_file(
        self, path: str | os.PathLike[str], extract: Callable[[str], ExtractedDocument]
    ) -> AddResult:
        """Index the file at ``path``, calling ``extract`` only if it is new or changed.

        Errors of ``stat``/``open`` (OSError) and of ``extract`` reach the caller untouched.
        """
        key = normalize_path(path)
        st = os.stat(key)
        row = self._stamp_row(key)
        if (
            row is not None
            and (row[1], row[2]) == (st.st_size, st.st_mtime_ns)
            and row[4] == CHUNKING
        ):
            with self._tx() as db:
                db.execute("UPDATE documents SET used_at = ? WHERE id = ?", (time.time(), row[0]))
            self._embed_missing(row[0])
            return "unchanged"
        stamp = file_stamp(key)
        if row is not None and row[3] == stamp.sha256 and row[4] == CHUNKING:
            self._restamp(row[0], stamp)
            self._embed_missing(row[0])
            return "unchanged"
        doc = extract(key)
        return self.add(replace(doc, path=key), stamp)

    def remove(self, path: str | os.PathLike[str]) -> bool:
        """Forget a document; False if it was not indexed."""
        with self._tx() as db:
            row = db.execute(
                "SELECT id FROM documents WHERE path = ?", (normalize_path(path),)
            ).fetchone()
            if row is None:
                return False
            self._delete(db, row[0])
            return True

    def prune(self, unused_for_s: float | None = None) -> list[str]:
        """Forget documents whose file is gone, or (given ``unused_for_s``) that nobody added
        again for that long; the paths forgotten. For a cache that must not grow forever."""
        cutoff = None if unused_for_s is None else time.time() - unused_for_s
        gone = [
            path
            for path, used_at in self._read("SELECT path, used_at FROM documents")
            if not os.path.exists(path) or (cutoff is not None and used_at < cutoff)
        ]
        for path in gone:
            self.remove(path)
        return gone

    def _stamp_row(self, key: str) -> tuple[int, int, int, str, str] | None:
        rows = self._read(
            "SELECT id, size, mtime_ns, sha256, chunking FROM documents WHERE path = ?", (key,)
        )
        return tuple(rows[0]) if rows else None

    def _restamp(self, doc_id: int, stamp: FileStamp) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE documents SET size = ?, mtime_ns = ?, used_at = ? WHERE id = ?",
                (stamp.size, stamp.mtime_ns, time.time(), doc_id),
            )

    @staticmethod
    def _delete(db: sqlite3.Connection, doc_id: int) -> None:
        # The FTS table is outside the foreign keys: its rows go first, by the chunks' ids.
        db.execute(
            "DELETE FROM chunk_fts WHERE rowid IN (SELECT id FROM chunks WHERE doc_id = ?)",
            (doc_id,),
        )
        db.execute(
            "DELETE FROM vectors WHERE chunk_id IN (SELECT id FROM chunks WHERE doc_id = ?)",
            (doc_id,),
        )
        db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def optimize(self) -> None:
        """Merge the FTS index into one segment: faster queries after a large bulk add."""
        with self._tx() as db:
            db.execute("INSERT INTO chunk_fts (chunk_fts) VALUES ('optimize')")

    # Reading

    def documents(self) -> list[IndexedDocument]:
        return [IndexedDocument(*row) for row in self._read(f"{_DOCUMENT_SELECT} ORDER BY path")]

    def document(self, path: str | os.PathLike[str]) -> IndexedDocument | None:
        rows = self._read(f"{_DOCUMENT_SELECT} WHERE path = ?", (normalize_path(path),))
        return IndexedDocument(*rows[0]) if rows else None

    def chunks(self, path: str | os.PathLike[str]) -> list[Chunk]:
        """A document's chunks in order (to put a whole document into a prompt)."""
        rows = self._read(
            f"{_CHUNK_SELECT} WHERE d.path = ? ORDER BY c.ordinal", (normalize_path(path),)
        )
        return [_chunk(row) for row in rows]

    def chunk_count(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM chunks")[0][0])

    # Searching

    def search(
        self, query: str, k: int = 8, paths: Iterable[str | os.PathLike[str]] | None = None
    ) -> list[Hit]:
        """The ``k`` best chunks for ``query``, best first; ``paths`` limits the documents.

        Never raises on what a user typed; a query with no word in it finds nothing.
        """
        if k <= 0:
            return []
        parsed = parse_query(query)
        with self._lock:
            doc_ids: list[int] | None = None
            if paths is not None:
                doc_ids = self._doc_ids(paths)
                if not doc_ids:
                    return []
            depth = k if self._embedder is None else max(k, FUSION_DEPTH)
            lexical = self._bm25(parsed, depth, doc_ids)
            if self._embedder is None:
                ranked = [(chunk_id, -bm25) for chunk_id, bm25 in lexical]
            else:
                dense = self._nearest(query, depth, doc_ids)
                ranked = reciprocal_rank_fusion(
                    [[chunk_id for chunk_id, _ in lexical], [chunk_id for chunk_id, _ in dense]]
                )[:k]
            return self._hits(ranked, parsed)

    def _doc_ids(self, paths: Iterable[str | os.PathLike[str]]) -> list[int]:
        keys = sorted({normalize_path(p) for p in paths})
        ids: list[int] = []
        # Batches of 500 stay under SQLite's limit on bound parameters.
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            marks = ",".join("?" * len(part))
            ids += [r[0] for r in self._read(
                f"SELECT id FROM documents WHERE path IN ({marks})", part
            )]
        return ids

    def _bm25(
        self, parsed: Query, depth: int, doc_ids: list[int] | None
    ) -> list[tuple[int, float]]:
        """The ``depth`` best chunks by BM25 over all of the query's units, best first.

        bm25() costs about two microseconds per matching row, and a question made of common
        words matches most of a large index: 75,000 of 100,000 chunks is usual. So on a large
        index only the rows that hold one of the query's rarer units are scored — rarest
        first, up to SCORE_BUDGET rows — in a query where every unit appears exactly twice,
        which makes bm25() exactly twice the score of the plain query for those rows. A row
        holding none of them scores at most the sum of the other units' largest possible
        contributions (idf × (k1 + 1)); when the k-th score found is at least that, no such
        row can enter the result and it is exact. When it is not, the plain query runs.
        """
        units = parsed.units
        if not units:
            return []
        full = " OR ".join(units)
        rows = self._row_count()
        if rows <= SCORE_BUDGET or (
            doc_ids is not None and self._chunks_in(doc_ids) <= SCORE_BUDGET
        ):
            return self._rank(full, depth, doc_ids)
        df = {u: self._df(u) for u in units}
        by_rarity = sorted(units, key=df.__getitem__)
        for budget in (SCORE_BUDGET, 4 * SCORE_BUDGET):
            rare: list[str] = []
            total = 0
            for unit in by_rarity:
                if total + df[unit] > budget and total >= depth:
                    break
                rare.append(unit)
                total += df[unit]
            common = by_rarity[len(rare) :]
            if not common:
                break
            twice = f"({' OR '.join(rare)}) AND ({' OR '.join([*rare, *common, *common])})"
            found = [(r, s / 2) for r, s in self._rank(twice, depth, doc_ids)]
            bound = sum(_max_contribution(df[u], rows) for u in common)
            if len(found) == depth and -found[-1][1] >= bound:
                return found
        return self._rank(full, depth, doc_ids)

    def _chunks_in(self, doc_ids: list[int]) -> int:
        marks = ",".join("?" * len(doc_ids))
        row = self._db.execute(
            f"SELECT COALESCE(SUM(chunks), 0) FROM documents WHERE id IN ({marks})", doc_ids
        ).fetchone()
        return int(row[0])

    def _rank(self, match: str, depth: int, doc_ids: list[int] | None) -> list[tuple[int, float]]:
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        if doc_ids is None:
            sql = (
                f"SELECT rowid, bm25(chunk_fts, {weights}) AS s FROM chunk_fts"
                " WHERE chunk_fts MATCH ? ORDER BY s LIMIT ?"
            )
            params: list[Any] = [match, depth]
        else:
            # bm25() is computed only for the rows that pass the join, not for every match.
            marks = ",".join("?" * len(doc_ids))
            sql = (
                f"SELECT f.rowid, bm25(chunk_fts, {weights}) AS s FROM chunk_fts AS f"
                f" JOIN chunks AS c ON c.id = f.rowid WHERE chunk_fts MATCH ?"
                f" AND c.doc_id IN ({marks}) ORDER BY s LIMIT ?"
            )
            params = [match, *doc_ids, depth]
        return [(int(r[0]), float(r[1])) for r in self._db.execute(sql, params)]

    def _stats_version(self) -> tuple[int, int]:
        # Moves when this connection (_writes) or another one (data_version) commits.
        return int(self._db.execute("PRAGMA data_version").fetchone()[0]), self._writes

    def _row_count(self) -> int:
        version = self._stats_version()
        if self._stats[0] != version:
            self._stats = (version, self.chunk_count(), {})
        return self._stats[1]

    def _df(self, unit: str) -> int:
        """How many chunks hold ``unit`` (cached until the index changes)."""
        self._row_count()  # refreshes the cache if the index changed
        cache = self._stats[2]
        if unit not in cache:
            if len(cache) > 4096:
                cache.clear()
            cache[unit] = int(
                self._db.execute(
                    "SELECT COUNT(*) FROM chunk_fts WHERE chunk_fts MATCH ?", (unit,)
                ).fetchone()[0]
            )
        return cache[unit]

    def _hits(self, ranked: Sequence[tuple[int, float]], parsed: Query) -> list[Hit]:
        if not ranked:
            return []
        ids = [chunk_id for chunk_id, _ in ranked]
        marks = ",".join("?" * len(ids))
        rows = {
            row[0]: row
            for row in self._db.execute(f"{_CHUNK_SELECT} WHERE c.id IN ({marks})", ids)
        }
        hits: list[Hit] = []
        for chunk_id, score in ranked:
            row = rows.get(chunk_id)
            if row is None:  # removed by another connection between the two queries
                continue
            excerpt, spans = make_excerpt(row[-1], parsed.words)
            hits.append(
                Hit(
                    chunk=_chunk(row),
                    title=row[2],
                    score=score,
                    rank=len(hits) + 1,
                    excerpt=excerpt,
                    highlights=spans,
                )
            )
        return hits

    # Vectors

    def _embed_all(self, texts: Sequence[str]) -> list[bytes] | None:
        if self._embedder is None:
            return None
        blobs: list[bytes] = []
        for i in range(0, len(texts), EMBED_BATCH):  # batches bound an embedder's memory
            blobs += self._embed_batch(texts[i : i + EMBED_BATCH])
        return blobs

    def _embed_batch(self, texts: Sequence[str]) -> list[bytes]:
        assert self._embedder is not None
        vectors = self._embedder.embed(texts)
        if len(vectors) != len(texts):
            raise ValueError(f"the embedder returned {len(vectors)} vectors for {len(texts)} texts")
        return [_unit(v).tobytes() for v in vectors]

    def embed_missing(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        cancelled: Callable[[], bool] = lambda: False,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Give the chunks of these documents that have no vector of this index's embedder
        one, and store it; the number of chunks embedded (0 without an embedder).

        Documents are indexed without vectors when no embedder is at hand (the app reads
        files); this fills them in when one is, once per chunk and model. A large document
        takes minutes on a CPU, so each batch is stored as soon as it is embedded:
        ``cancelled`` is checked between batches (raising :class:`EmbeddingCancelled`, the
        batches done are kept for next time), and ``progress(done, total)`` is told after each
        batch when there is more than one.
        """
        if self._embedder is None:
            return 0
        rows = [row for doc_id in self._doc_ids(paths) for row in self._unembedded(doc_id)]
        return self._embed_rows(rows, cancelled, progress)

    def _embed_missing(self, doc_id: int) -> int:
        if self._embedder is None:
            return 0
        return self._embed_rows(self._unembedded(doc_id), lambda: False, None)

    def _unembedded(self, doc_id: int) -> list[tuple[int, str]]:
        """The chunks of a document without a vector of this embedder: (chunk id, text)."""
        assert self._embedder is not None
        return [
            (int(chunk_id), str(text))
            for chunk_id, text in self._read(
                "SELECT c.id, f.text FROM chunks AS c JOIN chunk_fts AS f ON f.rowid = c.id"
                " LEFT JOIN vectors AS v ON v.chunk_id = c.id AND v.model = ?"
                " WHERE c.doc_id = ? AND v.chunk_id IS NULL",
                (self._embedder.model_id, doc_id),
            )
        ]

    def _embed_rows(
        self,
        rows: Sequence[tuple[int, str]],
        cancelled: Callable[[], bool],
        progress: Callable[[int, int], None] | None,
    ) -> int:
        assert self._embedder is not None
        model = self._embedder.model_id
        for i in range(0, len(rows), EMBED_BATCH):
            if cancelled():
                raise EmbeddingCancelled(f"{i} of {len(rows)} passages embedded")
            part = rows[i : i + EMBED_BATCH]
            blobs = self._embed_batch([text for _, text in part])
            ids = [chunk_id for chunk_id, _ in part]
            with self._tx() as db:
                db.executemany(
                    "INSERT OR REPLACE INTO vectors (chunk_id, model, vector) VALUES (?, ?, ?)",
                    [(chunk_id, model, blob) for chunk_id, blob in zip(ids, blobs, strict=True)],
                )
            if progress is not None and len(rows) > EMBED_BATCH:
                progress(i + len(part), len(rows))
        return len(rows)

    def _nearest(
        self, query: str, depth: int, doc_ids: list[int] | None
    ) -> list[tuple[int, float]]:
        if self._embedder is None or not query.strip():
            return []
        vectors = self._vectors()
        if not len(vectors.ids):
            return []
        embedder = self._embedder
        q = _unit(
            embedder.embed_query(query)
            if isinstance(embedder, QueryEmbedder)
            else embedder.embed([query])[0]
        )
        if q.shape[0] != vectors.matrix.shape[1]:
            return []
        sims = vectors.matrix @ q  # rows are unit vectors: the dot product is the cosine
        if doc_ids is not None:
            sims = np.where(np.isin(vectors.docs, doc_ids), sims, -np.inf)
        depth = min(depth, len(sims))
        top = np.argpartition(-sims, depth - 1)[:depth]
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(int(vectors.ids[i]), float(sims[i])) for i in top if np.isfinite(sims[i])]

    def _vectors(self) -> _Vectors:
        # Loaded once and kept until the index changes.
        assert self._embedder is not None
        version = self._stats_version()
        if self._vector_cache is not None and self._vector_cache[0] == version:
            return self._vector_cache[1]
        rows = self._db.execute(
            "SELECT v.chunk_id, c.doc_id, v.vector FROM vectors AS v"
            " JOIN chunks AS c ON c.id = v.chunk_id WHERE v.model = ? ORDER BY v.chunk_id",
            (self._embedder.model_id,),
        ).fetchall()
        blobs = [np.frombuffer(r[2], dtype=np.float32) for r in rows]
        dims = {b.shape[0] for b in blobs}
        if len(dims) > 1:  # a model id reused for another size: keep the most recent size
            last = blobs[-1].shape[0]
            keep = [i for i, b in enumerate(blobs) if b.shape[0] == last]
            rows = [rows[i] for i in keep]
            blobs = [blobs[i] for i in keep]
        vectors = _Vectors(
            ids=np.array([r[0] for r in rows], dtype=np.int64),
            docs=np.array([r[1] for r in rows], dtype=np.int64),
            matrix=np.vstack(blobs) if blobs else np.zeros((0, 0), dtype=np.float32),
        )
        self._vector_cache = (version, vectors)
        return vectors

    # Life cycle

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> DocumentIndex:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True)
class _Vectors:
    ids: npt.NDArray[np.int64]
    docs: npt.NDArray[np.int64]
    matrix: npt.NDArray[np.float32]


_DOCUMENT_SELECT = (
    "SELECT path, title, kind, pages, notice, size, mtime_ns, sha256, chunks, tokens,"
    " indexed_at, used_at FROM documents"
)

_CHUNK_SELECT = (
    "SELECT c.id, d.path, d.title, c.ordinal, c.section, c.page, c.heading, c.start, c.stop,"
    " c.tokens, f.text FROM chunks AS c JOIN documents AS d ON d.id = c.doc_id"
    " JOIN chunk_fts AS f ON f.rowid = c.id"
)


def _chunk(row: Sequence[Any]) -> Chunk:
    return Chunk(
        path=row[1],
        ordinal=row[3],
        text=row[10],
        page=row[5],
        heading=row[6],
        section=row[4],
        start=row[7],
        end=row[8],
        tokens=row[9],
    )


def _max_contribution(df: int, rows: int) -> float:
    """The most one query unit can add to a row's BM25 score, as FTS5's bm25() computes it:
    idf × tf·(k1 + 1) / (tf + k1·…), which stays below idf × (k1 + 1) however large tf is."""
    idf = math.log((rows - df + 0.5) / (df + 0.5))
    return max(idf, 1e-6) * (BM25_K1 + 1.0)


def _unit(vector: Sequence[float]) -> npt.NDArray[np.float32]:
    v = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v
