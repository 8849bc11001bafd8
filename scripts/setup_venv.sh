#!/usr/bin/env bash
# Create .venv (if missing) and install the pinned dependencies. Usage: scripts/setup_venv.sh [dev]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -d .venv ] || "$PY" -m venv .venv
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "dev" ]; then
  python -m pip install --quiet -r requirements-dev.txt
else
  python -m pip install --quiet -r requirements.txt
fi
