#!/usr/bin/env bash
# Build the AppImage runtime (runtime.c next to this script) into BUILD_DIR/runtime.
#
#   build-runtime.sh BUILD_DIR
#
# libsquashfuse and every decompressor it calls are linked statically, so the runtime depends
# on glibc alone and starts on machines without squashfuse, zstd or FUSE libraries. The
# script checks that and fails otherwise. Missing -dev packages are installed with apt-get.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$1"
CC="${CC:-gcc}"

# Static libraries: libsquashfuse-dev ships libsquashfuse.a, whose decompression code refers to
# all five compressors (zlib, xz, lzo, lz4, zstd), so all five static libraries are needed.
need=()
for pkg in gcc libc6-dev libsquashfuse-dev zlib1g-dev liblzma-dev liblzo2-dev liblz4-dev \
           libzstd-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing system packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}"
fi

mkdir -p "$out"
tmp="$out/runtime.tmp.$$"
trap 'rm -f "$tmp"' EXIT

# -s: symbols are of no use to users and a third of the size.
"$CC" -std=c11 -O2 -Wall -Wextra -Werror \
  -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
  -o "$tmp" "$here/runtime.c" \
  -s -Wl,-z,relro,-z,now -Wl,--as-needed \
  -Wl,-Bstatic -lsquashfuse -lzstd -llzma -llzo2 -llz4 -lz -Wl,-Bdynamic

# Only the C library may be loaded dynamically.
needed="$(LC_ALL=C readelf -d "$tmp" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
if [ "$needed" != "libc.so.6 " ]; then
  echo "error: the runtime must depend on libc.so.6 only, but needs: $needed" >&2
  exit 1
fi

# The AppImage payload starts where the section header table ends; that must be the end of
# the file, or the runtime would look for its filesystem inside itself.
python3 - "$tmp" <<'PY'
import os
import struct
import sys

path = sys.argv[1]
with open(path, "rb") as f:
    ident = f.read(64)
if ident[4] == 2:
    shoff, = struct.unpack_from("<Q", ident, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", ident, 0x3A)
else:
    shoff, = struct.unpack_from("<I", ident, 0x20)
    shentsize, shnum = struct.unpack_from("<HH", ident, 0x2E)
end, size = shoff + shnum * shentsize, os.path.getsize(path)
if end != size:
    sys.exit(f"error: section headers end at {end}, but the runtime is {size} bytes long")
PY

mv -f "$tmp" "$out/runtime"
trap - EXIT
echo "== runtime: $out/runtime ($(stat -c %s "$out/runtime") bytes)"
