"""A whole model folder from the Hub (an MLX model: weights in shards, config, tokenizer).

Each file travels as a :class:`~engine.models.download.Download` does (resumable, verified
against its LFS sha256 or git blob id), into a staging folder
``<dest>/.partial/<name>.folder/``. Only when every file is there and the folder passes the same
check an imported MLX folder gets (:func:`engine.models.importer.check_mlx_folder`) is the
staging folder renamed to ``<dest>/<name>``: a folder with a missing shard never appears
among the models.

All files are taken from one commit, pinned when the download starts and kept in the sidecar
``<dest>/.partial/<name>.folder.json`` with the file list, so a resumed download cannot mix
two versions of the repository. The sidecar also lists the files already verified, which a
resumed run skips without hashing them again (gigabytes of shards).

Only the files a model folder needs are fetched: top-level weights (``.safetensors``), JSON
(config, index, tokenizer), tokenizer and template files, and the licence. Repositories often
carry more (the original checkpoint in a sub-folder, other formats, pictures for the model card).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huggingface_hub.hf_api import RepoFile

from engine.atomic import write_text_atomic
from engine.models.download import (
    PARTIAL_DIR,
    Download,
    DownloadError,
    Outcome,
    PartialDownload,
    Progress,
    _api,
    _fsync_dir,
    _io_error,
    _read_json,
    _translate,
    hub_endpoint,
)

FOLDER_SUFFIX = ".folder"
_WANTED_SUFFIXES = (".safetensors", ".json", ".jinja", ".model", ".tiktoken", ".txt")
_UNWANTED_NAMES = {"readme.md", ".gitattributes"}


def wanted(path: str) -> bool:
    """Whether a repository file belongs in the model folder (top-level files only)."""
    if "/" in path:
        return False
    lower = path.lower()
    if lower in _UNWANTED_NAMES:
        return False
    return lower.endswith(_WANTED_SUFFIXES) or lower.startswith(("license", "licence"))


@dataclass(frozen=True)
class _FolderPlan:
    commit: str
    files: tuple[tuple[str, int], ...]  # (path, size), in download order

    @property
    def size(self) -> int:
        return sum(size for _, size in self.files)


class FolderDownload:
    """Every needed file of ``repo`` into ``<dest>/<name>``; ``run()`` does the work (blocking).

    Same contract as :class:`~engine.models.download.Download`: ``run()`` returns "done",
    "paused" or "cancelled" or raises :class:`DownloadError`; ``pause()``/``cancel()`` from any
    thread; a later ``run()`` (here or in a new process) resumes.
    """

    def __init__(
        self,
        repo: str,
        *,
        revision: str = "main",
        dest: Path | None = None,
        token: str | None = None,
        endpoint: str | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        progress_interval: float = 0.1,
        retries: int = 3,
        retry_delay: float = 2.0,
        timeout: float = 30.0,
    ) -> None:
        from engine.paths import app_paths

        self.repo = repo
        self.revision = revision
        self.dest = dest if dest is not None else app_paths().models
        self.endpoint = (endpoint or hub_endpoint()).rstrip("/")
        self.on_progress = on_progress
        self._options: dict[str, Any] = {
            "progress_interval": progress_interval,
            "retries": retries,
            "retry_delay": retry_delay,
            "timeout": timeout,
        }
        self.name = repo.rstrip("/").rsplit("/", 1)[-1]
        if self.name in ("", ".", "..") or any(c in self.name for c in "\\\0"):
            raise DownloadError("invalid", f"{repo!r} is not a repository id")
        self._token = token
        self._guard = threading.Lock()
        self._current: Download | None = None
        self._stop: str | None = None  # "pause", "hold" or "cancel", asked for before a file

    # -- where things are ------------------------------------------------------------------------

    @property
    def target(self) -> Path:
        return self.dest / self.name

    @property
    def staging(self) -> Path:
        return self.dest / PARTIAL_DIR / f"{self.name}{FOLDER_SUFFIX}"

    @property
    def sidecar_path(self) -> Path:
        return self.dest / PARTIAL_DIR / f"{self.name}{FOLDER_SUFFIX}.json"

    # -- control ---------------------------------------------------------------------------------

    def pause(self, *, hold: bool = False) -> None:
        with self._guard:
            self._stop = "hold" if hold else "pause"
            current = self._current
        if current is not None:
            current.pause(hold=hold)
        if hold:
            self._mark_held()

    def cancel(self) -> None:
        with self._guard:
            self._stop = "cancel"
            current = self._current
        if current is not None:
            current.cancel()
        else:
            self.discard()

    def discard(self) -> None:
        """Delete the staging folder and the sidecar (not while this download is running)."""
        shutil.rmtree(self.staging, ignore_errors=True)
        for path in (self.sidecar_path, self._held_path):
            with contextlib.suppress(OSError):
                path.unlink()
        with contextlib.suppress(OSError):
            (self.dest / PARTIAL_DIR).rmdir()

    # -- the work --------------------------------------------------------------------------------

    def run(self) -> Outcome:
        with self._guard:
            stop, self._stop = self._stop, None
        if stop == "cancel":
            self.discard()
            return "cancelled"
        if stop is not None:
            return "paused"
        with contextlib.suppress(OSError):
            self._held_path.unlink(missing_ok=True)
        if self.target.exists():
            raise DownloadError(
                "invalid", f"{self.target} already exists; remove it first to download again"
            )
        plan = self._plan_from_sidecar() or self._resolve()
        verified = self._verified(plan)
        self._write_sidecar(plan, verified)
        base = sum(size for path, size in plan.files if path in verified)
        for path, size in plan.files:
            if path in verified:
                continue
            outcome = self._fetch(path, base, plan)
            if outcome != "done":
                if outcome == "cancelled":
                    self.discard()
                return outcome
            verified.add(path)
            base += size
            self._write_sidecar(plan, verified)
        return self._finish(plan)

    def _fetch(self, path: str, base: int, plan: _FolderPlan) -> Outcome:
        total = plan.size

        def progress(pr: Progress) -> None:
            if self.on_progress is None:
                return
            left = total - base - pr.done
            eta = left / pr.speed if pr.speed > 0 and pr.phase == "downloading" else None
            self.on_progress(Progress(pr.phase, base + pr.done, total, pr.speed, eta))

        job = Download(
            self.repo,
            path,
            revision=plan.commit,
            dest=self.staging,
            token=self._token,
            endpoint=self.endpoint,
            on_progress=progress,
            **self._options,
        )
        with self._guard:
            stop = self._stop
            self._current = job
        if stop == "cancel":
            job.cancel()
        elif stop is not None:
            job.pause()
        try:
            return job.run()
        finally:
            with self._guard:
                self._current = None

    def _finish(self, plan: _FolderPlan) -> Outcome:
        from engine.models.importer import check_mlx_folder

        with contextlib.suppress(OSError):
            (self.staging / PARTIAL_DIR).rmdir()
        check = check_mlx_folder(self.staging)
        if not check.ok:
            # Every file matched its digest, so the repository itself is not a model folder
            # Lanterna can run; keeping gigabytes of it would only fill the disk.
            self.discard()
            raise DownloadError("invalid", f"{self.repo}: {check.message}")
        try:
            os.replace(self.staging, self.target)
        except OSError as exc:
            raise _io_error(exc, self.target) from None
        _fsync_dir(self.dest)
        self.discard()  # the sidecar; the staging folder is gone already
        return "done"

    def _resolve(self) -> _FolderPlan:
        api = _api(self._token, self.endpoint)
        try:
            commit = api.model_info(self.repo, revision=self.revision).sha
            if commit is None:
                raise DownloadError(
                    "server", f"the Hub did not say which commit {self.revision} is"
                )
            entries = list(api.list_repo_tree(self.repo, revision=commit))
        except DownloadError:
            raise
        except Exception as exc:
            raise _translate(
                exc,
                endpoint=self.endpoint,
                token=self._token,
                repo=self.repo,
                revision=self.revision,
            ) from None
        files = [
            (e.path, e.lfs.size if e.lfs else e.size)
            for e in entries
            if isinstance(e, RepoFile) and wanted(e.path)
        ]
        if not any(path.lower().endswith(".safetensors") for path, _ in files):
            raise DownloadError(
                "not_found", f"{self.repo} has no .safetensors weights at its top level"
            )
        # Small files first: a refused tokenizer or config shows before gigabytes go by.
        files.sort(key=lambda f: (f[1], f[0]))
        plan = _FolderPlan(commit, tuple(files))
        self._check_space(plan.size)
        return plan

    def _check_space(self, needed: int) -> None:
        folder = self.dest
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            return
        if free < needed:
            raise DownloadError(
                "disk_full",
                f"not enough free space in {self.dest} for {self.repo}: it needs "
                f"{needed / 1e9:.1f} GB, {free / 1e9:.1f} GB are free",
            )

    def _verified(self, plan: _FolderPlan) -> set[str]:
        """Files an earlier run finished and verified that are still whole on disk."""
        meta = _read_json(self.sidecar_path) or {}
        done = meta.get("verified", [])
        sizes = dict(plan.files)
        kept: set[str] = set()
        for path in done if isinstance(done, list) else []:
            if not isinstance(path, str) or path not in sizes:
                continue
            with contextlib.suppress(OSError):
                if (self.staging / path).stat().st_size == sizes[path]:
                    kept.add(path)
        return kept

    def _plan_from_sidecar(self) -> _FolderPlan | None:
        meta = _read_json(self.sidecar_path)
        if meta is None or meta.get("repo") != self.repo or meta.get("revision") != self.revision:
            return None
        try:
            files = tuple((str(p), int(s)) for p, s in meta["files"])
            return _FolderPlan(str(meta["commit"]), files)
        except (KeyError, TypeError, ValueError):
            return None

    def _write_sidecar(self, plan: _FolderPlan, verified: set[str]) -> None:
        data = {
            "kind": "folder",
            "repo": self.repo,
            "filename": "",
            "revision": self.revision,
            "commit": plan.commit,
            "size": plan.size,
            "files": [list(f) for f in plan.files],
            "verified": sorted(verified),
        }
        try:
            self.staging.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.sidecar_path, json.dumps(data, indent=1))
        except OSError as exc:
            raise _io_error(exc, self.sidecar_path) from None

    @property
    def _held_path(self) -> Path:
        return self.dest / PARTIAL_DIR / f"{self.name}{FOLDER_SUFFIX}.held"

    def _mark_held(self) -> None:
        if self._held_path.parent.is_dir():
            with contextlib.suppress(OSError):
                self._held_path.touch()


def list_folder_partials(dest: Path) -> list[PartialDownload]:
    """Folder downloads that were paused or interrupted in ``dest`` (``filename`` is empty)."""
    found: list[PartialDownload] = []
    for sidecar in sorted((dest / PARTIAL_DIR).glob(f"*{FOLDER_SUFFIX}.json")):
        meta = _read_json(sidecar)
        if meta is None or meta.get("kind") != "folder":
            continue
        staging = sidecar.with_suffix("")
        try:
            # Finished files sit in the staging folder, the current one's bytes in its partial.
            finished = [f for f in staging.iterdir() if f.is_file()] if staging.is_dir() else []
            parts = list((staging / PARTIAL_DIR).glob("*.part"))
            done = sum(f.stat().st_size for f in finished + parts)
            found.append(
                PartialDownload(
                    repo=str(meta["repo"]),
                    filename="",
                    revision=str(meta["revision"]),
                    size=int(meta["size"]),
                    done=min(done, int(meta["size"])),
                    local_name=staging.name,
                    held=sidecar.with_name(f"{staging.name}.held").exists(),
                )
            )
        except (KeyError, TypeError, ValueError, OSError):
            continue
    return found
