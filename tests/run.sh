#!/usr/bin/env bash
# Every check of the project, from a fresh machine: set-up, lint, types, all tests.
# Extra arguments go to pytest (e.g. `bash tests/run.sh -k harmony`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash packaging/bootstrap.sh test

echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy

# Tests never touch the user's real data: everything lives under a throwaway LANTERNA_HOME.
export LANTERNA_HOME="${LANTERNA_TEST_HOME:-$(mktemp -d)}"
export QT_QPA_PLATFORM=offscreen
export HF_HUB_OFFLINE=1
echo "== pytest (LANTERNA_HOME=$LANTERNA_HOME)"
.venv/bin/python -m pytest -ra "$@"
