"""The app's identity on the desktop: one id for the ``.desktop`` file, the AppStream metainfo,
the icon name and the Wayland app id (``packaging/linux/`` uses the same name in its files)."""

from __future__ import annotations

APP_ID = "app.lanterna.Lanterna"
# The window icon, under ``resources/``.
ICON_PATH = ("icons", "lanterna.svg")
