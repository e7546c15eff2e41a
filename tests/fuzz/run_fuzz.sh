#!/usr/bin/env bash
# Builds the reader fuzz targets (NWB, DataHigh MAT) with clang + libFuzzer + ASan/UBSan and runs
# them for a bounded time (the NWB reader SECONDS, the MAT reader half of it) on corpora seeded from
# small real and hand-made files. (Not from tests/fuzz/corpus/: those inputs crash or hang the uninstrumented
# libraries, so each would be found again and cost the fuzzer its 20 s timeout; CTest replays them instead.)
# Usage: tests/fuzz/run_fuzz.sh [SECONDS (default 60)] [BUILD_DIR (default SOURCE/build-fuzz)]
#                               [CLI (default SOURCE/build/bin/neurolens-cli)]
# The verdict does not depend on how a fuzzer labelled its report. An input it kept is a finding when
#   - the program's own reading path does not end cleanly on it: `neurolens-cli info` and `bin`, under the
#     limits the program reads every file with, must exit 0 or 3 with one error line, within 20 s and 1 GiB
#     (tests/fuzz/replay_inputs.py); a crash, hang or out-of-memory inside libhdf5 or libmatio is ours to
#     contain, so it counts whatever library frame it shows; or
#   - the sanitizers report a memory-safety error or leak whose first frame is in NeuroLens code (such an
#     error need not crash the release program, so the replay alone would miss it).
# Exit status: 0 when there is no finding; 1 otherwise (the inputs are left in BUILD_DIR/artifacts-TARGET/,
# the fuzzers' logs in BUILD_DIR/fuzz-TARGET.log; copy new ones into tests/fuzz/corpus/ once fixed).
set -euo pipefail
seconds=${1:-60}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$source_dir/build-fuzz}
cli=${3:-$source_dir/build/bin/neurolens-cli}
if [ ! -x "$cli" ]; then
  echo "run_fuzz.sh: $cli is not built; findings are judged by replaying them through it" >&2
  exit 1
fi
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
  # Judge every input the fuzzer kept (see the top of this file).
  local replay_log="$build/replay-$target.log"
  if compgen -G "$artifacts/*" >/dev/null; then
    if ! "$python" "$source_dir/tests/fuzz/replay_inputs.py" --cli "$cli" "$artifacts" >"$replay_log" 2>&1; then
      local unclean
      unclean=$(grep -c '^FINDING' "$replay_log" || true)
      ours=$((ours + ${unclean:-1}))
      echo "NEUROLENS FINDING: $target: the program did not end cleanly on these inputs:"
      grep -E '^(FINDING|replay)' "$replay_log" || cat "$replay_log"
    fi
  fi
  for artifact in "$artifacts"/*; do
    [ -f "$artifact" ] || continue
    report=$("$fuzzer" -timeout=25 -rss_limit_mb=4096 -malloc_limit_mb=2048 "$artifact" 2>&1 || true)
    # Memory-safety errors and leaks carry the stack where they happened; libc, libstdc++ and sanitizer
    # frames in between (a memcpy the library called) belong to their caller. (Match symbols and source
    # paths, not the fuzzer binary's own path, which may contain "neurolens".) Out-of-memory and timeout
    # reports are left to the replay above.
    if ! printf '%s\n' "$report" |
      grep -qE 'ERROR: (AddressSanitizer: (heap|stack|global|dynamic-stack|container)-|AddressSanitizer: (heap-use-after-free|use-after-|double-free|attempting|SEGV|BUS|FPE|ILL|stack-overflow|negative-size|memcpy-param)|LeakSanitizer)|runtime error:'; then
      upstream=$((upstream + 1))
      continue
    fi
    first=$(printf '%s\n' "$report" | grep -E '^ +#[0-9]+ ' |
      grep -m 1 -E "$upstream_libraries| in neurolens::|/core/(io/)?src/|/plugins/|/tests/fuzz/|LLVMFuzzerTestOneInput" || true)
    if printf '%s' "$first" | grep -qE "$upstream_libraries"; then
      upstream=$((upstream + 1))
      echo "upstream: $target $(basename "$artifact"): $first"
    else
      ours=$((ours + 1))
      echo "NEUROLENS FINDING: $target $artifact"
      printf '%s\n' "$report" | grep -m 25 -E 'ERROR|SUMMARY|runtime error|^ +#[0-9]+ ' || true
    fi
  done
}
fuzz fuzz_nwb_reader "$seeds/nwb" "$seconds" 'libhdf5'
fuzz fuzz_mat_reader "$seeds/mat" "$((seconds / 2))" 'libhdf5|libmatio'
echo "fuzzing done: $ours finding(s) in NeuroLens code, $upstream contained (inside libhdf5/libmatio, or out of memory or time, and the program ended cleanly on each)"
[ "$ours" -eq 0 ]
