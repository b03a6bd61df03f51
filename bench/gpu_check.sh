#!/usr/bin/env bash
# One-shot GPU check for an NVIDIA machine (H200, sm_90), meant to finish in under 5 minutes:
#   info -> dependencies -> configure (sm_90) -> build -> whole ctest suite (CUDA cases must run,
#   not skip) -> macrospin_bench on the large batches (CPU at 1e5 devices, every CUDA case) ->
#   oscillator_bench -> network_bench (coupled networks of 4096 oscillators, CPU against CUDA) ->
#   rfnet_bench (RF network training on cuBLAS against the CPU step).
# Prints the commit, nvidia-smi, and the time of every phase. With OUT set (the device tool), the
# log, the ctest log and the benchmark JSON are written under $OUT.
#
# The GPU machines lent here have no network: when apt cannot install what is missing, the script
# unpacks the .deb files of build-gpu-debs/ (made here by bench/fetch_gpu_debs.sh) into a private
# prefix. From the session's machine:
#   bash bench/fetch_gpu_debs.sh
#   run(command="SPINNET_COMMIT=<git rev-parse --short HEAD, run here> bash bench/gpu_check.sh",
#       carry=["build-gpu-debs"], timeout_s=420)
#
# Environment:
#   SPINNET_GPU_BUILD_DIR   build folder (default build-gpu; kept between calls, so rebuilds are
#                           incremental on a warm machine)
#   SPINNET_DEBS_DIR        carried .deb folder (default build-gpu-debs)
#   SPINNET_COMMIT          commit to print when the copy has no .git
#   SPINNET_BENCH_FILTER    benchmark regex (default: CPU at 1e5 devices and all CUDA cases)
#   SPINNET_BENCH_ARGS      extra macrospin_bench arguments, e.g. --spinnet_work_scale=0.5
#   SPINNET_RF_BENCH_FILTER rfnet_bench regex (default: every CUDA case, the CPU step at batch 256)
#   SPINNET_NETWORK_BENCH_FILTER network_bench regex (default: every CUDA case, the CPU at N = 4096)
#   SPINNET_FORCE_DEBS=1    skip apt and unpack every carried .deb (to test that path)
#   SPINNET_GPU_CHECK_NO_GPU=1  rehearsal on a machine without a GPU: no nvidia-smi needed,
#                           skipped tests allowed (the CUDA cases skip there)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

build=${SPINNET_GPU_BUILD_DIR:-build-gpu}
debs=${SPINNET_DEBS_DIR:-build-gpu-debs}
no_gpu=${SPINNET_GPU_CHECK_NO_GPU:-0}
filter=${SPINNET_BENCH_FILTER:-'^macrospin/(cpu/.*/batch:100000/|cuda/)'}
jobs=$(nproc)
out=${OUT:-}
if [ -n "$out" ]; then
  mkdir -p "$out"
  exec > >(tee "$out/gpu_check.log") 2>&1
fi

now() { date +%s.%N; }
script_start=$(now)
phase_name=""
phase_start=""
phase_times=()
end_phase() {
  if [ -n "$phase_name" ]; then
    local seconds
    seconds=$(awk -v a="$phase_start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
    echo "== ${phase_name}: ${seconds} s"
    phase_times+=("${phase_name} ${seconds}s")
    phase_name=""
  fi
}
begin_phase() {
  end_phase
  phase_name=$1
  phase_start=$(now)
  echo
  echo "== ${phase_name} (at $(awk -v a="$script_start" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }') s)"
}
failures=()
on_exit() {
  local code=$? failed_phase=$phase_name
  end_phase
  echo
  echo "== summary: ${phase_times[*]:-none}; total $(awk -v a="$script_start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s"
  if [ ${#failures[@]} -gt 0 ]; then echo "== FAILED: ${failures[*]}"; fi
  if [ "$code" -ne 0 ] && [ ${#failures[@]} -eq 0 ]; then echo "== FAILED (exit $code in phase '${failed_phase:-?}')"; fi
}
trap on_exit EXIT

begin_phase "info"
echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
if commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null); then
  echo "commit: $commit ($(git -C "$root" status --porcelain 2>/dev/null | wc -l) changed files in the working tree)"
else
  echo "commit: ${SPINNET_COMMIT:-unknown (no .git in this copy; set SPINNET_COMMIT)}"
fi
echo "host: $(uname -srm), $jobs CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total,clocks.sm,clocks.max.sm,temperature.gpu,power.draw \
    --format=csv || nvidia-smi
elif [ "$no_gpu" = 1 ]; then
  echo "nvidia-smi: not found (rehearsal without a GPU)"
else
  echo "nvidia-smi not found: this is not an NVIDIA GPU machine (set SPINNET_GPU_CHECK_NO_GPU=1 to rehearse)"
  exit 1
fi
for tool in /usr/local/cuda/bin/nvcc cmake g++; do
  if command -v "$tool" >/dev/null; then echo "$tool: $("$tool" --version | grep -E 'release|version' | head -1)"; fi
done

begin_phase "dependencies"
force_debs=${SPINNET_FORCE_DEBS:-0}
if [ "$force_debs" != 1 ] && timeout 60 bash tools/install_deps.sh; then
  echo "dependencies: present or installed through apt"
else
  echo "dependencies: tools/install_deps.sh failed (no network or no apt?); continuing"
  shopt -s nullglob
  packages=("$debs"/*.deb)
  shopt -u nullglob
  if [ ${#packages[@]} -gt 0 ]; then
    prefix=/tmp/spinnet-deps
    mkdir -p "$prefix"
    for deb in "${packages[@]}"; do
      name=$(dpkg-deb -f "$deb" Package 2>/dev/null || basename "$deb" | cut -d_ -f1)
      if [ "$force_debs" != 1 ] && dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed"; then
        continue
      fi
      if command -v dpkg-deb >/dev/null; then
        dpkg-deb -x "$deb" "$prefix"
      else
        member=$(ar t "$deb" | grep '^data\.tar')
        ar p "$deb" "$member" | tar -x -C "$prefix" --auto-compress 2>/dev/null ||
          ar p "$deb" "$member" | tar -x -J -C "$prefix"
      fi
      echo "unpacked $name into $prefix"
    done
    # Point the .pc files at the private prefix, and let CMake, pkg-config and the loader look there.
    find "$prefix" -name '*.pc' -exec sed -i "s|^prefix=/usr|prefix=$prefix/usr|" {} +
    multiarch=$prefix/usr/lib/x86_64-linux-gnu
    export CMAKE_PREFIX_PATH=$prefix/usr${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}
    export PKG_CONFIG_PATH=$multiarch/pkgconfig:$prefix/usr/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
    export LD_LIBRARY_PATH=$multiarch${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    # Header-only packages found by #include alone (CLI11) and libraries linked by name.
    export CPATH=$prefix/usr/include${CPATH:+:$CPATH}
    export LIBRARY_PATH=$multiarch${LIBRARY_PATH:+:$LIBRARY_PATH}
    if ! command -v pkg-config >/dev/null && [ -x "$prefix/usr/bin/pkgconf" ]; then
      ln -sf pkgconf "$prefix/usr/bin/pkg-config"
      export PATH=$prefix/usr/bin:$PATH
    fi
  else
    echo "no .deb files in $debs/ to fall back on (make them with bench/fetch_gpu_debs.sh); configure may fail"
  fi
fi

begin_phase "configure"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 \
  -DSPINNET_TESTS=ON -DSPINNET_BENCH=ON 2>&1 | tee "$build.configure.log"
if ! grep -q "spinnet: CUDA backend ON" "$build.configure.log"; then
  if [ "$no_gpu" = 1 ]; then
    echo "CUDA backend OFF (rehearsal: allowed)"
  else
    failures+=("configure: CUDA backend OFF (nvcc not found?)")
    exit 1
  fi
fi
rm -f "$build.configure.log"

begin_phase "build"
cmake --build "$build" -j "$jobs"

begin_phase "ctest"
ctest_log=${out:-$build}/ctest.log
set +e
timeout 300 ctest --test-dir "$build" --output-on-failure -j "$jobs" 2>&1 | tee "$ctest_log"
ctest_code=${PIPESTATUS[0]}
set -e
if [ "$ctest_code" -eq 124 ]; then
  failures+=("ctest: over 300 s, stopped")
elif [ "$ctest_code" -ne 0 ]; then
  failures+=("ctest: failures (exit $ctest_code)")
fi
skipped=$(grep -E '\((Skipped|Not Run|Disabled)\)' "$ctest_log" || true)
if [ -n "$skipped" ]; then
  echo "skipped tests:"
  echo "$skipped"
  if [ "$no_gpu" != 1 ]; then failures+=("ctest: $(echo "$skipped" | wc -l) tests skipped on a GPU machine"); fi
fi
# Continue to the benchmark even when tests failed: its figures are worth the device time.

begin_phase "compute-sanitizer (CUDA RF network)"
# memcheck (out-of-bounds and misaligned accesses, leaks at exit) and racecheck (the shared-memory tile of
# chain_weights_kernel) on the small CUDA RF cases; SPINNET_CUDA_SYNC=1 names the failing kernel.
sanitizer=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null || true)
if [ -n "$sanitizer" ] && [ "$no_gpu" != 1 ]; then
  for tool in memcheck racecheck; do
    set +e
    SPINNET_CUDA_SYNC=1 timeout 120 "$sanitizer" --tool "$tool" --error-exitcode 3 \
      "$build/tests/test_rf_network_cuda" --gtest_filter='RfNetworkCuda.ForwardAndGradientsMatchCpu:RfNetworkCuda.AdamStepsMatchCpu' \
      2>&1 | tail -n 15
    code=${PIPESTATUS[0]}
    set -e
    if [ "$code" -ne 0 ]; then failures+=("compute-sanitizer $tool: exit $code"); fi
  done
else
  echo "compute-sanitizer: not installed here (or rehearsal without a GPU); skipped"
fi

begin_phase "benchmark"
json=${out:-$build}/macrospin_bench.json
# shellcheck disable=SC2086  # SPINNET_BENCH_ARGS is a list of words
timeout 180 "$build/bench/macrospin_bench" --benchmark_filter="$filter" --benchmark_counters_tabular=true \
  --benchmark_out="$json" --benchmark_out_format=json ${SPINNET_BENCH_ARGS:-} ||
  failures+=("benchmark: exit $?")
if command -v python3 >/dev/null && [ -s "$json" ]; then
  python3 - "$json" <<'EOF' || true
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
print(f"{'benchmark':<48} {'devices':>9} {'steps':>8} {'device-steps/s':>15} {'end-to-end/s':>13}")
for r in runs:
    if r.get("error_occurred"):
        print(f"{r['name']:<48} ERROR {r.get('error_message', '')}")
        continue
    name = r["name"].replace("/manual_time", "")
    print(f"{name:<48} {r['devices']:>9.0f} {r['steps']:>8.0f} {r['device_steps_per_second']:>15.3e} "
          f"{r['end_to_end_device_steps_per_second']:>13.3e}")
targets = {"macrospin/cpu/float32/thermal/batch:100000": 1e8, "macrospin/cuda/float32/thermal/batch:1000000": 5e10}
for r in runs:
    name = r["name"].replace("/manual_time", "")
    if name in targets and not r.get("error_occurred"):
        rate, target = r["device_steps_per_second"], targets[name]
        print(f"target {name}: {rate:.3e} vs >= {target:.0e} device-steps/s: {'met' if rate >= target else 'NOT met'}")
EOF
fi
begin_phase "oscillator benchmark"
osc_json=${out:-$build}/oscillator_bench.json
timeout 120 "$build/bench/oscillator_bench" --benchmark_filter='cuda/float32|cpu/float32/thermal/batch:1000000' \
  --benchmark_out="$osc_json" --benchmark_out_format=json ||
  failures+=("oscillator benchmark: exit $?")
if command -v python3 >/dev/null && [ -s "$osc_json" ]; then
  python3 - "$osc_json" <<'EOF' || true
import json, sys
targets = {"auto_oscillator/cuda/float32/thermal/batch:1000000": 2e11}
for r in json.load(open(sys.argv[1]))["benchmarks"]:
    name = r["name"].replace("/manual_time", "")
    rate = r.get("device_steps_per_second", float("nan"))
    print(f"{name:<56} {rate:>12.3e} device-steps/s")
    if name in targets:
        print(f"target {name}: {rate:.3e} vs >= {targets[name]:.0e}: {'met' if rate >= targets[name] else 'NOT met'}")
EOF
fi
begin_phase "network benchmark"
# Coupled networks (issue 12): every CUDA case and the CPU at N = 4096, oscillator-steps per second.
net_json=${out:-$build}/network_bench.json
timeout 120 "$build/bench/network_bench" --benchmark_filter="${SPINNET_NETWORK_BENCH_FILTER:-/cuda/|/cpu/.*/N:4096}" \
  --benchmark_counters_tabular=true --benchmark_out="$net_json" --benchmark_out_format=json ||
  failures+=("network benchmark: exit $?")
if command -v python3 >/dev/null && [ -s "$net_json" ]; then
  python3 - "$net_json" <<'EOF' || true
import json, sys
for r in json.load(open(sys.argv[1]))["benchmarks"]:
    if r.get("error_occurred"):
        print(f"{r['name']:<52} ERROR {r.get('error_message', '')}")
        continue
    rate = r.get("oscillator_steps_per_second", float("nan"))
    print(f"{r['name']:<52} {rate:>12.3e} oscillator-steps/s")
EOF
fi
begin_phase "rfnet benchmark"
# RF network training (MNIST reference sizes 784 -> 128x256 -> 10x128): every CUDA case (training
# step at batch 256/1024/4096, FP32 and TF32, inference, synaptic matrix) and the CPU step at 256.
rf_json=${out:-$build}/rfnet_bench.json
timeout 150 "$build/bench/rfnet_bench" --benchmark_filter="${SPINNET_RF_BENCH_FILTER:-Cuda|BM_MnistTrainingStep/256/|BM_ChainWeights/}" \
  --benchmark_counters_tabular=true --benchmark_out="$rf_json" --benchmark_out_format=json ||
  failures+=("rfnet benchmark: exit $?")
if command -v python3 >/dev/null && [ -s "$rf_json" ]; then
  python3 - "$rf_json" <<'EOF' || true
import json, sys
for r in json.load(open(sys.argv[1]))["benchmarks"]:
    if r.get("error_occurred"):
        print(f"{r['name']:<52} ERROR {r.get('error_message', '')}")
        continue
    unit = "samples/s" if "samples/s" in r else "lorentzians/s"
    print(f"{r['name']:<52} {r['real_time']:>10.3f} {r['time_unit']}/iter {r.get(unit, float('nan')):>12.4g} {unit}")
EOF
fi
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv || true
fi

end_phase
if [ ${#failures[@]} -gt 0 ]; then exit 1; fi
echo "== gpu_check: OK"
