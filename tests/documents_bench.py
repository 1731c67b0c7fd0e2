"""How fast text comes out of a long PDF: ``python -m tests.documents_bench --bench-extract``.

The PDF is written by ReportLab from real text — the reStructuredText sources of Python's
documentation (Debian's python3-doc), or Debian's licences where those are not installed —
60 lines a page, 300 pages by default. Three ways of reading it are timed in the same run:

- raw: pypdfium2 alone, the text of every page and nothing else (the floor);
- extract: ``engine.documents.extract.extract`` in this process (adds normalisation, scanned
  page detection, limits);
- isolated: ``extract_isolated``, the same in a child process (adds starting the child and
  sending the document back);
- attach: what dropping the file on a chat costs before a question can be asked —
  ``engine.documents.attach.attach`` into an empty index: the isolated extraction, chunking and
  indexing in SQLite FTS5.

Each figure is the median of ``--rounds`` runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.document_files import licence_lines, write_pdf

PYTHON_DOCS = Path("/usr/share/doc/python3.11/html/_sources/library")
LINES_PER_PAGE = 60
WIDTH = 100  # characters a line at 9 pt on A4


def source_lines() -> tuple[str, list[str]]:
    """(where the text came from, its lines wrapped to the page width)."""
    files = sorted(PYTHON_DOCS.glob("*.rst.txt")) if PYTHON_DOCS.is_dir() else []
    if files:
        raw = [line for f in files for line in f.read_text("utf-8").splitlines()]
        where = f"Python documentation sources ({PYTHON_DOCS}, Debian python3-doc)"
    else:
        raw = licence_lines()
        where = "Debian's licences (/usr/share/common-licenses; python3-doc not installed)"
    lines: list[str] = []
    for line in raw:
        lines.extend(textwrap.wrap(line, WIDTH) or [""])
    return where, lines


def build_pdf(path: Path, pages: int) -> str:
    where, lines = source_lines()
    need = pages * LINES_PER_PAGE
    if len(lines) < need:
        lines = (lines * (need // len(lines) + 1))[:need]
    chunks = [lines[i * LINES_PER_PAGE : (i + 1) * LINES_PER_PAGE] for i in range(pages)]
    write_pdf(path, chunks, title="Extraction benchmark")
    return where


def raw_pdfium(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    chars = 0
    try:
        for i in range(len(pdf)):
            page = pdf.get_page(i)
            textpage = page.get_textpage()
            chars += len(textpage.get_text_bounded())
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return chars


def timed(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def attach_fresh(path: Path) -> None:
    from engine.documents.attach import attach, open_index

    with tempfile.TemporaryDirectory() as tmp, open_index(Path(tmp) / "i.sqlite3") as index:
        attached = attach(str(path), index)
        assert attached.pages is not None and attached.tokens > 0


def bench_extract(pages: int, rounds: int) -> dict[str, object]:
    from engine.documents.extract import extract
    from engine.documents.isolated import extract_isolated

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.pdf"
        where = build_pdf(path, pages)
        doc = extract(path)
        assert doc.pages == pages and len(doc.sections) == pages, (doc.pages, len(doc.sections))
        raw = timed(lambda: raw_pdfium(path), rounds)
        inproc = timed(lambda: extract(path), rounds)
        isolated = timed(lambda: extract_isolated(path), rounds)
        attached = timed(lambda: attach_fresh(path), rounds)
        return {
            "source": where,
            "pages": pages,
            "pdf_bytes": path.stat().st_size,
            "text_chars": sum(len(s.text) for s in doc.sections),
            "rounds": rounds,
            "raw_s": raw,
            "extract_s": inproc,
            "isolated_s": isolated,
            "attach_s": attached,
            "extract_pages_per_s": pages / inproc,
            "isolated_pages_per_s": pages / isolated,
            "extract_vs_raw": inproc / raw,
        }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.documents_bench")
    ap.add_argument("--bench-extract", action="store_true", help="time PDF text extraction")
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    args = ap.parse_args(argv)
    if not args.bench_extract:
        ap.error("nothing to do: pass --bench-extract")
    r = bench_extract(args.pages, args.rounds)
    if args.json:
        print(json.dumps(r))
        return 0
    print(f"text: {r['source']}")
    print(
        f"PDF: {r['pages']} pages, {r['pdf_bytes']:,} bytes, {r['text_chars']:,} characters; "
        f"median of {r['rounds']} rounds"
    )
    rows = [
        ("raw pypdfium2", r["raw_s"]),
        ("extract()", r["extract_s"]),
        ("extract_isolated()", r["isolated_s"]),
        ("attach() + index", r["attach_s"]),
    ]
    for name, seconds in rows:
        assert isinstance(seconds, float)
        print(f"  {name:<20} {seconds:7.3f} s  {args.pages / seconds:8.0f} pages/s")
    print(f"  extract() / raw: {r['extract_vs_raw']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
