#!/usr/bin/env bash
# Installs the offline data sets Glassbox's loaders read (Debian packages), when missing.
#   fashion-mnist  -> dataset-fashion-mnist  (/usr/share/datasets/fashion-mnist/*.gz)
#   breast-cancer  -> python3-sklearn        (sklearn/datasets/data/breast_cancer.csv)
# Idempotent and quiet: does nothing when the files are already there.
set -euo pipefail

FASHION=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
SKLEARN_CSV=/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv

missing=()
[ -f "$FASHION" ] || missing+=(dataset-fashion-mnist)
[ -f "$SKLEARN_CSV" ] || missing+=(python3-sklearn)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo -n env DEBIAN_FRONTEND=noninteractive)
else
  echo "setup-data.sh: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg run to finish rather than failing on its lock.
APT=(apt-get -o DPkg::Lock::Timeout=300 -qq)
apt_install() {
  "${SUDO[@]}" "${APT[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null
}
# Only refresh the package lists when the install cannot find the packages without it.
if ! apt_install 2>/dev/null; then
  "${SUDO[@]}" "${APT[@]}" update >/dev/null
  apt_install
fi

for f in "$FASHION" "$SKLEARN_CSV"; do
  [ -f "$f" ] || { echo "setup-data.sh: $f still missing after install" >&2; exit 1; }
done
