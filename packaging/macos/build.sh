#!/usr/bin/env bash
# Build Lanterna for Apple-silicon macOS: dist/Lanterna-<version>-macos-arm64.dmg.
#
# Run on an Apple-silicon Mac with Python 3.11+ and Xcode's command line tools
# (xcode-select --install):
#
#     bash packaging/macos/build.sh
#
# Optional environment:
#   PYTHON                the Python that creates the virtualenv (default: the first of
#                         python3.11, python3.12, python3.13, python3 that is 3.11+ and arm64)
#   VENV                  the virtualenv to create or reuse (default: .venv)
#   MACOS_SIGN_IDENTITY   a "Developer ID Application: …" identity in the keychain; unset, the
#                         app is left unsigned (it runs here; other Macs' Gatekeeper refuses it)
#   MACOS_NOTARY_PROFILE  a notarytool keychain profile (xcrun notarytool store-credentials),
#                         or APPLE_ID + APPLE_TEAM_ID + APPLE_APP_PASSWORD (app-specific password)
#   LANTERNA_SKIP_LAUNCH_CHECK=1   do not start the built app to check that it launches
#
# Written for the bash 3.2 that macOS ships: no mapfile, no associative arrays, no empty
# arrays expanded under `set -u`.
set -euo pipefail

die() { echo "error: $*" >&2; exit 1; }
step() { echo "== $*"; }

# ---- the machine ---------------------------------------------------------------------------
# Checked before anything is created or installed, so running it elsewhere changes nothing.
if [ "$(uname -s)" != "Darwin" ]; then
  die "this script builds the macOS app and runs on macOS only (this machine runs $(uname -s))"
fi
if [ "$(uname -m)" != "arm64" ]; then
  # A shell started under Rosetta reports x86_64 on an Apple-silicon Mac, and pip would then
  # install Intel wheels (and no MLX).
  if [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = "1" ]; then
    die "this shell runs under Rosetta (x86_64); start a native arm64 terminal and run it again"
  fi
  die "the macOS build is for Apple silicon (arm64); this Mac is $(uname -m)"
fi
# /usr/bin/otool and friends exist as stubs even without the command line tools; xcode-select
# says whether the real tools are there.
xcode-select -p >/dev/null 2>&1 \
  || die "Xcode's command line tools are missing; install them with: xcode-select --install"
for tool in iconutil hdiutil codesign ditto file otool xcrun; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found"
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
build="build/macos"
entitlements="packaging/macos/entitlements.plist"
mkdir -p "$build" dist

# ---- Python and dependencies ---------------------------------------------------------------
# A Python qualifies when it is 3.11+ and runs natively on arm64 (a universal2 python.org
# build qualifies; an Intel-only one would pull Intel wheels and no MLX).
suitable() {
  "$1" -c 'import platform, sys; sys.exit(not (sys.version_info >= (3, 11) and platform.machine() == "arm64"))' \
    >/dev/null 2>&1
}

VENV="${VENV:-.venv}"
py="$VENV/bin/python"
if [ ! -x "$py" ]; then
  if [ -n "${PYTHON:-}" ]; then
    suitable "$PYTHON" || die "PYTHON=$PYTHON is not a native arm64 Python 3.11 or later"
    base="$PYTHON"
  else
    base=""
    for candidate in python3.11 python3.12 python3.13 python3; do
      if command -v "$candidate" >/dev/null 2>&1 && suitable "$candidate"; then
        base="$candidate"
        break
      fi
    done
    [ -n "$base" ] || die "no native arm64 Python 3.11+ found; install one from python.org or Homebrew, or set PYTHON"
  fi
  step "creating $VENV with $base"
  "$base" -m venv "$VENV"
fi
# An existing virtualenv may have been made with an Intel or too old Python.
suitable "$py" || die "$VENV was made with an unsuitable Python (needs native arm64, 3.11+); remove it and run again"

step "installing Lanterna with the packaging tools"
"$py" -m pip install -q --upgrade pip wheel setuptools
# llama.cpp for GGUF models (the demo model among them) with Metal, and no tuning for this
# Mac's CPU: the app must run on every Apple-silicon Mac, not just the one that built it.
export CMAKE_ARGS="-DGGML_METAL=ON -DGGML_METAL_EMBED_LIBRARY=ON -DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF"
"$py" -m pip install -q -e '.[package]'
"$py" -c 'import PyInstaller' 2>/dev/null \
  || die "PyInstaller is not installed; the \"package\" extra in pyproject.toml should provide it"

version="$("$py" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
[ -n "$version" ] || die "no version in pyproject.toml"
dmg="dist/Lanterna-$version-macos-arm64.dmg"
step "building Lanterna $version"

# The .qm files are built from the .ts sources and are not in the repository.
step "compiling translations"
"$py" -m desktop.i18n compile

# ---- the icon ------------------------------------------------------------------------------
# iconutil wants an .iconset folder with every size at 1x and 2x; each is rendered from the SVG
# rather than scaled from one large PNG, so small sizes stay sharp.
step "rendering lanterna.icns"
icon_svg="resources/icons/lanterna.svg"
[ -f "$icon_svg" ] || die "$icon_svg is missing"
iconset="$build/lanterna.iconset"
rm -rf "$iconset"
mkdir -p "$iconset"
"$py" - "$icon_svg" "$iconset" <<'ICONSET_PY'
import os
import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

svg, out = Path(sys.argv[1]), Path(sys.argv[2])
# Qt's offscreen platform where the wheel ships it: drawing needs no window server, and a
# build over ssh has none.
platforms = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms"
if any("offscreen" in plugin.name for plugin in platforms.glob("*")):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
renderer = QSvgRenderer(str(svg))
if not renderer.isValid():
    sys.exit(f"cannot read {svg} as SVG")
for points in (16, 32, 128, 256, 512):
    for scale, suffix in ((1, ""), (2, "@2x")):
        pixels = points * scale
        image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter, QRectF(0, 0, pixels, pixels))
        painter.end()
        target = out / f"icon_{points}x{points}{suffix}.png"
        if not image.save(str(target), "PNG"):
            sys.exit(f"cannot write {target}")
ICONSET_PY
iconutil -c icns -o "$build/lanterna.icns" "$iconset"
# packaging/lanterna.spec takes the bundle icon from LANTERNA_ICNS when it is set.
export LANTERNA_ICNS="$root/$build/lanterna.icns"

# ---- the app bundle ------------------------------------------------------------------------
step "freezing with PyInstaller"
[ -f packaging/lanterna.spec ] || die "packaging/lanterna.spec is missing"
"$py" -m PyInstaller --noconfirm --clean --distpath dist --workpath "$build/pyinstaller" \
  packaging/lanterna.spec
app="dist/Lanterna.app"
[ -d "$app" ] || die "PyInstaller did not produce $app (check BUNDLE(name=...) in the spec)"
main_exe="$("$py" -c 'import plistlib, sys; print(plistlib.load(open(sys.argv[1], "rb"))["CFBundleExecutable"])' \
  "$app/Contents/Info.plist")"
[ -x "$app/Contents/MacOS/$main_exe" ] || die "$app has no executable Contents/MacOS/$main_exe"

# Every Mach-O file in the bundle (executables, dylibs, Python extensions, framework
# binaries), deepest paths first: nested code must be signed before what contains it.
# Symlinks are skipped; PyInstaller links Resources/ entries to the real files in Frameworks/.
list_macho() {
  find "$app/Contents" -type f -print | while IFS= read -r path; do
    case "$(file -b "$path")" in
      *Mach-O*) echo "$path" ;;
    esac
  done | awk -F/ '{ print NF "\t" $0 }' | sort -t "$(printf '\t')" -k1,1nr | cut -f2-
}
machos="$build/macho-files.txt"
list_macho >"$machos"
[ -s "$machos" ] || die "no Mach-O files found in $app"

# A library built for a newer macOS than the bundle declares would make the app fail to start
# there, long after the download. Wheels built for the build Mac's release (pip picks the
# newest matching tag) are the usual cause.
step "checking the macOS version the bundled binaries need"
while IFS= read -r path; do
  otool -l "$path" | awk -v f="$path" '
    $1 == "cmd" && ($2 == "LC_BUILD_VERSION" || $2 == "LC_VERSION_MIN_MACOSX") { want = 1 }
    want && ($1 == "minos" || $1 == "version") { print $2 "\t" f; want = 0 }'
done <"$machos" >"$build/minos.txt"
"$py" - "$app/Contents/Info.plist" "$build/minos.txt" <<'MINOS_PY'
import plistlib
import sys

declared = plistlib.load(open(sys.argv[1], "rb")).get("LSMinimumSystemVersion", "0")


def key(v: str) -> tuple[int, ...]:
    return tuple(int(part) for part in v.split(".") if part.isdigit())


newer = []
for line in open(sys.argv[2], encoding="utf-8"):
    minos, _, path = line.rstrip("\n").partition("\t")
    if key(minos) > key(declared):
        newer.append((key(minos), minos, path))
if newer:
    newer.sort(reverse=True)
    print(f"warning: Info.plist declares macOS {declared}, but {len(newer)} binaries need more:")
    for _, minos, path in newer[:10]:
        print(f"  macOS {minos}: {path}")
    print("  build on the oldest supported macOS, or raise MINIMUM_MACOS in plist_keys.py")
else:
    print(f"all binaries run on macOS {declared}, as Info.plist declares")
MINOS_PY

# ---- signing -------------------------------------------------------------------------------
signed=no
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  step "signing with \"$MACOS_SIGN_IDENTITY\""
  # Hardened runtime (--options runtime) and a secure timestamp are what notarisation requires.
  # Signing is done inside-out instead of with --deep: --deep would give every nested library
  # the app's entitlements and skips code it does not recognise as nested, which is why Apple
  # advises against it for signing. It is still the right option for verifying, below.
  sign() { codesign --force --options runtime --timestamp --sign "$MACOS_SIGN_IDENTITY" "$@"; }

  # 1. Libraries and extensions (everything outside Contents/MacOS), no entitlements:
  #    code loaded into a process runs with the entitlements of that process.
  while IFS= read -r path; do
    case "$path" in
      "$app/Contents/MacOS/"*) ;;
      *) sign "$path" ;;
    esac
  done <"$machos"

  # 2. Framework bundles (Qt's), deepest first, so that each framework's seal covers its
  #    Info.plist and resources. A framework folder without an Info.plist is not a bundle
  #    codesign can seal; its binary was signed as a plain library in step 1.
  find "$app/Contents" -type d -name '*.framework' -print \
    | awk -F/ '{ print NF "\t" $0 }' | sort -t "$(printf '\t')" -k1,1nr | cut -f2- \
    | while IFS= read -r framework; do
        if [ -f "$framework/Resources/Info.plist" ] \
          || [ -f "$framework/Versions/Current/Resources/Info.plist" ]; then
          sign "$framework"
        fi
      done

  # 3. Executables in Contents/MacOS (the app, and the engine CLI when the spec adds it):
  #    these start processes, so they carry the entitlements.
  while IFS= read -r path; do
    case "$path" in
      "$app/Contents/MacOS/"*) sign --entitlements "$entitlements" "$path" ;;
    esac
  done <"$machos"

  # 4. The bundle itself last: its seal records the signatures of everything inside.
  sign --entitlements "$entitlements" "$app"

  step "verifying the signature"
  codesign --verify --deep --strict --verbose=2 "$app"
  signed=yes
else
  echo "skipping signing: MACOS_SIGN_IDENTITY not set (the app runs on this Mac only;" \
    "set it to a \"Developer ID Application: …\" identity to distribute it)"
fi

# The first start of the signed bundle is where a missing entitlement or an unsigned library
# shows up (the hardened runtime kills the process). --help stops after the interpreter, the
# bundled libraries' loading and the app's argument parsing, without opening a window.
if [ "${LANTERNA_SKIP_LAUNCH_CHECK:-}" != "1" ]; then
  step "checking that the app starts"
  "$app/Contents/MacOS/$main_exe" --help >/dev/null \
    || die "$app/Contents/MacOS/$main_exe --help failed; see the crash report in Console.app"
fi

# ---- the disk image ------------------------------------------------------------------------
step "creating $dmg"
staging="$build/dmg"
rm -rf "$staging"
mkdir -p "$staging"
# ditto keeps symlinks, extended attributes and signatures exactly as they are.
ditto "$app" "$staging/Lanterna.app"
# The Applications link lets the user install by dragging the app onto it.
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
# hdiutil sometimes fails with "Resource busy" while Spotlight still looks at the staging
# folder; a second attempt a moment later succeeds.
attempt=1
until hdiutil create -volname "Lanterna" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"; do
  [ "$attempt" -lt 3 ] || die "hdiutil could not create $dmg"
  attempt=$((attempt + 1))
  sleep 5
done
if [ "$signed" = yes ]; then
  # Disk images take a plain signature (no hardened runtime: that applies to executables).
  codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$dmg"
fi

# ---- notarisation --------------------------------------------------------------------------
notary_mode=""
if [ -n "${MACOS_NOTARY_PROFILE:-}" ]; then
  notary_mode=profile
elif [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
  notary_mode=apple-id
fi

notarytool() {
  if [ "$notary_mode" = profile ]; then
    xcrun notarytool "$@" --keychain-profile "$MACOS_NOTARY_PROFILE"
  else
    xcrun notarytool "$@" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
      --password "$APPLE_APP_PASSWORD"
  fi
}

if [ -z "$notary_mode" ]; then
  echo "skipping notarisation: neither MACOS_NOTARY_PROFILE nor APPLE_ID, APPLE_TEAM_ID and" \
    "APPLE_APP_PASSWORD are set"
elif [ "$signed" != yes ]; then
  echo "skipping notarisation: Apple notarises only signed apps (MACOS_SIGN_IDENTITY not set)"
else
  step "notarising (this waits for Apple's answer, usually a few minutes)"
  submission="$build/notary-submission.json"
  # notarytool's exit status does not say whether Apple accepted the upload ("Invalid" is a
  # completed submission too): the status in its JSON answer does.
  notarytool submit "$dmg" --wait --output-format json >"$submission" || true
  status="$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("status", ""))' \
    "$submission" 2>/dev/null || true)"
  if [ "$status" != "Accepted" ]; then
    cat "$submission" >&2 || true
    submission_id="$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("id", ""))' \
      "$submission" 2>/dev/null || true)"
    if [ -n "$submission_id" ]; then
      # The log lists each file Apple rejected and why.
      notarytool log "$submission_id" >&2 || true
    fi
    die "notarisation did not succeed (status: ${status:-unknown})"
  fi
  # Stapling puts the ticket into the image, so Gatekeeper accepts it offline too.
  xcrun stapler staple "$dmg"
  xcrun stapler validate "$dmg"
  # Gatekeeper's own verdict, as a downloaded copy will get it.
  spctl --assess --type open --context context:primary-signature --verbose=2 "$dmg"
fi

echo "built $dmg"
