"""Model downloads for the app: each runs on its own thread, reports to the GUI thread, and
survives a restart of the app (paused downloads are found again in the models folder).

Progress reaches the GUI thread through a :class:`GuiQueue` and is announced there as
``changed``.

Signals:
    changed(str): the download with this key changed (progress, state or error).
    finished(str): the download with this key is complete and verified; its file is in place.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop.gui_queue import GuiQueue
from engine.models.download import Download, DownloadError, Progress, list_partials
from engine.models.folder_download import FolderDownload, list_folder_partials

STATES = ("queued", "checking", "downloading", "paused", "failed", "done", "cancelled")
Job = Download | FolderDownload


@dataclass
class DownloadItem:
    key: str
    repo: str
    filename: str
    state: str = "queued"
    done: int = 0
    total: int = 0
    speed: float = 0.0
    eta: float | None = None
    error: str = ""
    error_kind: str = ""
    path: Path | None = None

    @property
    def label(self) -> str:
        """What the user sees: the file's name, or the folder's for a whole-repository one."""
        return self.filename.rsplit("/", 1)[-1] or self.repo.rsplit("/", 1)[-1]


def download_key(repo: str, filename: str) -> str:
    return f"{repo}/{filename}"


class DownloadManager(QObject):
    changed = Signal(str)
    finished = Signal(str)

    def __init__(self, dest: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dest = dest
        self.items: dict[str, DownloadItem] = {}
        self._jobs: dict[str, Job] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._inbox = GuiQueue(self)

    def find_paused(self) -> list[DownloadItem]:
        """Downloads a previous run left unfinished (call off the GUI thread: reads the disk).

        Those the user paused come back as "paused"; the others (the app was closed, killed or
        crashed while they ran) as "interrupted", which :meth:`adopt` resumes.
        """
        found = []
        for partial in list_partials(self.dest) + list_folder_partials(self.dest):
            key = download_key(partial.repo, partial.filename)
            state = "paused" if partial.held else "interrupted"
            found.append(
                DownloadItem(key, partial.repo, partial.filename, state, partial.done, partial.size)
            )
        return found

    def adopt(self, items: list[DownloadItem], token: str | None = None) -> None:
        """Show what a previous run left, and resume the downloads it did not pause itself."""
        for item in items:
            if item.key in self.items:
                continue
            self.items[item.key] = item
            if item.state == "interrupted":
                self.start(item.repo, item.filename, token)  # emits changed as it queues
            else:
                self.changed.emit(item.key)

    def start(self, repo: str, filename: str, token: str | None = None) -> str:
        """Start (or resume) a download; returns its key. An empty ``filename`` downloads the
        whole repository as a model folder (MLX)."""
        key = download_key(repo, filename)
        if key in self._threads and self._threads[key].is_alive():
            return key
        item = self.items.get(key) or DownloadItem(key, repo, filename)
        item.state, item.error, item.error_kind = "queued", "", ""
        self.items[key] = item

        def report(pr: Progress) -> None:
            self._post(key, _progress_fields(pr))

        job: Job = (
            Download(repo, filename, dest=self.dest, token=token, on_progress=report)
            if filename
            else FolderDownload(repo, dest=self.dest, token=token, on_progress=report)
        )
        self._jobs[key] = job
        thread = threading.Thread(target=self._run, args=(key, job), name="download", daemon=True)
        self._threads[key] = thread
        thread.start()
        self.changed.emit(key)
        return key

    def pause(self, key: str) -> None:
        """The user's pause: the download stays paused across restarts until resumed."""
        job = self._jobs.get(key)
        if job is not None:
            job.pause(hold=True)

    def cancel(self, key: str) -> None:
        job = self._jobs.get(key)
        item = self.items.get(key)
        if job is None and item is not None:
            # Paused in an earlier run of the app: only its partial file is left.
            job = (
                Download(item.repo, item.filename, dest=self.dest)
                if item.filename
                else FolderDownload(item.repo, dest=self.dest)
            )
        if job is not None:
            job.cancel()
        if item is not None and not self.running(key):
            item.state = "cancelled"
            self.changed.emit(key)

    def running(self, key: str) -> bool:
        thread = self._threads.get(key)
        return thread is not None and thread.is_alive()

    def active(self) -> list[DownloadItem]:
        return [i for i in self.items.values() if i.state in ("queued", "checking", "downloading")]

    def shutdown(self, timeout: float = 5.0) -> None:
        """Pause every download and wait; the next start resumes them (they are not held)."""
        for job in self._jobs.values():
            job.pause()
        for thread in self._threads.values():
            thread.join(timeout)

    # ------------------------------------------------------------------ threads

    def _run(self, key: str, job: Job) -> None:
        try:
            outcome = job.run()
        except DownloadError as exc:
            self._post(key, {"state": "failed", "error": str(exc), "error_kind": exc.kind})
            return
        except OSError as exc:
            self._post(key, {"state": "failed", "error": str(exc), "error_kind": "io"})
            return
        fields: dict[str, object] = {"state": outcome}
        if outcome == "done":
            fields["path"] = job.target
        elif outcome == "paused" and isinstance(job, Download):
            # Progress reports are spaced out: the partial file says where the next run starts.
            with contextlib.suppress(OSError):
                fields["done"] = job.partial_path.stat().st_size
        self._post(key, fields)

    def _post(self, key: str, fields: dict[str, object]) -> None:
        self._inbox.post(lambda: self._apply(key, fields))

    def _apply(self, key: str, fields: dict[str, object]) -> None:
        item = self.items.get(key)
        if item is None:
            return
        for name, value in fields.items():
            setattr(item, name, value)
        self.changed.emit(key)
        if fields.get("state") == "done":
            self.finished.emit(key)


def _progress_fields(pr: Progress) -> dict[str, object]:
    return {
        "state": pr.phase,
        "done": pr.done,
        "total": pr.total,
        "speed": pr.speed,
        "eta": pr.eta,
    }
