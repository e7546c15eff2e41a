#!/usr/bin/env bash
# Builds the reader fuzz targets (NWB, DataHigh MAT) with clang + libFuzzer + ASan/UBSan and runs
# them for a bounded time (the NWB reader SECONDS, the MAT reader half of it) on corpora seeded from
# small real and hand-made files.
# Usage: tests/fuzz/run_fuzz.sh [SECONDS (default 60)] [BUILD_DIR (default SOURCE/build-fuzz)]
# Exit status: 0 when no crash, leak, timeout or out-of-memory was traced to NeuroLens code; 1
# otherwise (the inputs are left in BUILD_DIR/artifacts-TARGET/, the fuzzers' logs in BUILD_DIR/fuzz-TARGET.log).
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
ninja -C "$build" fuzz_nwb_reader fuzz_mat_reader

seeds="$build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"
# NWB seeds: small hand-made files (valid and malformed) and one real recording.
"$python" "$source_dir/tests/io/python/make_bad_inputs.py" "$shared/pmd_reach_yu2009.nwb" "$seeds/nwb/bad" >/dev/null
"$python" "$source_dir/tests/fuzz/make_seeds.py" "$seeds/nwb/good"
cp "$shared/pynwb_written_3units.nwb" "$seeds/nwb/" 2>/dev/null || true
# MAT seeds: scipy.io.savemat fixtures (v5, valid and malformed) and the same layout as MATLAB v7.3.
mkdir -p "$seeds/mat"
"$python" "$source_dir/tests/plugins/python/make_mat_fixtures.py" "$seeds/mat" \
  "$shared/matlab/datahigh_ex1_spikecounts.mat" >/dev/null
"$python" "$source_dir/tests/plugins/python/write_mat73.py" "$seeds/mat/good.mat" "$seeds/mat/good73.mat"

export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ours=0
upstream=0
# fuzz TARGET SEED_FOLDER SECONDS UPSTREAM_LIBRARY_PATTERN
fuzz() {
  local target=$1 seed_folder=$2 time=$3 upstream_libraries=$4
  local fuzzer="$build/bin/$target" corpus="$build/corpus-$target" artifacts="$build/artifacts-$target"
  mkdir -p "$corpus" "$artifacts"
  find "$seed_folder" -type f -size -64k ! -name '*.json' -exec cp {} "$corpus/" \;
  rm -f "$artifacts"/*
  # Fork mode keeps fuzzing after a crash so that every finding is kept and classified below.
  "$fuzzer" "$corpus" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$time" \
    -seed="${NEUROLENS_FUZZ_SEED:-1}" -timeout=20 -rss_limit_mb=4096 -malloc_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$artifacts/" >"$build/fuzz-$target.log" 2>&1 || true
  echo "$target:"
  tail -n 3 "$build/fuzz-$target.log"
  # Classify findings. Debian bookworm's libhdf5 1.10.8 and libmatio 1.5.23 have memory-safety bugs on
  # crafted files (upstream); a finding whose first stack frame in either them or NeuroLens lies inside
  # the library is reported as upstream and does not fail the run. Anything else does.
  for artifact in "$artifacts"/*; do
    [ -f "$artifact" ] || continue
    report=$("$fuzzer" -timeout=25 "$artifact" 2>&1 || true)
    # libc, libstdc++ and sanitizer frames in between (a memcpy the library called) belong to their caller.
    # (Match symbols and source paths, not the fuzzer binary's own path, which may contain "neurolens".)
    first=$(printf '%s\n' "$report" | grep -E '^ +#[0-9]+ ' |
      grep -m 1 -E "$upstream_libraries| in neurolens::|/core/(io/)?src/|/plugins/|/tests/fuzz/|LLVMFuzzerTestOneInput" || true)
    if printf '%s' "$first" | grep -qE "$upstream_libraries"; then
      upstream=$((upstream + 1))
      echo "upstream finding: $target $(basename "$artifact"): $first"
    elif [ -z "$first" ] && ! printf '%s' "$report" | grep -qE 'ERROR|runtime error|deadly signal|Timeout'; then
      echo "no longer reproduces: $target $(basename "$artifact")"
    else
      ours=$((ours + 1))
      echo "NEUROLENS FINDING: $target $artifact"
      printf '%s\n' "$report" | grep -m 25 -E 'ERROR|SUMMARY|runtime error|^ +#[0-9]+ ' || true
    fi
  done
}
fuzz fuzz_nwb_reader "$seeds/nwb" "$seconds" 'libhdf5'
fuzz fuzz_mat_reader "$seeds/mat" "$((seconds / 2))" 'libhdf5|libmatio'
echo "fuzzing done: $ours finding(s) in NeuroLens code, $upstream in libhdf5/libmatio (upstream)"
[ "$ours" -eq 0 ]
