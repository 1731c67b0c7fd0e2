"""Themes (palettes, chat colours, following the OS) and translations (.ts → .qm → QTranslator)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QObject, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QToolTip
from pytestqt.qtbot import QtBot

import desktop.i18n as i18n
from desktop.attachment_chip import AttachmentChip
from desktop.i18n import (
    TranslationToolMissing,
    compile_translations,
    install_translations,
    resolve_language,
    ts_files,
)
from desktop.settings_dialog import SettingsDialog
from desktop.theme import ChatColors, apply_theme, chat_colors, contrast_ratio, is_dark
from engine.settings import Settings

Role = QPalette.ColorRole
Group = QPalette.ColorGroup
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def themed_app(qapp: QApplication) -> Iterator[QApplication]:
    """The test application, with its style and palette put back afterwards."""
    style = qapp.style()
    style_name = style.name() if style is not None else "fusion"
    palette = QPalette(qapp.palette())
    yield qapp
    follower = qapp.findChild(QObject, "lanternaThemeFollower")
    if follower is not None:
        follower.setParent(None)
        follower.deleteLater()
    qapp.styleHints().unsetColorScheme()
    qapp.setStyle(style_name)
    qapp.setPalette(palette)
    QToolTip.setPalette(palette)


@pytest.fixture
def english_afterwards(qapp: QApplication) -> Iterator[QApplication]:
    """Later tests expect the source strings and the number format they started with."""
    locale = QLocale()
    yield qapp
    install_translations(qapp, "en")
    QLocale.setDefault(locale)


# ---------------------------------------------------------------- theme

TEXT_PAIRS = [
    (Role.WindowText, Role.Window),
    (Role.Text, Role.Base),
    (Role.Text, Role.AlternateBase),
    (Role.ButtonText, Role.Button),
    (Role.HighlightedText, Role.Highlight),
    (Role.ToolTipText, Role.ToolTipBase),
    (Role.PlaceholderText, Role.Base),
    (Role.Link, Role.Base),
]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_palettes_are_readable(themed_app: QApplication, theme: str) -> None:
    apply_theme(themed_app, theme)
    pal = themed_app.palette()
    style = themed_app.style()
    assert style is not None and style.name().lower() == "fusion"
    for fg, bg in TEXT_PAIRS:
        ratio = contrast_ratio(pal.color(Group.Active, fg), pal.color(Group.Active, bg))
        assert ratio >= 4.5, f"{theme}: {fg.name} on {bg.name} is {ratio:.2f}:1"
    # Disabled text is visibly dimmer than enabled text on the same background.
    window = pal.color(Group.Active, Role.Window)
    enabled = contrast_ratio(pal.color(Group.Active, Role.WindowText), window)
    disabled = contrast_ratio(pal.color(Group.Disabled, Role.WindowText), window)
    assert disabled < enabled / 2
    assert disabled > 1.5  # dim, not gone


def test_dark_theme_is_dark_with_light_text(themed_app: QApplication) -> None:
    apply_theme(themed_app, "dark")
    pal = themed_app.palette()
    assert pal.color(Role.Window).lightness() < 60
    assert pal.color(Role.WindowText).lightness() > 200
    assert contrast_ratio(pal.color(Role.WindowText), pal.color(Role.Window)) >= 4.5
    assert is_dark()
    # Tooltips get the app's palette, not the OS's light one.
    tip = QToolTip.palette()
    assert tip.color(Role.ToolTipBase).lightness() < 90
    assert contrast_ratio(tip.color(Role.ToolTipText), tip.color(Role.ToolTipBase)) >= 4.5

    apply_theme(themed_app, "light")
    assert not is_dark()
    assert themed_app.palette().color(Role.Window).lightness() > 200


def test_system_theme_follows_the_os_while_running(themed_app: QApplication) -> None:
    apply_theme(themed_app, "system")
    hints = themed_app.styleHints()
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert is_dark()
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert not is_dark()
    # A theme chosen explicitly stays put whatever the OS does.
    apply_theme(themed_app, "dark")
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert is_dark()


def test_themed_dialog_grabs(qtbot: QtBot, themed_app: QApplication, tmp_path: Path) -> None:
    for theme in ("light", "dark"):
        apply_theme(themed_app, theme)
        dialog = SettingsDialog(Settings())
        qtbot.addWidget(dialog)
        dialog.show()
        image = dialog.grab().toImage()
        image.save(str(tmp_path / f"settings-{theme}.png"))
        corner = image.pixelColor(3, image.height() - 3)
        assert (corner.lightness() < 100) == (theme == "dark"), (theme, corner.name())


CHAT_BACKGROUNDS = ("window", "panel", "user_bubble", "assistant_bubble", "code", "error_bg")


@pytest.mark.parametrize("dark", [False, True])
def test_chat_colours_are_readable(dark: bool) -> None:
    colours = chat_colors(dark)
    assert isinstance(colours, ChatColors) and colours.dark is dark
    for bg in CHAT_BACKGROUNDS:
        background = getattr(colours, bg)
        assert contrast_ratio(colours.text, background) >= 7, bg
        assert contrast_ratio(colours.muted, background) >= 4.5, bg
    assert contrast_ratio(colours.text, colours.info_bg) >= 7
    for bg in ("window", "assistant_bubble", "user_bubble", "code"):
        assert contrast_ratio(colours.link, getattr(colours, bg)) >= 4.5, bg
    assert contrast_ratio(colours.on_accent, colours.accent) >= 4.5
    # The user's bubble stands apart from the answers.
    assert colours.user_bubble != colours.assistant_bubble


def test_chat_colours_differ_between_themes() -> None:
    light, dark = chat_colors(False), chat_colors(True)
    assert light != dark
    assert light.window != dark.window and light.text != dark.text
    assert contrast_ratio(light.window, "#ffffff") < contrast_ratio(dark.window, "#ffffff")


# ---------------------------------------------------------------- language choice


@pytest.mark.parametrize(
    ("setting", "system", "expected"),
    [
        ("system", "pt_BR", "pt_BR"),
        ("system", "pt_PT", "pt_BR"),
        ("system", "pt", "pt_BR"),
        ("system", "pt-BR", "pt_BR"),
        ("system", "es_ES", "es"),
        ("system", "es_MX.UTF-8", "es"),
        ("system", "es", "es"),
        ("system", "en_US", "en"),
        ("system", "de_DE", "en"),
        ("system", "C", "en"),
        ("system", "", "en"),
        ("en", "pt_BR", "en"),
        ("es", "pt_BR", "es"),
        ("pt_BR", "en_US", "pt_BR"),
    ],
)
def test_resolve_language(setting: str, system: str, expected: str) -> None:
    assert resolve_language(setting, system) == expected


# ---------------------------------------------------------------- translation files


def ts_messages(path: Path) -> list[ET.Element]:
    return list(ET.parse(path).getroot().iter("message"))


def test_translation_sources_exist_for_every_shipped_language() -> None:
    langs = {p.stem.removeprefix("lanterna_") for p in ts_files()}
    assert langs == {"pt_BR", "es"}
    for path in ts_files():
        root = ET.parse(path).getroot()
        assert root.tag == "TS" and root.get("version") == "2.1"
        assert root.get("language") == path.stem.removeprefix("lanterna_")


@pytest.mark.parametrize("path", ts_files(), ids=lambda p: p.name)
def test_every_message_is_translated(path: Path) -> None:
    """New strings arrive unfinished when lupdate runs; they must be translated to pass."""
    messages = ts_messages(path)
    assert messages
    for message in messages:
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None, source
        if translation.get("type") in ("vanished", "obsolete"):
            continue
        assert translation.get("type") != "unfinished", f"untranslated: {source!r}"
        text = translation.text or ""
        assert text.strip(), f"empty translation: {source!r}"
        # .format() placeholders must survive, or the string raises KeyError at run time.
        assert sorted(re.findall(r"\{\w+\}", text)) == sorted(re.findall(r"\{\w+\}", source))
        # A mnemonic in the source keeps exactly one in the translation.
        if re.search(r"&(?!&)", source):
            assert len(re.findall(r"&(?!&)", text)) == 1, f"mnemonic: {source!r} → {text!r}"


def test_lupdate_finds_the_dialogs_strings_in_the_ts_files(tmp_path: Path) -> None:
    """What lupdate extracts from the dialog (context = class name) matches the .ts files."""
    lupdate = i18n._find_tool("lupdate")
    copies = [Path(shutil.copy(path, tmp_path / path.name)) for path in ts_files()]
    source = REPO / "desktop" / "settings_dialog.py"
    subprocess.run([*lupdate, "-silent", str(source), "-ts", *map(str, copies)], check=True)
    for copy in copies:
        dialog_context = [
            c
            for c in ET.parse(copy).getroot().iter("context")
            if c.findtext("name") == "SettingsDialog"
        ]
        assert len(dialog_context) == 1
        # lupdate marks a string it did not have "unfinished" and one the code lost "vanished".
        changed = [
            (m.findtext("source"), translation.get("type"))
            for m in dialog_context[0].iter("message")
            if (translation := m.find("translation")) is not None and translation.get("type")
        ]
        assert not changed, f"run 'python -m desktop.i18n update' and translate: {changed}"


def test_compile_and_install_portuguese(
    qtbot: QtBot, english_afterwards: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = compile_translations(tmp_path)
    assert sorted(p.name for p in written) == ["lanterna_es.qm", "lanterna_pt_BR.qm"]
    assert all(p.parent == tmp_path and p.stat().st_size > 100 for p in written)

    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    assert install_translations(english_afterwards, "pt_BR") == "pt_BR"
    assert QCoreApplication.translate("SettingsDialog", "Reasoning") == "Raciocínio"
    assert (
        QCoreApplication.translate("SettingsDialog", "Raw reasoning is never shown.")
        == "O raciocínio bruto nunca é exibido."
    )
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Configurações"
    assert dialog.threads_spin.text() == "Automático"
    assert "8.192" in dialog.context_combo.currentText()  # Portuguese number format
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert cancel is not None and "Cancelar" in cancel.text()  # Qt's own translation
    dialog.show()
    # The longer Portuguese notes get all the lines they need, whichever explanation shows.
    note = dialog.reasoning_explanation
    for index in range(dialog.reasoning_combo.count()):
        dialog.reasoning_combo.setCurrentIndex(index)
        qtbot.waitUntil(lambda: note.height() >= note.heightForWidth(note.width()), timeout=2000)
        assert note.geometry().top() >= dialog.reasoning_combo.geometry().bottom()
    dialog.grab().save(str(tmp_path / "settings-pt_BR.png"))

    assert install_translations(english_afterwards, "es") == "es"
    assert QCoreApplication.translate("SettingsDialog", "Reasoning") == "Razonamiento"
    assert install_translations(english_afterwards, "en") == "en"
    assert QCoreApplication.translate("SettingsDialog", "Reasoning") == "Reasoning"


def test_missing_compiled_translation_falls_back_to_english(
    english_afterwards: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    assert install_translations(english_afterwards, "pt_BR") == "en"
    assert QCoreApplication.translate("SettingsDialog", "Reasoning") == "Reasoning"


def test_compile_says_clearly_when_lrelease_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import PySide6

    monkeypatch.setattr(PySide6, "__file__", str(tmp_path / "PySide6" / "__init__.py"))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(TranslationToolMissing, match="lrelease"):
        compile_translations(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_document_that_cannot_be_read_says_why_in_spanish(
    qtbot: QtBot, english_afterwards: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The engine's error kinds become reasons in the user's language; the engine's own English
    # detail stays in the tooltip.
    compile_translations(tmp_path)
    monkeypatch.setattr(i18n, "translations_dir", lambda: tmp_path)
    assert install_translations(english_afterwards, "es") == "es"
    chip = AttachmentChip("/d/contrato.pdf", "contrato.pdf", removable=True)
    qtbot.addWidget(chip)
    chip.show_error("contrato.pdf is password-protected", "encrypted")
    assert chip.state == "error"
    assert chip.detail_text == "Protegido con contraseña: no se puede leer"
    assert chip.toolTip().endswith("contrato.pdf is password-protected")
    # So does a document read with a notice, part by part, numbers in the Spanish format.
    chip.show_ready(1_204, 9_000, "only the first 1,000 of 1,204 pages were read; something new")
    assert chip.state == "notice"
    assert chip.detail_text == (
        "1204 páginas · solo se leyeron las primeras 1000 de 1204 páginas; something new"
    )
    # A document without pages shows its size: SI units, the Spanish decimal comma.
    chip.show_ready(None, 2_400_000)
    assert chip.detail_text == "2,4 MB"
    # A kind the window does not know shows the engine's message as it is.
    chip.show_error("contrato.pdf: something new", "novel")
    assert chip.detail_text == "contrato.pdf: something new"
    chip.show()
    chip.grab().save(str(tmp_path / "chip-es.png"))
