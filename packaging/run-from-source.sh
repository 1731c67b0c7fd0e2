#!/usr/bin/env bash
# Install Lanterna into .venv (first time: builds llama-cpp-python, 12-35 minutes) and start it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/packaging/bootstrap.sh"
exec "$root/.venv/bin/lanterna" "$@"
