"""A stand-in for the Hugging Face Hub on loopback, serving real bytes over real HTTP.

It answers what huggingface_hub 2.4 asks (model info, paths-info, tree, model search, HEAD and GET
on ``/{repo}/resolve/{revision}/{file}``) with the status codes and headers the Hub uses:
``X-Repo-Commit``, ``X-Linked-Etag`` and ``X-Linked-Size`` on a 302 to a CDN, ``X-Error-Code`` and
``X-Error-Message`` on failures. The CDN is a second server on another port, so it is another
origin, as on the real Hub: the client must not forward the ``Authorization`` header there.

Faults are switched on through ``hub.faults`` (see :class:`Faults`); every request is recorded in
``hub.served`` with its Range header and the number of body bytes sent, so a test can tell what
the client actually fetched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest

API_MODELS = "/api/models"
LAST_MODIFIED = "2025-08-05T12:00:00.000Z"
POINTER_SIZE = 134


@dataclass(frozen=True)
class HubFile:
    path: str
    data: bytes
    lfs: bool = True

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def git_oid(self) -> str:
        # The git blob id, which is what the Hub reports as the oid of a file kept in git.
        return hashlib.sha1(b"blob %d\0" % self.size + self.data).hexdigest()


@dataclass
class HubRepo:
    repo_id: str
    files: list[HubFile]
    gated: bool = False
    # Tokens of accounts that accepted the licence of a gated repo.
    tokens: frozenset[str] = frozenset()
    downloads: int = 0
    likes: int = 0
    tags: tuple[str, ...] = ("gguf", "text-generation")
    commit: str = ""

    def __post_init__(self) -> None:
        if not self.commit:
            self.commit = hashlib.sha1(self.repo_id.encode()).hexdigest()

    def file(self, path: str) -> HubFile | None:
        return next((f for f in self.files if f.path == path), None)


@dataclass
class Faults:
    """What goes wrong; tests change these between (or during) requests."""

    # Close the connection after this many body bytes of a file GET …
    drop_after: int | None = None
    # … for this many GETs (None: every one).
    drop_times: int | None = None
    # Stop sending after this many body bytes (once) until ``FakeHub.release()``.
    stall_after: int | None = None
    # … only in a GET of a URL path ending with this (None: the next file GET).
    stall_file: str | None = None
    # The CDN serves bytes that differ from what the metadata announces.
    wrong_bytes: bool = False
    # Answer a Range request with 200 and the whole file.
    ignore_range: bool = False
    # Seconds to sleep before each chunk of a file body.
    chunk_delay: float = 0.0
    chunk_size: int = 16 * 1024


@dataclass(frozen=True)
class Served:
    server: str  # "hub" or "cdn"
    method: str
    path: str
    status: int
    range: str | None
    authorization: str | None
    body_bytes: int


@dataclass
class _Pending:
    served: Served
    body_bytes: int = 0


class _Server(ThreadingHTTPServer):
    # Handler threads are joined on close, so a test never leaves one behind.
    daemon_threads = False
    block_on_close = True

    def __init__(self, hub: FakeHub, role: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hub = hub
        self.role = role


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        hub = self.server.hub
        record = _Pending(
            Served(
                self.server.role,
                method,
                self.path,
                0,
                self.headers.get("Range"),
                self.headers.get("Authorization"),
                0,
            )
        )
        self.close_connection = True
        try:
            if self.server.role == "cdn":
                self._cdn(method, record)
            else:
                self._hub(method, record)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            hub._record(record)

    # -- replies ------------------------------------------------------------------------------

    def _reply(
        self,
        record: _Pending,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        *,
        head: bool = False,
    ) -> None:
        record.served = _with_status(record.served, status)
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if body and not head:
            self.wfile.write(body)
            record.body_bytes = len(body)

    def _json(self, record: _Pending, data: object, status: int = 200) -> None:
        body = json.dumps(data).encode()
        self._reply(record, status, body, {"Content-Type": "application/json"})

    def _error(
        self, record: _Pending, status: int, code: str, message: str, *, head: bool = False
    ) -> None:
        body = json.dumps({"error": message}).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Error-Code": code,
            "X-Error-Message": message,
        }
        self._reply(record, status, body, headers, head=head)

    # -- the Hub ------------------------------------------------------------------------------

    def _token(self) -> str | None:
        auth = self.headers.get("Authorization") or ""
        return auth[len("Bearer ") :] if auth.startswith("Bearer ") else None

    def _hub(self, method: str, record: _Pending) -> None:
        hub = self.server.hub
        url = urlsplit(self.path)
        token = self._token()
        head = method == "HEAD"
        if token is not None and token not in hub.known_tokens:
            self._error(record, 401, "", "Invalid credentials in Authorization header", head=head)
            return
        if url.path == API_MODELS and method == "GET":
            self._search(record, parse_qs(url.query))
            return
        if url.path.startswith(API_MODELS + "/"):
            self._api(method, record, url.path[len(API_MODELS) + 1 :], parse_qs(url.query))
            return
        if "/resolve/" in url.path and method in ("GET", "HEAD"):
            self._resolve(method, record, url.path)
            return
        self._error(record, 404, "", "Not Found", head=head)

    def _api(self, method: str, record: _Pending, rest: str, query: dict[str, list[str]]) -> None:
        hub = self.server.hub
        parts = rest.split("/")
        markers = ("revision", "paths-info", "tree")
        if len(parts) > 1 and parts[1] in markers:
            repo_id, tail = parts[0], parts[1:]
        elif len(parts) > 2 and parts[2] in markers:
            repo_id, tail = "/".join(parts[:2]), parts[2:]
        else:
            repo_id, tail = unquote(rest), []
        repo = hub.repos.get(repo_id)
        if repo is None:
            self._repo_not_found(record)
            return
        action = tail[0] if tail else "info"
        revision = unquote(tail[1]) if len(tail) > 1 else "main"
        if revision not in ("main", repo.commit):
            self._error(record, 404, "RevisionNotFound", f"Invalid rev id: {revision}")
            return
        if action in ("info", "revision") and method == "GET":
            self._json(record, _model_json(repo, blobs=query.get("blobs") == ["True"]))
        elif action == "paths-info" and method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            wanted = form.get("paths", [])
            self._json(record, [e for e in _tree(repo, "", recursive=True) if e["path"] in wanted])
        elif action == "tree" and method == "GET":
            folder = unquote("/".join(tail[2:]))
            recursive = query.get("recursive") == ["True"] or query.get("recursive") == ["true"]
            self._json(record, _tree(repo, folder, recursive=recursive))
        else:
            self._error(record, 404, "", "Not Found")

    def _repo_not_found(self, record: _Pending, *, head: bool = False) -> None:
        # As on the Hub: anonymous callers cannot tell a missing repo from a private one.
        status = 404 if self._token() else 401
        self._error(record, status, "RepoNotFound", "Repository not found", head=head)

    def _search(self, record: _Pending, query: dict[str, list[str]]) -> None:
        hub = self.server.hub
        wanted = query.get("filter", [])
        search = (query.get("search") or [""])[0].lower()
        found = [
            r
            for r in hub.repos.values()
            if all(tag in r.tags for tag in wanted) and search in r.repo_id.lower()
        ]
        found.sort(key=lambda r: r.downloads, reverse=True)
        limit = int((query.get("limit") or ["1000"])[0])
        hub.searches.append(query)
        self._json(record, [_model_json(r, blobs=False, siblings=False) for r in found[:limit]])

    def _resolve(self, method: str, record: _Pending, path: str) -> None:
        hub = self.server.hub
        head = method == "HEAD"
        before, _, after = path.lstrip("/").partition("/resolve/")
        repo = hub.repos.get(unquote(before))
        if repo is None:
            self._repo_not_found(record, head=head)
            return
        token = self._token()
        if repo.gated and token not in repo.tokens:
            if token is None:
                message = (
                    f"Access to model {repo.repo_id} is restricted. You must have access to it "
                    "and be authenticated to access it. Please log in."
                )
                self._error(record, 401, "GatedRepo", message, head=head)
            else:
                message = (
                    f"Access to model {repo.repo_id} is restricted and you are not in the "
                    f"authorized list. Visit {hub.endpoint}/{repo.repo_id} to ask for access."
                )
                self._error(record, 403, "GatedRepo", message, head=head)
            return
        revision, _, file_path = after.partition("/")
        revision = unquote(revision)
        if revision not in ("main", repo.commit):
            self._error(record, 404, "RevisionNotFound", f"Invalid rev id: {revision}", head=head)
            return
        hub_file = repo.file(unquote(file_path))
        if hub_file is None:
            self._error(record, 404, "EntryNotFound", "Entry not found", head=head)
            return
        headers = {"X-Repo-Commit": repo.commit}
        if not hub_file.lfs:
            headers["ETag"] = f'"{hub_file.git_oid}"'
            self._send_file(record, hub_file.data, headers, head=head)
            return
        headers.update(
            {
                "ETag": f'"{hashlib.sha1(hub_file.sha256.encode()).hexdigest()}"',
                "X-Linked-Etag": f'"{hub_file.sha256}"',
                "X-Linked-Size": str(hub_file.size),
                "Location": f"{hub.cdn_endpoint}/{hub_file.sha256}?X-Sig=fake",
            }
        )
        self._reply(record, 302, b"", headers, head=head)

    # -- the CDN ------------------------------------------------------------------------------

    def _cdn(self, method: str, record: _Pending) -> None:
        hub = self.server.hub
        sha = urlsplit(self.path).path.lstrip("/")
        data = hub.blobs.get(sha)
        if data is None or method not in ("GET", "HEAD"):
            self._reply(record, 404, b"NoSuchKey", {"Content-Type": "text/plain"})
            return
        if hub.faults.wrong_bytes:
            middle = len(data) // 2
            data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
        self._send_file(record, data, {"ETag": f'"{sha}"'}, head=method == "HEAD")

    def _send_file(
        self, record: _Pending, data: bytes, headers: dict[str, str], *, head: bool
    ) -> None:
        hub = self.server.hub
        faults = hub.faults
        start, status = 0, 200
        wanted = self.headers.get("Range")
        headers = {**headers, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"}
        if wanted and not faults.ignore_range:
            first = wanted.removeprefix("bytes=").split("-")[0]
            start = int(first)
            if start >= len(data):
                headers["Content-Range"] = f"bytes */{len(data)}"
                self._reply(record, 416, b"", headers, head=head)
                return
            status = 206
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        body = data[start:]
        record.served = _with_status(record.served, status)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if head:
            return
        drop_at = hub._take_drop()
        stall_at = hub._take_stall(self.path)
        sent = 0
        while sent < len(body) and not hub._stopping.is_set():
            if faults.chunk_delay:
                time.sleep(faults.chunk_delay)
            end = min(len(body), sent + faults.chunk_size)
            for limit in (drop_at, stall_at):
                if limit is not None and sent < limit < end:
                    end = limit
            self.wfile.write(body[sent:end])
            self.wfile.flush()
            sent = end
            record.body_bytes = sent
            if drop_at is not None and sent >= drop_at:
                # An abrupt end, as when a connection is lost: fewer bytes than announced.
                return
            if stall_at is not None and sent >= stall_at:
                stall_at = None
                hub.stalled.set()
                hub._released.wait()


def _with_status(served: Served, status: int) -> Served:
    return Served(
        served.server,
        served.method,
        served.path,
        status,
        served.range,
        served.authorization,
        served.body_bytes,
    )


def _model_json(repo: HubRepo, *, blobs: bool, siblings: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "_id": hashlib.md5(repo.repo_id.encode()).hexdigest()[:24],
        "id": repo.repo_id,
        "modelId": repo.repo_id,
        "author": repo.repo_id.split("/")[0] if "/" in repo.repo_id else None,
        "sha": repo.commit,
        "lastModified": LAST_MODIFIED,
        "createdAt": LAST_MODIFIED,
        "private": False,
        "disabled": False,
        "gated": "manual" if repo.gated else False,
        "downloads": repo.downloads,
        "likes": repo.likes,
        "library_name": "gguf" if "gguf" in repo.tags else None,
        "tags": list(repo.tags),
        "pipeline_tag": "text-generation",
    }
    if siblings:
        entries = []
        for f in repo.files:
            entry: dict[str, Any] = {"rfilename": f.path}
            if blobs:
                entry["size"] = f.size
                entry["blobId"] = f.git_oid
                if f.lfs:
                    entry["lfs"] = {"size": f.size, "sha256": f.sha256, "pointerSize": POINTER_SIZE}
            entries.append(entry)
        data["siblings"] = entries
    return data


def _file_entry(f: HubFile) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "file", "oid": f.git_oid, "size": f.size, "path": f.path}
    if f.lfs:
        entry["lfs"] = {"oid": f.sha256, "size": f.size, "pointerSize": POINTER_SIZE}
    return entry


def _tree(repo: HubRepo, folder: str, *, recursive: bool) -> list[dict[str, Any]]:
    prefix = f"{folder.strip('/')}/" if folder.strip("/") else ""
    entries: list[dict[str, Any]] = []
    folders: set[str] = set()
    for f in repo.files:
        if not f.path.startswith(prefix):
            continue
        parts = f.path[len(prefix) :].split("/")
        for depth in range(1, len(parts)):
            if depth > 1 and not recursive:
                break
            sub = prefix + "/".join(parts[:depth])
            if sub not in folders:
                folders.add(sub)
                oid = hashlib.sha1(sub.encode()).hexdigest()
                entries.append({"type": "directory", "oid": oid, "size": 0, "path": sub})
        if len(parts) == 1 or recursive:
            entries.append(_file_entry(f))
    return entries


class FakeHub:
    """The Hub and its CDN on two loopback ports; a context manager that starts and stops both."""

    def __init__(self, repos: list[HubRepo], *, known_tokens: frozenset[str] = frozenset()):
        self.repos = {r.repo_id: r for r in repos}
        self.known_tokens = known_tokens.union(*(r.tokens for r in repos))
        self.blobs = {f.sha256: f.data for r in repos for f in r.files if f.lfs}
        self.faults = Faults()
        self.served: list[Served] = []
        self.searches: list[dict[str, list[str]]] = []
        self.stalled = threading.Event()
        self._released = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._drops = 0
        self._hub = _Server(self, "hub")
        self._cdn = _Server(self, "cdn")
        self._threads = [
            threading.Thread(
                target=s.serve_forever, args=(0.02,), name=f"fake-{s.role}", daemon=True
            )
            for s in (self._hub, self._cdn)
        ]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._hub.server_address[1]}"

    @property
    def cdn_endpoint(self) -> str:
        return f"http://127.0.0.1:{self._cdn.server_address[1]}"

    def start(self) -> FakeHub:
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._released.set()
        for server in (self._hub, self._cdn):
            server.shutdown()
            server.server_close()
        for t in self._threads:
            t.join()

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def release(self) -> None:
        """Let a stalled transfer go on."""
        self._released.set()

    def file_gets(self) -> list[Served]:
        """The GETs that carried file bytes (CDN, or the Hub for files kept in git)."""
        with self._lock:
            return [
                s
                for s in self.served
                if s.method == "GET"
                and s.status in (200, 206)
                and (s.server == "cdn" or "/resolve/" in s.path)
            ]

    def resolve_url(self, repo_id: str, path: str, revision: str = "main") -> str:
        return f"{self.endpoint}/{repo_id}/resolve/{quote(revision, safe='')}/{quote(path)}"

    def _record(self, pending: _Pending) -> None:
        s = pending.served
        done = Served(
            s.server, s.method, s.path, s.status, s.range, s.authorization, pending.body_bytes
        )
        with self._lock:
            self.served.append(done)

    def _take_drop(self) -> int | None:
        with self._lock:
            f = self.faults
            if f.drop_after is None or (f.drop_times is not None and self._drops >= f.drop_times):
                return None
            self._drops += 1
            return f.drop_after

    def _take_stall(self, path: str) -> int | None:
        with self._lock:
            only = self.faults.stall_file
            if only is not None and not path.split("?")[0].endswith(only):
                return None
            at, self.faults.stall_after = self.faults.stall_after, None
            if at is not None and not self._stopping.is_set():
                self.stalled.clear()
                self._released.clear()
            return at


def use_fake_hub(monkeypatch: pytest.MonkeyPatch, hub: FakeHub) -> None:
    """Point huggingface_hub (in this process and in child processes) at ``hub``.

    tests/run.sh turns the Hub off for the whole run; huggingface_hub reads that switch once, at
    import, so the module constant is patched as well as the environment.
    """
    from huggingface_hub import constants

    monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)


@contextlib.contextmanager
def serve_fake_hub(
    monkeypatch: pytest.MonkeyPatch,
    repos: list[HubRepo],
    *,
    known_tokens: frozenset[str] = frozenset(),
) -> Iterator[FakeHub]:
    """A running :class:`FakeHub` that huggingface_hub talks to, stopped on exit.

    ``known_tokens`` are valid tokens besides those of the repos' ``tokens`` (accounts that
    exist but accepted no licence); any other token is refused with 401.
    """
    with FakeHub(repos, known_tokens=known_tokens) as hub:
        use_fake_hub(monkeypatch, hub)
        yield hub


def payload(size: int, seed: int = 0) -> bytes:
    """Deterministic bytes that differ at every offset (a shifted copy would not hash the same)."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(b"%d:%d" % (seed, counter)).digest()
        counter += 1
    return bytes(out[:size])


__all__ = [
    "FakeHub",
    "Faults",
    "HubFile",
    "HubRepo",
    "Served",
    "payload",
    "serve_fake_hub",
    "use_fake_hub",
]
