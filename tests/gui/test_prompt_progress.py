"""The window while a long prompt is read: the answer's status line and the model bar show how
far the reading is, and both go back to normal once the answer starts."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.prompt_progress import PromptProgressClock
from engine import protocol as p
from tests.gui.conftest import WindowFactory, send_and_wait
from tests.integration.test_prompt_progress import long_question


def test_reading_a_long_prompt_shows_its_progress(
    qtbot: QtBot, open_window: WindowFactory
) -> None:
    window: MainWindow = open_window(max_tokens=4)
    seen: list[tuple[str, str, bool, int]] = []

    def after_the_window(ev: object) -> None:
        # Connected after the window's own slot, so this sees what that slot just showed.
        if isinstance(ev, p.PromptProgress | p.Started) and window._turn is not None:
            bar = window.model_bar
            seen.append((
                type(ev).__name__, window._turn.widget.footer.text(),
                bar.progress.isVisible(), bar.progress.value(),
            ))  # fmt: skip

    window.bridge.event.connect(after_the_window)
    send_and_wait(qtbot, window, long_question())

    reading = [s for s in seen if s[0] == "PromptProgress"]
    assert len(reading) >= 2, seen
    lines = [s[1].split(" · ")[0] for s in reading]  # without the time left, if any
    assert all(line.startswith("Reading the prompt… ") and line.endswith("%") for line in lines)
    percents = [int(line.removeprefix("Reading the prompt… ").removesuffix("%")) for line in lines]
    assert percents == sorted(percents) and 0 < percents[0] < 100
    assert all(visible and 0 < value < 100 for _, _, visible, value in reading)
    started = [s for s in seen if s[0] == "Started"]
    assert started and not started[0][2]  # the bar's progress is gone once the answer starts
    assert "Reading" not in window.model_bar.state.text()


def test_the_time_left_is_estimated_from_the_batches_of_the_stage_seen_so_far(
    qtbot: QtBot,
) -> None:
    clock = PromptProgressClock()
    # The first report gives no rate yet.
    assert clock.text("passages", 64, 640, now=100.0) == "Embedding the passages… 10%"
    # 64 passages in 4 s: 512 left take 32 s.
    assert clock.text("passages", 128, 640, now=104.0) == (
        "Embedding the passages… 20% · about 32 s left"
    )
    # A new stage starts its own estimate; a few seconds left are not worth saying.
    assert clock.text("prompt", 512, 20_480, now=110.0) == "Reading the prompt… 2%"
    assert clock.text("prompt", 1024, 20_480, now=140.0) == (
        "Reading the prompt… 5% · about 19 min left"
    )
    assert clock.text("prompt", 20_400, 20_480, now=1252.0) == "Reading the prompt… 99%"
