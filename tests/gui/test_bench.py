"""The benchmark's pieces on small sizes: what they compute and show, never how fast."""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop import bench, bench_data
from desktop.chat_view import PAGE
from desktop.main_window import MainWindow
from engine import protocol as p
from engine.settings import Settings
from engine.store import Store


def test_percentile_interpolates_between_ranks() -> None:
    values = [float(v) for v in range(101)]  # 0..100: the q-th percentile is q
    assert bench_data.percentile(values, 50) == 50.0
    assert bench_data.percentile(values, 99) == 99.0
    assert bench_data.percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert bench_data.percentile([1.0, 2.0, 3.0, 4.0], 0) == 1.0
    assert bench_data.percentile([1.0, 2.0, 3.0, 4.0], 100) == 4.0
    assert bench_data.percentile([7.0], 99) == 7.0
    assert math.isnan(bench_data.percentile([], 50))


def test_heartbeat_log_counts_lateness_only_while_armed() -> None:
    log = bench_data.HeartbeatLog(interval_s=0.004)
    log.tick(0.000)  # not armed: only remembered as the previous tick
    log.arm()
    log.tick(0.004)  # on time
    log.tick(0.007)  # early (timer jitter): no stall
    log.tick(0.020)  # 13 ms after the one before: 9 ms late
    log.finish()
    log.tick(0.0305)  # the tick after finish() still counts: 6.5 ms late
    log.tick(0.5)  # disarmed now
    assert log.stalls_ms == pytest.approx([0.0, 0.0, 9.0, 6.5])
    assert log.armed_s == pytest.approx(0.0305)
    assert not log.armed

    summary = bench_data.stall_summary(log.stalls_ms)
    assert summary["samples"] == 4
    assert summary["max_ms"] == pytest.approx(9.0)
    assert summary["p50_ms"] == pytest.approx(3.25)


def test_heartbeat_log_many_synthetic_gaps() -> None:
    # 1,000 ticks, every tenth one 20 ms late: p50 no stall, p99 and max the 20 ms.
    log = bench_data.HeartbeatLog(interval_s=0.004)
    log.arm()
    now = 0.0
    log.tick(now)
    for i in range(1000):
        now += 0.004 + (0.020 if i % 10 == 9 else 0.0)
        log.tick(now)
    summary = bench_data.stall_summary(log.stalls_ms)
    assert summary["samples"] == 1000
    assert summary["p50_ms"] == pytest.approx(0.0, abs=1e-6)
    assert summary["p99_ms"] == pytest.approx(20.0)
    assert summary["max_ms"] == pytest.approx(20.0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_rss_is_read_from_proc() -> None:
    rss = bench_data.rss_bytes()
    assert rss is not None and rss > 10_000_000  # an interpreter with Qt loaded


def test_long_conversation_is_one_branch_of_markdown(tmp_path: Path) -> None:
    with Store(tmp_path / "bench.sqlite3") as store:
        cid = bench_data.build_long_conversation(store, 200)
        messages = store.messages(cid)
        again = bench_data.build_long_conversation(store, 200)
        assert [m.content for m in store.messages(again)] == [m.content for m in messages]
    assert len(messages) == 200
    assert [m.role for m in messages] == ["user", "assistant"] * 100
    assert messages[0].parent_id is None
    assert all(m.parent_id == prev.id for prev, m in itertools.pairwise(messages))
    answers = [m for m in messages if m.role == "assistant"]
    assert all(
        m.meta == {"model": "bench", "tokens_per_s": 30.0, "ttft_ms": 120.0} for m in answers
    )
    assert all(100 <= len(m.content) <= 1500 for m in answers)
    assert any("```python\n" in m.content for m in answers)
    assert any("\n- " in m.content or "\n1. " in m.content for m in answers)
    assert any("```" not in m.content and "\n1. " not in m.content for m in answers)


def test_child_start_prints_a_timestamp() -> None:
    before = time.monotonic()
    out = subprocess.run(
        bench.child_command(bare=True, model=None),
        env=bench.child_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    after = time.monotonic()
    stamps = [line for line in out.splitlines() if line.startswith(bench.READY_PREFIX)]
    assert len(stamps) == 1
    assert before < float(stamps[0][len(bench.READY_PREFIX) :]) < after


def test_importing_the_app_and_the_benchmark_loads_no_qt() -> None:
    # A frozen build's worker re-enters through desktop.app: Qt must wait until it is needed.
    code = "import sys, desktop.app, desktop.bench; sys.exit('PySide6' in sys.modules)"
    subprocess.run([sys.executable, "-c", code], timeout=60, check=True)


def test_time_start_of_the_real_window(demo_model: Path) -> None:
    # The child builds the real window, prints once it is shown, and closes it (and its worker).
    seconds = bench.time_start(bare=False, model=demo_model)
    assert 0 < seconds < bench.CHILD_TIMEOUT_S


@pytest.fixture
def bench_window(qtbot: QtBot, demo_model: Path, tmp_path: Path) -> tuple[MainWindow, Path]:
    path = tmp_path / "bench.sqlite3"
    with Store(path) as store:
        bench_data.build_long_conversation(store, 200)
        bench_data.build_short_conversation(store)
    win = MainWindow(model=demo_model, store_path=path, settings=Settings())
    qtbot.addWidget(win)
    win.show()
    return win, path


def test_opening_the_long_conversation_builds_only_the_last_page(
    bench_window: tuple[MainWindow, Path],
) -> None:
    win, path = bench_window
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    session = bench.Session(app, win)
    with Store(path) as store:
        long_id, short_id = (c.id for c in sorted(store.conversations(), key=lambda c: c.id))
        last_page = [m.id for m in store.messages(long_id)][-PAGE:]
    figures = bench.measure_open(session, path, long_id, short_id, runs=2)
    assert figures.messages == 200
    assert figures.widgets_built == PAGE
    assert [w.view.id for w in win.chat.message_widgets()] == last_page
    assert len(figures.open_ms) == 2 and all(t > 0 for t in figures.open_ms)
    assert len(figures.floor_ms) == 2


def test_streaming_is_measured_from_text_to_done(bench_window: tuple[MainWindow, Path]) -> None:
    win, _path = bench_window
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    session = bench.Session(app, win)
    session.wait(win.bridge.event, lambda ev: isinstance(ev, p.Loaded), 120, "loaded model")
    session.settle()
    figures = bench.measure_streaming(session, bench.PROMPTS[:1], max_tokens=16)
    assert 0 < figures.tokens <= 16
    assert figures.answers == 1
    assert figures.stalls_ms and figures.idle_stalls_ms
    assert figures.streamed_s > 0
    if sys.platform.startswith("linux"):
        assert figures.rss_max_bytes is not None and figures.rss_max_bytes > 0

    start = bench.StartFigures([0.5, 0.4, 0.6], [0.1, 0.2, 0.1])
    opened = bench.OpenFigures([350.0, 250.0, 400.0], [10.0, 12.0, 11.0], 200, PAGE)
    results = bench.results_json(start, figures, opened)
    json.dumps(results)  # one JSON object, nothing that does not serialise
    assert results["start"]["app_median_s"] == 0.5
    assert results["start"]["ratio"] == pytest.approx(5.0)
    assert results["start"]["verdict"] == "PASS"
    assert results["open"]["median_ms"] == 350.0
    assert results["open"]["verdict"] == "OVER"
    assert results["stall"]["tokens"] == figures.tokens
    table = bench.results_table(results)
    assert "OVER" in table and "≤ 300 ms" in table and "bare QMainWindow" in table


def test_a_missing_model_fails_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--model", "/nonexistent/model.gguf"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["bench: failed: no model at /nonexistent/model.gguf"]
