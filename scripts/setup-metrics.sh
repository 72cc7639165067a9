#!/usr/bin/env bash
# Installs what the metric tests' independent reference computations need (Debian packages), when
# missing: NumPy and SciPy for test/metrics/reference/*.py (RISE deletion/insertion, ROAD's
# imputation, Spearman/entropy), scikit-image for the SSIM reference. The tests skip those checks
# without them; nothing else in Glassbox needs Python.
# Idempotent and quiet: does nothing when the modules already import.
set -euo pipefail

PY=/usr/bin/python3
missing=()
if [ -x "$PY" ]; then
  "$PY" -c 'import numpy' 2>/dev/null || missing+=(python3-numpy)
  "$PY" -c 'import scipy' 2>/dev/null || missing+=(python3-scipy)
  "$PY" -c 'import skimage' 2>/dev/null || missing+=(python3-skimage)
else
  missing+=(python3 python3-numpy python3-scipy python3-skimage)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo -n)
else
  echo "setup-metrics.sh: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
install() {
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
# Only refresh the package lists when the install cannot find the packages without it.
if ! install 2>/dev/null; then
  "${SUDO[@]}" apt-get update -qq >/dev/null
  install
fi

"$PY" -c 'import numpy, scipy, skimage' || { echo "setup-metrics.sh: python3 modules still missing after install" >&2; exit 1; }
