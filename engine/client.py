"""EngineClient: owns a worker process and speaks the protocol with it. No Qt here.

Every method returns at once; results arrive as events. Events are delivered to the
``on_event`` callback from the client's reader thread (the desktop's bridge re-emits them as Qt
signals on the GUI thread), or, without a callback, queued for :meth:`next_event`, which is what
the command line uses.

When the worker dies (segfault, SIGKILL, OOM), the client delivers :class:`WorkerExited` with the
exit code or signal, a readable reason and the tail of the worker's stderr, plus the text of the
answer that was streaming (``partial_text``), which callers keep and mark incomplete.
:meth:`restart` starts a fresh worker; the conversation lives with the caller, so nothing is lost.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import protocol as p
from engine.conversation import ChatMessage, ToolSpec
from engine.launcher import worker_command

STDERR_TAIL_LINES = 40


@dataclass(frozen=True)
class WorkerExited:
    """Client-side event: the worker process ended. ``expected`` after :meth:`shutdown`."""

    exit_code: int | None
    signal: str | None
    reason: str
    stderr_tail: list[str] = field(default_factory=list)
    req: int | None = None
    partial_text: str = ""
    expected: bool = False
    type: str = "worker_exited"


class WorkerStartError(RuntimeError):
    """The worker executable could not be started at all (missing, not executable)."""


@dataclass
class _Run:
    """One worker process and what belongs to it alone, so that a restarted worker's state
    never mixes with the one before."""

    proc: subprocess.Popen[bytes]
    closing: bool = False  # set before we end it ourselves: its exit is expected
    stderr: collections.deque[str] = field(
        default_factory=lambda: collections.deque(maxlen=STDERR_TAIL_LINES)
    )
    stderr_reader: threading.Thread | None = None
    event_reader: threading.Thread | None = None

    def join(self) -> None:
        reader = self.event_reader
        if reader is not None and reader is not threading.current_thread():
            reader.join(timeout=10.0)


Event = p.Message | WorkerExited
EventCallback = Callable[[Event], None]

_SIGNAL_REASONS = {
    "SIGKILL": "it was killed (SIGKILL); the system may have run out of memory",
    "SIGSEGV": "it crashed in native code (SIGSEGV)",
    "SIGBUS": "it crashed in native code (SIGBUS)",
    "SIGILL": "it crashed: the CPU does not support an instruction the build uses (SIGILL)",
    "SIGABRT": "it aborted (SIGABRT)",
    "SIGTERM": "it was terminated (SIGTERM)",
}


def describe_exit(code: int | None) -> tuple[str | None, str]:
    """(signal name, readable reason) for a process return code."""
    if code is None:
        return None, "it stopped responding"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return name, _SIGNAL_REASONS.get(name, f"it was stopped by {name}")
    if sys.platform == "win32" and code & 0xC0000000 == 0xC0000000:
        if code == 0xC0000005:
            return None, "it crashed in native code (access violation)"
        return None, f"it crashed (exception 0x{code:08X})"
    return None, f"it exited with code {code}"


class EngineClient:
    def __init__(
        self,
        on_event: EventCallback | None = None,
        *,
        command: Sequence[str] | None = None,
        env: dict[str, str] | None = None,
        log_file: Path | None = None,
    ) -> None:
        """``log_file``: where the worker's stderr is appended as well (the app's worker log, for
        crash reports); the worker never writes reasoning there."""
        self._on_event = on_event
        self._log_file = log_file
        self._command = list(command) if command else worker_command()
        self._env = env
        self._events: queue.Queue[Event] = queue.Queue()
        self._run: _Run | None = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._active: int | None = None  # the generation whose text we keep for a crash report
        self._partial: list[str] = []

    # ---------------------------------------------------------------- process

    @property
    def running(self) -> bool:
        return self._run is not None and self._run.proc.poll() is None

    def stderr_tail(self) -> list[str]:
        """The last lines the running worker wrote to stderr."""
        run = self._run
        return list(run.stderr) if run is not None else []

    @property
    def pid(self) -> int | None:
        return self._run.proc.pid if self._run is not None else None

    def start(self) -> None:
        """Spawn the worker; a ``Ready`` event follows when it is listening.

        Raises :class:`WorkerStartError` when the worker executable cannot be started at all.
        """
        if self.running:
            return
        env = dict(os.environ if self._env is None else self._env)
        env.setdefault("PYTHONUNBUFFERED", "1")
        # A console window per worker would flash up on Windows.
        creationflags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        try:
            proc = subprocess.Popen(
                self._command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                creationflags=creationflags,
            )
        except OSError as exc:
            raise WorkerStartError(
                f"cannot start the engine worker {self._command[0]!r}: {exc.strerror or exc}"
            ) from None
        run = _Run(proc)
        with self._lock:
            self._run = run
            self._active, self._partial = None, []
        run.stderr_reader = threading.Thread(
            target=self._read_stderr,
            args=(run, self._log_file),
            name="worker-stderr",
            daemon=True,
        )
        run.event_reader = threading.Thread(
            target=self._read_events, args=(run,), name="worker-events", daemon=True
        )
        run.stderr_reader.start()
        run.event_reader.start()

    def restart(self) -> None:
        self.kill()
        self.start()

    def shutdown(self, timeout: float = 5.0) -> None:
        """Ask the worker to finish and wait for it; kill it if it does not."""
        run = self._run
        if run is None:
            return
        run.closing = True
        try:
            self._send(p.Shutdown())
            assert run.proc.stdin is not None
            run.proc.stdin.close()
        except (OSError, RuntimeError):
            pass  # already gone: nothing to ask
        try:
            run.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            run.proc.kill()
            run.proc.wait()
        run.join()

    def kill(self) -> None:
        """Stop the worker now; its ``WorkerExited`` (expected) is delivered before this returns."""
        run = self._run
        if run is None:
            return
        run.closing = True
        if run.proc.poll() is None:
            run.proc.kill()
            run.proc.wait()
        run.join()

    # ---------------------------------------------------------------- requests

    def _send(self, msg: p.Message) -> None:
        run = self._run
        proc = run.proc if run is not None else None
        if proc is None or proc.stdin is None:
            raise RuntimeError("the engine worker is not running")
        data = p.encode(msg)
        try:
            with self._lock:
                proc.stdin.write(data)
                proc.stdin.flush()
        except (OSError, ValueError):  # broken pipe, or stdin already closed by shutdown()
            raise RuntimeError("the engine worker is not running") from None

    def load(
        self,
        path: str | os.PathLike[str],
        *,
        n_ctx: int = 8192,
        n_threads: int | None = None,
        n_batch: int = 512,
        n_gpu_layers: int = 0,
        guard_model: str | os.PathLike[str] | None = None,
        chat_template: str | None = None,
        backend: str = "auto",
        gpu_backend: str = "auto",
        embedding_model: str | os.PathLike[str] | None = None,
    ) -> int:
        """Load ``path`` (a GGUF file, or an MLX model folder) with ``backend``: "auto",
        "llamacpp" or "mlx"; ``gpu_backend`` ("auto", "cpu", "cuda", "vulkan") picks the
        llama.cpp build, once per worker. ``embedding_model`` (a GGUF file) is loaded beside
        it for document search."""
        req = next(self._ids)
        guard = None if guard_model is None else str(guard_model)
        embedding = None if embedding_model is None else str(embedding_model)
        self._send(
            p.LoadModel(
                req,
                str(path),
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_batch=n_batch,
                n_gpu_layers=n_gpu_layers,
                guard_model=guard,
                chat_template=chat_template,
                backend=backend,
                gpu_backend=gpu_backend,
                embedding_model=embedding,
            )
        )
        return req

    def generate(
        self,
        messages: Sequence[ChatMessage],
        *,
        effort: str = "medium",
        max_tokens: int = 4096,
        temperature: float | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        min_p: float | None = None,
        seed: int | None = None,
        tools: Sequence[ToolSpec] = (),
        date: str | None = None,
        reasoning: str = "hidden",
        moderation: Sequence[str] = ("lexical", "pii", "guard"),
        ignore_eos: bool = False,
        documents: Sequence[Mapping[str, Any]] = (),
        documents_index: str | None = None,
    ) -> int:
        """Start an answer to ``messages``; events arrive on the callback.

        ``documents`` are ``{"path", "message"}`` pairs: a document of the index at
        ``documents_index`` and the index in ``messages`` of the user message it belongs to
        (see :func:`engine.documents.attach.attach`).
        """
        req = next(self._ids)
        tool_dicts: list[dict[str, Any]] = [
            {"name": t.name, "description": t.description, "parameters": t.parameters}
            for t in tools
        ]
        cmd = p.Generate(
            req=req,
            messages=[m.to_json() for m in messages],
            effort=effort,
            max_tokens=max_tokens,
            temperature=temperature,
            top_p=top_p,
            top_k=top_k,
            min_p=min_p,
            seed=seed,
            tools=tool_dicts,
            date=date,
            reasoning=reasoning,
            moderation=list(moderation),
            ignore_eos=ignore_eos,
            documents=[dict(d) for d in documents],
            documents_index=documents_index,
        )
        with self._lock:
            self._active = req
            self._partial = []
        self._send(cmd)
        return req

    def read_ahead(
        self,
        messages: Sequence[ChatMessage],
        *,
        effort: str = "medium",
        max_tokens: int = 4096,
        date: str | None = None,
        documents: Sequence[Mapping[str, Any]] = (),
        documents_index: str | None = None,
    ) -> int:
        """Have the worker read now what the prompt of a question being written will start
        with (see :class:`engine.protocol.ReadAhead`). ``messages`` ends with that question's
        user message, with what is written of it so far; the other arguments are those the
        question will be sent with. Ends with a ``ReadAheadDone`` event; :meth:`cancel` keeps
        what was read."""
        req = next(self._ids)
        self._send(
            p.ReadAhead(
                req=req,
                messages=[m.to_json() for m in messages],
                effort=effort,
                max_tokens=max_tokens,
                date=date,
                documents=[dict(d) for d in documents],
                documents_index=documents_index,
            )
        )
        return req

    def cancel(self, req: int = -1) -> None:
        self._send(p.Cancel(req))

    def unload(self) -> int:
        req = next(self._ids)
        self._send(p.Unload(req))
        return req

    # ---------------------------------------------------------------- events

    def next_event(self, timeout: float | None = None) -> Event:
        """The next event (only when no callback was given); raises ``queue.Empty``."""
        return self._events.get(timeout=timeout)

    def wait_for(self, kinds: tuple[type, ...], timeout: float = 600.0) -> Event:
        """Next event of one of ``kinds``, or an error/exit, skipping others (CLI and tests)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {', '.join(k.__name__ for k in kinds)} event in time")
            ev = self.next_event(left)
            if isinstance(ev, (*kinds, p.Error, WorkerExited)):
                return ev

    def _deliver(self, ev: Event) -> None:
        if self._on_event is not None:
            self._on_event(ev)
        else:
            self._events.put(ev)

    @staticmethod
    def _read_stderr(run: _Run, log_file: Path | None) -> None:
        stream = run.proc.stderr
        assert stream is not None
        log = None
        if log_file is not None:
            try:
                log_file.parent.mkdir(parents=True, exist_ok=True)
                log = log_file.open("a", encoding="utf-8")
            except OSError:
                log = None  # no log is no reason to lose the worker
        with stream, log or contextlib.nullcontext():
            for raw in stream:
                line = raw.decode("utf-8", errors="replace").rstrip()
                if line:
                    run.stderr.append(line)
                    if log is not None:
                        log.write(f"[worker {run.proc.pid}] {line}\n")
                        log.flush()

    def _read_events(self, run: _Run) -> None:
        proc = run.proc
        assert proc.stdout is not None
        with proc.stdout:
            for line in proc.stdout:
                try:
                    ev = p.decode(line)
                except p.ProtocolError as exc:
                    run.stderr.append(f"[protocol] {exc}")
                    continue
                self._track(run, ev)
                self._deliver(ev)
        code = proc.wait()
        if proc.stdin is not None:
            with self._lock, contextlib.suppress(OSError):
                proc.stdin.close()  # a dead worker's pipe: nothing more can be sent
        if run.stderr_reader is not None:
            run.stderr_reader.join(timeout=2.0)  # the last lines usually say why it died
        sig, reason = describe_exit(code)
        req, partial = None, ""
        with self._lock:
            if self._run is run:
                req, partial = self._active, "".join(self._partial)
                self._active, self._partial = None, []
        self._deliver(
            WorkerExited(
                exit_code=code,
                signal=sig,
                reason=reason,
                stderr_tail=list(run.stderr),
                req=None if run.closing else req,
                partial_text="" if run.closing else partial,
                expected=run.closing,
            )
        )

    def _track(self, run: _Run, ev: p.Message) -> None:
        with self._lock:
            if self._run is not run:
                return  # a stale worker's last words: not this client's answer any more
            if isinstance(ev, p.Text) and ev.req == self._active:
                self._partial.append(ev.text)
            elif isinstance(ev, p.Done | p.Error) and getattr(ev, "req", None) == self._active:
                self._active, self._partial = None, []
