"""Opening a web link from an answer in the user's browser."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from engine.system_env import system_env


def open_link(url: str) -> None:
    """Hand ``url`` to the desktop's browser without blocking the GUI thread.

    A frozen Linux build starts ``xdg-open`` itself, with the user's environment: Qt would
    start it with the app's, whose library path points into the bundle (see
    :mod:`engine.system_env`).
    """
    if not (getattr(sys, "frozen", False) and sys.platform.startswith("linux")):
        QDesktopServices.openUrl(QUrl(url))
        return
    if not start_detached(["xdg-open", url]):
        QDesktopServices.openUrl(QUrl(url))


def start_detached(command: list[str]) -> bool:
    """Start a program with the user's environment and reap it when it ends (no zombie); False
    if it could not be started."""
    try:
        proc = subprocess.Popen(
            command,
            env=system_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        return False
    threading.Thread(target=proc.wait, name=Path(command[0]).name, daemon=True).start()
    return True
