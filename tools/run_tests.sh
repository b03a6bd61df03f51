#!/usr/bin/env bash
# Installs what is missing, builds spinnet (with the CUDA backend when nvcc exists) and runs the
# whole test suite. CUDA cases skip where no GPU is visible and are required where one is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
build=${SPINNET_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$(nproc)"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "$@"
