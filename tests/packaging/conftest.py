"""The frozen app, built once per test run and shared by the packaging tests that need it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
BUILD_TIMEOUT_S = 1500


def _app_folder(given: Path) -> Path:
    for candidate in (given, given / "lanterna"):
        if (candidate / f"lanterna{EXE_SUFFIX}").is_file():
            return candidate.resolve()
    raise AssertionError(f"LANTERNA_FROZEN_DIR={given} holds no lanterna executable")


@pytest.fixture(scope="session")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    given = os.environ.get("LANTERNA_FROZEN_DIR")
    if given:
        yield _app_folder(Path(given))
        return
    dist = tmp_path_factory.mktemp("frozen")
    started = time.monotonic()
    build = subprocess.run(
        ["bash", str(ROOT / "packaging" / "build-frozen.sh"), str(dist)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-5000:]
    print(f"\nfrozen build: {time.monotonic() - started:.0f} s\n{build.stdout.strip()}")
    yield _app_folder(dist)
    # Half a gigabyte per build: not worth keeping among pytest's retained temporary folders.
    shutil.rmtree(dist, ignore_errors=True)


def clean_env(home: Path) -> dict[str, str]:
    """The environment of a user's session: no trace of this checkout or its virtualenv."""
    venv_bin = str(ROOT / ".venv" / "bin")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "LANTERNA_", "VIRTUAL_ENV", "QT_", "PYTEST_"))
    }
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin
    )
    env.update(
        QT_QPA_PLATFORM="offscreen",
        LANTERNA_HOME=str(home),
        HF_HUB_OFFLINE="1",
    )
    return env


