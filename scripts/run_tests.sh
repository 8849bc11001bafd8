#!/usr/bin/env bash
# Set up and run the whole test suite (installs Debian's Chromium for the browser tests when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
scripts/setup_venv.sh dev
. .venv/bin/activate
python -m pytest -q "$@"
