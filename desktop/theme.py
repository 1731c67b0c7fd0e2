"""The app's look: Fusion with a warm light or dark palette, and the colours of the chat view.

Fusion draws the same on every OS, so one pair of palettes gives a predictable result; the
native styles ignore parts of a custom palette (Windows' dark mode, macOS' accent colour).
"system" asks the OS which scheme it uses and keeps listening, so switching the OS to dark
while Lanterna runs switches Lanterna too. Widgets that paint with their own colours (the chat
view's HTML) re-read :func:`chat_colors` on ``QEvent.PaletteChange``, which Qt sends to every
widget when the application palette changes.

Every text colour is at least WCAG AA (4.5:1) on the backgrounds it is drawn on; the test suite
checks the main pairs with :func:`contrast_ratio`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Qt, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QToolTip

THEMES = ("system", "light", "dark")

Role = QPalette.ColorRole
Group = QPalette.ColorGroup


@dataclass(frozen=True)
class ChatColors:
    """Colours of the chat view, as ``#rrggbb`` strings ready for style sheets and HTML."""

    dark: bool  # whether these are the dark theme's colours (code highlighting follows it)
    window: str  # the conversation's background
    panel: str  # side panels, the composer's surround
    user_bubble: str  # background of the user's messages
    assistant_bubble: str  # background of the model's answers
    text: str
    muted: str  # footers, token counts, timings
    border: str
    accent: str  # the lantern amber: primary button, selection
    on_accent: str  # text drawn on the accent
    code: str  # background of code blocks
    link: str
    error_bg: str
    error_border: str
    error_text: str  # what went wrong, on error_bg or a bubble
    info_bg: str
    info_border: str


_LIGHT_CHAT = ChatColors(
    dark=False,
    window="#f7f5f0",
    panel="#efebe4",
    user_bubble="#fbecd3",
    assistant_bubble="#ffffff",
    text="#1f1d1a",
    muted="#625c53",
    border="#d9d3c8",
    accent="#b45309",
    on_accent="#ffffff",
    code="#f1eee8",
    link="#1a5bb0",
    error_bg="#fdecea",
    error_border="#e0a39b",
    error_text="#a3261b",
    info_bg="#e9f1fb",
    info_border="#a8c4e6",
)

_DARK_CHAT = ChatColors(
    dark=True,
    window="#1c1b19",
    panel="#242220",
    user_bubble="#3a3020",
    assistant_bubble="#262422",
    text="#ece8e1",
    muted="#aaa397",
    border="#3d3a35",
    accent="#f0a830",
    on_accent="#1a1408",
    code="#2c2a27",
    link="#8ab8ff",
    error_bg="#3d201c",
    error_border="#8f4a41",
    error_text="#ffa396",
    info_bg="#1b2a3b",
    info_border="#3f6088",
)


def chat_colors(dark: bool) -> ChatColors:
    return _DARK_CHAT if dark else _LIGHT_CHAT


def _palette(dark: bool) -> QPalette:
    if dark:
        window, base, alt_base, button = "#232220", "#35322e", "#2c2a27", "#3a3733"
        text, disabled_text, placeholder = "#ece8e1", "#7a756e", "#aaa397"
        light, midlight, mid, shade, shadow = "#4a4640", "#3a3733", "#2a2825", "#141312", "#000000"
        highlight, on_highlight = "#f0a830", "#1a1408"
        link, link_visited = "#8ab8ff", "#c9a6ff"
        tip_base, tip_text = "#35322d", "#f3efe8"
        disabled_base, disabled_button, disabled_highlight = "#2a2826", "#2e2c29", "#4a4640"
    else:
        window, base, alt_base, button = "#f4f2ed", "#ffffff", "#f7f5f0", "#ebe8e2"
        text, disabled_text, placeholder = "#1f1d1a", "#a39d93", "#6e685f"
        light, midlight, mid, shade, shadow = "#ffffff", "#f7f5f1", "#c8c2b7", "#a29a8e", "#5c564d"
        highlight, on_highlight = "#b45309", "#ffffff"
        link, link_visited = "#1a5bb0", "#6b3fa0"
        tip_base, tip_text = "#fffbeb", "#1f1d1a"
        disabled_base, disabled_button, disabled_highlight = "#f4f2ed", "#eeebe6", "#d3cdc2"

    pal = QPalette()
    for role, colour in (
        (Role.Window, window),
        (Role.WindowText, text),
        (Role.Base, base),
        (Role.AlternateBase, alt_base),
        (Role.Text, text),
        (Role.Button, button),
        (Role.ButtonText, text),
        (Role.BrightText, "#ffffff"),
        (Role.Light, light),
        (Role.Midlight, midlight),
        (Role.Mid, mid),
        (Role.Dark, shade),
        (Role.Shadow, shadow),
        (Role.Highlight, highlight),
        (Role.HighlightedText, on_highlight),
        (Role.Accent, highlight),
        (Role.Link, link),
        (Role.LinkVisited, link_visited),
        (Role.ToolTipBase, tip_base),
        (Role.ToolTipText, tip_text),
        (Role.PlaceholderText, placeholder),
    ):
        pal.setColor(role, QColor(colour))
    # Disabled controls must read as disabled at a glance: dimmer text, flatter fields, and a
    # selection that no longer shouts in amber.
    for role in (Role.WindowText, Role.Text, Role.ButtonText, Role.PlaceholderText):
        pal.setColor(Group.Disabled, role, QColor(disabled_text))
    pal.setColor(Group.Disabled, Role.Base, QColor(disabled_base))
    pal.setColor(Group.Disabled, Role.Button, QColor(disabled_button))
    pal.setColor(Group.Disabled, Role.Highlight, QColor(disabled_highlight))
    pal.setColor(Group.Disabled, Role.HighlightedText, QColor(disabled_text))
    return pal


class _ThemeFollower(QObject):
    """Holds the chosen theme and re-applies it when the OS switches between light and dark."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("lanternaThemeFollower")
        self.theme = "system"
        app.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)

    @Slot(Qt.ColorScheme)
    def _on_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.theme == "system":
            _apply_palette(QApplication.instance(), scheme == Qt.ColorScheme.Dark)


def _apply_palette(app: QCoreApplication | None, dark: bool) -> None:
    if not isinstance(app, QApplication):
        return
    pal = _palette(dark)
    app.setPalette(pal)
    # Tooltips keep a palette of their own, taken from the platform theme: without this a dark
    # app gets the OS's light tooltips, or dark text on a dark tooltip.
    QToolTip.setPalette(pal)


def apply_theme(app: QApplication, theme: str) -> None:
    """Fusion with the light or dark palette; ``"system"`` follows the OS, now and later."""
    if theme not in THEMES:
        theme = "system"
    follower = app.findChild(_ThemeFollower)
    if follower is None:
        follower = _ThemeFollower(app)
    follower.theme = theme
    hints = app.styleHints()
    # Telling Qt the scheme also gives native window frames (title bars) the matching look.
    if theme == "dark":
        hints.setColorScheme(Qt.ColorScheme.Dark)
    elif theme == "light":
        hints.setColorScheme(Qt.ColorScheme.Light)
    else:
        hints.unsetColorScheme()
    style = app.style()
    if style is None or style.name().lower() != "fusion":
        app.setStyle("Fusion")
    dark = theme == "dark" or (theme == "system" and hints.colorScheme() == Qt.ColorScheme.Dark)
    _apply_palette(app, dark)


def is_dark() -> bool:
    """Whether the running app currently shows a dark palette."""
    if QGuiApplication.instance() is None:
        return False
    return QGuiApplication.palette().color(Role.Window).lightness() < 128


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: QColor | str) -> float:
    c = QColor(colour)
    return 0.2126 * _linear(c.redF()) + 0.7152 * _linear(c.greenF()) + 0.0722 * _linear(c.blueF())


def contrast_ratio(a: QColor | str, b: QColor | str) -> float:
    """WCAG 2 contrast ratio between two colours, from 1 (none) to 21 (black on white)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
