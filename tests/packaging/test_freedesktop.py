"""The Linux desktop integration files: ``.desktop`` entry, AppStream metainfo, MIME type and
the hicolor icons, checked with the freedesktop tools the distributions use.

The validators come from Debian/Ubuntu packages: desktop-file-utils (desktop-file-validate),
appstream (appstreamcli), libxml2-utils (xmllint), shared-mime-info (update-mime-database) and
libglib2.0-bin (gio, optional). A test whose tool is missing is skipped and says which package
provides it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from desktop.identity import APP_ID

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
DESKTOP_FILE = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
MIME_FILE = LINUX / f"{APP_ID}-mime.xml"
RENDER = LINUX / "render_icons.py"
ICON_SVG = ROOT / "resources" / "icons" / "lanterna.svg"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
MIME_TYPE = "application/x-gguf"
TRANSLATED = ("pt_BR", "es")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install {package})")
    return path


def _run(*cmd: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, check=False)


def _desktop_entry() -> dict[str, str]:
    """The keys of the [Desktop Entry] group (validity is desktop-file-validate's business)."""
    entry: dict[str, str] = {}
    group = None
    for line in DESKTOP_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            group = line.strip()
            continue
        if group == "[Desktop Entry]":
            key, _, value = line.partition("=")
            assert key not in entry, f"{key} given twice"
            entry[key.strip()] = value.strip()
    return entry


def _metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()


def _untranslated(root: ET.Element, tag: str) -> str:
    [element] = [e for e in root.findall(tag) if e.get(XML_LANG) is None]
    return (element.text or "").strip()


def _translated(root: ET.Element, tag: str, lang: str) -> str:
    [element] = [e for e in root.findall(tag) if e.get(XML_LANG) == lang]
    return (element.text or "").strip()


def _pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        project: dict[str, object] = tomllib.load(f)["project"]
    return project


# --- validators ------------------------------------------------------------------------------


def test_desktop_file_validates() -> None:
    tool = _tool("desktop-file-validate", "desktop-file-utils")
    result = _run(tool, str(DESKTOP_FILE))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "error:" not in output and "warning:" not in output, output


def test_metainfo_validates() -> None:
    tool = _tool("appstreamcli", "appstream")
    result = _run(tool, "validate", "--no-net", str(METAINFO))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    bad = [line for line in output.splitlines() if line.lstrip().startswith(("W:", "E:"))]
    assert not bad, output


def test_installed_tree_validates(tmp_path: Path) -> None:
    """The files laid out as a package installs them (metainfo, launcher, icons, MIME)."""
    tool = _tool("appstreamcli", "appstream")
    share = tmp_path / "usr" / "share"
    for sub, src in (
        ("applications", DESKTOP_FILE),
        ("metainfo", METAINFO),
        ("mime/packages", MIME_FILE),
    ):
        (share / sub).mkdir(parents=True)
        shutil.copy(src, share / sub)
    _render(share / "icons")
    result = _run(tool, "validate-tree", "--no-net", str(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    bad = [line for line in output.splitlines() if line.lstrip().startswith(("W:", "E:"))]
    assert not bad, output


def test_mime_package_is_well_formed() -> None:
    tool = _tool("xmllint", "libxml2-utils")
    result = _run(tool, "--noout", str(MIME_FILE))
    assert result.returncode == 0, result.stderr
    for path in (METAINFO, MIME_FILE):
        assert _run(tool, "--noout", str(path)).returncode == 0, path


def _mime_database(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The MIME package installed into a private XDG_DATA_HOME by update-mime-database."""
    tool = _tool("update-mime-database", "shared-mime-info")
    data = tmp_path / "data"
    packages = data / "mime" / "packages"
    packages.mkdir(parents=True)
    shutil.copy(MIME_FILE, packages)
    env = {**os.environ, "XDG_DATA_HOME": str(data)}
    result = _run(tool, str(data / "mime"), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == "", result.stderr
    return data, env


def test_mime_database_builds(tmp_path: Path) -> None:
    data, _env = _mime_database(tmp_path)
    mime = data / "mime"
    assert (mime / "mime.cache").is_file()
    assert MIME_TYPE in (mime / "types").read_text().split()
    assert f":{MIME_TYPE}:*.gguf" in (mime / "globs2").read_text()
    assert (mime / "application" / "x-gguf.xml").is_file()


def test_gguf_files_are_recognised(tmp_path: Path) -> None:
    """By name (``*.gguf``) and by content (``GGUF`` at offset 0) under another name."""
    gio = _tool("gio", "libglib2.0-bin")
    _data, env = _mime_database(tmp_path)
    header = b"GGUF\x03\x00\x00\x00" + bytes(64)
    named = tmp_path / "x.gguf"
    unnamed = tmp_path / "x.bin"
    named.write_bytes(header)
    unnamed.write_bytes(header)
    for path in (named, unnamed):
        result = _run(gio, "info", "-a", "standard::content-type", str(path), env=env)
        assert result.returncode == 0, result.stderr
        assert f"standard::content-type: {MIME_TYPE}" in result.stdout, (path, result.stdout)
    other = tmp_path / "other.bin"
    other.write_bytes(b"GGML" + bytes(64))
    result = _run(gio, "info", "-a", "standard::content-type", str(other), env=env)
    assert MIME_TYPE not in result.stdout


# --- the three files agree ---------------------------------------------------------------------


def test_ids_agree_across_files() -> None:
    entry = _desktop_entry()
    assert entry["Icon"] == APP_ID
    assert entry["MimeType"].rstrip(";").split(";") == [MIME_TYPE]

    meta = _metainfo()
    assert meta.get("type") == "desktop-application"
    assert _untranslated(meta, "id") == APP_ID
    launchable = meta.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP_FILE.name
    assert [e.text for e in meta.findall("provides/mediatype")] == [MIME_TYPE]
    assert _untranslated(meta, "name") == entry["Name"]
    assert _untranslated(meta, "summary") == entry["Comment"]
    for lang in TRANSLATED:
        assert _translated(meta, "summary", lang) == entry[f"Comment[{lang}]"]
        for key in ("Name", "GenericName", "Comment", "Keywords"):
            assert entry.get(f"{key}[{lang}]"), f"{key}[{lang}] missing"

    mime = ET.parse(MIME_FILE).getroot()
    [mime_type] = mime.findall(f"{MIME_NS}mime-type")
    assert mime_type.get("type") == MIME_TYPE
    comments = {c.get(XML_LANG): c.text for c in mime_type.findall(f"{MIME_NS}comment")}
    assert set(comments) == {None, *TRANSLATED}
    assert [g.get("pattern") for g in mime_type.findall(f"{MIME_NS}glob")] == ["*.gguf"]

    assert _load_render_icons().APP_ID == APP_ID


def test_exec_matches_console_script() -> None:
    entry = _desktop_entry()
    program, *args = entry["Exec"].split()
    assert args == ["%F"]
    scripts = _pyproject()["scripts"]
    assert isinstance(scripts, dict)
    assert scripts.get(program) == "desktop.app:main"
    meta = _metainfo()
    assert [e.text for e in meta.findall("provides/binary")] == [program]


def test_metainfo_matches_pyproject() -> None:
    project = _pyproject()
    meta = _metainfo()
    assert _untranslated(meta, "project_license") == project["license"]
    versions = [r.get("version") for r in meta.findall("releases/release")]
    assert project["version"] in versions


def test_app_identity_matches_desktop_file(tmp_path: Path) -> None:
    """Qt names the windows after the app: WM_CLASS on X11 takes the application name, the
    Wayland app id the desktop file name; both must lead the desktop to this launcher."""
    entry = _desktop_entry()
    code = (
        "from desktop.app import build_app\n"
        "from engine.settings import load_settings\n"
        "app = build_app(['lanterna'], load_settings())\n"
        "icon = app.windowIcon()\n"
        "print(app.applicationName())\n"
        "print(app.desktopFileName())\n"
        "print(int(not icon.isNull() and not icon.pixmap(32, 32).isNull()))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LANTERNA_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    name, desktop_name, icon_ok = result.stdout.split()
    assert name == entry["StartupWMClass"]
    assert f"{desktop_name}.desktop" == DESKTOP_FILE.name
    assert icon_ok == "1"


# --- icons -------------------------------------------------------------------------------------


def _load_render_icons() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("render_icons", RENDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _render(outdir: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, str(RENDER), str(outdir)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_render_icons_writes_every_size(tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    _render(tmp_path)
    hicolor = tmp_path / "hicolor"
    for size in SIZES:
        png = hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        image = QImage(str(png))
        assert not image.isNull(), png
        assert (image.width(), image.height()) == (size, size), png
        assert image.hasAlphaChannel(), png
        centre = image.pixelColor(size // 2, size // 2)
        assert centre.alpha() == 255, (png, centre.name())
        corner = image.pixelColor(0, 0)
        assert corner.alpha() < 64, (png, "the icon's corners should be transparent")
    scalable = hicolor / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == ICON_SVG.read_bytes()


@pytest.mark.parametrize("svg", sorted(ICON_SVG.parent.glob("lanterna*.svg")), ids=lambda p: p.name)
def test_icon_svg_is_self_contained(svg: Path) -> None:
    """Plain SVG: no external references, no text, nothing QtSvg ignores."""
    text = svg.read_text(encoding="utf-8")
    root = ET.fromstring(text)
    assert root.get("viewBox") == "0 0 512 512"
    for needle in ("<text", "<image", "<filter", "<mask", "<style", "href=", "@import", "url(http"):
        assert needle not in text, needle
