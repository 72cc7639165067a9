#!/usr/bin/env bash
# Web app prerequisites: Debian chromium for the end-to-end tests (when missing and apt-get is
# usable), then the front end build (web/dist). Idempotent and quiet: re-running skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup-web: installing Debian chromium (for the browser tests)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  else
    echo "setup-web: chromium is missing and apt-get is not usable here; the browser tests will be skipped" >&2
  fi
fi

# Build the front end when any of its sources is newer than the build.
if [ ! -f web/dist/index.html ] || [ -n "$(find web/src web/index.html web/vite.config.ts -newer web/dist/index.html 2>/dev/null | head -n 1)" ]; then
  echo "setup-web: building the web app (web/dist)" >&2
  node node_modules/vite/bin/vite.js build --config web/vite.config.ts --logLevel error
fi
