"""``lanterna-engine docs search``: the passages of some documents that answer a question.

    lanterna-engine docs search FILE|FOLDER… --query TEXT [--k N] [--json] [--no-cache]
                                [--embedding-model GGUF]

Each FILE is read in a child process (``extract_isolated``: a hostile file cannot take the
command down) and indexed into the document cache, ``documents.sqlite3`` in the cache folder,
keyed by the file's path, size and modification time: searching the same files again skips
reading them. Documents the cache has not seen used for 30 days, or whose file is gone, are
dropped from it. ``--no-cache`` indexes into a temporary file instead.

A FOLDER stands for the documents in it and its subfolders (as ``--attach`` takes them). The
search covers only the FILEs named. Plain output lists the hits best first, each with its
file, page (PDF) or heading, score and excerpt; ``--json`` prints one object per hit with
``rank``, ``file``, ``page``, ``heading`` (null when the document has none), ``score`` and
``excerpt``. A file that cannot be read is reported on stderr, one line, and the others are
still searched; the exit code is then 1 (as grep does, the hits found are still printed).

With an embedding model (``--embedding-model GGUF``, default: the settings'
``embedding_model``; ``''`` for none), passages are ranked by BM25 and vector similarity fused
by reciprocal rank, and the vectors are kept in the cache beside the text, keyed by the model.
The model runs in this process: unlike the app, a command may risk its own native code, and a
worker would cost a second process for a few milliseconds of work per passage. One that is
missing or cannot be loaded is reported on stderr and the search ranks by BM25 alone.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from engine.cli.common import CliError, note
from engine.documents.attach import (
    INDEX_NAME,
    UNUSED_S,
    AttachError,
    Extract,
    attach,
    expand,
    isolated_extractor,
    open_index,
)
from engine.documents.embedding import GgufEmbedder, load_embedder
from engine.documents.index import (
    DocumentIndex,
    DocumentIndexError,
    Embedder,
    Hit,
    normalize_path,
)
from engine.documents.query import parse_query
from engine.settings import load_settings

CACHE_NAME = INDEX_NAME


def add_parser(sub: Any) -> None:
    docs: argparse.ArgumentParser = sub.add_parser(
        "docs", help="search documents (PDF, DOCX, Markdown, HTML, text) for passages"
    )
    docs_sub = docs.add_subparsers(dest="docs_command", required=True)
    ap: argparse.ArgumentParser = docs_sub.add_parser(
        "search", help="the passages of FILEs that best match a question, with citations"
    )
    ap.add_argument(
        "files", nargs="+", metavar="FILE", help="documents to search, or folders holding them"
    )
    ap.add_argument("--query", "-q", required=True, help="the question or words to look for")
    ap.add_argument("--k", type=int, default=8, metavar="N", help="how many hits (default 8)")
    ap.add_argument("--json", action="store_true", help="one JSON object per hit")
    ap.add_argument(
        "--no-cache", action="store_true", help="index into a temporary file, not the cache"
    )
    ap.add_argument(
        "--embedding-model",
        metavar="GGUF",
        help="embedding model to rank by vector similarity too (default: the settings' choice; "
        "'' for none)",
    )
    ap.set_defaults(func=run_search)


def _open_cache(embedder: Embedder | None) -> DocumentIndex:
    try:
        return open_index(on_rebuild=note, embedder=embedder)
    except DocumentIndexError as exc:
        raise CliError(str(exc)) from None


def _embedder(flag: str | None) -> GgufEmbedder | None:
    """The embedding model asked for (the flag, else the settings'), loaded; None without one
    or when it cannot be used (said on stderr)."""
    path = flag if flag is not None else load_settings().embedding_path()
    loaded = load_embedder(path or None)
    if loaded.state in ("missing", "failed"):
        note(loaded.message)
    return loaded.embedder


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _index_files(
    index: DocumentIndex, files: list[str], extract: Extract
) -> tuple[dict[str, str], int]:
    """Index each file; the indexed ones (normalised path → name as given) and the failures."""
    indexed: dict[str, str] = {}
    named, problems = _named_files(files)
    for problem in problems:
        print(f"lanterna-engine: error: {_one_line(str(problem))}", file=sys.stderr)
    failures = len(problems)
    for name in named:
        try:
            attach(name, index, extract)
        except AttachError as exc:
            message = str(exc)
        except Exception as exc:
            # Whatever one file does, the others are still searched.
            message = f"{name} could not be indexed ({type(exc).__name__}: {exc})"
        else:
            indexed[normalize_path(name)] = name
            continue
        failures += 1
        print(f"lanterna-engine: error: {_one_line(message)}", file=sys.stderr)
    return indexed, failures


def _named_files(given: list[str]) -> tuple[list[str], list[AttachError]]:
    """The files to search, a folder replaced by its documents (named under the folder as
    given; an empty one is a problem); anything else as given, for ``attach`` to read or to
    say why it cannot."""
    out: list[str] = []
    problems: list[AttachError] = []
    for name in given:
        if not os.path.isdir(name):
            out.append(name)
            continue
        found, trouble = expand([name])
        problems += trouble
        top = normalize_path(name)
        out += [os.path.join(name, os.path.relpath(f, top)) for f in found]
    return out, problems


def _where(hit: Hit) -> str:
    if hit.chunk.page is not None:
        return f"page {hit.chunk.page}"
    return hit.chunk.heading or ""


def _emphasised(hit: Hit) -> str:
    """The excerpt with its matched words in bold, for a terminal."""
    out: list[str] = []
    pos = 0
    for start, end in hit.highlights:
        out += [hit.excerpt[pos:start], "\033[1m", hit.excerpt[start:end], "\033[0m"]
        pos = end
    out.append(hit.excerpt[pos:])
    return "".join(out)


def _print_plain(hits: list[Hit], names: dict[str, str]) -> None:
    bold = sys.stdout.isatty()
    for hit in hits:
        where = _where(hit)
        place = f"{names.get(hit.chunk.path, hit.chunk.path)}{', ' + where if where else ''}"
        excerpt = _emphasised(hit) if bold else hit.excerpt
        sys.stdout.write(f"{hit.rank}. {place}  (score {hit.score:.3g})\n   {excerpt}\n")


def _print_json(hits: list[Hit], names: dict[str, str]) -> None:
    for hit in hits:
        obj = {
            "rank": hit.rank,
            "file": names.get(hit.chunk.path, hit.chunk.path),
            "page": hit.chunk.page,
            "heading": hit.chunk.heading,
            "score": round(hit.score, 6),
            "excerpt": hit.excerpt,
        }
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def run_search(args: argparse.Namespace) -> int:
    if args.k < 1:
        raise CliError("--k must be at least 1")
    if parse_query(args.query).fts is None:
        raise CliError("the query has no words to search for")
    extract = isolated_extractor()
    with ExitStack() as stack:
        embedder = _embedder(args.embedding_model)
        if embedder is not None:
            stack.callback(embedder.close)
        if args.no_cache:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="lanterna-docs-"))
            index = stack.enter_context(DocumentIndex(Path(tmp) / CACHE_NAME, embedder))
        else:
            index = stack.enter_context(_open_cache(embedder))
            index.prune(UNUSED_S)
        indexed, failures = _index_files(index, args.files, extract)
        if not indexed:
            raise CliError("none of the files could be read")
        hits = index.search(args.query, k=args.k, paths=list(indexed))
    if args.json:
        _print_json(hits, indexed)
    else:
        _print_plain(hits, indexed)
        if not hits:
            note("no passage matches the query")
    sys.stdout.flush()
    return 1 if failures else 0
