#!/usr/bin/env bash
# Assemble an AppImage (type 2) from an AppDir.
#
#   make-appimage.sh APPDIR OUTPUT
#
# APPDIR must hold, at its root, an executable AppRun, exactly one .desktop file and the icon
# that file names. The result is our runtime (runtime.c) followed by a zstd-compressed
# squashfs image of APPDIR, with the AppImage magic in the ELF header.
#
# Environment:
#   APPIMAGE_RUNTIME_DIR  where the runtime is built (default: build/appimage-runtime in the
#                         repository); it is rebuilt when runtime.c or its build script changed
#   APPIMAGE_ZSTD_LEVEL   zstd level, 1-22 (default 19)
#   SOURCE_DATE_EPOCH     if set, mksquashfs uses it for reproducible time stamps
set -euo pipefail

usage() {
  echo "usage: $0 APPDIR OUTPUT" >&2
  exit 2
}
fail() {
  echo "error: $*" >&2
  exit 1
}
[ $# -eq 2 ] || usage
appdir="${1%/}"
output="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
runtime_dir="${APPIMAGE_RUNTIME_DIR:-$root/build/appimage-runtime}"
level="${APPIMAGE_ZSTD_LEVEL:-19}"

# --- The AppDir must follow the AppImage conventions ------------------------------------------
[ -d "$appdir" ] || fail "$appdir is not a folder"
[ -e "$appdir/AppRun" ] || fail "$appdir has no AppRun (the program the image starts)"
[ -x "$appdir/AppRun" ] || fail "$appdir/AppRun is not executable"

shopt -s nullglob
desktops=("$appdir"/*.desktop)
shopt -u nullglob
[ ${#desktops[@]} -eq 1 ] ||
  fail "$appdir must hold exactly one .desktop file at its root, found ${#desktops[@]}"
desktop="${desktops[0]}"

# Value of a key in the [Desktop Entry] group (other groups, e.g. actions, are skipped).
desktop_key() {
  awk -v key="$1" '
    /^\[/ { group = $0; next }
    group == "[Desktop Entry]" && index($0, key "=") == 1 {
      print substr($0, length(key) + 2); exit
    }' "$desktop"
}
grep -qx '\[Desktop Entry\]' "$desktop" || fail "$desktop has no [Desktop Entry] group"
for key in Type Name Exec Icon; do
  [ -n "$(desktop_key "$key")" ] || fail "$desktop has no $key= entry"
done
[ "$(desktop_key Type)" = "Application" ] || fail "$desktop: Type must be Application"

icon_name="$(desktop_key Icon)"
case "$icon_name" in
  */*) fail "$desktop: Icon= must be a bare icon name, not a path ($icon_name)" ;;
esac
icon=""
for candidate in "$icon_name" "$icon_name.png" "$icon_name.svg" "$icon_name.svgz" \
                 "$icon_name.xpm"; do
  if [ -f "$appdir/$candidate" ]; then icon="$candidate"; break; fi
done
[ -n "$icon" ] ||
  fail "$appdir has no icon $icon_name.png (or .svg) at its root, as $(basename "$desktop") names"

command -v mksquashfs >/dev/null 2>&1 ||
  fail "mksquashfs is missing (Debian/Ubuntu: apt-get install squashfs-tools)"

# --- Runtime --------------------------------------------------------------------------------
runtime="$runtime_dir/runtime"
if [ ! -x "$runtime" ] || [ "$here/runtime.c" -nt "$runtime" ] ||
   [ "$here/build-runtime.sh" -nt "$runtime" ]; then
  bash "$here/build-runtime.sh" "$runtime_dir"
fi

# --- Filesystem -----------------------------------------------------------------------------
mkdir -p "$(dirname "$output")"
tmp="$output.tmp.$$"
squashfs="$output.squashfs.$$"
trap 'rm -f "$tmp" "$squashfs"' EXIT

# zstd: decompresses several times faster than xz for an image only ~10% larger, which is
# what the first start (when the runtime unpacks everything) feels. 1 MiB blocks compress
# better than the default 128 KiB; the runtime reads whole files in order, so large blocks
# cost it nothing. Owners and extended attributes from the build machine mean nothing on the
# user's machine. .DirIcon (the icon file managers show for the image) is added if missing.
pseudo=()
[ -e "$appdir/.DirIcon" ] || [ -L "$appdir/.DirIcon" ] || pseudo=(-p ".DirIcon s 0777 0 0 $icon")
mksquashfs "$appdir" "$squashfs" -noappend -quiet -no-progress -all-root -no-xattrs \
  -comp zstd -Xcompression-level "$level" -b 1M "${pseudo[@]}" >/dev/null

cat "$runtime" "$squashfs" > "$tmp"
# The AppImage type 2 magic, "AI" 0x02, in the ELF header's padding bytes 8-10.
printf 'AI\002' | dd of="$tmp" bs=1 seek=8 conv=notrunc status=none
chmod 0755 "$tmp"
mv -f "$tmp" "$output"
rm -f "$squashfs"
trap - EXIT
echo "== $output ($(stat -c %s "$output") bytes; filesystem at offset $(stat -c %s "$runtime"))"
