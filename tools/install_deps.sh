#!/usr/bin/env bash
# Installs spinnet's build and test dependencies from Debian packages.
# Does nothing (and needs no network) when everything is already present.
set -euo pipefail
packages=(
  cmake g++ make pkg-config
  nlohmann-json3-dev libeigen3-dev librandom123-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libhdf5-dev libfftw3-dev libcli11-dev zlib1g-dev libsndfile1-dev
  libopenmpi-dev openmpi-bin
  python3 python3-numpy python3-matplotlib python3-h5py
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "spinnet: installing missing packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
