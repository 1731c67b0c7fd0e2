"""``lanterna --smoke`` as an installer or a user runs it: a separate process, offscreen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage


def _lanterna(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LANTERNA_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "desktop.app", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_smoke_answers_and_saves_a_screenshot(
    demo_model: Path, lanterna_home: Path, tmp_path: Path
) -> None:
    shot = tmp_path / "smoke.png"
    run = _lanterna("--smoke", "--screenshot", str(shot), home=lanterna_home)
    assert run.returncode == 0, run.stderr
    assert "smoke: ok" in run.stderr
    image = QImage(str(shot))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 500


def test_smoke_fails_in_one_line_on_a_broken_model(lanterna_home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + os.urandom(4096))
    run = _lanterna("--smoke", "--model", str(bad), home=lanterna_home)
    assert run.returncode == 1
    failures = [line for line in run.stderr.splitlines() if line.startswith("smoke: failed:")]
    assert len(failures) == 1 and "load" in failures[0], run.stderr
    missing = _lanterna("--smoke", "--model", str(tmp_path / "nope.gguf"), home=lanterna_home)
    assert missing.returncode == 1 and "does not exist" in missing.stderr


def test_a_model_given_as_a_bare_argument_is_the_one_loaded(
    lanterna_home: Path, tmp_path: Path
) -> None:
    # How a file manager hands over a .gguf opened with Lanterna (Exec=lanterna %F).
    bad = tmp_path / "opened from the file manager.gguf"
    bad.write_bytes(b"GGUF" + os.urandom(4096))
    run = _lanterna("--smoke", str(bad), "-platform", "offscreen", home=lanterna_home)
    assert run.returncode == 1  # the broken model was the one tried, not the demo model
    failures = [line for line in run.stderr.splitlines() if line.startswith("smoke: failed:")]
    assert len(failures) == 1 and "load" in failures[0], run.stderr
