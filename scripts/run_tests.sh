#!/usr/bin/env bash
# Set up and run the whole test suite. Installs Debian's Chromium (browser tests) and PostgreSQL (the
# data-access, import and metrics tests run on DuckDB and on PostgreSQL) when missing, starts a throwaway
# PostgreSQL cluster on a free port (trust authentication, data in a temporary folder, run as a non-root
# user), points the tests at it (TKM_TEST_POSTGRES_URL) and removes it at exit.
# An existing server can be used instead: set TKM_TEST_POSTGRES_URL (a superuser URL) before running.
# Usage: scripts/run_tests.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"; else sudo "$@"; fi
}

pg_bindir() {  # Debian keeps the server programs in /usr/lib/postgresql/<version>/bin
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$d" ] && command -v pg_ctl >/dev/null 2>&1; then d=$(dirname "$(readlink -f "$(command -v pg_ctl)")"); fi
  if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; fi
}

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ -z "${TKM_TEST_POSTGRES_URL:-}" ] && [ -z "$(pg_bindir)" ]; then missing+=(postgresql); fi
if [ ${#missing[@]} -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

scripts/setup_venv.sh dev
. .venv/bin/activate

if [ -z "${TKM_TEST_POSTGRES_URL:-}" ]; then
  bindir=$(pg_bindir)
  pgdir=$(mktemp -d "${TMPDIR:-/tmp}/tkm-postgres.XXXXXX")
  run_pg=()
  if [ "$(id -u)" = "0" ]; then  # the server refuses to run as root
    id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    chown postgres "$pgdir"
    run_pg=(runuser -u postgres --)
  fi
  stop_pg() {
    "${run_pg[@]}" "$bindir/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pgdir"
  }
  trap stop_pg EXIT
  port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${run_pg[@]}" "$bindir/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$pgdir/initdb.log" 2>&1 \
    || { cat "$pgdir/initdb.log" >&2; exit 1; }
  # a throwaway cluster: durability off for speed
  "${run_pg[@]}" "$bindir/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
    -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$pgdir/server.log" >&2; exit 1; }
  export TKM_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') voor de tests op poort $port" >&2
fi

python -m pytest -q "$@"
