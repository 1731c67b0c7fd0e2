"""Attaching documents to a chat: each file read in a child process and kept in the document index.

This is what the app and ``lanterna-engine chat --attach`` do with a dropped file or folder
before any question is asked: :func:`expand` turns what was dropped into files (a folder gives
its supported documents, in path order, bounded), and :func:`attach` reads one file with
``extract_isolated`` (a hostile file costs bounded time and memory, never the caller) and
indexes it into the document index, where the worker finds it again by path, whole or by
search. A file already indexed with the same size and modification time is not read again.

An :class:`Attachment` is what a chat keeps of a document: enough to show a chip (name, pages
or size, the extractor's notice) and to ask the worker for it (the path).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

from engine.documents.folder import find_documents
from engine.documents.index import DocumentIndex, DocumentIndexError, Embedder, normalize_path
from engine.documents.limits import DEFAULT_LIMITS
from engine.documents.model import ErrorKind, ExtractedDocument, ExtractionError
from engine.documents.sniff import SUFFIXES
from engine.paths import app_paths

INDEX_NAME = "documents.sqlite3"
# Documents no chat has used for this long, or whose file is gone, leave the index.
UNUSED_S = 30 * 24 * 3600

Extract = Callable[[str], ExtractedDocument]


@dataclass(frozen=True)
class Attachment:
    path: str  # absolute path, as the index keys it
    name: str  # file name, for chips and citations
    title: str
    kind: str  # "pdf", "docx", "markdown", "html", "text"
    pages: int | None
    size: int  # bytes on disk
    tokens: int  # estimated prompt size of the whole document
    notice: str | None = None  # e.g. "scanned PDF: 12 pages have no text"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, obj: object) -> Attachment | None:
        """The attachment ``to_json`` wrote, or None for anything else (an older or damaged
        record is skipped rather than breaking the chat that holds it)."""
        if not isinstance(obj, dict):
            return None
        try:
            return cls(
                path=str(obj["path"]),
                name=str(obj["name"]),
                title=str(obj.get("title") or obj["name"]),
                kind=str(obj.get("kind") or ""),
                pages=int(obj["pages"]) if obj.get("pages") is not None else None,
                size=int(obj.get("size") or 0),
                tokens=int(obj.get("tokens") or 0),
                notice=str(obj["notice"]) if obj.get("notice") else None,
            )
        except (KeyError, TypeError, ValueError):
            return None


class AttachError(Exception):
    """A dropped file that cannot be attached; ``str(exc)`` is one line for people."""

    def __init__(self, message: str, kind: ErrorKind | str, path: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.path = path


def default_index_path() -> Path:
    return app_paths().cache / INDEX_NAME


def open_index(
    path: str | os.PathLike[str] | None = None,
    on_rebuild: Callable[[str], None] | None = None,
    embedder: Embedder | None = None,
) -> DocumentIndex:
    """The document index at ``path`` (default: the cache's), rebuilt if it is damaged;
    ``embedder`` gives what it adds vectors and lets searches use them.

    It is a cache of what files say: a damaged or newer-format file is replaced rather than
    becoming a dead end, and ``on_rebuild`` is told why. Raises DocumentIndexError only if a
    new one cannot be made either.
    """
    target = Path(path) if path is not None else default_index_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        return DocumentIndex(target, embedder)
    except DocumentIndexError as exc:
        if on_rebuild is not None:
            on_rebuild(f"{exc}; starting a new document cache")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        return DocumentIndex(target, embedder)


def isolated_extractor() -> Extract:
    # Imported when a document is read: the readers load the PDF and DOCX libraries.
    module = importlib.import_module("engine.documents.isolated")
    return cast(Extract, module.extract_isolated)


def expand(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[str], list[AttachError]]:
    """The files to attach for what was dropped: files as they are (whatever their suffix:
    the reader decides), folders as their supported documents; and what could not be used."""
    files: list[str] = []
    problems: list[AttachError] = []
    seen: set[str] = set()
    limit = DEFAULT_LIMITS.max_folder_files
    for raw in paths:
        path = normalize_path(raw)
        if os.path.isdir(path):
            found, more = find_documents(Path(path), limit)
            if not found:
                kinds = ", ".join(sorted(SUFFIXES))
                problems.append(
                    AttachError(f"{Path(path).name} holds no documents ({kinds})", "empty", path)
                )
            if more:
                problems.append(
                    AttachError(
                        f"{Path(path).name} has more than {limit:,} documents: "
                        f"only the first {limit:,} were attached",
                        "too_large",
                        path,
                    )
                )
            candidates = [str(f) for f in found]
        elif os.path.exists(path):
            candidates = [path]
        else:
            problems.append(AttachError(f"{Path(path).name}: no such file", "missing", path))
            continue
        for file in candidates:
            key = normalize_path(file)
            if key not in seen:
                seen.add(key)
                files.append(key)
    return files, problems


def attach(path: str, index: DocumentIndex, extract: Extract | None = None) -> Attachment:
    """Read ``path`` (unless the index has it unchanged) and index it; raises AttachError."""
    key = normalize_path(path)
    name = Path(key).name
    try:
        index.add_file(key, extract or isolated_extractor())
    except ExtractionError as exc:
        raise AttachError(_one_line(str(exc)), exc.kind, key) from None
    except OSError as exc:
        raise AttachError(f"cannot read {path}: {exc.strerror or exc}", "unreadable", key) from None
    doc = index.document(key)
    if doc is None:  # removed between the two calls by another process pruning the cache
        raise AttachError(f"{name} could not be indexed; try again", "unreadable", key)
    return Attachment(
        path=key,
        name=name,
        title=doc.title,
        kind=doc.kind,
        pages=doc.pages,
        size=doc.size,
        tokens=doc.tokens,
        notice=doc.notice,
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())
