#!/usr/bin/env bash
# Set up, create + seed the embedded DuckDB database (first time only) and start the app.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup_venv.sh
. .venv/bin/activate
if [ ! -f data/terugkeermonitor.duckdb ] && [ -z "${TKM_DATABASE_URL:-}" ]; then
  python cli.py init
fi
exec streamlit run app.py --server.headless true "$@"
