"""Reading dropped documents into the document index, away from the GUI thread.

``DocumentReader.expand(paths, done)`` turns what was dropped (files, folders) into files;
``DocumentReader.attach(path, done, failed)`` reads one file and indexes it
(:func:`engine.documents.attach.attach`: the file is read in a child process, so a hostile
one costs bounded time and memory, never the window). Callbacks run on the GUI thread.

Two threads read at once: each waits on its own child process, so two big PDFs take the time
of one, while a folder of fifty files does not start fifty interpreters. Expanding a drop goes
ahead of queued reads, so a chip appears for every file at once. The threads are daemons:
closing the window does not wait for a slow file (its child process has its own deadline).

The index is one :class:`~engine.documents.index.DocumentIndex` shared by the threads: its
connection is opened with ``check_same_thread=False`` and serialised by its own lock, and
extraction runs outside that lock.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from desktop.gui_queue import GuiQueue

if TYPE_CHECKING:
    from engine.documents.attach import AttachError, Attachment
    from engine.documents.index import DocumentIndex

READERS = 2
_EXPAND, _ATTACH = 0, 1  # queue priorities: expanding first

_Job = Callable[[], None] | None  # None stops a thread


class DocumentReader(QObject):
    def __init__(self, index_path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._index_path = index_path
        self._index: DocumentIndex | None = None
        self._index_lock = threading.Lock()
        self._jobs: queue.PriorityQueue[tuple[int, int, _Job]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._threads: list[threading.Thread] = []
        self._inbox = GuiQueue(self)
        self._closed = False

    @property
    def index_path(self) -> Path:
        """The index file the worker is told to read the documents from."""
        if self._index_path is None:
            from engine.paths import app_paths

            # The same file engine.documents.attach.default_index_path() names, without
            # importing the index code on the GUI thread before a document is dropped.
            self._index_path = app_paths().cache / "documents.sqlite3"
        return self._index_path

    def expand(
        self,
        paths: Sequence[str | Path],
        done: Callable[[list[str], list[AttachError]], None],
    ) -> None:
        items = [str(p) for p in paths]

        def job() -> None:
            from engine.documents.attach import AttachError, expand

            try:
                files, problems = expand(items)
            except Exception as exc:  # e.g. a folder that vanished while it was listed
                files = []
                problems = [AttachError(f"{Path(i).name}: {exc}", "unreadable", i) for i in items]
            self._post(lambda: done(files, problems))

        self._submit(_EXPAND, job)

    def attach(
        self,
        path: str,
        done: Callable[[Attachment], None],
        failed: Callable[[AttachError], None],
    ) -> None:
        def job() -> None:
            from engine.documents.attach import AttachError, attach

            try:
                result = attach(path, self._open_index())
            except AttachError as exc:
                self._post(lambda err=exc: failed(err))  # type: ignore[misc]
                return
            except Exception as exc:  # the index itself failed: the file is not to blame
                problem = AttachError(f"{Path(path).name}: {exc}", "unreadable", path)
                self._post(lambda: failed(problem))
                return
            self._post(lambda: done(result))

        self._submit(_ATTACH, job)

    def shutdown(self) -> None:
        """Stop taking work and let the threads go; results still on their way are dropped."""
        if self._closed:
            return
        self._closed = True
        for _ in self._threads:
            self._jobs.put((_ATTACH + 1, next(self._order), None))
        with self._index_lock:
            index, self._index = self._index, None
        if index is not None:
            index.close()

    # ------------------------------------------------------------------ threads

    def _open_index(self) -> DocumentIndex:
        with self._index_lock:
            if self._closed:
                raise RuntimeError("closing")
            if self._index is None:
                from engine.documents.attach import open_index

                self._index = open_index(self.index_path)
            return self._index

    def _submit(self, priority: int, job: Callable[[], None]) -> None:
        if self._closed:
            return
        self._jobs.put((priority, next(self._order), job))
        if len(self._threads) < READERS:
            thread = threading.Thread(
                target=self._run, name=f"lanterna-documents-{len(self._threads)}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _run(self) -> None:
        while True:
            _priority, _n, job = self._jobs.get()
            if job is None:
                return
            try:
                job()
            except Exception:  # a job reports its own errors; this only keeps the thread alive
                continue

    def _post(self, call: Callable[[], None]) -> None:
        self._inbox.post(lambda: None if self._closed else call())
