"""Text out of a document file: ``extract(path)`` for one file, ``extract_folder`` for a folder.

The kind is found from the content first, then the name (see ``sniff``); each kind has its own
module. Whatever the file, the caller gets an ExtractedDocument or an ExtractionError with a
one-line message — never another exception — and limits bound the time and memory one file
can take (see ``limits``). For files from untrusted sources, ``isolated.extract_isolated`` runs
the same code in a child process with a memory limit and a deadline, which also covers what a
native library (PDFium) might do.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from engine.documents.extract_docx import extract_docx
from engine.documents.extract_html import extract_html
from engine.documents.extract_markdown import extract_markdown
from engine.documents.extract_pdf import extract_pdf
from engine.documents.extract_text import extract_plain_text
from engine.documents.folder import find_documents
from engine.documents.limits import DEFAULT_LIMITS, Limits
from engine.documents.model import ExtractedDocument, ExtractionError
from engine.documents.sniff import sniff

__all__ = ["ExtractedDocument", "ExtractionError", "extract", "extract_folder"]


def extract(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> ExtractedDocument:
    """The text of one document, in sections; raises only ExtractionError (with ``path``)."""
    # Absolute but not resolved: the path the person chose is the one a citation opens.
    source = Path(os.path.abspath(path))
    try:
        return _extract(source, limits)
    except ExtractionError as exc:
        exc.path = exc.path or str(source)
        raise
    except MemoryError:
        raise ExtractionError(
            f"{source.name} needs more memory to read than is available", "too_large", str(source)
        ) from None
    except RecursionError:
        raise ExtractionError(
            f"{source.name} is damaged: it is nested too deeply to read", "corrupt", str(source)
        ) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ExtractionError(
            f"{source.name} cannot be read: {reason}", "corrupt", str(source)
        ) from None
    except Exception as exc:
        # A parser tripping over a hostile file is still one document that could not be read,
        # not a reason for the caller — a window, an indexer walking a folder — to fail.
        raise ExtractionError(
            f"{source.name} could not be read ({type(exc).__name__})", "corrupt", str(source)
        ) from exc


def _extract(path: Path, limits: Limits) -> ExtractedDocument:
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise ExtractionError(f"{path.name} is a folder, not a document", "unsupported")
    if not stat.S_ISREG(st.st_mode):
        # A pipe or a device would block or never end.
        raise ExtractionError(f"{path.name} is not a regular file", "unsupported")
    if st.st_size == 0:
        raise ExtractionError(f"{path.name} is empty", "empty")
    kind = sniff(path, limits)
    if kind == "pdf":
        return extract_pdf(path, st.st_size, limits)
    if kind == "docx":
        return extract_docx(path, st.st_size, limits)
    if kind == "markdown":
        return extract_markdown(path, limits)
    if kind == "html":
        return extract_html(path, limits)
    return extract_plain_text(path, limits)


def extract_folder(
    path: str | os.PathLike[str],
    *,
    limits: Limits = DEFAULT_LIMITS,
    extract_one: Callable[[Path], ExtractedDocument] | None = None,
) -> list[ExtractedDocument | ExtractionError]:
    """Every supported document under a folder (hidden entries skipped), in path order.

    Files that cannot be read are in the list as their ExtractionError, ``path`` set. Past
    ``limits.max_folder_files`` the walk stops, and a last "too_large" error says so.
    ``extract_one`` replaces ``extract`` for each file — e.g. ``extract_isolated`` for files
    from untrusted sources. A path that is a file gives a list of that one document.
    """
    folder = Path(os.path.abspath(path))
    one = extract_one or (lambda p: extract(p, limits=limits))
    if not folder.is_dir():
        files, more = [folder], False
    else:
        files, more = find_documents(folder, limits.max_folder_files)
    results: list[ExtractedDocument | ExtractionError] = []
    for file in files:
        try:
            results.append(one(file))
        except ExtractionError as exc:
            exc.path = exc.path or str(file)
            results.append(exc)
    if more:
        n = limits.max_folder_files
        results.append(
            ExtractionError(
                f"{folder.name} has more than {n:,} documents: only the first {n:,} were read",
                "too_large",
                str(folder),
            )
        )
    return results
