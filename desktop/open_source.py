"""Opening a cited document, at its page where the platform allows.

On Linux a PDF opens at the cited page in the first of Evince, Okular or zathura found on the
PATH; anything else, and every file on macOS and Windows, opens in the desktop's default
application (which has no portable way to be told a page). Programs are started with the
user's environment (:mod:`engine.system_env`), never the frozen app's library path, and
nothing waits for them: the check that the file is there, the search of the PATH and the
start all happen on a short-lived thread.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QUrl

from desktop.gui_queue import GuiQueue
from desktop.links import open_link, start_detached

# Each viewer's option for a 1-based page number. Evince's --page-index is the physical page
# (its --page-label would follow the labels a PDF may print, "iv" or "A-3", which the index
# does not know).
PAGE_VIEWERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("evince", ("--page-index={page}",)),
    ("okular", ("--page", "{page}")),
    ("zathura", ("--page={page}",)),
)


def viewer_command(
    path: str,
    page: int | None,
    *,
    platform: str = sys.platform,
    which: Callable[[str], str | None] = shutil.which,
) -> list[str] | None:
    """A command that opens ``path`` at ``page``; None when the default application must do."""
    if page is None or page < 1 or not platform.startswith("linux"):
        return None
    if not path.lower().endswith(".pdf"):
        return None
    for name, args in PAGE_VIEWERS:
        exe = which(name)
        if exe:
            return [exe, *(a.format(page=page) for a in args), path]
    return None


def open_document(path: str, page: int | None, on_missing: Callable[[], None]) -> None:
    """Open ``path`` (at ``page`` if it can be done) without blocking; ``on_missing`` runs on
    the GUI thread if the file is not there."""
    opener = _Opener.instance()

    def work() -> None:
        if not os.path.isfile(path):
            opener.gui.post(on_missing)
            return
        command = viewer_command(path, page)
        if command is not None and start_detached(command):
            return
        opener.gui.post(lambda: open_with_desktop(path))

    threading.Thread(target=work, name="open-document", daemon=True).start()


def open_with_desktop(path: str) -> None:
    # open_link starts xdg-open with the user's environment in a frozen Linux build.
    open_link(QUrl.fromLocalFile(path).toString())


class _Opener(QObject):
    """Carries results back to the GUI thread; one per application, living as long as it."""

    def __init__(self, parent: QObject | None) -> None:
        super().__init__(parent)
        self.gui = GuiQueue(self)

    @classmethod
    def instance(cls) -> _Opener:
        app = QCoreApplication.instance()
        found = app.findChild(_Opener) if app is not None else None
        return found if found is not None else cls(app)
