"""What the Models window says about sizes, memory, catalog entries and downloads, in the user's
language.

One unit throughout: decimal gigabytes (1 GB = 10⁹ bytes), as Hugging Face lists its files and
as disks are sold, for download sizes and for the memory a model needs alike, so the two can be
compared at a glance. Numbers follow the locale (``1,2 GB`` in Portuguese and Spanish).

The texts use ``QCoreApplication.translate`` with the context ``ModelsDialog`` and literal
strings, so that lupdate files them with the window's own strings.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

from desktop.downloads import DownloadItem
from engine.models.catalog import CatalogEntry
from engine.models.fit import FITS, TIGHT, WONT_FIT, FitEstimate


def format_size(n: float) -> str:
    """``253,1 MB``, ``12,1 GB``: SI units, one decimal, the locale's decimal separator."""
    return QLocale().formattedDataSize(max(0, int(n)), 1, QLocale.DataSizeFormat.DataSizeSIFormat)


def format_count(n: int) -> str:
    """A whole number with the locale's digit grouping (``131.072`` in Portuguese)."""
    return QLocale().toString(n)


def verdict_text(verdict: str) -> str:
    words = {
        FITS: QCoreApplication.translate("ModelsDialog", "fits"),
        TIGHT: QCoreApplication.translate("ModelsDialog", "tight"),
        WONT_FIT: QCoreApplication.translate("ModelsDialog", "won't fit"),
    }
    return words.get(verdict, verdict)


def fit_text(fit: FitEstimate | None) -> tuple[str, str]:
    """The "Fits?" cell (``fits · 13,2 GB``) and its tooltip, which says what the total is
    made of and what the verdict means."""
    if fit is None:
        return "?", QCoreApplication.translate("ModelsDialog", "No memory estimate for this model")
    meaning = {
        FITS: QCoreApplication.translate(
            "ModelsDialog", "Needs about %1 of the %2 of memory available now."
        ),
        TIGHT: QCoreApplication.translate(
            "ModelsDialog",
            "Needs about %1 of the %2 of memory available now: it runs, but other programs "
            "may slow down; closing some makes room.",
        ),
        WONT_FIT: QCoreApplication.translate(
            "ModelsDialog",
            "Needs about %1, more than this computer can spare (%2 of memory available now).",
        ),
    }.get(fit.verdict, "%1 / %2")
    if fit.verdict == TIGHT and fit.total_bytes > fit.available_bytes:
        # Tight because other programs hold the memory now, not because the machine is small.
        meaning = QCoreApplication.translate(
            "ModelsDialog",
            "Needs about %1 but only %2 of memory is free now: closing other programs would "
            "make room.",
        )
    total = format_size(fit.total_bytes)
    parts = (
        QCoreApplication.translate(
            "ModelsDialog", "Model %1 + context cache %2 (%3 tokens) + runtime %4"
        )
        .replace("%1", format_size(fit.weights_bytes))
        .replace("%2", format_size(fit.kv_bytes))
        .replace("%3", format_count(fit.n_ctx))
        .replace("%4", format_size(fit.overhead_bytes))
    )
    tip = meaning.replace("%1", total).replace("%2", format_size(fit.available_bytes))
    return f"{verdict_text(fit.verdict)} · {total}", f"{tip}\n{parts}"


def catalog_title(entry: CatalogEntry) -> str:
    """The entry's name (a proper name, the same in every language) and what it is for."""
    if entry.recommended:
        return entry.title + QCoreApplication.translate("ModelsDialog", " (recommended)")
    if entry.bundled:
        return entry.title + QCoreApplication.translate("ModelsDialog", " (demo)")
    if entry.embedding:
        return entry.title + QCoreApplication.translate("ModelsDialog", " (document search)")
    return entry.title


def catalog_tooltip(entry: CatalogEntry) -> str:
    """What a user wants to know before downloading, made from the entry's facts.

    The catalog's ``note`` is not shown: it records for maintainers how the entry's size and
    checksum were verified, in English, and says nothing a user needs.
    """
    lines: list[str] = []
    if entry.bundled:
        lines.append(
            QCoreApplication.translate(
                "ModelsDialog",
                "Comes with Lanterna: nothing to download.\nA small base model for trying the "
                "app: quick, but its answers are weak.",
            )
        )
    elif entry.embedding:
        lines.append(
            QCoreApplication.translate(
                "ModelsDialog",
                "For document search, not for chatting: after downloading, choose it in Settings.",
            )
        )
    elif entry.supports_effort:
        lines.append(
            QCoreApplication.translate(
                "ModelsDialog",
                "Reasons before it answers; you choose how hard it thinks (low, medium, high).",
            )
        )
    elif entry.thinking_switch:
        lines.append(
            QCoreApplication.translate(
                "ModelsDialog", "Can reason before it answers, or answer at once."
            )
        )
    lines.append(
        QCoreApplication.translate("ModelsDialog", "Quantisation %1 · context up to %2 tokens")
        .replace("%1", entry.quantization)
        .replace("%2", format_count(entry.context_length))
    )
    if entry.backend == "mlx":
        lines.append(
            QCoreApplication.translate(
                "ModelsDialog", "MLX build for Apple silicon: the whole model folder is downloaded."
            )
        )
    if entry.size_approximate:
        lines.append(
            QCoreApplication.translate("ModelsDialog", "The download size is approximate.")
        )
    lines.append(
        QCoreApplication.translate("ModelsDialog", "From %1 on Hugging Face").replace(
            "%1", entry.repository
        )
    )
    return "\n".join(lines)


def download_failure(kind: str, message: str) -> tuple[str, str]:
    """What failed and what to do about it, from the engine's stable error ``kind``
    (:data:`engine.models.download.ErrorKind`); the engine's own English ``message`` goes in
    the tooltip. A kind this window does not know shows the message itself."""
    texts = {
        "unauthorized": (
            QCoreApplication.translate("ModelsDialog", "Hugging Face refused access"),
            QCoreApplication.translate(
                "ModelsDialog", "Save a token under Get models, then Resume"
            ),
        ),
        "gated": (
            QCoreApplication.translate("ModelsDialog", "gated model, licence not accepted"),
            QCoreApplication.translate(
                "ModelsDialog",
                "Accept its licence on Hugging Face and save a token, then Resume",
            ),
        ),
        "not_found": (
            QCoreApplication.translate("ModelsDialog", "not found on Hugging Face"),
            QCoreApplication.translate("ModelsDialog", "Check the repository and file name"),
        ),
        "disk_full": (
            QCoreApplication.translate("ModelsDialog", "not enough disk space"),
            QCoreApplication.translate("ModelsDialog", "Free some disk space, then Resume"),
        ),
        "network": (
            QCoreApplication.translate("ModelsDialog", "connection lost"),
            QCoreApplication.translate("ModelsDialog", "Resume continues where it stopped"),
        ),
        "corrupt": (
            QCoreApplication.translate("ModelsDialog", "damaged file (checksum mismatch)"),
            QCoreApplication.translate("ModelsDialog", "Resume downloads it again"),
        ),
        "offline": (
            QCoreApplication.translate("ModelsDialog", "offline mode is on"),
            QCoreApplication.translate("ModelsDialog", "Unset HF_HUB_OFFLINE to download"),
        ),
        "server": (
            QCoreApplication.translate("ModelsDialog", "Hugging Face had a problem"),
            QCoreApplication.translate("ModelsDialog", "Try again later with Resume"),
        ),
        "busy": (
            QCoreApplication.translate(
                "ModelsDialog", "already being downloaded by another Lanterna"
            ),
            QCoreApplication.translate("ModelsDialog", "Wait until it finishes there"),
        ),
        "invalid": (
            QCoreApplication.translate("ModelsDialog", "not a valid repository or file name"),
            "",
        ),
        "io": (
            QCoreApplication.translate("ModelsDialog", "cannot write to the models folder"),
            QCoreApplication.translate("ModelsDialog", "Check the models folder in Settings"),
        ),
    }
    return texts.get(kind, (message, ""))


def download_progress_text(item: DownloadItem) -> str:
    """What a download's progress bar says: how much has arrived, or, for a failed download,
    what failed (the engine's detail goes in the tooltip)."""
    if item.state == "failed":
        reason, _todo = download_failure(item.error_kind, item.error)
        return QCoreApplication.translate("ModelsDialog", "Failed: %1").replace("%1", reason)
    if item.total:
        return f"{format_size(item.done)} / {format_size(item.total)}"
    # Nothing known yet: the size arrives with the first answer from the Hub.
    return format_size(item.done) if item.done else download_state_text(item)


def download_state_text(item: DownloadItem) -> str:
    """The download's state; for a failed one, what to do about it (the bar says what failed)."""
    if item.state == "failed":
        _reason, todo = download_failure(item.error_kind, item.error)
        return todo or QCoreApplication.translate("ModelsDialog", "Failed")
    names = {
        "queued": QCoreApplication.translate("ModelsDialog", "Starting"),
        "checking": QCoreApplication.translate("ModelsDialog", "Checking what is on disk"),
        "downloading": QCoreApplication.translate("ModelsDialog", "Downloading"),
        "paused": QCoreApplication.translate("ModelsDialog", "Paused"),
        "done": QCoreApplication.translate("ModelsDialog", "Done · verified"),
        "cancelled": QCoreApplication.translate("ModelsDialog", "Cancelled"),
    }
    return names.get(item.state, item.state)


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
