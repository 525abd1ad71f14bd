#!/usr/bin/env bash
# The whole test suite: type checks, then every package's vitest suite against real servers
# (a PostgreSQL server and a redis-server started for the run, PGlite, chDB, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
echo "== type check"
pnpm exec tsc -p tsconfig.json
pnpm --filter @cc/web check
echo "== tests"
pnpm --filter @cc/web test
pnpm exec vitest run "$@"
