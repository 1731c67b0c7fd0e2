"""Render Lanterna's icon into a freedesktop ``hicolor`` icon theme tree.

    QT_QPA_PLATFORM=offscreen python packaging/linux/render_icons.py OUTDIR

writes ``OUTDIR/hicolor/<N>x<N>/apps/app.lanterna.Lanterna.png`` for every size in
:data:`SIZES` and copies the SVG to ``OUTDIR/hicolor/scalable/apps/app.lanterna.Lanterna.svg``.
Installers copy ``OUTDIR/hicolor`` to ``/usr/share/icons/hicolor`` (``.deb``) or into the AppDir.

Rendering uses QtSvg from PySide6-Essentials, so it needs no tool besides the app's own
dependencies. Without a display, Qt's ``offscreen`` platform is used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

APP_ID = "app.lanterna.Lanterna"
SIZES: tuple[int, ...] = (16, 22, 24, 32, 48, 64, 128, 256, 512)

_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = _ROOT / "resources" / "icons" / "lanterna.svg"
# A simplified drawing for the smallest sizes, used only where it exists.
SMALL_SOURCE = _ROOT / "resources" / "icons" / "lanterna-16.svg"
SMALL_MAX = 16


def render_png(svg: Path, size: int, out: Path) -> None:
    """Draw ``svg`` into a transparent ``size``×``size`` PNG at ``out``."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not an SVG that QtSvg can draw")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        renderer.render(painter, QRectF(0, 0, size, size))
    finally:
        painter.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out)):  # PNG, from the suffix
        raise OSError(f"could not write {out}")


def render_all(
    outdir: Path,
    source: Path = DEFAULT_SOURCE,
    small_source: Path | None = SMALL_SOURCE,
    sizes: tuple[int, ...] = SIZES,
) -> list[Path]:
    """Write the whole hicolor tree under ``outdir``; returns the files written."""
    from PySide6.QtGui import QGuiApplication

    # QPainter on a QImage needs a QGuiApplication for its font and colour machinery.
    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0] or "render_icons"])
    hicolor = outdir / "hicolor"
    written: list[Path] = []
    for size in sizes:
        svg = source
        if small_source is not None and small_source.is_file() and size <= SMALL_MAX:
            svg = small_source
        png = hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        render_png(svg, size, png)
        written.append(png)
    scalable = hicolor / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, scalable)
    written.append(scalable)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="render_icons.py",
        description="Render Lanterna's SVG icon to hicolor PNGs (16-512 px) plus the scalable SVG.",
    )
    ap.add_argument("outdir", type=Path, help="folder that receives hicolor/")
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the SVG to render")
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    source: Path = args.source
    if not source.is_file():
        print(f"render_icons: no such file: {source}", file=sys.stderr)
        return 1
    # A different source given on the command line is rendered at every size on its own.
    small = SMALL_SOURCE if source.resolve() == DEFAULT_SOURCE.resolve() else None
    for path in render_all(args.outdir, source, small):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
