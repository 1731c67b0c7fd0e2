"""``lanterna``: the desktop app (and, with ``--worker``, the engine worker of a frozen build)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.launcher import maybe_run_worker


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv if argv is None else ["lanterna", *argv]
    # A frozen build starts its worker by running this same executable with --worker.
    maybe_run_worker(args_in)
    ap = argparse.ArgumentParser(prog="lanterna", description="Lanterna: local reasoning models.")
    ap.add_argument("--model", type=Path, help="a .gguf file to load (default: the demo model)")
    args, qt_args = ap.parse_known_args(args_in[1:])

    from PySide6.QtWidgets import QApplication

    from desktop.main_window import MainWindow

    app = QApplication([args_in[0], *qt_args])
    app.setApplicationName("Lanterna")
    app.setOrganizationName("Lanterna")
    window = MainWindow(model=args.model)
    window.show()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
