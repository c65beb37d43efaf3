#!/usr/bin/env bash
# scripts/test.sh — the whole test suite of wangge, on a fresh Debian 12
# machine with Go and PostgreSQL 15: installs what is missing (PostGIS,
# Chromium, the frontend's npm packages), prepares the test database, then
# runs go vet, the Go tests (storage contract against real PostGIS and the
# embedded store; -race on the concurrent packages) and the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

export CI="${CI:-}"
PGHOST_ADDR="${PGHOST_ADDR:-127.0.0.1}"
PGPORT_NUM="${PGPORT_NUM:-5432}"
TEST_DB="${WANGGE_TEST_DB:-wangge_test}"

step() { printf '\n==> %s\n' "$*"; }

# 1. Debian packages: PostGIS for the store of record, Chromium for the browser tests.
need=()
[ -f /usr/share/postgresql/15/extension/postgis.control ] || need+=(postgresql-15-postgis-3)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  step "installing ${need[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# 2. PostgreSQL must be up; start the local cluster if it is not.
if ! pg_isready -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM"; then
  step "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM" && break; sleep 1; done
fi
step "preparing database $TEST_DB with PostGIS"
psql -X -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U postgres -d postgres -tc \
  "SELECT 1 FROM pg_database WHERE datname = '$TEST_DB'" | grep -q 1 ||
  psql -X -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U postgres -d postgres -c "CREATE DATABASE $TEST_DB"
psql -X -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U postgres -d "$TEST_DB" -c "CREATE EXTENSION IF NOT EXISTS postgis"
export WANGGE_TEST_DATABASE_URL="postgres://postgres@$PGHOST_ADDR:$PGPORT_NUM/$TEST_DB?sslmode=disable"

# 3. Go: vet, then the tests. PostGIS and Chromium tests fail (not skip) when CI is set.
step "go vet"
go vet ./...
step "go test -race (concurrent packages)"
go test -race -count=1 ./routing ./data/... ./api/... ./workflow/...
# geo builds its raster with parallel workers: the test that compares worker counts, under -race
# (the whole package under -race takes over six minutes).
go test -race -count=1 -run 'TestRasterWorkersAgree' ./geo
step "go test (all packages)"
go test -count=1 ./...

# 4. Browser tests of the dashboard against the real server.
if [ -x scripts/frontend-test.sh ]; then
  step "browser tests (headless Chromium)"
  scripts/frontend-test.sh
fi
step "all tests passed"
