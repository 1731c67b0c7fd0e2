#!/usr/bin/env bash
# Build the frozen app (PyInstaller, one folder) from the environment in .venv:
#   bash packaging/build-frozen.sh [DIST]
# DIST defaults to build/frozen (or $LANTERNA_FROZEN_DIST); the app lands in DIST/lanterna/
# (DIST/Lanterna.app as well on macOS), PyInstaller's intermediate files in DIST/.work.
#
# .venv must already hold Lanterna and its dependencies (packaging/bootstrap.sh). PyInstaller
# is added to it when missing, at the version pinned here (the "package" extra of pyproject.toml
# names the same tools for those who install them another way).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dist="${1:-${LANTERNA_FROZEN_DIST:-build/frozen}}"
mkdir -p "$dist"
dist="$(cd "$dist" && pwd)"
py=.venv/bin/python
[ -x "$py" ] || py=.venv/Scripts/python.exe  # Windows virtualenv layout
if [ ! -x "$py" ]; then
  echo "build-frozen: no .venv here; run packaging/bootstrap.sh first" >&2
  exit 1
fi

PYINSTALLER_VERSION=6.22.3
HOOKS_CONTRIB_VERSION=2026.9
have="$("$py" -c 'import PyInstaller; print(PyInstaller.__version__)' 2>/dev/null || true)"
if [ "$have" != "$PYINSTALLER_VERSION" ]; then
  echo "== installing pyinstaller $PYINSTALLER_VERSION"
  "$py" -m pip install -q "pyinstaller==$PYINSTALLER_VERSION" \
    "pyinstaller-hooks-contrib==$HOOKS_CONTRIB_VERSION"
fi

# The .qm catalogues are built, not committed; the spec refuses to build without them.
echo "== compiling translations"
"$py" -m desktop.i18n compile

echo "== pyinstaller (a minute or more)"
start=$(date +%s)
# --clean: a cached analysis from another environment must not leak into this build.
"$py" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$dist/.work" packaging/lanterna.spec
end=$(date +%s)

echo "== built $dist/lanterna in $((end - start)) s"
du -sh "$dist/lanterna"
[ -d "$dist/Lanterna.app" ] && du -sh "$dist/Lanterna.app"
exit 0
