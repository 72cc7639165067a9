#!/usr/bin/env bash
# `npm run demo`: set up, then train, explain and report on the built-in MNIST default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node bin/glassbox.js demo "$@"
