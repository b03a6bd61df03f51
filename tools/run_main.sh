#!/usr/bin/env bash
# The main job on a fresh Debian machine: installs what is missing, builds spinnet (Release, with
# the CUDA backend when nvcc exists) and runs the representative experiment, the Arnold tongue of
# an injection-locked spin-torque oscillator (64 x 64 drive amplitudes and frequencies, one batch),
# drawing its figures. Other configs and `spinnet run` options can be given:
#   tools/run_main.sh [config.json [--backend cpu|cuda] [--threads N] [--out DIR] ...]
# Environment: SPINNET_BUILD_DIR (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
build=${SPINNET_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$(nproc)" --target spinnet

config=${1:-configs/arnold_tongue.json}
shift $(( $# > 0 ? 1 : 0 ))
# Progress goes to stderr; the summary line on stdout names the run directory.
status=0
summary=$("./$build/spinnet" run "$config" --plot "$@") || status=$?
echo "$summary"
out=$(sed -n 's/.*; results in //p' <<<"$summary" | tail -n 1)
if [ -n "$out" ]; then
  echo "spinnet: outputs of $config are in $(cd "$out" && pwd):"
  ls -l "$out"
fi
exit "$status"
