#!/usr/bin/env bash
# Installs what is missing on a fresh Debian machine with Node 20: pnpm, the Debian packages the
# platform (or the test suite) needs, and the workspace's npm dependencies. Safe to re-run.
# Usage: scripts/setup.sh [start|test]
set -euo pipefail
mode="${1:-start}"
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
node_minor=$(node -p 'process.versions.node.split(".")[1]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ] || { [ "$node_major" -eq 20 ] && [ "$node_minor" -lt 19 ]; }; then
  say "Node.js >= 20.19 is required (found $(node --version 2>/dev/null || echo none))."; exit 1
fi

# corepack cannot fetch pnpm on these machines; npm can.
if ! command -v pnpm >/dev/null 2>&1; then
  say "installing pnpm with npm"
  npm install -g pnpm@10 >/dev/null
fi

# Debian packages: binary (or path) -> package. The voice runtime speaks with flite (espeak-ng as
# fallback) and listens with pocketsphinx; tests add a PostgreSQL server, Chromium and sclite.
declare -A need=(
  [redis-server]=redis-server
  [flite]=flite
  [espeak-ng]=espeak-ng
  [pocketsphinx_continuous]=pocketsphinx
  [/usr/share/pocketsphinx/model/en-us]=pocketsphinx-en-us
  [sox]=sox
)
if [ "$mode" = test ]; then
  need[/usr/lib/postgresql]=postgresql
  need[chromium]=chromium
  need[sctk]=sctk
fi
missing=()
for bin in "${!need[@]}"; do
  if [[ "$bin" == /* ]]; then [ -e "$bin" ] || missing+=("${need[$bin]}")
  else command -v "$bin" >/dev/null 2>&1 || missing+=("${need[$bin]}"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}"; exit 1
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
fi

# Build scripts stay off: onnxruntime-node's would download (its CPU binary ships in the package).
export ONNXRUNTIME_NODE_INSTALL=skip
if [ ! -d node_modules/.pnpm ] || [ pnpm-lock.yaml -nt node_modules/.modules.yaml ]; then
  say "installing npm dependencies"
  pnpm install --frozen-lockfile --reporter=append-only >/dev/null
fi

# The console is served from its production build.
if [ ! -f web/build/handler.js ] || [ -n "$(find web/src web/svelte.config.js -newer web/build/handler.js -print -quit 2>/dev/null)" ]; then
  say "building the console"
  pnpm --filter @cc/web build >/dev/null
fi
