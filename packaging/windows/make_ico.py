"""Make the Windows icon, ``lanterna.ico``, from the app's SVG (or from ready PNG files).

    python packaging/windows/make_ico.py resources/icons/lanterna.svg -o lanterna.ico
    python packaging/windows/make_ico.py icon-16.png icon-32.png icon-256.png -o app.ico

An .ico file is a small directory followed by the images: a 6-byte ICONDIR (reserved 0,
type 1 = icon, image count), one 16-byte ICONDIRENTRY per image (width, height, colour count,
reserved, planes, bits per pixel, byte size, offset), then each image. Every image here is
stored as a complete PNG file, which Windows reads since Vista; that keeps the 256-pixel image
small and the alpha channel exact. 0 in the width or height byte means 256.

Rendering the SVG uses PySide6 (QtSvg); packing PNG files needs only the standard library.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

# The sizes Windows asks for: 16/24/32/48 for lists, the taskbar and the Start menu at 100-200 %
# scaling, 64/128 for large icon views, 256 for "extra large icons" and high-DPI Explorer.
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ICONDIR = struct.Struct("<HHH")  # reserved, type, count
ICONDIRENTRY = struct.Struct("<BBBBHHII")  # w, h, colours, reserved, planes, bpp, size, offset
ICON_TYPE = 1
MAX_SIDE = 256  # the largest side an ICONDIRENTRY can describe


def png_dimensions(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG image, read from its IHDR chunk."""
    # The signature, then the first chunk, which must be IHDR: length, type, width, height.
    if len(png) < 24 or not png.startswith(PNG_SIGNATURE) or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def pack_ico(pngs: Iterable[bytes]) -> bytes:
    """An .ico file holding ``pngs`` (PNG files, each at most 256×256 and of a distinct size)."""
    images = list(pngs)
    if not images:
        raise ValueError("an icon needs at least one image")
    sizes = [png_dimensions(png) for png in images]
    for width, height in sizes:
        if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
            raise ValueError(f"{width}x{height}: icon images are 1 to {MAX_SIDE} pixels a side")
    if len(set(sizes)) != len(sizes):
        raise ValueError("two images have the same size; Windows would show only one of them")

    header = ICONDIR.pack(0, ICON_TYPE, len(images))
    offset = ICONDIR.size + ICONDIRENTRY.size * len(images)
    entries = []
    for (width, height), png in zip(sizes, images, strict=True):
        entries.append(
            ICONDIRENTRY.pack(
                width % MAX_SIDE,  # 256 is written as 0
                height % MAX_SIDE,
                0,  # no palette
                0,
                1,  # colour planes
                32,  # bits per pixel: RGBA
                len(png),
                offset,
            )
        )
        offset += len(png)
    return header + b"".join(entries) + b"".join(images)


def render_svg(svg: Path, sizes: Sequence[int] = ICON_SIZES) -> list[bytes]:
    """``svg`` rendered as one square PNG per size, on a transparent background."""
    # Imported here so that packing PNG files works without Qt.
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    # QPainter wants a GUI application for anything touching fonts; a caller that has one
    # (the tests' QApplication) keeps it.
    app = QGuiApplication.instance()
    if app is None:
        app = QGuiApplication([sys.argv[0] if sys.argv else "make_ico"])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"cannot read {svg} as SVG")
    pngs = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        # PySide6 takes the format as str here, whatever its type stubs say.
        if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
            raise RuntimeError(f"cannot encode the {size}px image as PNG")
        buffer.close()
        pngs.append(bytes(data.data()))
    return pngs


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Make a Windows .ico from an SVG or PNG files.")
    ap.add_argument("inputs", nargs="+", type=Path, help="one .svg file, or several .png files")
    ap.add_argument("-o", "--output", type=Path, required=True, help="the .ico file to write")
    ap.add_argument(
        "--sizes",
        default=",".join(str(s) for s in ICON_SIZES),
        help="with an SVG: the pixel sizes to render, comma-separated (default: %(default)s)",
    )
    args = ap.parse_args(argv)

    try:
        if len(args.inputs) == 1 and args.inputs[0].suffix.lower() == ".svg":
            sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
            # Headless Linux machines (CI) have no display; Windows and macOS always have a
            # native platform plugin, so only Linux falls back to the offscreen one.
            if sys.platform.startswith("linux"):
                os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            pngs = render_svg(args.inputs[0], sizes)
        else:
            pngs = [path.read_bytes() for path in args.inputs]
        ico = pack_ico(pngs)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"make_ico: {exc}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(ico)
    print(f"wrote {args.output} ({', '.join(f'{w}x{h}' for w, h in map(png_dimensions, pngs))})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
