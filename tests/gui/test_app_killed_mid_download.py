"""The whole app killed (SIGKILL) in the middle of a download, then started again."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.gui.conftest import WindowFactory
from tests.support.fake_hub import HubFile, HubRepo, serve_fake_hub

ROOT = Path(__file__).resolve().parents[2]

# The app as a user runs it (window, worker, download manager), driven only as far as the
# Models window's Download action; it then runs until it is killed.
_APP_DOWNLOADING = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from desktop.app import build_app
from desktop.main_window import MainWindow
from engine.settings import load_settings

repo, filename, model = sys.argv[1], sys.argv[2], Path(sys.argv[3])
settings = load_settings()
app = build_app(["lanterna"], settings)
window = MainWindow(model=model, settings=settings)
window.show()

def download() -> None:
    window.open_models(tab=1)
    window.models_dialog.start_download(repo, filename)

QTimer.singleShot(0, download)
app.exec()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killing_the_app_mid_download_then_starting_it_resumes_from_the_bytes_on_disk(
    qtbot: QtBot,
    home: Path,
    open_window: WindowFactory,
    demo_model: Path,
    scripted_answer_gptoss: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = scripted_answer_gptoss.read_bytes()
    name = "killed-Q8_0.gguf"
    repo = HubRepo("lanterna-test/killed-GGUF", [HubFile(name, data)])
    dest = home / "data" / "models"
    stall = 4_000_000
    with serve_fake_hub(monkeypatch, [repo]) as hub:
        hub.faults.stall_after = stall
        app = subprocess.Popen(
            [sys.executable, "-c", _APP_DOWNLOADING, repo.repo_id, name, str(demo_model)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            assert hub.stalled.wait(120), "the app never got as far as downloading"
            partial = dest / ".partial" / f"{name}.part"
            # The writer flushes in steps; wait until what was received is on disk.
            qtbot.waitUntil(
                lambda: partial.exists() and partial.stat().st_size == stall, timeout=30_000
            )
        finally:
            app.kill()
            _, err = app.communicate(timeout=60)
        assert app.returncode == -signal.SIGKILL, err.decode(errors="replace")
        hub.release()
        assert not (dest / name).exists()

        # The next start: the window finds the interrupted download and resumes it by itself.
        window = open_window()
        qtbot.waitUntil(
            lambda: window.downloads is not None
            and any(i.state == "done" for i in window.downloads.items.values()),
            timeout=120_000,
        )
        gets = [s for s in hub.served if s.server == "cdn" and s.method == "GET"]
        resumed = gets[-1]
        assert resumed.range == f"bytes={stall}-" and resumed.status == 206
        assert resumed.body_bytes == len(data) - stall  # no completed byte came twice
        digest = hashlib.sha256((dest / name).read_bytes()).hexdigest()
        assert digest == hashlib.sha256(data).hexdigest()
        assert not (dest / ".partial").exists()
