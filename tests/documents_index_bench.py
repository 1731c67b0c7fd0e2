"""Document index benchmark: build a large index from real text, then time searches.

    python -m tests.documents_index_bench [--chunks 100000] [--queries 100] [--keep FILE]
                                          [--questions]

The text is real (see tests/support/real_documents.py: Python's documentation, the licences in
/usr/share/common-licenses, the Debian changelogs of the installed packages). One pass over it
gives about 34,000 chunks; to reach ``--chunks`` it is indexed again under other names with the
paragraphs of each section rotated, so later passes are not byte-identical copies.

Printed: documents and chunks indexed, build time and chunks per second (chunking included),
the time of the final FTS5 merge, the file size, and the search latency (median and 95th
percentile) of the queries — 80 of the question set's questions and 20 keyword searches —
over the whole index and restricted to three documents, as ``docs search`` restricts it.
``--keep FILE`` keeps the index (and reuses it when run again with the same file).
``--questions`` then adds the question set's documents (tests/data/documents) to the large
index and measures their top-3 hit rate among all the other chunks; the corpus leaves out the
files they are made from, so that no copy can answer for them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from engine.documents.index import DocumentIndex, normalize_path
from engine.documents.model import ExtractedDocument, Section
from tests.support.real_documents import (
    MissingDocuments,
    corpus,
    question_documents,
    question_sources,
)

QUESTIONS = Path(__file__).parent / "data" / "documents" / "questions.jsonl"

# What people type into a search box, beside the question set's full questions.
KEYWORD_QUERIES = (
    "sqlite3 connect timeout", "json dump indent", "asyncio event loop", "thread safety",
    "datetime timezone utc", "unicode normalization", "GPL patent license",
    "security fix CVE", "regular expression groups", "subprocess run capture output",
    "logging handler format", "pathlib glob", "decimal rounding", "socket timeout",
    "unittest mock patch", "typing generics TypeVar", "zip file compression",
    "C++ AT&T \"quoted phrase\" NEAR(", "ação configuração", "memory leak",
)  # fmt: skip


def _rotated(doc: ExtractedDocument, shift: int) -> ExtractedDocument:
    sections: list[Section] = []
    for s in doc.sections:
        paragraphs = s.text.split("\n\n")
        k = shift % len(paragraphs)
        sections.append(replace(s, text="\n\n".join(paragraphs[k:] + paragraphs[:k])))
    return replace(doc, path=f"{doc.path}#pass{shift}", sections=tuple(sections))


def _documents() -> Iterator[ExtractedDocument]:
    # The question set's own documents stay out: the last step adds them once, and copies
    # would make a right answer from the wrong file.
    docs = list(corpus(exclude=question_sources()))
    if not docs:
        raise SystemExit("no real documents found here (install python3-doc)")
    for shift in range(10_000):
        for doc in docs:
            yield doc if shift == 0 else _rotated(doc, shift)


def build(index: DocumentIndex, target: int) -> tuple[int, float]:
    start = time.perf_counter()
    added = 0
    have = index.chunk_count()
    for doc in _documents():
        if have >= target:
            break
        if index.add(doc) != "unchanged":
            added += 1
            have = index.chunk_count()
            if added % 200 == 0:
                print(f"  … {have} chunks", file=sys.stderr)
    return added, time.perf_counter() - start


def _queries(n: int) -> list[str]:
    """``n`` queries: the question set's questions, then the keyword searches."""
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text("utf-8").splitlines()]
    keywords = list(KEYWORD_QUERIES[: n // 5])
    queries = questions[: n - len(keywords)] + keywords
    while len(queries) < n:
        queries += queries[: n - len(queries)]
    return queries


def _latency(index: DocumentIndex, queries: list[str], paths: list[str] | None) -> list[float]:
    times: list[float] = []
    for q in queries:
        t0 = time.perf_counter()
        index.search(q, k=8, paths=paths)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def _p(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[int(q) - 1]


def _question_set_among(index: DocumentIndex) -> None:
    """The question set's top-3 hit rate with its documents among all the others: searching
    only them (as a chat searches its own documents; the other chunks still shape the word
    statistics), then searching everything (a hit from another document counts as a miss,
    although the other Python pages often answer the same question)."""
    try:
        docs = question_documents()
    except MissingDocuments as exc:
        print(f"question set: skipped ({exc})")
        return
    for doc in docs.values():
        index.add(doc)
    questions = [json.loads(line) for line in QUESTIONS.read_text("utf-8").splitlines()]
    own = [normalize_path(d.path) for d in docs.values()]
    for label, paths in (("its 8 documents", own), ("everything", None)):
        found = 0
        for q in questions:
            path = normalize_path(docs[q["doc"]].path)
            wanted = {q.get("page", q.get("heading")), *q.get("also", [])}
            for hit in index.search(q["question"], k=3, paths=paths):
                where = hit.chunk.page if hit.chunk.page is not None else hit.chunk.heading
                if hit.chunk.path == path and where in wanted:
                    found += 1
                    break
        print(
            f"question set in a {index.chunk_count()}-chunk index, searching {label}:"
            f" top-3 {found}/{len(questions)} ({found / len(questions):.1%})"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.documents_index_bench")
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--keep", metavar="FILE", help="index file to keep (and reuse)")
    ap.add_argument(
        "--questions",
        action="store_true",
        help="then add the question set's documents and measure its top-3 hit rate",
    )
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "bench.sqlite3"
        with DocumentIndex(path) as index:
            before = index.chunk_count()
            added, seconds = build(index, args.chunks)
            chunks = index.chunk_count()
            t0 = time.perf_counter()
            index.optimize()
            merge = time.perf_counter() - t0
            docs = len(index.documents())
            size = path.stat().st_size / 2**20
            print(f"index: {docs} documents, {chunks} chunks, {size:.0f} MiB")
            if added:
                made = chunks - before
                print(
                    f"build: {added} documents, {made} chunks in {seconds:.1f} s"
                    f" ({made / seconds:.0f} chunks/s); FTS merge {merge:.1f} s"
                )
            queries = _queries(args.queries)
            three = [d.path for d in index.documents()[:: max(1, docs // 3)]][:3]
            _latency(index, queries[:10], None)  # first touch of the file's pages
            for label, paths in (("whole index", None), ("3 documents", three)):
                times = _latency(index, queries, paths)
                print(
                    f"search ({label}, k=8, {len(times)} queries):"
                    f" p50 {statistics.median(times):.1f} ms, p95 {_p(times, 95):.1f} ms,"
                    f" max {max(times):.1f} ms"
                )
            if args.questions:
                _question_set_among(index)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
