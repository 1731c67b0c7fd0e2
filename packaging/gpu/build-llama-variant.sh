#!/usr/bin/env bash
# Build one variant of llama-cpp-python for Lanterna: cpu, cuda or vulkan.
#
#   bash packaging/gpu/build-llama-variant.sh [--configure-only] VARIANT OUTDIR
#
# The result is OUTDIR/VARIANT/: the llama_cpp package (Python bindings and the native libraries
# they load, the CUDA runtime libraries too for cuda) and variant.json, written last, which is
# what the app looks for. OUTDIR is a variants folder as engine/gpu.py describes it (point
# LANTERNA_LLAMA_VARIANTS_DIR at it, or ship it as backends/ beside the app's executable).
# Each variant is a complete, ordinary llama-cpp-python build; engine/gpu.py says why the app
# picks one of several builds rather than loading ggml backends at run time.
#
# --configure-only runs only the CMake configure step of the sdist (the same project pip's
# build configures), which shows that the flags and the toolchain (nvcc and cuBLAS, Vulkan
# headers and glslc) are found, in a minute instead of the hour a CUDA build takes on 2 cores.
#
# Linux and WSL2. On Windows the same flags apply (see variant.json of a Linux build for them);
# MSVC, the CUDA toolkit or the Vulkan SDK come from their own installers there.
#
# Environment: PYTHON (the interpreter whose pip builds; default .venv/bin/python),
# LANTERNA_CUDA_ARCHS (CMAKE_CUDA_ARCHITECTURES), CUDA_HOME (the CUDA toolkit),
# CMAKE_BUILD_PARALLEL_LEVEL.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=packaging/llama-cmake-args.sh
source "$root/packaging/llama-cmake-args.sh"

usage() {
  echo "usage: $0 [--configure-only] cpu|cuda|vulkan OUTDIR" >&2
  exit 2
}
die() {
  echo "build-llama-variant: $*" >&2
  exit 1
}

configure_only=0
positional=()
for arg in "$@"; do
  case "$arg" in
    --configure-only) configure_only=1 ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) positional+=("$arg") ;;
  esac
done
[ ${#positional[@]} -eq 2 ] || usage
variant="${positional[0]}"
case "$variant" in cpu | cuda | vulkan) ;; *) usage ;; esac
mkdir -p "${positional[1]}"
outdir="$(cd "${positional[1]}" && pwd)"

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  if [ -x "$root/.venv/bin/python" ]; then PYTHON="$root/.venv/bin/python"; else PYTHON=python3; fi
fi
# The version the app pins: a variant must match the bindings it is loaded beside.
version="$(sed -n 's/.*"llama-cpp-python==\([0-9][0-9.]*\).*/\1/p' "$root/pyproject.toml" | sed -n 1p)"
[ -n "$version" ] || die "no llama-cpp-python==X pin found in pyproject.toml"

# Downloads and build trees are kept here between runs; the variant itself is staged beside
# its final folder and renamed into place, so the app never sees half a variant.
work="$outdir/.work"
mkdir -p "$work"

apt_install() {
  local need=() pkg
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  [ ${#need[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing packages (${need[*]}) and no apt-get to install them"
  echo "== installing system packages: ${need[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need[@]}"
}

apt_install build-essential cmake
# An array, not a string: paths found below are passed through intact.
read -r -a cmake_args <<<"$LLAMA_PORTABLE_CMAKE_ARGS"
runtime_lib_dirs=()
notes=()

setup_vulkan() {
  # Headers and loader (libvulkan-dev), the GLSL compiler ggml's shaders are built with
  # (glslc) and the SPIR-V headers its CMake asks for by package config (spirv-headers).
  apt_install libvulkan-dev glslc spirv-headers
  command -v glslc >/dev/null 2>&1 || die "glslc is not on PATH after installing it"
  cmake_args+=(-DGGML_VULKAN=ON)
  # ggml leaves out the shaders a glslc cannot compile; say so rather than ship slower code
  # silently (Debian 12's glslc lacks cooperative matrices and integer dot products).
  printf '#version 460\n#extension GL_KHR_cooperative_matrix : require\nvoid main() {}\n' \
    >"$work/coopmat.comp"
  if ! glslc --target-env=vulkan1.3 -fshader-stage=compute -o /dev/null "$work/coopmat.comp" \
    >/dev/null 2>&1; then
    notes+=("$(glslc --version | sed -n 1p) has no GL_KHR_cooperative_matrix: the Vulkan build leaves out the cooperative-matrix shaders (slower prompt processing on GPUs that have them); a newer glslc (the Vulkan SDK's, or Debian 13's) includes them")
  fi
}

setup_cuda() {
  local nvcc beside_nvcc="" cuda_root="" candidate release major minor
  nvcc="$(command -v nvcc || true)"
  if [ -n "$nvcc" ]; then beside_nvcc="$(dirname "$(dirname "$(readlink -f "$nvcc")")")"; fi
  # A toolkit is a folder with nvcc and the runtime's headers (an nvcc on PATH may be a
  # wrapper script far from the toolkit it runs).
  for candidate in "${CUDA_HOME:-}" "${CUDA_PATH:-}" "$beside_nvcc" /usr/local/cuda; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/nvcc" ] &&
      { [ -f "$candidate/include/cuda_runtime.h" ] ||
        compgen -G "$candidate/targets/*/include/cuda_runtime.h" >/dev/null; }; then
      cuda_root="$(readlink -f "$candidate")"
      break
    fi
  done
  [ -n "$cuda_root" ] || die "no CUDA toolkit found (nvcc): install one, or set CUDA_HOME"
  release="$("$cuda_root/bin/nvcc" --version | sed -n 's/.*release \([0-9]*\)\.\([0-9]*\).*/\1.\2/p')"
  major="${release%%.*}"
  minor="${release#*.}"
  echo "== CUDA toolkit $release in $cuda_root"
  [ "$major" -ge 12 ] || die "CUDA $release is too old: llama.cpp's CUDA backend here wants 12 or newer"

  # Real code for the consumer GPUs people run local models on (RTX 30, 40, 50: sm_86, sm_89,
  # sm_120a), PTX for Turing (75) and Ampere (80) that the driver compiles for anything else
  # at first use. CUDA 13 dropped everything older than Turing.
  local archs="75-virtual;80-virtual;86-real;89-real"
  if [ "$major" -gt 12 ] || [ "$minor" -ge 8 ]; then archs="$archs;120a-real"; fi
  archs="${LANTERNA_CUDA_ARCHS:-$archs}"
  cmake_args+=(-DGGML_CUDA=ON "-DCMAKE_CUDA_ARCHITECTURES=$archs"
    "-DCUDAToolkit_ROOT=$cuda_root" "-DCMAKE_CUDA_COMPILER=$cuda_root/bin/nvcc")
  runtime_lib_dirs+=("$cuda_root/lib64" "$cuda_root/lib" "$cuda_root"/targets/*/lib)

  # cuBLAS is a separate part of the toolkit; a toolkit assembled from NVIDIA's pip wheels may
  # lack it. Then the same wheel pip would install (nvidia-cublas for CUDA 13, -cuNN before)
  # provides headers and libraries, and CMake is told where they are.
  if ! compgen -G "$cuda_root/lib*/libcublas.so*" >/dev/null &&
    ! compgen -G "$cuda_root/targets/*/lib/libcublas.so*" >/dev/null; then
    local spec extra="$work/cuda-$major-cublas" lib inc
    if [ "$major" -ge 13 ]; then spec="nvidia-cublas==$major.*"; else spec="nvidia-cublas-cu$major"; fi
    if ! compgen -G "$extra/nvidia/*/lib/libcublas.so.*" >/dev/null; then
      echo "== cuBLAS is not in the toolkit; installing $spec into $extra"
      "$PYTHON" -m pip install -q --no-deps --target "$extra" "$spec"
    fi
    lib="$(dirname "$(compgen -G "$extra/nvidia/*/lib/libcublas.so.*" | sed -n 1p)")"
    inc="$(dirname "$(compgen -G "$extra/nvidia/*/include/cublas_v2.h" | sed -n 1p)")"
    cmake_args+=("-DCUDA_cublas_LIBRARY=$(compgen -G "$lib/libcublas.so.*" | sed -n 1p)"
      "-DCUDA_cublasLt_LIBRARY=$(compgen -G "$lib/libcublasLt.so.*" | sed -n 1p)"
      "-DCMAKE_CUDA_FLAGS=-I$inc")
    runtime_lib_dirs+=("$lib")
  fi

  # ggml's CUDA memory pool uses the driver's virtual memory API and then links libcuda.so,
  # which a build machine without a GPU has only as the toolkit's stub. Without the stub, build
  # with the older pool rather than not at all, and say so.
  local driver
  driver="$(compgen -G "$cuda_root/lib*/stubs/libcuda.so" || compgen -G "$cuda_root/targets/*/lib/stubs/libcuda.so" || true)"
  if [ -z "$driver" ]; then
    cmake_args+=(-DGGML_CUDA_NO_VMM=ON)
    notes+=("no libcuda.so stub in $cuda_root: GGML_CUDA_NO_VMM=ON (ggml's older CUDA memory pool); a full toolkit (its lib64/stubs) gives the VMM pool")
  fi
}

case "$variant" in
  vulkan) setup_vulkan ;;
  cuda) setup_cuda ;;
esac

sdist="$work/llama_cpp_python-$version.tar.gz"
if [ ! -f "$sdist" ]; then
  echo "== downloading the llama-cpp-python $version sdist"
  "$PYTHON" -m pip download -q --no-binary :all: --no-deps -d "$work" "llama-cpp-python==$version"
fi
[ -f "$sdist" ] || die "pip did not leave $sdist"

if [ "$configure_only" -eq 1 ]; then
  src="$work/llama_cpp_python-$version"
  [ -d "$src/vendor/llama.cpp" ] || tar -xzf "$sdist" -C "$work"
  build="$work/configure-$variant"
  rm -rf "$build"
  echo "== cmake configure ($variant): ${cmake_args[*]}"
  # SKBUILD_PLATLIB_DIR is what scikit-build-core passes; only the install rules use it.
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    "-DSKBUILD_PLATLIB_DIR=$build/platlib" "${cmake_args[@]}"
  for note in "${notes[@]}"; do echo "== note: $note"; done
  echo "== configured $variant in $build (nothing was compiled)"
  exit 0
fi

# Quoted for the shell-style splitting scikit-build-core does on CMAKE_ARGS, so found paths and
# the architecture list's semicolons arrive as one argument each.
CMAKE_ARGS="$(printf '%q ' "${cmake_args[@]}")"
export CMAKE_ARGS
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}"
wheels="$work/wheel-$variant"
rm -rf "$wheels"
echo "== building llama-cpp-python $version ($variant); this takes from 15 minutes to hours"
# --no-cache-dir: pip's wheel cache ignores CMAKE_ARGS, so a cached wheel of another variant
# would be taken for this one.
"$PYTHON" -m pip wheel --no-deps --no-cache-dir -w "$wheels" "$sdist"
wheel="$(compgen -G "$wheels/llama_cpp_python-*.whl" | sed -n 1p)"
[ -n "$wheel" ] || die "pip built no wheel"

stage="$outdir/.$variant.staging"
rm -rf "$stage"
"$PYTHON" -m pip install -q --no-deps --no-compile --target "$stage" "$wheel"
libdir="$stage/llama_cpp/lib"

if [ "$variant" = cuda ]; then
  # libggml-cuda needs the CUDA runtime and cuBLAS (which needs cuBLASLt); beside it, the
  # $ORIGIN run paths find them on machines that have only NVIDIA's driver. The driver itself
  # (libcuda) always comes from the system.
  pending=("$libdir/libggml-cuda.so")
  while [ ${#pending[@]} -gt 0 ]; do
    lib="${pending[0]}"
    pending=("${pending[@]:1}")
    for needed in $(readelf -d "$lib" | sed -n 's/.*Shared library: \[\(libcu[a-zA-Z]*\.so[.0-9]*\)\].*/\1/p'); do
      [ "$needed" = "libcuda.so.1" ] && continue
      [ -e "$libdir/$needed" ] && continue
      found=""
      for dir in "${runtime_lib_dirs[@]}"; do
        if [ -e "$dir/$needed" ]; then found="$dir/$needed"; break; fi
      done
      [ -n "$found" ] || die "$needed (needed by $(basename "$lib")) not found in ${runtime_lib_dirs[*]}"
      cp -L "$found" "$libdir/$needed"
      pending+=("$libdir/$needed")
      echo "== bundled $needed"
    done
  done
fi

# What the app reads (variant, release), and how it was built, for people.
NOTES="$(printf '%s\n' "${notes[@]}")" "$PYTHON" - "$stage/variant.json" "$variant" "$version" \
  "${cmake_args[@]}" <<'PY'
import json
import os
import sys

path, variant, version, *cmake_args = sys.argv[1:]
notes = [line for line in os.environ["NOTES"].splitlines() if line]
info = {"variant": variant, "llama_cpp_python": version, "cmake_args": cmake_args, "notes": notes}
with open(path, "w", encoding="utf-8") as fh:
    json.dump(info, fh, indent=2)
    fh.write("\n")
PY

rm -rf "${outdir:?}/$variant"
mv "$stage" "$outdir/$variant"
for note in "${notes[@]}"; do echo "== note: $note"; done
echo "== $variant variant ready in $outdir/$variant"
