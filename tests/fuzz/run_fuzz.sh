#!/usr/bin/env bash
# Builds the NWB-reader fuzz target with clang + libFuzzer + ASan/UBSan and runs
# it for a bounded time on a corpus seeded from small real and hand-made files.
# Usage: tests/fuzz/run_fuzz.sh [SECONDS (default 60)] [BUILD_DIR (default SOURCE/build-fuzz)]
# Exit status: 0 when no crash, leak, timeout or out-of-memory was traced to NeuroLens code; 1
# otherwise (the inputs are left in BUILD_DIR/artifacts/, the fuzzer's log in BUILD_DIR/fuzz.log).
set -euo pipefail
seconds=${1:-60}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$source_dir/build-fuzz}
# A cache generated from another checkout would make cmake refuse; start that build afresh.
if [ -f "$build/CMakeCache.txt" ] && ! grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$source_dir" "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
shared=${NEUROLENS_SHARED_DATA:-$source_dir/../shared/data}
python=${NEUROLENS_TEST_PYTHON:-/usr/bin/python3}
cc=${CC_FUZZ:-clang-14}
cxx=${CXX_FUZZ:-clang++-14}

mkdir -p "$build"
cmake -G Ninja -S "$source_dir" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNEUROLENS_FUZZ=ON -DNEUROLENS_GUI=OFF -DNEUROLENS_BENCH=OFF \
  -DNEUROLENS_TESTS=ON >"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
ninja -C "$build" fuzz_nwb_reader

corpus="$build/corpus"
seeds="$build/seeds"
mkdir -p "$corpus" "$seeds" "$build/artifacts"
# Seeds: small hand-made files (valid and malformed) and one real recording.
"$python" "$source_dir/tests/io/python/make_bad_inputs.py" "$shared/pmd_reach_yu2009.nwb" "$seeds/bad" >/dev/null
"$python" "$source_dir/tests/fuzz/make_seeds.py" "$seeds/good"
find "$seeds" -type f -size -64k -exec cp {} "$corpus/" \;
cp "$shared/pynwb_written_3units.nwb" "$corpus/" 2>/dev/null || true

export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fuzzer="$build/bin/fuzz_nwb_reader"
rm -f "$build"/artifacts/crash-* "$build"/artifacts/leak-* "$build"/artifacts/timeout-* "$build"/artifacts/oom-*
# Fork mode keeps fuzzing after a crash so that every finding is kept and classified below.
"$fuzzer" "$corpus" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$seconds" \
  -seed="${NEUROLENS_FUZZ_SEED:-1}" -timeout=20 -rss_limit_mb=4096 -malloc_limit_mb=2048 -max_len=65536 -artifact_prefix="$build/artifacts/" \
  >"$build/fuzz.log" 2>&1 || true
tail -n 5 "$build/fuzz.log"

# Classify findings. Debian bookworm's HDF5 1.10.8 has known memory-safety bugs on crafted files
# (upstream, fixed in later HDF5 releases); a finding whose first non-sanitizer stack frame lies
# inside libhdf5 is reported as upstream and does not fail the run. Anything else does.
ours=0
upstream=0
for artifact in "$build"/artifacts/*; do
  [ -f "$artifact" ] || continue
  report=$("$fuzzer" -timeout=25 "$artifact" 2>&1 || true)
  # The first stack frame that is either inside libhdf5 or inside NeuroLens decides (libc, libstdc++
  # and sanitizer frames in between, e.g. a memcpy HDF5 called, belong to whoever called them).
  # (Match symbols and source paths, not the fuzzer binary's own path, which may contain "neurolens".)
  first=$(printf '%s\n' "$report" | grep -E '^ +#[0-9]+ ' |
    grep -m 1 -E 'libhdf5| in neurolens::|/core/(io/)?src/|/tests/fuzz/fuzz_nwb_reader\.cpp|LLVMFuzzerTestOneInput' || true)
  if printf '%s' "$first" | grep -q 'libhdf5'; then
    upstream=$((upstream + 1))
    echo "upstream HDF5 finding: $(basename "$artifact"): $first"
  elif [ -z "$first" ] && ! printf '%s' "$report" | grep -qE 'ERROR|runtime error|deadly signal|Timeout'; then
    echo "no longer reproduces: $(basename "$artifact")"
  else
    ours=$((ours + 1))
    echo "NEUROLENS FINDING: $artifact"
    printf '%s\n' "$report" | grep -m 25 -E 'ERROR|SUMMARY|runtime error|^ +#[0-9]+ ' || true
  fi
done
echo "fuzzing done: $ours finding(s) in NeuroLens code, $upstream in libhdf5 (upstream)"
[ "$ours" -eq 0 ]
