#!/usr/bin/env bash
# Installs everything Glassbox needs on a fresh machine (Node 20 + npm + apt): npm packages,
# then the Debian data packages. Idempotent: re-running skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

# Debian packages (data sets, Chromium for the browser tests, NumPy for reference checks) and
# the web app's build; each script skips what is already there.
for part in data metrics web; do
  if [ -f "scripts/setup-$part.sh" ]; then bash "scripts/setup-$part.sh"; fi
done
