#!/usr/bin/env bash
# The whole platform on embedded defaults (PGlite, chDB, a local redis-server): API, worker,
# voice runtime and console in one process, with a demo tenant.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh start
exec node --import tsx services/platform/src/main.ts "$@"
