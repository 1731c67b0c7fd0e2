"""``lanterna --bench`` (or ``python -m desktop.bench``): how the window feels, in numbers.

Four figures, each printed next to its threshold with PASS or OVER and, where one exists, the
same measurement taken on the raw library in the same run, as a ratio:

1. Start: process start to a usable window (the model loads in the background), median of
   three child processes, against a bare ``QMainWindow`` holding a ``QPlainTextEdit``. The
   parent reads ``time.monotonic()`` just before starting the child and the child prints its own
   reading once the event loop has handled the first show; CLOCK_MONOTONIC is one clock for the
   whole system on Linux, so the two readings subtract.
2. Stalls: while answers stream, a 4 ms precise timer on the GUI thread notes how late each tick
   comes; p50/p99/max of the lateness, against the same timer on the idle window.
3. Memory: the GUI process's resident set while answers stream (Linux only).
4. Opening a 2,000-message conversation, until it is laid out and painted, median of five,
   against reading the same messages from the store alone.

Everything runs on a throwaway store and on default settings, so the user's history and choices
neither skew the figures nor get touched. Unless ``QT_QPA_PLATFORM`` is set, Qt draws offscreen:
the figures then do not depend on a display server being there.

The exit code is 0 whenever the measurements were taken, even when a figure is over its
threshold; it is 1, with a one-line reason, only when the benchmark could not run (no model, the
engine crashed, nothing streamed).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.bench_data import (
    LONG_CONVERSATION_MESSAGES,
    HeartbeatLog,
    build_long_conversation,
    build_short_conversation,
    rss_bytes,
    stall_summary,
)

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QApplication

    from desktop.main_window import MainWindow
    from engine.settings import Settings

# Thresholds, for the 2-core machines the app is tuned on.
START_THRESHOLD_S = 1.0
STALL_P99_THRESHOLD_MS = 16.0  # one frame at 60 Hz
RSS_THRESHOLD_MB = 200.0
OPEN_THRESHOLD_MS = 300.0

START_RUNS = 3
OPEN_RUNS = 5
MAX_TOKENS = 256
HEARTBEAT_MS = 4
RSS_EVERY_S = 0.05  # reading /proc costs little, but not nothing: not on every tick
READY_PREFIX = "lanterna-bench-ready "
CHILD_TIMEOUT_S = 120.0
LOAD_TIMEOUT_S = 300.0
ANSWER_TIMEOUT_S = 300.0
OPEN_TIMEOUT_S = 60.0

# The demo model is a base model: asked to write something, it often repeats the request and
# stops after a line, but given the start of a list it keeps the list going until the token
# limit, so each request streams for a while (and as Markdown the view has to render).
PROMPTS = (
    "Continue this list of the countries of the world and their capitals:\n"
    "1. France: Paris\n2. Spain: Madrid\n3. Italy: Rome\n4.",
    "Continue this numbered list of sea words and what they mean:\n"
    "1. Harbour: a sheltered place where ships stay\n2. Beacon: a light that warns or guides\n"
    "3. Tide: the daily rise and fall of the sea\n4.",
    "Continue this list of the chemical elements and their symbols:\n"
    "1. Hydrogen: H\n2. Helium: He\n3. Lithium: Li\n4.",
)


class BenchError(RuntimeError):
    """The benchmark could not take its measurements; the message is the one-line reason."""


# ================================================================ the application


def default_settings() -> Settings:
    """Defaults, not the user's file: a changed theme or context length would skew the figures."""
    from engine.settings import Settings

    return Settings()


def make_app(settings: Settings) -> QApplication:
    """The QApplication as ``desktop.app.main`` builds it (or the one already running)."""
    from PySide6.QtWidgets import QApplication

    from desktop.app import build_app

    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    return build_app([sys.argv[0]], settings)


def _demo_model() -> Path:
    from engine.models.demo import DemoModelError, ensure_demo_model

    try:
        return ensure_demo_model()
    except DemoModelError as exc:
        raise BenchError(f"no model: {exc}") from None


# ================================================================ 1. start time


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def child_command(*, bare: bool, model: Path | None) -> list[str]:
    # A frozen build has no ``-m``: its executable takes --bench like ``lanterna`` does.
    if getattr(sys, "frozen", False):
        cmd = [sys.executable, "--bench", "--child-start"]
    else:
        cmd = [sys.executable, "-m", "desktop.bench", "--child-start"]
    if bare:
        cmd.append("--bare")
    if model is not None:
        cmd += ["--model", str(model)]
    return cmd


def time_start(*, bare: bool, model: Path | None) -> float:
    """Seconds from starting a child process to its window being usable."""
    cmd = child_command(bare=bare, model=model)
    env = child_env()
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        out, err = proc.communicate(timeout=CHILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise BenchError(
            f"the start-up child did not finish within {CHILD_TIMEOUT_S:.0f} s"
        ) from None
    what = "bare Qt" if bare else "Lanterna"
    stamps = [
        line[len(READY_PREFIX) :] for line in out.splitlines() if line.startswith(READY_PREFIX)
    ]
    if proc.returncode != 0 or not stamps:
        tail = err.strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        raise BenchError(f"the {what} start-up child failed: {tail[0]}")
    return float(stamps[-1]) - started


def _child_start(*, bare: bool, model: Path | None) -> int:
    """The child side of the start-up figure: build the window, wait for the event loop to have
    handled its first show, print the monotonic clock, close properly."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow, QPlainTextEdit

    with tempfile.TemporaryDirectory(prefix="lanterna-bench-") as tmp:
        window: QMainWindow
        if bare:
            app = QApplication([sys.argv[0]])
            window = QMainWindow()
            window.setCentralWidget(QPlainTextEdit(window))
            window.resize(1100, 720)
        else:
            settings = default_settings()
            app = make_app(settings)
            from desktop.main_window import MainWindow

            window = MainWindow(
                model=model, store_path=Path(tmp) / "bench.sqlite3", settings=settings
            )
        window.show()

        def ready() -> None:
            print(f"{READY_PREFIX}{time.monotonic():.6f}", flush=True)
            window.close()  # the real window shuts its worker and I/O thread down here
            app.quit()

        # The first zero-timer runs once show()'s events are handled; the second one turn later.
        QTimer.singleShot(0, lambda: QTimer.singleShot(0, ready))
        app.exec()
    return 0


@dataclass
class StartFigures:
    app_s: list[float]
    bare_s: list[float]

    @property
    def app_median_s(self) -> float:
        return statistics.median(self.app_s)

    @property
    def bare_median_s(self) -> float:
        return statistics.median(self.bare_s)


def measure_start(model: Path | None, runs: int = START_RUNS) -> StartFigures:
    figures = StartFigures([], [])
    for _ in range(runs):  # interleaved, so a slow moment of the machine hits both alike
        figures.app_s.append(time_start(bare=False, model=model))
        figures.bare_s.append(time_start(bare=True, model=None))
    return figures


# ================================================================ 2-4. in the window


class Session:
    """Runs the window's event loop until something happens, and turns the engine failing
    (an error, the worker dying) into a BenchError instead of a hang."""

    def __init__(self, app: QApplication, window: MainWindow) -> None:
        from PySide6.QtCore import QEventLoop

        from engine import protocol as p
        from engine.client import WorkerExited

        self.app = app
        self.window = window
        self.failure: str | None = None
        self._loop = QEventLoop()
        self._p = p
        self._worker_exited = WorkerExited
        window.bridge.event.connect(self._watch)

    def _watch(self, ev: object) -> None:
        p = self._p
        if isinstance(ev, p.Error):
            self.failure = f"engine error: {ev.message}"
        elif isinstance(ev, self._worker_exited) and not ev.expected:
            self.failure = f"the engine stopped: {ev.reason}"
        else:
            return
        self._loop.quit()

    def wait(
        self,
        signal: SignalInstance,
        accept: Callable[[Any], bool],
        timeout_s: float,
        what: str,
    ) -> Any:
        """Run the event loop until ``signal`` delivers a value ``accept`` takes; returns it."""
        from PySide6.QtCore import QTimer

        got: list[Any] = []

        def on_signal(value: Any) -> None:
            if not got and accept(value):
                got.append(value)
                self._loop.quit()

        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(self._loop.quit)
        signal.connect(on_signal)
        timer.start(int(timeout_s * 1000))
        try:
            if self.failure is None:
                self._loop.exec()
        finally:
            timer.stop()
            signal.disconnect(on_signal)
        if self.failure is not None:
            raise BenchError(self.failure)
        if not got:
            raise BenchError(f"no {what} within {timeout_s:.0f} s")
        return got[0]

    def wait_until(self, ready: Callable[[], bool], timeout_s: float, what: str) -> None:
        """For the untimed parts only: polls ``ready`` every 20 ms."""
        from PySide6.QtCore import QTimer

        poll = QTimer()
        poll.setInterval(20)
        poll.timeout.connect(lambda: self._loop.quit() if ready() else None)
        deadline = time.monotonic() + timeout_s
        poll.start()
        try:
            while not ready() and self.failure is None and time.monotonic() < deadline:
                self._loop.exec()
        finally:
            poll.stop()
        if self.failure is not None:
            raise BenchError(self.failure)
        if not ready():
            raise BenchError(f"no {what} within {timeout_s:.0f} s")

    def idle(self, seconds: float) -> None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(max(1, int(seconds * 1000)), self._loop.quit)
        self._loop.exec()
        if self.failure is not None:
            raise BenchError(self.failure)

    def settle(self) -> None:
        """Finish pending work: queued events and widgets waiting for deleteLater."""
        from PySide6.QtCore import QCoreApplication, QEvent

        self.app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.app.processEvents()


class Heartbeat:
    """A precise timer on the GUI thread feeding a HeartbeatLog, and sampling the process's
    memory while armed."""

    def __init__(self, interval_ms: int = HEARTBEAT_MS) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.log = HeartbeatLog(interval_ms / 1000.0)
        self.rss_max: int | None = None
        self._rss_at = 0.0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def new_log(self) -> HeartbeatLog:
        """Start a fresh log (a new phase); returns the one that was running."""
        old = self.log
        self.log = HeartbeatLog(old.interval_s)
        return old

    def _tick(self) -> None:
        now = time.perf_counter()
        self.log.tick(now)
        if self.log.armed and now - self._rss_at >= RSS_EVERY_S:
            self._rss_at = now
            rss = rss_bytes()
            if rss is not None:
                self.rss_max = max(rss, self.rss_max or 0)


@dataclass
class StreamFigures:
    stalls_ms: list[float]
    idle_stalls_ms: list[float]
    tokens: int
    tokens_per_s: list[float]  # the engine's own figure, one per answer
    answers: int
    streamed_s: float
    rss_max_bytes: int | None


def measure_streaming(
    session: Session, prompts: Sequence[str] = PROMPTS, max_tokens: int = MAX_TOKENS
) -> StreamFigures:
    """Send the prompts one after the other on the loaded window and watch the GUI thread
    from each answer's first text to its end; then as long again with the window idle."""
    from engine import protocol as p

    window = session.window
    window.max_tokens = max_tokens
    beat = Heartbeat()
    tokens = 0
    rates: list[float] = []

    def on_event(ev: object) -> None:
        nonlocal tokens
        if isinstance(ev, p.Text) and not beat.log.armed:
            beat.log.arm()
        elif isinstance(ev, p.Done):
            beat.log.finish()
            tokens += ev.completion_tokens
            rates.append(ev.tokens_per_s)

    window.bridge.event.connect(on_event)
    beat.start()
    try:
        for prompt in prompts:
            shown = len(window.chat.views)
            window.send(prompt)
            if len(window.chat.views) == shown:
                raise BenchError("the window did not send the prompt (no model loaded?)")
            session.wait(window.answer_saved, lambda _mid: True, ANSWER_TIMEOUT_S, "saved answer")
        streaming = beat.new_log()
        rss_max = beat.rss_max
        if not streaming.stalls_ms:
            raise BenchError("the model streamed no text")
        # The floor: the same timer for as long, with nothing to do.
        session.settle()
        beat.log.arm()
        session.idle(streaming.armed_s)
        idle = beat.new_log()
    finally:
        beat.stop()
        window.bridge.event.disconnect(on_event)
    return StreamFigures(
        stalls_ms=streaming.stalls_ms,
        idle_stalls_ms=idle.stalls_ms,
        tokens=tokens,
        tokens_per_s=rates,
        answers=len(prompts),
        streamed_s=streaming.armed_s,
        rss_max_bytes=rss_max,
    )


@dataclass
class OpenFigures:
    open_ms: list[float]
    floor_ms: list[float]
    messages: int
    widgets_built: int

    @property
    def open_median_ms(self) -> float:
        return statistics.median(self.open_ms)

    @property
    def floor_median_ms(self) -> float:
        return statistics.median(self.floor_ms)


def open_and_wait(
    session: Session, conversation_id: int, timeout_s: float = OPEN_TIMEOUT_S
) -> None:
    window = session.window
    window.open_conversation(conversation_id)
    session.wait(
        window.conversation_shown,
        lambda cid: cid == conversation_id,
        timeout_s,
        f"conversation {conversation_id} on screen",
    )


def time_open(session: Session, conversation_id: int) -> float:
    """Milliseconds from asking for the conversation to its messages being laid out and painted."""
    window = session.window
    started = time.perf_counter()
    open_and_wait(session, conversation_id)
    session.app.processEvents()
    window.grab()  # paints the whole window now, whatever the platform does with exposure
    return (time.perf_counter() - started) * 1000.0


def measure_open(
    session: Session, store_path: Path, long_id: int, short_id: int, runs: int = OPEN_RUNS
) -> OpenFigures:
    from engine.store import Store

    window = session.window
    # The store opens on the I/O thread; the sidebar lists it once it is there.
    session.wait_until(lambda: long_id in window.sidebar.ids(), OPEN_TIMEOUT_S, "chat list")
    times: list[float] = []
    for _ in range(runs):
        open_and_wait(session, short_id)
        session.settle()
        times.append(time_open(session, long_id))
    figures = OpenFigures(times, [], len(window.chat.views), window.chat.built_count)
    with Store(store_path) as store:
        for _ in range(runs):
            started = time.perf_counter()
            store.messages(long_id)
            figures.floor_ms.append((time.perf_counter() - started) * 1000.0)
    return figures


def measure_window(
    app: QApplication,
    model: Path,
    *,
    messages: int = LONG_CONVERSATION_MESSAGES,
    max_tokens: int = MAX_TOKENS,
    progress: Callable[[str], None] = lambda _s: None,
) -> tuple[StreamFigures, OpenFigures]:
    from desktop.main_window import MainWindow
    from engine import protocol as p
    from engine.store import Store

    with tempfile.TemporaryDirectory(prefix="lanterna-bench-") as tmp:
        store_path = Path(tmp) / "bench.sqlite3"
        progress(f"writing a {messages:,}-message conversation")
        with Store(store_path) as store:
            long_id = build_long_conversation(store, messages)
            short_id = build_short_conversation(store)
        window = MainWindow(model=model, store_path=store_path, settings=default_settings())
        session = Session(app, window)
        window.show()
        try:
            progress("loading the model")
            session.wait(
                window.bridge.event,
                lambda ev: isinstance(ev, p.Loaded),
                LOAD_TIMEOUT_S,
                "loaded model",
            )
            session.settle()  # the window handles Loaded too (it enables sending)
            progress("streaming answers")
            stream = measure_streaming(session, max_tokens=max_tokens)
            progress("opening the long conversation")
            opened = measure_open(session, store_path, long_id, short_id)
        finally:
            window.close()
            session.settle()
    return stream, opened


# ================================================================ report


def _ratio(value: float, floor: float) -> float:
    return value / floor if floor > 0 and not math.isnan(floor) else math.nan


def _verdict(value: float, threshold: float) -> str:
    if math.isnan(value):
        return "n/a"
    return "PASS" if value <= threshold else "OVER"


def _nan_to_none(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 3)


def results_json(start: StartFigures, stream: StreamFigures, opened: OpenFigures) -> dict[str, Any]:
    stalls = stall_summary(stream.stalls_ms)
    idle = stall_summary(stream.idle_stalls_ms)
    rss_mb = stream.rss_max_bytes / 1e6 if stream.rss_max_bytes is not None else math.nan
    from PySide6 import __version__ as pyside_version

    return {
        "environment": {
            "platform": os.environ.get("QT_QPA_PLATFORM", ""),
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "pyside6": pyside_version,
        },
        "start": {
            "app_s": [round(v, 4) for v in start.app_s],
            "bare_s": [round(v, 4) for v in start.bare_s],
            "app_median_s": round(start.app_median_s, 4),
            "bare_median_s": round(start.bare_median_s, 4),
            "ratio": _nan_to_none(_ratio(start.app_median_s, start.bare_median_s)),
            "threshold_s": START_THRESHOLD_S,
            "verdict": _verdict(start.app_median_s, START_THRESHOLD_S),
        },
        "stall": {
            "p50_ms": _nan_to_none(stalls["p50_ms"]),
            "p99_ms": _nan_to_none(stalls["p99_ms"]),
            "max_ms": _nan_to_none(stalls["max_ms"]),
            "samples": len(stream.stalls_ms),
            "tokens": stream.tokens,
            "tokens_per_s": [round(v, 1) for v in stream.tokens_per_s],
            "answers": stream.answers,
            "streamed_s": round(stream.streamed_s, 3),
            "idle_p50_ms": _nan_to_none(idle["p50_ms"]),
            "idle_p99_ms": _nan_to_none(idle["p99_ms"]),
            "idle_max_ms": _nan_to_none(idle["max_ms"]),
            "idle_samples": len(stream.idle_stalls_ms),
            "ratio": _nan_to_none(_ratio(stalls["p99_ms"], idle["p99_ms"])),
            "interval_ms": HEARTBEAT_MS,
            "threshold_p99_ms": STALL_P99_THRESHOLD_MS,
            "verdict": _verdict(stalls["p99_ms"], STALL_P99_THRESHOLD_MS),
        },
        "rss": {
            "max_mb": _nan_to_none(rss_mb),
            "threshold_mb": RSS_THRESHOLD_MB,
            "verdict": _verdict(rss_mb, RSS_THRESHOLD_MB),
        },
        "open": {
            "messages": opened.messages,
            "widgets_built": opened.widgets_built,
            "open_ms": [round(v, 2) for v in opened.open_ms],
            "median_ms": round(opened.open_median_ms, 2),
            "store_messages_ms": [round(v, 2) for v in opened.floor_ms],
            "store_messages_median_ms": round(opened.floor_median_ms, 2),
            "ratio": _nan_to_none(_ratio(opened.open_median_ms, opened.floor_median_ms)),
            "threshold_ms": OPEN_THRESHOLD_MS,
            "verdict": _verdict(opened.open_median_ms, OPEN_THRESHOLD_MS),
        },
    }


def _num(value: float | None, fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


def results_table(r: dict[str, Any]) -> str:
    env, start, stall, rss, opened = r["environment"], r["start"], r["stall"], r["rss"], r["open"]
    rows = [
        (
            f"Start to usable window (median of {len(start['app_s'])})",
            f"{start['app_median_s']:.3f} s",
            f"≤ {start['threshold_s']:.1f} s",
            start["verdict"],
            f"bare QMainWindow {start['bare_median_s']:.3f} s, ×{_num(start['ratio'], '.1f')}",
        ),
        (
            "GUI stall while streaming, p99",
            f"{_num(stall['p99_ms'], '.1f')} ms",
            f"≤ {stall['threshold_p99_ms']:.0f} ms",
            stall["verdict"],
            f"idle p99 {_num(stall['idle_p99_ms'], '.1f')} ms, ×{_num(stall['ratio'], '.1f')}",
        ),
        (
            "GUI RSS while streaming, max",
            f"{_num(rss['max_mb'], '.0f')} MB",
            f"≤ {rss['threshold_mb']:.0f} MB",
            rss["verdict"],
            "",
        ),
        (
            f"Open a {opened['messages']:,}-message chat (median of {len(opened['open_ms'])})",
            f"{opened['median_ms']:.0f} ms",
            f"≤ {opened['threshold_ms']:.0f} ms",
            opened["verdict"],
            f"Store.messages {opened['store_messages_median_ms']:.1f} ms,"
            f" ×{_num(opened['ratio'], '.0f')}",
        ),
    ]
    head = ("Figure", "Value", "Threshold", "", "Raw library (same run)")
    widths = [max(len(row[i]) for row in (head, *rows)) for i in range(4)]
    lines = [
        f"Lanterna GUI benchmark · Qt platform {env['platform'] or 'default'} · {env['cpus']} CPUs"
        f" · Python {env['python']} · PySide6 {env['pyside6']}",
        "",
    ]
    for row in (head, *rows):
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    lines += [
        "",
        f"Start runs: Lanterna {', '.join(f'{v:.3f}' for v in start['app_s'])} s;"
        f" bare {', '.join(f'{v:.3f}' for v in start['bare_s'])} s",
        f"Stalls (lateness of a {stall['interval_ms']} ms timer): p50"
        f" {_num(stall['p50_ms'], '.1f')} ms, p99 {_num(stall['p99_ms'], '.1f')} ms, max"
        f" {_num(stall['max_ms'], '.1f')} ms over {stall['samples']:,} samples"
        f" ({stall['streamed_s']:.1f} s, {stall['answers']} answers, {stall['tokens']:,} tokens);"
        f" idle p50 {_num(stall['idle_p50_ms'], '.1f')} ms, max {_num(stall['idle_max_ms'], '.1f')}"
        f" ms over {stall['idle_samples']:,} samples",
        f"Opening runs: {', '.join(f'{v:.0f}' for v in opened['open_ms'])} ms"
        f" ({opened['widgets_built']} message widgets built)",
        f"Engine speed while measured: {', '.join(f'{v:.1f}' for v in stall['tokens_per_s'])}"
        " tokens/s",
    ]
    return "\n".join(lines)


# ================================================================ command line


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="lanterna --bench",
        description="Measure start-up, GUI stalls while streaming, memory, and opening a long "
        "chat, against thresholds and the raw library.",
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    ap.add_argument("--model", type=Path, help="the model to stream with (default: the demo model)")
    ap.add_argument(
        "--messages",
        type=int,
        default=LONG_CONVERSATION_MESSAGES,
        help=f"messages in the long conversation (default {LONG_CONVERSATION_MESSAGES})",
    )
    ap.add_argument(
        "--max-tokens",
        type=int,
        default=MAX_TOKENS,
        help=f"the longest answer, in tokens (default {MAX_TOKENS})",
    )
    ap.add_argument("--child-start", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(list(sys.argv[1:] if argv is None else argv))

    if args.child_start:
        return _child_start(bare=args.bare, model=args.model)

    def progress(text: str) -> None:
        print(f"bench: {text}…", file=sys.stderr, flush=True)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        model = args.model if args.model is not None else _demo_model()
        if not model.exists():
            raise BenchError(f"no model at {model}")
        progress("timing start-up (child processes)")
        start = measure_start(model)
        app = make_app(default_settings())
        stream, opened = measure_window(
            app, model, messages=args.messages, max_tokens=args.max_tokens, progress=progress
        )
    except BenchError as exc:
        print(f"bench: failed: {exc}", file=sys.stderr)
        return 1
    results = results_json(start, stream, opened)
    if args.json:
        print(json.dumps(results))
    else:
        print(results_table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
