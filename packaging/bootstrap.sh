#!/usr/bin/env bash
# Prepare a development environment from a fresh Debian/Ubuntu machine with Python 3.11:
# system libraries, the virtualenv in .venv, Lanterna with its dependencies (and with
# "test" as first argument, the test tools), llama-cpp-python built portable.
#
# llama-cpp-python ships as source. A default (native) build uses every instruction the build
# machine has, and on CPUs that advertise AMX it crashes in ggml's AMX matmul; installers need
# portable binaries anyway. pip caches the built wheel but ignores CMAKE_ARGS in the cache key,
# so a native wheel cached by anything else is detected below and rebuilt.
set -euo pipefail

extras="${1:-}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

# System packages: a compiler and cmake for llama.cpp, and the libraries Qt's platform plugins
# load (the xcb ones are also what the frozen app bundles, so they must be here when it is built).
packages=(build-essential cmake git libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0
          libfontconfig1 libdbus-1-3 libglib2.0-0 fonts-dejavu-core libx11-xcb1 libxcb-cursor0
          libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0
          libxcb-randr0 libxcb-xinerama0 libxcb-xkb1)
# With "test": what the packaging tests build and check the Linux installers with (squashfs and
# the libraries of the AppImage runtime, dpkg-deb, the freedesktop validators, shellcheck), and
# python3-doc, real multi-page documents for the document tests and benchmarks.
if [ "$extras" = "test" ]; then
  packages+=(squashfs-tools libsquashfuse-dev zlib1g-dev liblzma-dev liblzo2-dev liblz4-dev
             libzstd-dev dpkg-dev desktop-file-utils appstream shared-mime-info libxml2-utils
             libglib2.0-bin shellcheck python3-doc libtasn1-doc)
fi
need=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if ! "$PYTHON" -c "import venv, ensurepip" >/dev/null 2>&1; then need+=(python3-venv); fi
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing system packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip wheel setuptools

# shellcheck source=packaging/llama-cmake-args.sh
source "$root/packaging/llama-cmake-args.sh"
export CMAKE_ARGS="$LLAMA_PORTABLE_CMAKE_ARGS"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}"

spec="."
[ "$extras" = "test" ] && spec=".[test,package]"
echo "== installing Lanterna ($spec); the first build of llama-cpp-python takes 12-35 minutes"
.venv/bin/python -m pip install -q -e "$spec"

# The app's translations (.qm) are built from the .ts sources, not committed.
echo "== compiling translations"
.venv/bin/python -m desktop.i18n compile

# A wheel built natively (AVX-512/AMX compiled in) is not portable and crashes on AMX CPUs.
if .venv/bin/python - <<'PY'
import sys
import llama_cpp
info = llama_cpp.llama_print_system_info().decode()
native = any(f"{flag} = 1" in info for flag in ("AMX_INT8", "AVX512"))
sys.exit(1 if native else 0)
PY
then
  :
else
  echo "== the cached llama-cpp-python wheel is a native build; rebuilding it portable"
  .venv/bin/python -m pip cache remove llama_cpp_python >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q --force-reinstall --no-deps "llama-cpp-python==0.3.36"
fi
