"""What the answer's status line says while a long prompt is read.

The first question about a long document waits on the whole document being read (and, for a
document searched by passages, on its passages being embedded): seconds on a GPU, minutes on a
CPU. The worker reports each batch (:class:`engine.protocol.PromptProgress`); this turns those
reports into "Reading the prompt… 45% · about 2 min left", the time left estimated from the
batches seen so far in this stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QLocale

# The time left is shown once it can be estimated (two reports) and is worth saying.
MIN_LEFT_S = 10.0


@dataclass
class PromptProgressClock:
    """The first report of the current stage, to estimate the rate from."""

    stage: str = ""
    done: int = 0
    at: float = 0.0

    def text(self, stage: str, done: int, total: int, now: float, *, ahead: bool = False) -> str:
        """``ahead``: the attached documents are read before the question is sent
        (:mod:`desktop.read_ahead`)."""
        if stage != self.stage:
            self.stage, self.done, self.at = stage, done, now
        percent = 100 * done // max(1, total)
        # QCoreApplication.translate with literal texts: lupdate finds only those.
        if stage == "passages":
            what = QCoreApplication.translate("PromptProgress", "Embedding the passages…")
        elif ahead:
            what = QCoreApplication.translate("PromptProgress", "Reading the attached documents…")
        else:
            what = QCoreApplication.translate("PromptProgress", "Reading the prompt…")
        line = QCoreApplication.translate("PromptProgress", "%1 %2%")
        line = line.replace("%1", what).replace("%2", QLocale().toString(percent))
        if done > self.done and now > self.at:
            left = (now - self.at) / (done - self.done) * (total - done)
            if left >= MIN_LEFT_S:
                line = f"{line} · {time_left(left)}"
        return line


def time_left(seconds: float) -> str:
    if seconds < 90:
        text = QCoreApplication.translate("PromptProgress", "about %1 s left")
        return text.replace("%1", QLocale().toString(round(seconds)))
    text = QCoreApplication.translate("PromptProgress", "about %1 min left")
    return text.replace("%1", QLocale().toString(round(seconds / 60)))
