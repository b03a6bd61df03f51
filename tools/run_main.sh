#!/usr/bin/env bash
# The main job on a fresh Debian machine: installs what is missing, builds spinnet (Release, with
# the CUDA backend when nvcc exists), trains the RF spintronic network on the 8x8 handwritten digits
# (spin-diode synapse chains, STNO neurons, backpropagation) and evaluates it over 1000 fabricated
# chips per resonance / damping / power spread, drawing its figures. Another config can be given:
# an RF-network config is trained (`spinnet train`), any other config is run (`spinnet run`):
#   tools/run_main.sh [config.json [spinnet options: --out DIR --threads N ...]]
# Environment: SPINNET_BUILD_DIR (default build), SPINNET_DATA (data sets; default ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
build=${SPINNET_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$(nproc)" --target spinnet

config=${1:-configs/rfnet_digits8x8.json}
shift $(( $# > 0 ? 1 : 0 ))
command=run
if grep -Eq '"model"[[:space:]]*:[[:space:]]*"(rf_network|software_mlp)"' "$config"; then
  command=train
fi
# Progress goes to stderr; the summary line on stdout names the run directory.
status=0
summary=$("./$build/spinnet" "$command" "$config" --plot "$@") || status=$?
echo "$summary"
out=$(sed -n 's/.*; results in //p' <<<"$summary" | tail -n 1)
if [ -n "$out" ]; then
  echo "spinnet: outputs of $config are in $(cd "$out" && pwd):"
  ls -l "$out"
fi
exit "$status"
