#!/usr/bin/env bash
# Linux installers, one command: the frozen app, then an AppImage and a .deb around it.
#   bash packaging/linux/build.sh [OUT]
# OUT defaults to dist/; it receives Lanterna-<version>-x86_64.AppImage and
# lanterna_<version>_amd64.deb. The frozen folder is built in build/frozen unless
# LANTERNA_FROZEN_DIR names one already built (the tests reuse theirs).
# LANTERNA_LLAMA_VARIANTS names a folder of GPU builds of llama.cpp made by
# packaging/gpu/build-llama-variant.sh (cuda/, vulkan/): they go into the app's backends/,
# where the app picks the one the machine can use. Without it the packages run on the CPU.
#
# Needs the development environment (packaging/bootstrap.sh) and, installed here when missing,
# squashfs-tools and dpkg-dev. The AppImage runtime is Lanterna's own
# (packaging/linux/appimage/runtime.c), built on first use.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="${1:-dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
here="packaging/linux"
app_id="app.lanterna.Lanterna"
py=.venv/bin/python
version="$("$py" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"

need=()
command -v mksquashfs >/dev/null 2>&1 || need+=(squashfs-tools)
command -v dpkg-deb >/dev/null 2>&1 || need+=(dpkg-dev)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}"
fi

frozen="${LANTERNA_FROZEN_DIR:-}"
if [ -z "$frozen" ]; then
  bash packaging/build-frozen.sh build/frozen
  frozen="build/frozen/lanterna"
fi
frozen="$(cd "$frozen" && pwd)"
[ -x "$frozen/lanterna" ] || { echo "build: no frozen app in $frozen" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/lanterna-linux.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The app folder both packages carry: the frozen app plus any GPU builds.
add_app() {
  cp -a "$frozen" "$1"
  if [ -n "${LANTERNA_LLAMA_VARIANTS:-}" ]; then
    mkdir -p "$1/backends"
    for variant in "$LANTERNA_LLAMA_VARIANTS"/*/; do
      [ -f "$variant/variant.json" ] && cp -a "$variant" "$1/backends/"
    done
  fi
}

# The freedesktop files, in the layout both packages share (under usr/).
share() {
  local prefix="$1"
  install -Dm644 "$here/$app_id.desktop" "$prefix/share/applications/$app_id.desktop"
  install -Dm644 "$here/$app_id.metainfo.xml" "$prefix/share/metainfo/$app_id.metainfo.xml"
  install -Dm644 "$here/$app_id-mime.xml" "$prefix/share/mime/packages/$app_id.xml"
  mkdir -p "$prefix/share/icons"
  QT_QPA_PLATFORM=offscreen "$py" "$here/render_icons.py" "$prefix/share/icons" >/dev/null
}

echo "== AppImage"
appdir="$work/AppDir"
mkdir -p "$appdir/usr/lib"
add_app "$appdir/usr/lib/lanterna"
share "$appdir/usr"
cp "$here/$app_id.desktop" "$appdir/"
cp "$appdir/usr/share/icons/hicolor/256x256/apps/$app_id.png" "$appdir/$app_id.png"
cat >"$appdir/AppRun" <<'EOF'
#!/bin/sh
# The AppImage's entry point: the frozen app inside the image, with the user's arguments.
here="$(dirname "$(readlink -f "$0")")"
exec "$here/usr/lib/lanterna/lanterna" "$@"
EOF
chmod 755 "$appdir/AppRun"
appimage="$out/Lanterna-$version-x86_64.AppImage"
# zstd level 9: 307 MiB in 12 s, against 300 MiB in about a minute at level 19 (measured on
# this payload); the model and the libraries are most of it and barely compress.
APPIMAGE_ZSTD_LEVEL="${APPIMAGE_ZSTD_LEVEL:-9}" bash "$here/appimage/make-appimage.sh" "$appdir" "$appimage"

echo "== .deb"
pkg="$work/deb"
mkdir -p "$pkg/usr/lib" "$pkg/usr/bin" "$pkg/DEBIAN"
add_app "$pkg/usr/lib/lanterna"
ln -s ../lib/lanterna/lanterna "$pkg/usr/bin/lanterna"
ln -s ../lib/lanterna/lanterna-engine "$pkg/usr/bin/lanterna-engine"
share "$pkg/usr"
installed_kb="$(du -sk "$pkg/usr" | cut -f1)"
# Qt's own libraries travel in the frozen folder; these are what its xcb/wayland platform
# plugins and OpenGL load from the system. The desktop, MIME and icon caches are refreshed by
# dpkg's file triggers (desktop-file-utils, shared-mime-info, the icon theme), so no scripts.
cat >"$pkg/DEBIAN/control" <<EOF
Package: lanterna
Version: $version
Architecture: amd64
Maintainer: Lanterna <hello@lanterna.app>
Installed-Size: $installed_kb
Depends: libc6 (>= 2.34), libgl1, libegl1, libfontconfig1, libfreetype6, libdbus-1-3,
 libglib2.0-0, libxkbcommon0, libxkbcommon-x11-0, libx11-xcb1, libxcb-cursor0, libxcb-icccm4,
 libxcb-keysyms1, libxcb-shape0, libxcb-render-util0, libxcb-image0, libxcb-randr0,
 libxcb-xinerama0, libxcb-xkb1
Recommends: gnome-keyring | kwalletmanager
Section: science
Priority: optional
Homepage: https://lanterna.app
Description: Run open-weight reasoning models on your own computer
 Lanterna chats with gpt-oss-20b and other GGUF models entirely on this machine:
 streaming answers, reasoning effort, a moderated view of the model's reasoning,
 and a model manager with verified downloads and a memory-fit estimate.
EOF
deb="$out/lanterna_${version}_amd64.deb"
# zstd: most of the payload (model weights, shared libraries) hardly compresses, so xz saved 1%
# for 17 times the build time (300 MiB in 204 s, against 303 MiB in 12 s). Every dpkg on a
# system new enough for the app (glibc 2.34: Debian 12, Ubuntu 22.04 and later) reads it.
dpkg-deb --root-owner-group -Zzstd -z9 --build "$pkg" "$deb" >/dev/null

echo "== built"
for f in "$appimage" "$deb"; do
  echo "$f  $(( $(stat -c %s "$f") / 1048576 )) MiB"
done
