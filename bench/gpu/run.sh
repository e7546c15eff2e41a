#!/usr/bin/env bash
# The prepared GPU check of issue 21 step 5, for the device machine (one H100/H200, PyTorch 2.x with its
# LibTorch, CMake, g++, no Qt/VTK/HDF5, no network). On the developer machine first: bench/gpu/prepare.sh,
# then run this through the device tool with carry ["bench/gpu/deps"]:
#   bash bench/gpu/run.sh            (writes $OUT/attribution-gpu.md, or bench/results/ without $OUT)
# It builds core + bench_attribution against the machine's PyTorch (core-only configuration) and runs
# bench/gpu/run_gpu_bench.py: fp32, tf32 and bf16, NeuroLens against a Captum-style reference on the device.
# Warnings are not errors here: at -O3, g++ flags a null dereference inside LibTorch 1.13 headers (c10 flat hash
# map) that the project cannot fix.
# Budget: configure + build about 1-2 min on 16 cores, the benchmark under 2 min.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${PYTHON:-python3}
out_dir=${OUT:-bench/results}
torch_prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
prefix="$torch_prefix"
if [ -d bench/gpu/deps ]; then prefix="$PWD/bench/gpu/deps;$prefix"; fi
"$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available(),
torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'
start=$(date +%s)
mkdir -p build-gpu
cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DNEUROLENS_GUI=OFF -DNEUROLENS_IO=OFF \
  -DNEUROLENS_TESTS=OFF -DNEUROLENS_BENCH=ON -DNEUROLENS_WERROR=OFF -DCMAKE_PREFIX_PATH="$prefix" > build-gpu/build.log 2>&1 ||
  { tail -40 build-gpu/build.log; exit 1; }
cmake --build build-gpu --target bench_attribution -j"$(nproc)" >> build-gpu/build.log 2>&1 ||
  { tail -60 build-gpu/build.log; exit 1; }
echo "built in $(( $(date +%s) - start )) s"
mkdir -p "$out_dir"
"$python" bench/gpu/run_gpu_bench.py --bench build-gpu/bin/bench_attribution --out "$out_dir/attribution-gpu.md" "$@"
cp build-gpu/build.log "$out_dir/build-gpu.log" 2>/dev/null || true
