"""The macOS and Windows installer scripts, checked as far as a Linux machine can check them.

- packaging/macos/build.sh: bash syntax, shellcheck when installed, its refusal to run on
  another system, and a full run against stand-ins for the macOS tools (codesign, hdiutil,
  notarytool, ...) that records what the script asks them to do: signing order, entitlements,
  the disk image, notarisation and the skip messages.
- packaging/windows/make_ico.py: the .ico it writes is read back by Qt and by a parser of the
  ICONDIR layout here.
- packaging/macos/plist_keys.py and entitlements.plist: valid property lists with the keys the
  app needs and none that notarisation refuses.
- packaging/windows/lanterna.iss: read with a small reader of Inno Setup's sections and
  preprocessor, then its association, privileges, files, languages and uninstall questions.
- packaging/windows/build.ps1: its agreement with the .iss, the spec and bootstrap.sh
  (PowerShell's own parser only where pwsh is installed).
"""

from __future__ import annotations

import ast
import importlib.util
import os
import plistlib
import re
import shutil
import stat
import struct
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
MACOS = ROOT / "packaging" / "macos"
WINDOWS = ROOT / "packaging" / "windows"
BUILD_SH = MACOS / "build.sh"
ENTITLEMENTS = MACOS / "entitlements.plist"
ISS = WINDOWS / "lanterna.iss"
BUILD_PS1 = WINDOWS / "build.ps1"
SPEC = ROOT / "packaging" / "lanterna.spec"
SVG = ROOT / "resources" / "icons" / "lanterna.svg"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
APP_ID = "app.lanterna.Lanterna"

needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def load_module(path: Path) -> ModuleType:
    """A module from a file outside any package (the packaging scripts are not importable)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_ico = load_module(WINDOWS / "make_ico.py")
plist_keys = load_module(MACOS / "plist_keys.py")


# ---- the spec, when it exists ------------------------------------------------------------------


def spec_call_name(call_name: str) -> str | None:
    """The constant ``name=`` of the spec's ``COLLECT(...)`` or ``BUNDLE(...)`` call, following
    one module-level assignment; None when the spec is absent or the name is computed."""
    if not SPEC.exists():
        return None
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    constants: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = node.value.value
    for call in ast.walk(tree):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == call_name
        ):
            for keyword in call.keywords:
                if keyword.arg != "name":
                    continue
                if isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                    return keyword.value.value
                if isinstance(keyword.value, ast.Name):
                    return constants.get(keyword.value.id)
    return None


# ---- packaging/macos/build.sh -------------------------------------------------------------------


@needs_bash
def test_macos_build_script_is_valid_bash() -> None:
    result = subprocess.run(["bash", "-n", str(BUILD_SH)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_macos_build_script_passes_shellcheck() -> None:
    result = subprocess.run(
        ["shellcheck", "--shell=bash", str(BUILD_SH)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def copy_build_tree(dest: Path) -> Path:
    """The files build.sh reads, copied into ``dest`` (the script works from its own checkout,
    so a copy keeps build/ and dist/ of the real one untouched)."""
    for relative in (
        "packaging/macos/build.sh",
        "packaging/macos/entitlements.plist",
        "pyproject.toml",
        "resources/icons/lanterna.svg",
    ):
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, target)
    # Only its presence matters: the stand-in PyInstaller below does not read it.
    (dest / "packaging" / "lanterna.spec").write_text("# stand-in\n", encoding="utf-8")
    return dest


@needs_bash
@pytest.mark.skipif(sys.platform == "darwin", reason="checks the refusal on other systems")
def test_macos_build_refuses_to_run_elsewhere_and_changes_nothing(tmp_path: Path) -> None:
    repo = copy_build_tree(tmp_path / "repo")
    before = sorted(p.relative_to(repo) for p in repo.rglob("*"))
    result = subprocess.run(
        ["bash", str(repo / "packaging" / "macos" / "build.sh")],
        capture_output=True,
        text=True,
        env={**os.environ, "VENV": str(tmp_path / "venv")},
    )
    assert result.returncode != 0
    assert "macOS" in result.stderr
    assert sorted(p.relative_to(repo) for p in repo.rglob("*")) == before
    assert not (tmp_path / "venv").exists()


# Stand-ins for the macOS tools: each logs its arguments (one line, tab-separated) to $STUB_LOG.
# "Mach-O" files of the fake bundle are text files containing MACHO; MINOS15 marks one built for
# macOS 15.
STUBS: dict[str, str] = {
    "uname": """
        case "${1:-}" in -m) echo arm64 ;; *) echo Darwin ;; esac
    """,
    "sysctl": "echo 0",
    "xcode-select": "echo /Library/Developer/CommandLineTools",
    "file": """
        if grep -q MACHO "${@: -1}"; then echo "Mach-O 64-bit dynamically linked shared library"
        else echo data; fi
    """,
    "otool": """
        minos=13.0; grep -q MINOS15 "${@: -1}" && minos=15.0
        printf 'Load command 9\\n      cmd LC_BUILD_VERSION\\n  cmdsize 32\\n'
        printf ' platform 1\\n    minos %s\\n      sdk 15.0\\n' "$minos"
    """,
    "codesign": 'log codesign "$@"',
    "iconutil": """
        log iconutil "$@"
        out=""; while [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift 2 ;; *) shift ;; esac; done
        echo icns > "$out"
    """,
    "ditto": 'cp -R "$1" "$2"',
    "hdiutil": """
        log hdiutil "$@"
        src=""; while [ $# -gt 1 ]; do [ "$1" = -srcfolder ] && src="$2"; shift; done
        [ "$(readlink "$src/Applications")" = /Applications ] || { echo "no link" >&2; exit 1; }
        [ -d "$src/Lanterna.app" ] || { echo "no app in the image" >&2; exit 1; }
        echo dmg > "$1"
    """,
    "xcrun": """
        log xcrun "$@"
        if [ "$1 $2" = "notarytool submit" ]; then
          printf '{"id": "sub-1", "status": "%s", "message": "done"}\\n' "$STUB_NOTARY_STATUS"
        fi
    """,
    "spctl": 'log spctl "$@"',
}

STUB_PRELUDE = """#!/usr/bin/env bash
log() { local tool="$1" IFS=$'\\t'; shift; printf '%s\\t%s\\n' "$tool" "$*" >> "$STUB_LOG"; }
"""

# The virtualenv's python: pip and the translation compiler do nothing, PyInstaller is the
# script below, the arm64 question is answered yes, and everything else is real Python.
FAKE_PYTHON = """#!/usr/bin/env bash
case "${1:-} ${2:-}" in
  "-m pip"|"-m desktop.i18n") exit 0 ;;
  "-m PyInstaller") shift 2; exec "$REAL_PY" "$FAKE_PYINSTALLER" "$@" ;;
esac
if [ "${1:-}" = -c ] && [[ "${2:-}" == *'"arm64"'* ]]; then exit 0; fi
exec "$REAL_PY" "$@"
"""

# Writes dist/Lanterna.app as PyInstaller's BUNDLE lays it out, with the kinds of file the
# signing has to tell apart: a library, a Python extension, a Qt framework with its Info.plist,
# symlinks from Resources into Frameworks, data, and the main executable.
FAKE_PYINSTALLER = """
import os, plistlib, shutil, sys
from pathlib import Path
icns = os.environ.get("LANTERNA_ICNS", "")
if not icns or not Path(icns).is_file():
    sys.exit("LANTERNA_ICNS is not an existing file")
with open(os.environ["STUB_LOG"], "a") as log:
    log.write(f"pyinstaller\\t{' '.join(sys.argv[1:])}\\tLANTERNA_ICNS={icns}\\n")
app = Path("dist/Lanterna.app")
shutil.rmtree(app, ignore_errors=True)
contents = app / "Contents"
def write(relative, text, mode=0o644):
    path = contents / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
write("Info.plist", plistlib.dumps({"CFBundleExecutable": "lanterna",
                                    "LSMinimumSystemVersion": "14.0"}).decode())
write("MacOS/lanterna", "#!/bin/sh\\n# MACHO\\necho usage: lanterna\\n", 0o755)
write("Frameworks/libpython3.11.dylib", "MACHO")
write("Frameworks/mlx/core.cpython-311-darwin.so", "MACHO MINOS15")
fw = "Frameworks/PySide6/Qt/lib/QtCore.framework"
write(fw + "/Versions/A/QtCore", "MACHO", 0o755)
write(fw + "/Versions/A/Resources/Info.plist",
      plistlib.dumps({"CFBundleExecutable": "QtCore"}).decode())
os.symlink("A", contents / fw / "Versions/Current")
os.symlink("Versions/Current/Resources", contents / fw / "Resources")
write("Frameworks/base_library.zip", "data")
(contents / "Resources").mkdir(parents=True, exist_ok=True)
os.symlink("../Frameworks/libpython3.11.dylib", contents / "Resources/libpython3.11.dylib")
"""


@dataclass
class MacRun:
    result: subprocess.CompletedProcess[str]
    repo: Path
    calls: list[list[str]] = field(default_factory=list)

    def of(self, tool: str) -> list[list[str]]:
        return [call[1:] for call in self.calls if call[0] == tool]


def run_macos_build(tmp_path: Path, **env: str) -> MacRun:
    """build.sh run in a copy of the repository, with the macOS tools replaced by stand-ins."""
    repo = copy_build_tree(tmp_path / "repo")
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, body in STUBS.items():
        script = stubs / name
        script.write_text(STUB_PRELUDE + body, encoding="utf-8")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").write_text(FAKE_PYTHON, encoding="utf-8")
    (venv_bin / "python").chmod(0o755)
    fake_pyinstaller = tmp_path / "fake_pyinstaller.py"
    fake_pyinstaller.write_text(FAKE_PYINSTALLER, encoding="utf-8")
    log = tmp_path / "calls.log"
    log.touch()

    base_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MACOS_", "APPLE_", "LANTERNA_")) and k != "VENV"
    }
    result = subprocess.run(
        ["bash", str(repo / "packaging" / "macos" / "build.sh")],
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **base_env,
            "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}",
            "VENV": str(tmp_path / "venv"),
            "REAL_PY": sys.executable,
            "FAKE_PYINSTALLER": str(fake_pyinstaller),
            "STUB_LOG": str(log),
            "STUB_NOTARY_STATUS": "Accepted",
            **env,
        },
    )
    calls = [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()]
    return MacRun(result=result, repo=repo, calls=calls)


IDENTITY = "Developer ID Application: Example (TEAM123456)"


@needs_bash
def test_macos_build_signs_inside_out_makes_the_dmg_and_notarises(tmp_path: Path) -> None:
    run = run_macos_build(
        tmp_path, MACOS_SIGN_IDENTITY=IDENTITY, MACOS_NOTARY_PROFILE="lanterna-notary"
    )
    out = run.result.stdout + run.result.stderr
    assert run.result.returncode == 0, out
    dmg = run.repo / "dist" / f"Lanterna-{VERSION}-macos-arm64.dmg"
    assert dmg.is_file()

    # The icon: every iconset entry, rendered at its pixel size, and handed to the spec.
    iconset = run.repo / "build" / "macos" / "lanterna.iconset"
    expected = {}
    for points in (16, 32, 128, 256, 512):
        expected[f"icon_{points}x{points}.png"] = points
        expected[f"icon_{points}x{points}@2x.png"] = points * 2
    assert sorted(p.name for p in iconset.iterdir()) == sorted(expected)
    for name, pixels in expected.items():
        assert make_ico.png_dimensions((iconset / name).read_bytes()) == (pixels, pixels)
    (pyinstaller,) = run.of("pyinstaller")
    icns = run.repo / "build" / "macos" / "lanterna.icns"
    assert pyinstaller[-1] == f"LANTERNA_ICNS={icns}"
    assert "packaging/lanterna.spec" in pyinstaller[0]

    # A bundled binary built for a newer macOS than Info.plist declares is reported.
    assert "core.cpython-311-darwin.so" in out and "macOS 15.0" in out

    contents = run.repo / "dist" / "Lanterna.app" / "Contents"
    app = str(contents.parent.relative_to(run.repo))
    signing = [args for args in run.of("codesign") if "--sign" in args]
    signed = [args[-1] for args in signing]
    for args in signing:
        assert "--timestamp" in args and IDENTITY in args
        assert "--deep" not in args, "signing with --deep gives every library the entitlements"

    def index(suffix: str) -> int:
        matches = [i for i, path in enumerate(signed) if path.endswith(suffix)]
        assert len(matches) == 1, f"{suffix} signed {len(matches)} times: {signed}"
        return matches[0]

    qtcore_binary = index("QtCore.framework/Versions/A/QtCore")
    qtcore_bundle = index("QtCore.framework")
    main_exe = index("Contents/MacOS/lanterna")
    bundle = index("Lanterna.app")
    dmg_sig = index(".dmg")
    libraries = [index("libpython3.11.dylib"), index("core.cpython-311-darwin.so")]
    # Inside out: libraries and the framework's binary, the framework, the executable, the app.
    assert max([*libraries, qtcore_binary]) < qtcore_bundle < main_exe < bundle < dmg_sig
    # The symlink in Resources points at the signed library; it is not signed on its own.
    assert not any("Resources/libpython3.11.dylib" in path for path in signed)
    # Entitlements and the hardened runtime where they belong.
    for i, args in enumerate(signing):
        has_entitlements = "--entitlements" in args
        assert has_entitlements == (i in (main_exe, bundle)), args
        if has_entitlements:
            assert args[args.index("--entitlements") + 1] == "packaging/macos/entitlements.plist"
        assert ("--options" in args and "runtime" in args) == (i != dmg_sig), args
    verify = [args for args in run.of("codesign") if "--verify" in args]
    assert verify and {"--deep", "--strict", app} <= set(verify[0])
    # Notarised, stapled and assessed, in that order, with the keychain profile.
    xcrun = run.of("xcrun")
    submit = next(args for args in xcrun if args[:2] == ["notarytool", "submit"])
    assert {"--wait", "--keychain-profile", "lanterna-notary"} <= set(submit)
    assert submit[2].endswith(dmg.name)
    assert ["stapler", "staple", f"dist/{dmg.name}"] in xcrun
    assert run.of("spctl"), "Gatekeeper's assessment of the stapled image is missing"
    # The image holds the app and the Applications link (the stand-in checks both).
    (hdiutil,) = run.of("hdiutil")
    assert hdiutil[0] == "create" and "UDZO" in hdiutil


@needs_bash
def test_macos_build_without_credentials_says_what_it_skips(tmp_path: Path) -> None:
    run = run_macos_build(tmp_path)
    assert run.result.returncode == 0, run.result.stdout + run.result.stderr
    assert "skipping signing: MACOS_SIGN_IDENTITY not set" in run.result.stdout
    assert "skipping notarisation" in run.result.stdout
    assert run.of("codesign") == [] and run.of("xcrun") == []
    assert (run.repo / "dist" / f"Lanterna-{VERSION}-macos-arm64.dmg").is_file()


@needs_bash
def test_macos_build_does_not_notarise_an_unsigned_app(tmp_path: Path) -> None:
    run = run_macos_build(tmp_path, MACOS_NOTARY_PROFILE="lanterna-notary")
    assert run.result.returncode == 0, run.result.stdout + run.result.stderr
    assert "skipping notarisation: Apple notarises only signed apps" in run.result.stdout
    assert run.of("xcrun") == []


@needs_bash
def test_macos_build_fails_when_apple_rejects_the_app(tmp_path: Path) -> None:
    run = run_macos_build(
        tmp_path,
        MACOS_SIGN_IDENTITY=IDENTITY,
        APPLE_ID="dev@example.com",
        APPLE_TEAM_ID="TEAM123456",
        APPLE_APP_PASSWORD="abcd-efgh-ijkl-mnop",
        STUB_NOTARY_STATUS="Invalid",
    )
    assert run.result.returncode != 0
    assert "notarisation did not succeed (status: Invalid)" in run.result.stderr
    xcrun = run.of("xcrun")
    submit = next(args for args in xcrun if args[:2] == ["notarytool", "submit"])
    assert {"--apple-id", "dev@example.com", "--team-id", "TEAM123456"} <= set(submit)
    # Apple's log, which names the rejected files, is fetched; nothing is stapled.
    assert any(args[:3] == ["notarytool", "log", "sub-1"] for args in xcrun)
    assert not any(args[:1] == ["stapler"] for args in xcrun)


# ---- entitlements and Info.plist -----------------------------------------------------------------


def test_entitlements_are_a_minimal_valid_plist() -> None:
    entitlements = plistlib.loads(ENTITLEMENTS.read_bytes())
    assert entitlements.get("com.apple.security.network.client") is True
    # Apple's convention: only true entitlements are listed.
    assert all(value is True for value in entitlements.values()), entitlements
    # Notarisation refuses the debugging entitlement; the sandbox would forbid what Lanterna
    # does (models anywhere on disk, a worker copy of itself).
    assert "com.apple.security.get-task-allow" not in entitlements
    assert "com.apple.security.app-sandbox" not in entitlements
    known = {
        "com.apple.security.network.client",
        "com.apple.security.cs.allow-jit",
        "com.apple.security.cs.allow-unsigned-executable-memory",
        "com.apple.security.cs.disable-library-validation",
    }
    assert set(entitlements) <= known, set(entitlements) - known


def test_info_plist_keys_declare_gguf_documents() -> None:
    keys = plist_keys.info_plist("1.2.3")
    # What PyInstaller writes into Info.plist must survive plistlib unchanged.
    assert plistlib.loads(plistlib.dumps(keys)) == keys
    assert keys["CFBundleIdentifier"] == APP_ID
    assert keys["CFBundleShortVersionString"] == "1.2.3"
    assert keys["NSHighResolutionCapable"] is True
    minimum = tuple(int(part) for part in keys["LSMinimumSystemVersion"].split("."))
    assert minimum >= (13, 0)

    (declaration,) = keys["UTImportedTypeDeclarations"]
    uti = declaration["UTTypeIdentifier"]
    assert uti == "app.lanterna.gguf"
    assert "public.data" in declaration["UTTypeConformsTo"]
    assert declaration["UTTypeTagSpecification"]["public.filename-extension"] == ["gguf"]
    (document,) = keys["CFBundleDocumentTypes"]
    assert document["LSItemContentTypes"] == [uti]
    assert document["CFBundleTypeRole"] in {"Viewer", "Editor"}


def test_info_plist_keys_print_as_xml(capsys: pytest.CaptureFixture[str]) -> None:
    assert plist_keys.main(["2.0.0"]) == 0
    printed = plistlib.loads(capsys.readouterr().out.encode("utf-8"))
    assert printed == plist_keys.info_plist("2.0.0")


def spec_text() -> str:
    if not SPEC.exists():
        pytest.skip("packaging/lanterna.spec does not exist yet")
    return SPEC.read_text(encoding="utf-8")


def test_spec_takes_info_plist_keys_from_plist_keys() -> None:
    # Without them the app opens no .gguf from Finder and claims the wrong minimum macOS.
    assert "plist_keys" in spec_text(), "BUNDLE(info_plist=...) should use plist_keys.info_plist"


def test_spec_takes_the_icns_that_build_sh_makes() -> None:
    assert "LANTERNA_ICNS" in spec_text(), "BUNDLE(icon=...) should honour LANTERNA_ICNS"


def test_spec_bundle_is_the_app_build_sh_signs() -> None:
    spec_text()
    bundle = spec_call_name("BUNDLE")
    if bundle is None:
        pytest.skip("the spec's BUNDLE name is not a constant")
    assert bundle == "Lanterna.app", "build.sh signs and packs dist/Lanterna.app"


# ---- packaging/windows/make_ico.py ---------------------------------------------------------------


@dataclass(frozen=True)
class IcoEntry:
    width: int
    height: int
    bits: int
    data: bytes


def parse_ico(ico: bytes) -> list[IcoEntry]:
    """The images of an .ico file, read by the ICONDIR/ICONDIRENTRY layout."""
    reserved, kind, count = struct.unpack_from("<HHH", ico, 0)
    assert (reserved, kind) == (0, 1), "not an icon file"
    entries = []
    for i in range(count):
        width, height, colours, zero, planes, bits, size, offset = struct.unpack_from(
            "<BBBBHHII", ico, 6 + 16 * i
        )
        assert (colours, zero, planes) == (0, 0, 1)
        assert offset + size <= len(ico)
        entries.append(IcoEntry(width or 256, height or 256, bits, ico[offset : offset + size]))
    return entries


@pytest.fixture(scope="module")
def lanterna_ico(qapp: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ico") / "lanterna.ico"
    assert make_ico.main([str(SVG), "-o", str(path)]) == 0
    return path


def test_ico_layout_holds_one_png_per_size(lanterna_ico: Path) -> None:
    from PySide6.QtGui import QImage

    entries = parse_ico(lanterna_ico.read_bytes())
    assert [(e.width, e.height) for e in entries] == [(s, s) for s in make_ico.ICON_SIZES]
    for entry in entries:
        assert entry.bits == 32
        assert entry.data.startswith(b"\x89PNG\r\n\x1a\n")
        image = QImage.fromData(entry.data)
        assert (image.width(), image.height()) == (entry.width, entry.height)
    # The icon is drawn, not blank: the middle of the largest image is opaque.
    largest = QImage.fromData(entries[-1].data)
    assert largest.pixelColor(128, 128).alpha() == 255
    assert largest.pixelColor(0, 0).alpha() < 255, "the corners are rounded, so transparent"


def test_qt_reads_the_ico_back(lanterna_ico: Path) -> None:
    from PySide6.QtGui import QImageReader

    if b"ico" not in [bytes(f.data()) for f in QImageReader.supportedImageFormats()]:
        pytest.skip("Qt's ico plugin is not installed (the layout test reads the file itself)")
    reader = QImageReader(str(lanterna_ico))
    assert bytes(reader.format().data()) == b"ico"
    assert reader.imageCount() == len(make_ico.ICON_SIZES)
    sizes = []
    for i in range(reader.imageCount()):
        assert reader.jumpToImage(i)
        image = reader.read()
        assert not image.isNull(), reader.errorString()
        sizes.append(image.width())
    assert sorted(sizes) == sorted(make_ico.ICON_SIZES)


def test_pack_ico_refuses_what_windows_cannot_use(qapp: Any) -> None:
    png16, png300 = make_ico.render_svg(SVG, [16, 300])
    with pytest.raises(ValueError, match="256"):
        make_ico.pack_ico([png300])
    with pytest.raises(ValueError, match="same size"):
        make_ico.pack_ico([png16, png16])
    with pytest.raises(ValueError, match="not a PNG"):
        make_ico.pack_ico([b"BM" + bytes(100)])
    with pytest.raises(ValueError):
        make_ico.pack_ico([])


def test_make_ico_packs_given_pngs_and_reports_bad_input(
    qapp: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pngs = []
    for size, png in zip((16, 48), make_ico.render_svg(SVG, [16, 48]), strict=True):
        path = tmp_path / f"icon-{size}.png"
        path.write_bytes(png)
        pngs.append(str(path))
    out = tmp_path / "out" / "app.ico"
    assert make_ico.main([*pngs, "-o", str(out)]) == 0
    assert [(e.width, e.data) for e in parse_ico(out.read_bytes())] == [
        (16, Path(pngs[0]).read_bytes()),
        (48, Path(pngs[1]).read_bytes()),
    ]
    assert make_ico.main([str(tmp_path / "missing.png"), "-o", str(tmp_path / "x.ico")]) == 1
    assert "make_ico:" in capsys.readouterr().err
    assert not (tmp_path / "x.ico").exists()


# ---- packaging/windows/lanterna.iss --------------------------------------------------------------


class IssError(Exception):
    """The script would not compile (an #error directive was reached)."""


@dataclass
class Iss:
    sections: dict[str, list[str]]
    defines: dict[str, str]

    def setup(self) -> dict[str, str]:
        pairs = (line.split("=", 1) for line in self.sections["Setup"])
        return {key.strip(): value.strip() for key, value in pairs}

    def entries(self, section: str) -> list[dict[str, str]]:
        return [parse_entry(line) for line in self.sections.get(section, [])]

    def custom_messages(self) -> dict[str, str]:
        pairs = (line.split("=", 1) for line in self.sections.get("CustomMessages", []))
        return {key.strip(): value for key, value in pairs}


def parse_entry(line: str) -> dict[str, str]:
    """``Name: "value"; Flags: a b`` -> {"Name": "value", "Flags": "a b"}; inside quotes a
    doubled quote stands for one, as in Inno Setup."""
    params: dict[str, str] = {}
    i = 0
    while i < len(line):
        colon = line.index(":", i)
        name = line[i:colon].strip()
        i = colon + 1
        while i < len(line) and line[i] == " ":
            i += 1
        if i < len(line) and line[i] == '"':
            value_chars = []
            i += 1
            while True:
                if line[i] == '"':
                    if i + 1 < len(line) and line[i + 1] == '"':
                        value_chars.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                value_chars.append(line[i])
                i += 1
            value = "".join(value_chars)
            semicolon = line.find(";", i)
        else:
            semicolon = line.find(";", i)
            value = line[i : semicolon if semicolon != -1 else len(line)].strip()
        params[name] = value
        i = len(line) if semicolon == -1 else semicolon + 1
        while i < len(line) and line[i] == " ":
            i += 1
    return params


def read_iss(path: Path, defines: dict[str, str] | None = None) -> Iss:
    """Sections of an Inno Setup script after its preprocessor's #define / #ifdef / #ifndef /
    #else / #endif / #error, with ``{#Name}`` replaced where Name is a string define. ``defines``
    plays the part of ISCC's /D options."""
    known = dict(defines or {})
    literal = set(known)  # names whose value is a string, substituted in {#Name}
    sections: dict[str, list[str]] = {}
    current: str | None = None
    active = [True]
    text = path.read_text(encoding="utf-8-sig")
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            words = line[1:].split(None, 2)
            directive = words[0] if words else ""
            if directive in ("ifdef", "ifndef"):
                present = words[1] in known
                active.append(active[-1] and (present if directive == "ifdef" else not present))
            elif directive == "else":
                active[-1] = not active[-1] and active[-2]
            elif directive == "endif":
                active.pop()
            elif directive == "error" and active[-1]:
                raise IssError(line)
            elif directive == "define" and active[-1]:
                value = words[2] if len(words) > 2 else ""
                string = re.fullmatch(r'"([^"]*)"', value)
                known[words[1]] = string.group(1) if string else value
                if string:
                    literal.add(words[1])
                else:
                    literal.discard(words[1])
            continue
        if not active[-1]:
            continue
        if current != "Code" and (not line or line.startswith(";")):
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            current = header.group(1)
            sections.setdefault(current, [])
            continue
        assert current is not None, f"text before the first section: {line}"
        for name in literal:
            raw = raw.replace("{#" + name + "}", known[name])
        sections[current].append(raw if current == "Code" else raw.strip())
    assert active == [True], "unbalanced #if/#endif"
    return Iss(sections=sections, defines=known)


@pytest.fixture(scope="module")
def iss() -> Iss:
    return read_iss(ISS, {"AppVersion": "9.9.9"})


def test_iss_needs_the_version_from_the_build_script() -> None:
    with pytest.raises(IssError, match="AppVersion"):
        read_iss(ISS)
    # build.ps1 passes it under that name, and names the installer as the script does.
    ps1 = BUILD_PS1.read_text(encoding="utf-8")
    assert '"/DAppVersion=$version"' in ps1
    base = read_iss(ISS, {"AppVersion": "$version"}).setup()["OutputBaseFilename"]
    assert f'"dist\\{base}.exe"' in ps1


def test_iss_setup_installs_per_user_with_all_users_as_an_option(iss: Iss) -> None:
    setup = iss.setup()
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["AppName"] == "Lanterna"
    assert setup["AppVersion"] == "9.9.9"
    assert setup["OutputBaseFilename"] == "Lanterna-9.9.9-windows-x64-setup"
    assert setup["PrivilegesRequired"] == "lowest"
    assert "dialog" in setup["PrivilegesRequiredOverridesAllowed"].split()
    # {autopf} is Program Files for all users and %LOCALAPPDATA%\Programs for one.
    assert setup["DefaultDirName"] == "{autopf}\\Lanterna"
    assert setup["ArchitecturesAllowed"] == "x64compatible"
    assert setup["ArchitecturesInstallIn64BitMode"] == "x64compatible"
    assert setup["ChangesAssociations"] == "yes"
    assert setup["SetupIconFile"].endswith("\\resources\\icons\\lanterna.ico")
    assert setup["UninstallDisplayIcon"] == "{app}\\lanterna.exe"
    # Unsigned unless build.ps1 asks for it, with the sign tool name it defines.
    assert "SignTool" not in setup
    signed = read_iss(ISS, {"AppVersion": "9.9.9", "UseSignTool": ""}).setup()
    assert signed["SignTool"] == "lanterna" and signed["SignedUninstaller"] == "yes"
    assert '"/Slanterna=' in BUILD_PS1.read_text(encoding="utf-8")


def test_iss_associates_gguf_files_and_cleans_up_on_uninstall(iss: Iss) -> None:
    registry = iss.entries("Registry")
    assert {entry["Root"] for entry in registry} == {"HKA"}, "HKA follows per-user/all-users"
    by_key: dict[tuple[str, str | None], dict[str, str]] = {
        (e["Subkey"], e.get("ValueName")): e for e in registry
    }
    messages = iss.custom_messages()

    progid = by_key[("Software\\Classes\\Lanterna.gguf", "")]
    assert "uninsdeletekey" in progid["Flags"].split()
    verb = by_key[("Software\\Classes\\Lanterna.gguf\\shell\\open", "")]
    assert verb["ValueData"] == "{cm:OpenWithLanterna}"
    assert messages["english.OpenWithLanterna"] == "Open with Lanterna"
    command = by_key[("Software\\Classes\\Lanterna.gguf\\shell\\open\\command", "")]["ValueData"]
    assert command.startswith('"{app}\\lanterna.exe" ')
    assert command.endswith('"%1"')
    icon = by_key[("Software\\Classes\\Lanterna.gguf\\DefaultIcon", "")]
    assert icon["ValueData"] == "{app}\\lanterna.exe,0"

    open_with = by_key[("Software\\Classes\\.gguf\\OpenWithProgids", "Lanterna.gguf")]
    assert "uninsdeletevalue" in open_with["Flags"].split()
    default = by_key[("Software\\Classes\\.gguf", "")]
    assert default["ValueData"] == "Lanterna.gguf"
    assert "uninsdeletevalue" in default["Flags"].split()
    tasks = {task["Name"]: task for task in iss.entries("Tasks")}
    assert default["Tasks"] in tasks

    # Nothing written stays behind: each entry removes itself or sits under a key that does.
    removed_keys = [e["Subkey"] for e in registry if "uninsdeletekey" in e.get("Flags", "").split()]
    for entry in registry:
        flags = entry.get("Flags", "").split()
        under_removed = any(
            entry["Subkey"] == key or entry["Subkey"].startswith(key + "\\") for key in removed_keys
        )
        assert under_removed or "uninsdeletevalue" in flags, entry


def test_iss_installs_the_frozen_folder_with_shortcuts(iss: Iss) -> None:
    (files,) = iss.entries("Files")
    frozen = iss.defines["FrozenName"]
    assert files["Source"] == "{#RepoRoot}\\dist\\" + frozen + "\\*"
    # RepoRoot is the repository: two folders up from the script.
    assert iss.defines["RepoRoot"] == 'AddBackslash(SourcePath) + "..\\.."'
    assert (ISS.parent / ".." / "..").resolve() == ROOT
    assert files["DestDir"] == "{app}"
    assert {"recursesubdirs", "createallsubdirs", "ignoreversion"} <= set(files["Flags"].split())

    icons = iss.entries("Icons")
    start_menu = [i for i in icons if i["Name"].startswith("{autoprograms}\\")]
    assert start_menu and start_menu[0]["Filename"] == "{app}\\lanterna.exe"
    (desktop,) = [i for i in icons if i["Name"].startswith("{autodesktop}\\")]
    tasks = {task["Name"]: task for task in iss.entries("Tasks")}
    assert "unchecked" in tasks[desktop["Tasks"]]["Flags"].split(), "opt-in desktop icon"


def test_iss_folder_matches_the_spec() -> None:
    collect = spec_call_name("COLLECT")
    if collect is None:
        reason = "absent" if not SPEC.exists() else "without a constant COLLECT name"
        pytest.skip(f"packaging/lanterna.spec is {reason}")
    iss = read_iss(ISS, {"AppVersion": "9.9.9"})
    assert iss.defines["FrozenName"] == collect
    assert f"'dist\\{collect}'" in BUILD_PS1.read_text(encoding="utf-8")


# The language files shipped in every Inno Setup 6 release's Languages folder.
INNO_LANGUAGES = {
    "Armenian",
    "BrazilianPortuguese",
    "Catalan",
    "Corsican",
    "Czech",
    "Danish",
    "Dutch",
    "Finnish",
    "French",
    "German",
    "Hebrew",
    "Italian",
    "Japanese",
    "Norwegian",
    "Polish",
    "Portuguese",
    "Russian",
    "Slovenian",
    "Spanish",
    "Turkish",
    "Ukrainian",
}


def test_iss_languages_are_shipped_with_inno_setup_and_translated(iss: Iss) -> None:
    languages = {entry["Name"]: entry["MessagesFile"] for entry in iss.entries("Languages")}
    assert set(languages) == {"english", "brazilianportuguese", "spanish"}
    for messages_file in languages.values():
        if messages_file == "compiler:Default.isl":
            continue
        match = re.fullmatch(r"compiler:Languages\\(\w+)\.isl", messages_file)
        assert match and match.group(1) in INNO_LANGUAGES, messages_file
    # Every message of ours exists in every language.
    messages = iss.custom_messages()
    names = {key.split(".", 1)[1] for key in messages}
    for language in languages:
        for name in names:
            assert messages.get(f"{language}.{name}"), f"{language}.{name} is missing"


def test_iss_uninstall_keeps_user_data_unless_asked(iss: Iss) -> None:
    code = "\n".join(iss.sections["Code"])
    # Comments aside, the procedure as the uninstaller will run it.
    code = re.sub(r"\{[^}]*\}", "", code.replace("{localappdata}", "<localappdata>"))
    body = re.search(
        r"procedure CurUninstallStepChanged\(CurUninstallStep: TUninstallStep\);(.*?)\nend;",
        code,
        re.S,
    )
    assert body, "no CurUninstallStepChanged procedure"
    steps = body.group(1)
    assert "usPostUninstall" in steps
    ask = steps.index("MsgBox(FmtMessage(CustomMessage('DeleteUserData')")
    # A silent uninstall returns before the question; "No" is the default button; only Yes deletes.
    assert steps.index("if UninstallSilent() then") < ask
    assert re.search(r"MB_YESNO or MB_DEFBUTTON2\) = IDYES then\s+begin\s+if not DelTree\(", steps)
    assert "ExpandConstant('<localappdata>\\Lanterna')" in code
    question = iss.custom_messages()["english.DeleteUserData"]
    assert question.startswith("Also delete your chats, settings and downloaded models?")


def test_iss_deletes_the_folder_the_app_uses_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """engine/paths.py's folders on Windows all lie in %LOCALAPPDATA%\\Lanterna, the folder
    the uninstaller offers to delete."""
    import platformdirs
    import platformdirs.windows

    from engine.paths import app_paths

    local = "/LOCALAPPDATA"
    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.windows.Windows)
    monkeypatch.setattr(
        platformdirs.windows,
        "get_win_folder",
        lambda csidl: local if csidl == "CSIDL_LOCAL_APPDATA" else f"/{csidl}",
    )
    monkeypatch.delenv("LANTERNA_HOME", raising=False)
    monkeypatch.delenv("LANTERNA_MODELS_DIR", raising=False)
    paths = app_paths()
    for folder in (paths.data, paths.config, paths.cache, paths.logs, paths.models):
        assert folder == Path(local, "Lanterna") or Path(local, "Lanterna") in folder.parents
    assert "ExpandConstant('{localappdata}\\Lanterna')" in ISS.read_text(encoding="utf-8-sig")


# ---- packaging/windows/build.ps1 -----------------------------------------------------------------


def portable_cmake_args() -> list[str]:
    """The CMake flags of the portable llama.cpp build the Linux scripts use."""
    shared = ROOT / "packaging" / "llama-cmake-args.sh"
    if shared.exists():
        match = re.search(r'LLAMA_PORTABLE_CMAKE_ARGS="([^"]+)"', shared.read_text("utf-8"))
    else:
        bootstrap = (ROOT / "packaging" / "bootstrap.sh").read_text(encoding="utf-8")
        match = re.search(r'CMAKE_ARGS="(-D[^"]+)"', bootstrap)
    assert match, "no portable CMake flags found in the Linux scripts"
    return match.group(1).split()


def test_build_ps1_builds_llama_cpp_like_the_linux_scripts() -> None:
    ps1 = BUILD_PS1.read_text(encoding="utf-8")
    match = re.search(r"\$PortableCmakeArgs = ((?:'[^']*'(?:\s*\+\s*)?)+)", ps1)
    assert match
    ps1_flags = "".join(re.findall(r"'([^']*)'", match.group(1))).split()
    assert sorted(ps1_flags) == sorted(portable_cmake_args())
    assert "$env:CMAKE_ARGS = $PortableCmakeArgs" in ps1


def test_build_ps1_refers_to_files_that_exist() -> None:
    ps1 = BUILD_PS1.read_text(encoding="utf-8")
    # Windows PowerShell 5.1 misreads non-ASCII in a script without a byte order mark.
    assert ps1.isascii()
    for relative in re.findall(r"'((?:packaging|resources)\\[\w\\.-]+)'", ps1):
        path = ROOT / relative.replace("\\", "/")
        if relative.endswith(("lanterna.ico", "lanterna.spec")):
            continue  # made by this script / by the spec's author
        assert path.exists(), relative
    for name in ("make_ico.py", "lanterna.iss"):
        assert f"packaging\\windows\\{name}" in ps1


@pytest.mark.skipif(shutil.which("pwsh") is None, reason="PowerShell (pwsh) is not installed")
def test_build_ps1_parses_in_powershell() -> None:
    command = (
        "$errors = $null; "
        "[System.Management.Automation.Language.Parser]::ParseFile("
        f"'{BUILD_PS1}', [ref]$null, [ref]$errors) | Out-Null; "
        "$errors | ForEach-Object { $_.ToString() }; exit $errors.Count"
    )
    result = subprocess.run(
        ["pwsh", "-NoProfile", "-NonInteractive", "-Command", command],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
