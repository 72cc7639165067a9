#!/usr/bin/env bash
# Installs everything Glassbox needs on a fresh machine (Node 20 + npm + apt): npm packages,
# then the Debian data packages. Idempotent: re-running skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ -f scripts/setup-data.sh ]; then
  bash scripts/setup-data.sh
fi
