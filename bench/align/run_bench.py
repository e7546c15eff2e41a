#!/usr/bin/env python3
"""Alignment benchmark driver: NeuroLens CCA vs scikit-learn's CCA, side by side in one run.

Same rows (100,000 x 64 per side by default, made by bench_align and handed to scikit-learn), the
same machine, one after the other. NeuroLens computes every canonical correlation at once (thin QR of
both centred sides, SVD of Qa^T Qb: core/alignment.h); scikit-learn's CCA is iterative (NIPALS, one
component after the other) and is asked for --components of them (default 10, align's default K).
Prints a table and writes bench/results/align.md.

Usage: run_bench.py --bench BUILD/bin/bench_align [--rows 100000] [--dims 64] [--components 10]
                    [--repeats 3] [--sklearn-repeats 1] [--out bench/results/align.md]
Run it with a Python that has numpy and scikit-learn (the project venv).
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile

import sklearn

HERE = os.path.dirname(os.path.abspath(__file__))


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} hardware threads, load average {os.getloadavg()[0]:.1f} at start; "
            f"scikit-learn {sklearn.__version__}")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--bench", required=True, help="path of the built bench_align")
    p.add_argument("--rows", type=int, default=100000)
    p.add_argument("--dims", type=int, default=64)
    p.add_argument("--components", type=int, default=10)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--sklearn-repeats", type=int, default=1)
    p.add_argument("--out", default=os.path.join(HERE, "..", "results", "align.md"))
    a = p.parse_args()
    started = machine()
    with tempfile.TemporaryDirectory() as tmp:
        path_a, path_b = os.path.join(tmp, "a.f64"), os.path.join(tmp, "b.f64")
        ours = json.loads(subprocess.run([a.bench, "--rows", str(a.rows), "--dims", str(a.dims), "--repeats",
                                          str(a.repeats), "--write-a", path_a, "--write-b", path_b],
                                         check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
        reference = json.loads(subprocess.run([sys.executable, os.path.join(HERE, "sklearn_cca.py"), path_a, path_b,
                                               str(a.rows), str(a.dims), str(a.components), str(a.sklearn_repeats)],
                                              check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    k = a.components
    difference = max(abs(x - y) for x, y in zip(ours["canonical_correlations"][:k], reference["canonical_correlations"]))
    ratio = reference["seconds"] / ours["seconds"]
    lines = ["| implementation | canonical correlations computed | seconds | speed-up vs scikit-learn |",
             "| --- | ---: | ---: | ---: |",
             f"| scikit-learn CCA (NIPALS, scale=False, max_iter=500, tol=1e-6) | {k} | {reference['seconds']:.3f} | 1.00x |",
             f"| NeuroLens fitCanonical (thin QR + SVD) | {a.dims} | {ours['seconds']:.3f} | {ratio:.1f}x |"]
    table = "\n".join(lines)
    print(table)
    print(f"largest |difference| of the first {k} canonical correlations: {difference:.2e}")
    text = f"""# Alignment benchmark

Measured {datetime.date.today().isoformat()} on: {started}.

Configuration: {a.rows} rows x {a.dims} dimensions per side (a shared 8-dimensional signal through two random
mixings plus noise, fixed seed); NeuroLens: median of {a.repeats} runs after a warm-up; scikit-learn: median of
{a.sklearn_repeats} run(s).

{table}

Largest difference of the first {k} canonical correlations between the two: {difference:.2e}
(first: NeuroLens {ours['canonical_correlations'][0]:.6f}, scikit-learn {reference['canonical_correlations'][0]:.6f}).

Reproduce: `python bench/align/run_bench.py --bench BUILD/bin/bench_align` (see docs/alignment.md).
"""
    with open(a.out, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
