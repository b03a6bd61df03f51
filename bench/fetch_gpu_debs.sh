#!/usr/bin/env bash
# Downloads (does not install) the Debian packages spinnet builds against into build-gpu-debs/, so
# that bench/gpu_check.sh can unpack them on a GPU machine that has no network. Run it here, on a
# Debian/Ubuntu machine with apt, then carry build-gpu-debs/ (ignored by git: /build*/) with the
# device tool's run:
#   bash bench/fetch_gpu_debs.sh
#   run(command="bash bench/gpu_check.sh", carry=["build-gpu-debs"])
# Extra package names given as arguments are fetched too.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${SPINNET_DEBS_DIR:-build-gpu-debs}
packages=(
  nlohmann-json3-dev libeigen3-dev librandom123-dev libcli11-dev
  googletest libgtest-dev libgmock-dev
  libbenchmark-dev libbenchmark1debian
  libfftw3-dev libfftw3-bin libfftw3-double3 libfftw3-single3 libfftw3-long3 libfftw3-quad3
  pkgconf pkgconf-bin libpkgconf3 pkg-config
  libhdf5-dev libhdf5-103-1 libhdf5-hl-100 libhdf5-cpp-103-1 libhdf5-hl-cpp-100 hdf5-helpers
  libsz2 libaec0 libaec-dev zlib1g-dev
  "$@"
)
mkdir -p "$dir"
cd "$dir"
# apt-get download drops privileges to _apt, which cannot write here when run as root in /work.
apt-get -o APT::Sandbox::User=root download "${packages[@]}"
ls -l ./*.deb
du -sh .
