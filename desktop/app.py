"""``lanterna``: the desktop app (and, with ``--worker``, the engine worker of a frozen build)."""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from engine.launcher import maybe_run_worker

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from engine.settings import Settings


def build_app(argv: list[str], settings: Settings) -> QApplication:
    """The QApplication with the app's names, ``settings``' theme and translations."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from desktop.i18n import install_translations
    from desktop.identity import APP_ID, ICON_PATH
    from desktop.theme import apply_theme
    from engine.resources import resource

    app = QApplication(argv)
    app.setApplicationName("Lanterna")
    app.setOrganizationName("Lanterna")
    app.setApplicationDisplayName("Lanterna")
    # Matches the installed app.lanterna.Lanterna.desktop: the Wayland app id, and how
    # desktops find the icon and the launcher of the running windows.
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(resource(*ICON_PATH))))
    apply_theme(app, settings.theme)
    install_translations(app, settings.language)
    return app


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # a frozen build's document-reader child starts here
    args_in = sys.argv if argv is None else ["lanterna", *argv]
    # A frozen build starts its worker by running this same executable with --worker.
    maybe_run_worker(args_in)
    if "--bench" in args_in[1:]:
        # Handed over before anything else: the benchmark builds its own application and
        # windows, and takes its own options.
        from desktop.bench import main as bench_main

        return bench_main([a for a in args_in[1:] if a != "--bench"])
    ap = argparse.ArgumentParser(
        prog="lanterna",
        usage="lanterna [options] [MODEL]",
        description="Lanterna: local reasoning models. MODEL, a .gguf file or an MLX model "
        "folder, is opened as with --model (this is how file managers hand over a model "
        "opened with Lanterna).",
    )
    ap.add_argument("--model", type=Path, help="a .gguf file (or MLX folder) to load")
    ap.add_argument(
        "--smoke",
        action="store_true",
        help="open the window, load the model, ask one question, wait for the answer, exit 0 "
        "(non-zero with a one-line reason on failure)",
    )
    ap.add_argument("--screenshot", type=Path, help="with --smoke: save the window as this PNG")
    ap.add_argument(
        "--bench",
        action="store_true",
        help="measure start-up, GUI stalls while streaming, memory and opening a long chat, "
        "print the figures and exit (--bench --help for its options)",
    )
    from desktop.open_files import split_model_paths

    args, rest = ap.parse_known_args(args_in[1:])
    # What argparse did not take: a model handed over by a file manager, and Qt's own options.
    opened, qt_args = split_model_paths(rest)
    if args.screenshot is not None and not args.smoke:
        ap.error("--screenshot goes with --smoke")
    if args.model is None and opened:
        args.model = opened[0]

    from engine.settings import load_settings

    settings = load_settings()
    app = build_app([args_in[0], *qt_args], settings)

    if args.smoke:
        from desktop.smoke import run_smoke

        return run_smoke(app, args.model, args.screenshot)

    from desktop.main_window import MainWindow
    from desktop.open_files import FileOpenFilter

    window = MainWindow(model=args.model, settings=settings)
    opener = FileOpenFilter(window.open_model_path, app)
    app.installEventFilter(opener)
    window.show()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
