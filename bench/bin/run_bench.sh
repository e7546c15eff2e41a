#!/usr/bin/env bash
# Runs the binning benchmark (see run_bench.py). Usage: bench/bin/run_bench.sh BUILD_DIR [extra run_bench.py args]
set -euo pipefail
build=${1:?usage: run_bench.sh BUILD_DIR [args]}
shift
here=$(cd "$(dirname "$0")" && pwd)
exec /usr/bin/python3 "$here/run_bench.py" --cli "$build/bin/neurolens-cli" --python /usr/bin/python3 "$@"
