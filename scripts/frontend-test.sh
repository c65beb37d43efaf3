#!/usr/bin/env bash
# frontend-test.sh: install what the dashboard's browser tests need, when it
# is missing (npm packages, Debian chromium, CJK fonts for readable
# screenshots), then run them against the real server built from this
# checkout. Screenshots land in docs/screenshots/.
#   scripts/frontend-test.sh           run the browser tests
#   scripts/frontend-test.sh --bench   also run the render benchmark
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}
if [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi
if ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then apt_install fonts-noto-cjk || echo "warning: no CJK font; Chinese text shows as boxes in screenshots" >&2; fi
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm

cd "$root/frontend"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
node --test --test-concurrency=1 test/*.test.mjs
if [ "${1:-}" = "--bench" ]; then node bench/render.mjs 5; fi
