"""Model downloads from the Hugging Face Hub: resumable, verified, moved into place atomically.

How a file travels
    1. Metadata through huggingface_hub's public API: a HEAD on the file's resolve URL
       (``get_hf_file_metadata``) checks access and pins the revision to a commit; paths-info at
       that commit gives the size and the LFS sha256 (for a small file kept in git, its git blob
       id, which is verified the same way).
    2. The bytes go to ``<dest>/.partial/<name>.part``, next to a JSON sidecar
       (``<name>.json``) holding repo, file, revision, commit, size, expected digest and a
       checkpoint: how many bytes were flushed to disk and the digest of that prefix.
    3. After the last byte the digest is compared with the expected one; only then is the partial
       renamed to ``<dest>/<name>`` with ``os.replace`` (same folder tree, so same filesystem).
       A file that fails the check is deleted; nothing unverified ever carries the final name.

Why not ``hf_hub_download``
    It writes into the Hub cache (or a ``local_dir`` with its own metadata), reports progress
    only through a tqdm class, cannot be paused from another thread, verifies no checksum, and
    for Xet-backed files hands the transfer to a native client that serves no Range request a
    test server could answer. So the transfer is done here, with the Hub's own HTTP client
    (``huggingface_hub.get_session()``, an httpx2 client that honours ``HF_HUB_OFFLINE``, custom
    client factories and proxies) and a ``Range: bytes=N-`` request when resuming. The Hub
    redirects a GET to its CDN; the client drops the Authorization header on that hop.

Resuming
    A new process finds the sidecar, re-reads the partial file to rebuild the running sha256 and
    asks for the rest with a Range request. The hash state is rebuilt rather than saved because
    ``hashlib`` objects cannot be serialised, and reading local disk (GB/s) is far cheaper than
    downloading again. While re-reading, the prefix digest of the last checkpoint is compared: a
    partial damaged on disk (say, by a power cut) is noticed before more is downloaded onto it,
    and the download starts over. A server that answers a Range request with the whole file (200
    instead of 206) is followed: the partial is truncated and filled from the start.

Pause and cancel
    ``pause()`` stops and keeps the partial and its sidecar; ``cancel()`` stops and deletes them.
    Either takes effect at the next piece of data received (or at the read timeout on a stalled
    connection). Network failures keep the partial too, after a few automatic retries.

The endpoint is read when a call is made (``HF_ENDPOINT``, else huggingface_hub's default) and
passed explicitly to every huggingface_hub call: the library reads ``HF_ENDPOINT`` once, at
import, which would ignore a later change. The token goes only into the Authorization header; it
is never logged nor put in an error message.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import math
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

import httpx2
from filelock import FileLock, Timeout
from huggingface_hub import (
    HfApi,
    constants,
    get_hf_file_metadata,
    get_session,
    hf_hub_url,
    hf_raise_for_status,
)
from huggingface_hub.errors import (
    GatedRepoError,
    HfHubHTTPError,
    HFValidationError,
    OfflineModeIsEnabled,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.hf_api import RepoFile

# Public (documented) helper; the package's lazy loader hides it from type checkers.
from huggingface_hub.utils import build_hf_headers  # type: ignore[attr-defined]

from engine.paths import app_paths

ErrorKind = Literal[
    "unauthorized",  # 401/403: no token, a refused token (message: accept licence, set token)
    "gated",  # a gated repo whose licence this account has not accepted (or no token)
    "not_found",  # repo, revision or file
    "disk_full",  # not enough space, checked ahead or hit while writing
    "network",  # connection lost, timeout, reset; the partial is kept for resuming
    "corrupt",  # sha256 mismatch or more bytes than announced; the partial is deleted
    "offline",  # HF_HUB_OFFLINE is set
    "server",  # 5xx, 429, an unexpected answer
    "busy",  # another process is downloading the same file into the same folder
    "invalid",  # a malformed repo id or file name
    "io",  # another local file-system error
]
Outcome = Literal["done", "paused", "cancelled"]
Phase = Literal["checking", "downloading"]
DigestKind = Literal["sha256", "git-sha1"]

PARTIAL_DIR = ".partial"
HELD_SUFFIX = ".held"  # beside the sidecar: the user paused this download
SIDECAR_FORMAT = 1
LIBRARY_NAME = "lanterna"
READ_BLOCK = 8 * 1024 * 1024
# How often the partial is flushed to disk and the sidecar's checkpoint moved forward.
CHECKPOINT_BYTES = 128 * 1024 * 1024
CHECKPOINT_SECONDS = 15.0
# Time constant of the speed's moving average: long enough to calm a bursty connection, short
# enough that the ETA follows a real change of speed within a few seconds.
SPEED_SMOOTHING_SECONDS = 3.0

_QUANT = re.compile(
    r"(?<![A-Za-z0-9])("
    r"I?Q[1-8](?:_(?:[0-9]|K|XXS|XS|S|M|L|XL|NL))*"
    r"|TQ[12]_0"
    r"|MXFP4(?:_MOE)?"
    r"|BF16|FP16|FP32|F16|F32"
    r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)


class DownloadError(Exception):
    """A download failed; ``kind`` is stable (see ErrorKind), the message is one line for people."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind


@dataclass(frozen=True)
class Progress:
    """Where a download stands. ``speed`` is smoothed (bytes/s); ``eta`` in seconds, or None
    while the speed is unknown. In the "checking" phase, ``done`` counts bytes of the partial
    re-read from disk before resuming."""

    phase: Phase
    done: int
    total: int
    speed: float
    eta: float | None


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int
    quantisation: str | None
    sha256: str | None


@dataclass(frozen=True)
class RepoSummary:
    repo_id: str
    author: str | None
    downloads: int
    likes: int
    last_modified: str | None
    gated: bool
    tags: tuple[str, ...]


@dataclass(frozen=True)
class PartialDownload:
    """A paused or interrupted download found in a models folder."""

    repo: str
    filename: str
    revision: str
    size: int
    done: int
    local_name: str
    # Paused by the user (``pause(hold=True)``): not to be resumed until asked. Downloads that
    # stopped any other way (the app closed, was killed, the machine went down) are not held.
    held: bool = False


@dataclass(frozen=True)
class _Plan:
    commit: str
    size: int
    digest_kind: DigestKind
    expected: str


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...
    def copy(self) -> _Hasher: ...


class _Stopped(Exception):
    pass


def hub_endpoint() -> str:
    """The Hub to talk to, read now rather than when huggingface_hub was imported."""
    return (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")


def parse_quantisation(name: str) -> str | None:
    """The quantisation named in a GGUF file name (Q4_K_M, IQ2_XXS, MXFP4, F16…), upper-cased."""
    stem = name[:-5] if name.lower().endswith(".gguf") else name
    found = _QUANT.findall(stem)
    return found[-1].upper() if found else None


def _api(token: str | None, endpoint: str | None) -> HfApi:
    # ``False`` rather than None: huggingface_hub would otherwise send a token saved on the
    # machine by other tools, which the caller did not choose.
    return HfApi(
        endpoint=endpoint or hub_endpoint(), token=token or False, library_name=LIBRARY_NAME
    )


def search_models(
    query: str, limit: int = 20, *, token: str | None = None, endpoint: str | None = None
) -> list[RepoSummary]:
    """GGUF model repositories matching ``query``, most downloaded first."""
    api = _api(token, endpoint)
    try:
        found = list(
            api.list_models(
                filter="gguf",
                search=query or None,
                sort="downloads",
                limit=limit,
                expand=["author", "downloads", "likes", "lastModified", "gated", "tags"],
            )
        )
    except Exception as exc:
        raise _translate(exc, endpoint=api.endpoint, token=token, what="the model search") from None
    return [
        RepoSummary(
            repo_id=m.id,
            author=m.author,
            downloads=m.downloads or 0,
            likes=m.likes or 0,
            last_modified=m.last_modified.isoformat() if m.last_modified else None,
            gated=bool(m.gated),
            tags=tuple(m.tags or ()),
        )
        for m in found
    ]


def list_gguf_files(
    repo: str, *, revision: str = "main", token: str | None = None, endpoint: str | None = None
) -> list[RemoteFile]:
    """The .gguf files of ``repo`` (in sub-folders too), by path, with size and sha256."""
    api = _api(token, endpoint)
    try:
        entries = list(api.list_repo_tree(repo, recursive=True, revision=revision))
    except Exception as exc:
        raise _translate(
            exc, endpoint=api.endpoint, token=token, repo=repo, revision=revision
        ) from None
    files = [
        RemoteFile(
            name=e.path,
            size=e.lfs.size if e.lfs else e.size,
            quantisation=parse_quantisation(e.path),
            sha256=e.lfs.sha256 if e.lfs else None,
        )
        for e in entries
        if isinstance(e, RepoFile) and e.path.lower().endswith(".gguf")
    ]
    return sorted(files, key=lambda f: f.name)


def list_partials(dest: Path | None = None) -> list[PartialDownload]:
    """Downloads that were paused or interrupted in ``dest`` and can be resumed."""
    folder = (dest or app_paths().models) / PARTIAL_DIR
    found: list[PartialDownload] = []
    for sidecar in sorted(folder.glob("*.json")):
        meta = _read_json(sidecar)
        if meta is None or meta.get("kind") == "folder":
            continue  # unreadable, or a whole folder's (engine.models.folder_download)
        part = sidecar.with_suffix(".part")
        try:
            done = part.stat().st_size
        except OSError:
            done = 0
        try:
            entry = PartialDownload(
                repo=str(meta["repo"]),
                filename=str(meta["filename"]),
                revision=str(meta["revision"]),
                size=int(meta["size"]),
                done=done,
                local_name=sidecar.stem,
                held=sidecar.with_suffix(HELD_SUFFIX).exists(),
            )
        except (KeyError, TypeError, ValueError):
            continue  # not a sidecar of ours, or damaged: run() starts such a file afresh
        found.append(entry)
    return found


class Download:
    """One file from one repo into a models folder; ``run()`` does the work (blocking).

    ``run()`` returns "done", "paused" or "cancelled", or raises :class:`DownloadError`.
    ``pause()`` and ``cancel()`` may be called from any thread (or from the progress callback,
    which runs on the downloading thread). One asked for before ``run()`` starts applies to that
    run, so that a job stopped just as its thread starts does not download anyway; each run
    clears it when it ends. Calling ``run()`` again, here or in a new process, resumes a paused
    or failed download. ``sha256`` is the verified file's digest once the run is done.

    The file is saved under its base name (``local_name``), so two repositories' files of the
    same name share one partial: the sidecar tells them apart and the other one starts over.
    """

    def __init__(
        self,
        repo: str,
        filename: str,
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
        local_name: str | None = None,
    ) -> None:
        self.repo = repo
        self.filename = filename
        self.revision = revision
        self.dest = dest if dest is not None else app_paths().models
        self.endpoint = (endpoint or hub_endpoint()).rstrip("/")
        self.on_progress = on_progress
        self.progress_interval = progress_interval
        self.retries = retries
        self.retry_delay = retry_delay
        self.timeout = timeout
        self.local_name = local_name or filename.rsplit("/", 1)[-1]
        if self.local_name in ("", ".", "..") or any(c in self.local_name for c in "/\\\0"):
            raise DownloadError("invalid", f"{self.local_name!r} cannot be a file name")
        self.sha256: str | None = None
        self._token = token
        self._stop = threading.Event()
        self._stop_mode: Literal["pause", "cancel"] = "pause"
        self._guard = threading.Lock()
        self._running = False

    # -- where things are ------------------------------------------------------------------------

    @property
    def target(self) -> Path:
        return self.dest / self.local_name

    @property
    def partial_path(self) -> Path:
        return self.dest / PARTIAL_DIR / f"{self.local_name}.part"

    @property
    def sidecar_path(self) -> Path:
        return self.dest / PARTIAL_DIR / f"{self.local_name}.json"

    @property
    def _lock_path(self) -> Path:
        return self.dest / PARTIAL_DIR / f"{self.local_name}.lock"

    @property
    def _held_path(self) -> Path:
        return self.dest / PARTIAL_DIR / f"{self.local_name}{HELD_SUFFIX}"

    # -- control ---------------------------------------------------------------------------------

    def pause(self, *, hold: bool = False) -> None:
        """Stop soon, keeping the partial file for a later ``run()``.

        ``hold``: the user paused it, so :func:`list_partials` reports it as held and the app
        leaves it paused at its next start; the next ``run()`` lifts the hold.
        """
        with self._guard:
            if not self._stop.is_set():
                self._stop_mode = "pause"
            self._stop.set()
        if hold and self._held_path.parent.is_dir():
            with contextlib.suppress(OSError):
                self._held_path.touch()

    def cancel(self) -> None:
        """Stop soon and delete the partial file; if not running, delete it now.

        Like ``pause()``, a cancel asked for before ``run()`` starts applies to that run, so a
        job cancelled just as its thread starts does not download anyway.
        """
        with self._guard:
            self._stop_mode = "cancel"
            self._stop.set()
            if self._running:
                return
        self.discard()

    def discard(self) -> None:
        """Delete the partial file and its sidecar (not while a download of it is running)."""
        if not self.partial_path.parent.is_dir():
            return
        with self._locked():
            self._remove_partial()
            self._tidy()

    def run(self) -> Outcome:
        with self._guard:
            if self._running:
                raise DownloadError("busy", f"{self.filename} is already downloading")
            self._running = True
        try:
            if self._stop.is_set():
                raise _Stopped
            with contextlib.suppress(OSError):
                self._held_path.unlink(missing_ok=True)
            with self._locked():
                try:
                    return self._run_locked()
                except _Stopped:
                    if self._stop_mode == "cancel":
                        self._remove_partial()
                        self._tidy()
                        return "cancelled"
                    return "paused"
        except _Stopped:
            if self._stop_mode == "cancel":
                self.discard()
                return "cancelled"
            return "paused"
        finally:
            with self._guard:
                self._running = False
                self._stop.clear()
                self._stop_mode = "pause"

    # -- the work --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock = FileLock(str(self._lock_path), timeout=0)
        for attempt in range(2):
            try:
                (self.dest / PARTIAL_DIR).mkdir(parents=True, exist_ok=True)
                lock.acquire()
                break
            except Timeout:
                raise DownloadError(
                    "busy", f"{self.local_name} is already being downloaded into {self.dest}"
                ) from None
            except FileNotFoundError as exc:
                # Another process finishing a download removed the emptied folder meanwhile.
                if attempt:
                    raise _io_error(exc, self._lock_path) from None
            except OSError as exc:
                raise _io_error(exc, self._lock_path) from None
        try:
            yield
        finally:
            if not self.partial_path.exists():
                # Nothing to resume (done, cancelled, failed before any byte): leave no trace.
                self._tidy()
            lock.release()

    def _run_locked(self) -> Outcome:
        plan = self._plan_from_sidecar()
        if plan is None:
            plan = self._resolve()
            self._remove_partial()
            if self._already_there(plan):
                self._tidy()
                return "done"
            self._check_space(plan.size)
            self._write_sidecar(plan, 0, _new_hasher(plan).hexdigest())
        meter = _Meter(plan.size, self.progress_interval, self.on_progress)
        with _Partial(self.partial_path, plan) as part:
            try:
                self._rebuild_hash(part, plan, meter)
                self._transfer(part, plan, meter)
            except DownloadError as exc:
                if exc.kind == "corrupt":
                    part.close()
                    self._remove_partial()
                    self._tidy()
                else:
                    self._checkpoint(part, plan)
                raise
            except _Stopped:
                self._checkpoint(part, plan)
                raise
            except BaseException:
                # Ctrl+C or a bug, possibly between writing a piece and hashing it: keep only
                # the bytes known to be whole and leave the sidecar's last checkpoint as it was.
                with contextlib.suppress(OSError, ValueError):
                    part.settle()
                raise
            digest = part.hasher.hexdigest()
            if digest != plan.expected:
                part.close()
                self._remove_partial()
                self._tidy()
                raise DownloadError(
                    "corrupt",
                    f"{self.filename} failed its {_digest_label(plan)} check (got "
                    f"{digest[:12]}…, expected {plan.expected[:12]}…); the damaged download "
                    "was deleted — run again to download it afresh",
                )
            part.sync()
        try:
            os.replace(self.partial_path, self.target)
        except OSError as exc:
            raise _io_error(exc, self.target) from None
        if plan.digest_kind == "sha256":
            self.sha256 = plan.expected
        with contextlib.suppress(OSError):
            self.sidecar_path.unlink()
        _fsync_dir(self.dest)
        self._tidy()
        return "done"

    def _resolve(self) -> _Plan:
        try:
            url = hf_hub_url(
                self.repo, self.filename, revision=self.revision, endpoint=self.endpoint
            )
            meta = get_hf_file_metadata(
                url,
                token=self._token or False,
                timeout=self.timeout,
                endpoint=self.endpoint,
                library_name=LIBRARY_NAME,
            )
            api = _api(self._token, self.endpoint)
            commit = meta.commit_hash
            if commit is None:
                commit = api.model_info(self.repo, revision=self.revision).sha
            if commit is None:
                raise DownloadError(
                    "server", f"the Hub did not say which commit {self.revision} is"
                )
            infos = api.get_paths_info(self.repo, [self.filename], revision=commit)
        except DownloadError:
            raise
        except Exception as exc:
            raise self._translate(exc) from None
        info = next((i for i in infos if isinstance(i, RepoFile) and i.path == self.filename), None)
        if info is None:
            raise DownloadError(
                "not_found", f"{self.repo} has no file {self.filename} at {self.revision}"
            )
        if info.lfs is not None:
            return _Plan(commit, info.lfs.size, "sha256", info.lfs.sha256.lower())
        return _Plan(commit, info.size, "git-sha1", info.blob_id.lower())

    def _plan_from_sidecar(self) -> _Plan | None:
        meta = _read_json(self.sidecar_path)
        if meta is None or not self.partial_path.exists():
            return None
        try:
            same = (
                meta["format"] == SIDECAR_FORMAT
                and meta["repo"] == self.repo
                and meta["filename"] == self.filename
                and self.revision in (meta["revision"], meta["commit"])
            )
            kind = meta["digest"]
            if not same or kind not in ("sha256", "git-sha1"):
                return None
            return _Plan(str(meta["commit"]), int(meta["size"]), kind, str(meta["expected"]))
        except (KeyError, TypeError, ValueError):
            return None

    def _already_there(self, plan: _Plan) -> bool:
        """Whether the final file is already this exact file (a repeated command is a no-op)."""
        try:
            if not self.target.is_file() or self.target.stat().st_size != plan.size:
                return False
        except OSError:
            return False
        meter = _Meter(plan.size, self.progress_interval, self.on_progress)
        meter.start("checking", 0)
        hasher = _new_hasher(plan)
        done = 0
        with self.target.open("rb") as fh:
            while block := fh.read(READ_BLOCK):
                self._check_stop()
                hasher.update(block)
                done += len(block)
                meter.update(done)
        if hasher.hexdigest() != plan.expected:
            return False
        self.sha256 = plan.expected if plan.digest_kind == "sha256" else None
        meter.start("downloading", plan.size)
        return True

    def _rebuild_hash(self, part: _Partial, plan: _Plan, meter: _Meter) -> None:
        length = part.length()
        if length > plan.size:
            part.restart()
            return
        if length == 0:
            return
        meta = _read_json(self.sidecar_path) or {}
        checkpoint = int(meta.get("verified_bytes") or 0)
        checkpoint_digest = str(meta.get("verified_digest") or "")
        meter.start("checking", 0)
        part.fh.seek(0)
        done = 0
        while done < length:
            self._check_stop()
            want = min(READ_BLOCK, length - done)
            if done < checkpoint:
                want = min(want, checkpoint - done)
            block = part.fh.read(want)
            if not block:
                break
            part.hasher.update(block)
            done += len(block)
            meter.update(done)
            if done == checkpoint and part.hasher.copy().hexdigest() != checkpoint_digest:
                # Bytes that were safely on disk have changed since: nothing after them can be
                # trusted either.
                part.restart()
                return
        part.pos = done
        part.fh.seek(done)

    def _transfer(self, part: _Partial, plan: _Plan, meter: _Meter) -> None:
        attempts_left = self.retries
        meter.start("downloading", part.pos)
        while part.pos < plan.size:
            self._check_space(plan.size - part.pos)
            before = part.pos
            try:
                self._fetch(part, plan, meter)
                if part.pos < plan.size:
                    raise _ShortBody(part.pos, plan.size)
            except (httpx2.TransportError, _ShortBody) as exc:
                if part.pos > before:
                    attempts_left = self.retries
                if attempts_left <= 0:
                    raise DownloadError(
                        "network",
                        f"the download of {self.filename} broke off at "
                        f"{_human(part.pos)} of {_human(plan.size)} ({self._reason(exc)}); "
                        "the partial download is kept — run again to resume",
                    ) from None
                attempts_left -= 1
                self._checkpoint(part, plan)
                if self._stop.wait(self.retry_delay):
                    raise _Stopped from None
        meter.finish(part.pos)

    def _fetch(self, part: _Partial, plan: _Plan, meter: _Meter) -> None:
        last_checkpoint = (part.pos, time.monotonic())
        try:
            url = hf_hub_url(self.repo, self.filename, revision=plan.commit, endpoint=self.endpoint)
            headers = build_hf_headers(token=self._token or False, library_name=LIBRARY_NAME)
            # The byte count and the sha256 are of the file itself, never of a compressed form.
            headers["Accept-Encoding"] = "identity"
            if part.pos:
                headers["Range"] = f"bytes={part.pos}-"
            with get_session().stream(
                "GET", url, headers=headers, timeout=self.timeout, follow_redirects=True
            ) as resp:
                if resp.status_code >= 400:
                    hf_raise_for_status(resp)
                if resp.status_code == 206:
                    start, total = _content_range(resp.headers.get("Content-Range"))
                    if start != part.pos or total not in (None, plan.size):
                        raise DownloadError(
                            "server",
                            f"the server sent the wrong part of {self.filename} "
                            f"(asked from byte {part.pos}, got "
                            f"{resp.headers.get('Content-Range')})",
                        )
                elif resp.status_code == 200:
                    if part.pos:
                        # The server ignored the Range header: what comes is the whole file.
                        part.restart()
                        self._check_space(plan.size)
                        meter.start("downloading", 0)
                else:
                    raise DownloadError(
                        "server",
                        f"the Hub answered {resp.status_code} for {self.filename}",
                    )
                for chunk in resp.iter_bytes():
                    self._check_stop()
                    if part.pos + len(chunk) > plan.size:
                        raise DownloadError(
                            "corrupt",
                            f"the server sent more than the {_human(plan.size)} of "
                            f"{self.filename}; the download was deleted",
                        )
                    try:
                        part.write(chunk)
                    except OSError as exc:
                        raise self._write_failed(exc, plan.size - part.pos) from None
                    meter.update(part.pos)
                    now = time.monotonic()
                    if (
                        part.pos - last_checkpoint[0] >= CHECKPOINT_BYTES
                        or now - last_checkpoint[1] >= CHECKPOINT_SECONDS
                    ):
                        self._checkpoint(part, plan)
                        last_checkpoint = (part.pos, now)
        except (DownloadError, _Stopped, httpx2.TransportError):
            raise
        except (HfHubHTTPError, OfflineModeIsEnabled, HFValidationError, httpx2.HTTPError) as exc:
            # Only what the Hub or the HTTP layer raised: an error in the progress callback is
            # the caller's and goes through untouched.
            raise self._translate(exc) from None

    # -- helpers ---------------------------------------------------------------------------------

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise _Stopped

    def _check_space(self, needed: int) -> None:
        try:
            free = shutil.disk_usage(self.dest / PARTIAL_DIR).free
        except OSError:
            return
        if free < needed:
            raise DownloadError(
                "disk_full",
                f"not enough free space in {self.dest} for {self.filename}: "
                f"{_human(needed)} needed, {_human(free)} free",
            )

    def _write_failed(self, exc: OSError, remaining: int) -> DownloadError:
        if exc.errno in _DISK_FULL_ERRNOS:
            return DownloadError(
                "disk_full",
                f"the disk holding {self.dest} filled up while downloading {self.filename}; "
                f"free {_human(remaining)} and run again to resume",
            )
        return _io_error(exc, self.partial_path)

    def _checkpoint(self, part: _Partial, plan: _Plan) -> None:
        """Flush the partial and record how far it is safely on disk (best effort: it also
        runs while another error is on its way out, which must not be replaced)."""
        with contextlib.suppress(OSError, ValueError, DownloadError):
            part.settle()
            self._write_sidecar(plan, part.pos, part.hasher.copy().hexdigest())

    def _write_sidecar(self, plan: _Plan, verified: int, verified_digest: str) -> None:
        data = {
            "format": SIDECAR_FORMAT,
            "repo": self.repo,
            "filename": self.filename,
            "revision": self.revision,
            "commit": plan.commit,
            "size": plan.size,
            "digest": plan.digest_kind,
            "expected": plan.expected,
            "verified_bytes": verified,
            "verified_digest": verified_digest,
        }
        tmp = self.sidecar_path.with_suffix(".json.tmp")
        try:
            tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
            os.replace(tmp, self.sidecar_path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            if exc.errno in _DISK_FULL_ERRNOS:
                raise self._write_failed(exc, plan.size - verified) from None
            raise _io_error(exc, self.sidecar_path) from None

    def _remove_partial(self) -> None:
        for path in (self.partial_path, self.sidecar_path, self._held_path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def _tidy(self) -> None:
        """Remove the lock file (while still holding it) and an empty partial folder."""
        with contextlib.suppress(OSError):
            self._lock_path.unlink()
        with contextlib.suppress(OSError):
            (self.dest / PARTIAL_DIR).rmdir()

    def _translate(self, exc: BaseException) -> DownloadError:
        return _translate(
            exc,
            endpoint=self.endpoint,
            token=self._token,
            repo=self.repo,
            filename=self.filename,
            revision=self.revision,
        )

    def _reason(self, exc: BaseException) -> str:
        return _scrub(_short(exc), self._token)


class _ShortBody(Exception):
    def __init__(self, got: int, size: int) -> None:
        super().__init__(f"the connection closed after {got} of {size} bytes")


class _Partial:
    """The partial file, its running hash and how many of its bytes are hashed."""

    def __init__(self, path: Path, plan: _Plan) -> None:
        self.plan = plan
        try:
            self.fh = path.open("r+b" if path.exists() else "w+b", buffering=0)
        except OSError as exc:
            raise _io_error(exc, path) from None
        self.hasher = _new_hasher(plan)
        self.pos = 0
        self.closed = False

    def __enter__(self) -> _Partial:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def length(self) -> int:
        return self.fh.seek(0, os.SEEK_END)

    def write(self, data: bytes) -> None:
        _write_chunk(self.fh, data)
        self.hasher.update(data)
        self.pos += len(data)

    def restart(self) -> None:
        self.fh.seek(0)
        self.fh.truncate(0)
        self.hasher = _new_hasher(self.plan)
        self.pos = 0

    def settle(self) -> None:
        """Cut anything past the hashed bytes (a write cut short) and flush to disk."""
        if self.closed:
            return
        self.fh.truncate(self.pos)
        self.fh.seek(self.pos)
        os.fsync(self.fh.fileno())

    def sync(self) -> None:
        os.fsync(self.fh.fileno())
        self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.fh.close()


def _write_chunk(fh: Any, data: bytes) -> None:
    """Write all of ``data`` to an unbuffered file (a raw write may take only part of it)."""
    view = memoryview(data)
    while view:
        written = fh.write(view)
        view = view[written:]


class _Meter:
    """Turns byte counts into rate-limited Progress events with a smoothed speed and ETA."""

    def __init__(
        self, total: int, interval: float, callback: Callable[[Progress], None] | None
    ) -> None:
        self.total = total
        self.interval = interval
        self.callback = callback
        self.phase: Phase = "downloading"
        self.speed: float | None = None
        self._t = 0.0
        self._done = 0
        self._last_emit = 0.0

    def start(self, phase: Phase, done: int) -> None:
        self.phase = phase
        self.speed = None
        self._t = time.monotonic()
        self._done = done
        self._emit(done)

    def update(self, done: int) -> None:
        now = time.monotonic()
        dt = now - self._t
        if dt > 0:
            rate = (done - self._done) / dt
            if self.speed is None:
                self.speed = rate
            else:
                alpha = 1.0 - math.exp(-dt / SPEED_SMOOTHING_SECONDS)
                self.speed += alpha * (rate - self.speed)
            self._t, self._done = now, done
        if now - self._last_emit >= self.interval:
            self._emit(done)

    def finish(self, done: int) -> None:
        self._emit(done)

    def _emit(self, done: int) -> None:
        self._last_emit = time.monotonic()
        if self.callback is None:
            return
        speed = max(self.speed or 0.0, 0.0)
        total = self.total
        eta = (total - done) / speed if speed > 0 else (0.0 if done >= total else None)
        self.callback(Progress(self.phase, done, total, speed, eta))


_DISK_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _new_hasher(plan: _Plan) -> _Hasher:
    if plan.digest_kind == "git-sha1":
        # A file kept in git is known by the sha1 of its blob: a header, then the content.
        return hashlib.sha1(b"blob %d\0" % plan.size)
    return hashlib.sha256()


def _digest_label(plan: _Plan) -> str:
    return "sha256" if plan.digest_kind == "sha256" else "git checksum"


def _content_range(value: str | None) -> tuple[int | None, int | None]:
    """Start and total of ``bytes START-END/TOTAL`` (None where absent or unreadable)."""
    match = re.fullmatch(r"\s*bytes\s+(\d+)-\d+/(\d+|\*)\s*", value or "")
    if not match:
        return None, None
    total = match.group(2)
    return int(match.group(1)), None if total == "*" else int(total)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable; folders cannot be opened this way on Windows, hence best effort."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _io_error(exc: OSError, path: Path) -> DownloadError:
    if exc.errno in _DISK_FULL_ERRNOS:
        return DownloadError("disk_full", f"the disk holding {path.parent} is full")
    return DownloadError("io", f"cannot write {path}: {exc.strerror or exc}")


def _human(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _scrub(text: str, token: str | None) -> str:
    return text.replace(token, "***") if token else text


def _translate(
    exc: BaseException,
    *,
    endpoint: str,
    token: str | None,
    repo: str | None = None,
    filename: str | None = None,
    revision: str = "main",
    what: str | None = None,
) -> DownloadError:
    """One-line, token-free DownloadError for a huggingface_hub or httpx2 exception."""
    page = f"{endpoint}/{repo}" if repo else endpoint
    subject = repo or what or "the Hub"
    licence = f"accept the licence on {page} while logged in"
    if isinstance(exc, DownloadError):
        return exc
    if isinstance(exc, OfflineModeIsEnabled):
        # Searches and downloads both end here: the message names neither.
        return DownloadError(
            "offline",
            "Hugging Face is switched off on this machine (HF_HUB_OFFLINE is set): unset it to "
            "search or download; installed models work without it",
        )
    if isinstance(exc, HFValidationError):
        return DownloadError("invalid", _scrub(_short(exc), token))
    if isinstance(exc, GatedRepoError):
        if token:
            return DownloadError(
                "gated",
                f"this token has no access to the gated {subject} yet: {licence} with the same "
                "account (approval can take a while)",
            )
        return DownloadError(
            "gated", f"{subject} is gated: {licence}, then set a Hugging Face access token"
        )
    if isinstance(exc, RevisionNotFoundError):
        return DownloadError("not_found", f"{subject} has no revision {revision}")
    if isinstance(exc, RemoteEntryNotFoundError):
        return DownloadError("not_found", f"{subject} has no file {filename} at {revision}")
    if isinstance(exc, RepositoryNotFoundError):
        hint = "" if token else " (a private repository needs a token)"
        return DownloadError("not_found", f"no repository {subject} on the Hub{hint}")
    if isinstance(exc, HfHubHTTPError):
        status = exc.response.status_code
        if status in (401, 403):
            if token:
                return DownloadError(
                    "unauthorized",
                    f"the Hugging Face token was refused for {subject} (expired or without "
                    f"access?): set a valid token; if the model is gated, {licence}",
                )
            return DownloadError(
                "unauthorized",
                f"{subject} needs a Hugging Face token: {licence} if it is gated, then set a token",
            )
        if status == 404:
            return DownloadError("not_found", f"{subject}: not found on the Hub")
        if status == 429:
            return DownloadError("server", "the Hub is rate-limiting requests; try again later")
        return DownloadError("server", f"the Hub answered {status} for {subject}")
    if isinstance(exc, httpx2.TransportError):
        host = urlsplit(endpoint).netloc or endpoint
        return DownloadError("network", f"cannot reach {host}: {_scrub(_short(exc), token)}")
    if isinstance(exc, OSError):
        return DownloadError("io", _scrub(_short(exc), token))
    return DownloadError("server", f"unexpected answer from the Hub: {_scrub(_short(exc), token)}")
