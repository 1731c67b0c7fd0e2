"""Extraction in a child process: a hostile file can exhaust its memory, hang it or crash it,
and the caller gets an ExtractionError instead.

The child is started with multiprocessing's "spawn" method — a fresh interpreter, never a fork
of a process that may hold threads, Qt or a loaded model. In a frozen (PyInstaller) build spawn
re-runs the app's own executable, which hands over to multiprocessing at once because both entry
points call ``multiprocessing.freeze_support()`` first (desktop.app and engine.cli.main).

Limits, in the child: on Linux the address space may grow by at most ``memory_limit`` over what
the freshly started child maps (RLIMIT_AS; PDFium aborts cleanly when an allocation fails). macOS
does not enforce RLIMIT_AS and Windows has no rlimits: there only the deadline applies. In the
parent: a wall-clock deadline, after which the child is killed. The result — a document or an
ExtractionError — comes back pickled over a pipe, and is unpickled allowing only those types:
a file that took over the child through a bug in native code gets no further than the child.

This blocks for up to ``timeout`` seconds: call it from a worker thread, not a GUI thread.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
import signal
import sys
from multiprocessing.connection import Connection
from pathlib import Path

from engine.documents.extract import extract
from engine.documents.limits import DEFAULT_LIMITS, MIB, Limits, describe_size
from engine.documents.model import ExtractedDocument, ExtractionError, Section

DEFAULT_TIMEOUT = 120.0  # a 2,000-page PDF takes well under a minute on a slow machine
DEFAULT_MEMORY_LIMIT = 2048 * MIB  # the text kept (64 MB) several times over, and PDFium's own
_KILL_WAIT = 5.0
_EXIT_WAIT = 1.0


def extract_isolated(
    path: str | os.PathLike[str],
    timeout: float = DEFAULT_TIMEOUT,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> ExtractedDocument:
    """``extract(path)`` in a child process; raises only ExtractionError.

    ``memory_limit`` is in bytes (None: no limit); ``timeout`` in seconds of wall-clock time.
    """
    source = os.path.abspath(path)
    name = Path(source).name
    context = multiprocessing.get_context("spawn")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(
        target=_child_main,
        args=(source, memory_limit, limits, writer),
        name="lanterna-extract",
        daemon=True,
    )
    try:
        try:
            child.start()
        except OSError as exc:
            raise ExtractionError(
                f"{name} could not be read: the document reader did not start ({exc})",
                "corrupt",
                source,
            ) from None
        finally:
            writer.close()  # ours; the child holds its own copy, so EOF means it is gone
        result = _receive(reader, timeout)
        if result is _TIMED_OUT:
            _stop(child)
            raise ExtractionError(
                f"Reading {name} took longer than {timeout:g} s and was stopped",
                "timeout",
                source,
            )
        if result is _GONE:
            # The pipe closes as the child dies; its exit status follows a moment later.
            child.join(_KILL_WAIT)
            raise _crashed(name, source, child.exitcode, memory_limit)
    finally:
        if child.pid is not None:
            _stop(child, grace=_EXIT_WAIT)
            child.close()
        reader.close()
    if isinstance(result, ExtractionError):
        result.path = result.path or source
        raise result
    if not isinstance(result, ExtractedDocument):
        raise ExtractionError(f"{name} could not be read", "corrupt", source)
    return result


_TIMED_OUT = object()
_GONE = object()


_RESULT_TYPES = {
    ("engine.documents.model", "ExtractedDocument"): ExtractedDocument,
    ("engine.documents.model", "Section"): Section,
    ("engine.documents.model", "ExtractionError"): ExtractionError,
}


class _ResultUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        found = _RESULT_TYPES.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"unexpected type {module}.{name}")
        return found


def _receive(reader: Connection, timeout: float) -> object:
    """The child's result; _TIMED_OUT, or _GONE if it died without sending one."""
    try:
        if not reader.poll(timeout):
            return _TIMED_OUT
        # The child sends one message when it is done: the whole result arrives at once.
        data = reader.recv_bytes()
    except (EOFError, OSError):
        return _GONE
    try:
        result: object = _ResultUnpickler(io.BytesIO(data)).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        return _GONE
    return result


def _stop(child: multiprocessing.process.BaseProcess, grace: float = 0.0) -> None:
    if grace:
        child.join(grace)  # a child that has sent its result is on its way out
    if child.is_alive():
        child.kill()
    child.join(_KILL_WAIT)


def _crashed(
    name: str, source: str, exitcode: int | None, memory_limit: int | None
) -> ExtractionError:
    if exitcode is not None and exitcode < 0:
        try:
            how = signal.Signals(-exitcode).name
        except ValueError:
            how = f"signal {-exitcode}"
    else:
        how = f"exit code {exitcode}"
    memory = f"more than {describe_size(memory_limit)} of memory" if memory_limit else "more memory"
    return ExtractionError(
        f"{name} could not be read: the document reader stopped ({how}); "
        f"the file is damaged or needs {memory}",
        "corrupt",
        source,
    )


# the child


def _child_main(path: str, memory_limit: int | None, limits: Limits, conn: Connection) -> None:
    if memory_limit is not None:
        _limit_address_space(memory_limit)
    result: ExtractedDocument | ExtractionError
    try:
        result = extract(path, limits=limits)
    except ExtractionError as exc:
        result = exc
    try:
        data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        # Pickling a document near the text limit takes another copy of it.
        message = f"{Path(path).name} needs more memory to read than is allowed"
        data = pickle.dumps(ExtractionError(message, "too_large", path))
    conn.send_bytes(data)
    conn.close()


def _limit_address_space(extra: int) -> None:
    if not sys.platform.startswith("linux"):
        return  # see the module docstring
    import resource

    current = _mapped_bytes()
    if current is None:
        return
    limit = current + extra
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass  # the deadline still applies


def _mapped_bytes() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
