#!/usr/bin/env python3
"""Benchmark: `neurolens-cli bin` against an h5py + numpy equivalent
(numpy_bin.py), on the real M1 recording and on a generated 1,000-unit, 1-hour,
20 Hz recording (about 72 M spikes, written to a temporary folder, never
committed). Same run, same machine: wall time ratio and peak memory
(/usr/bin/time -v "Maximum resident set size"). Prints a table and writes
bench/results/bin.md.

Usage: run_bench.py --cli BUILD/bin/neurolens-cli [--python /usr/bin/python3]
                    [--shared ../shared/data] [--tmp /tmp] [--repeats 1] [--no-large]
Target: NeuroLens at least as fast as h5py+numpy, peak memory at most 1.5x the
spike-time array.
"""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))


def generate(path, units=1000, seconds=3600.0, rate=20.0, seed=1):
    """Poisson spike trains, sorted per unit, uncompressed as pynwb writes by default."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rate * seconds, units)
    ends = np.cumsum(counts).astype(np.uint32)
    with h5py.File(path, "w") as f:
        f.attrs["neurodata_type"] = "NWBFile"
        f["session_description"] = "generated: %d units, %g s, %g Hz Poisson" % (units, seconds, rate)
        g = f.create_group("units")
        d = g.create_dataset("spike_times", shape=(int(ends[-1]),), dtype=np.float64)
        start = 0
        for n in counts:
            d[start:start + n] = np.sort(rng.uniform(0.0, seconds, n))
            start += n
        g["spike_times_index"] = ends
        g["id"] = np.arange(units, dtype=np.int64)
    return int(ends[-1])


def timed(command):
    """Runs command under /usr/bin/time -v: (seconds, max RSS bytes, stdout)."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(command), proc.stderr[-3000:]))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return seconds, rss_kb * 1024, proc.stdout


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return "%s, %d cores, %.0f GiB RAM, %s" % (cpu, os.cpu_count(), mem, platform.platform())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cli", required=True)
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--shared", default=os.path.join(SOURCE, "..", "shared", "data"))
    p.add_argument("--tmp", default=tempfile.gettempdir())
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--no-large", action="store_true")
    p.add_argument("--results", default=os.path.join(SOURCE, "bench", "results", "bin.md"))
    a = p.parse_args()

    cases = [("M1 (Stevenson 2011), 171 units, gzip", os.path.join(a.shared, "m1_stevenson2011.nwb"), None)]
    generated = os.path.join(a.tmp, "neurolens_bench_1000u_1h_20hz.nwb")
    if not a.no_large:
        if not os.path.exists(generated):
            print("generating %s ..." % generated, file=sys.stderr)
            generate(generated)
        cases.append(("generated 1,000 units x 1 h x 20 Hz", generated, None))

    rows = []
    for label, path, _ in cases:
        with h5py.File(path, "r") as f:
            spikes = f["units/spike_times"].shape[0]
        spike_bytes = spikes * 8
        ours_out = os.path.join(a.tmp, "neurolens_bench_ours.h5")
        ref_out = os.path.join(a.tmp, "neurolens_bench_numpy.h5")
        best_ours, best_ref = None, None
        for _ in range(a.repeats):
            ours = timed([a.cli, "bin", "--quiet", "--json", "--bin-ms", "20", "--out", ours_out, path])
            ref = timed([a.python, os.path.join(HERE, "numpy_bin.py"), path, ref_out, "--bin-ms", "20"])
            best_ours = ours if best_ours is None or ours[0] < best_ours[0] else best_ours
            best_ref = ref if best_ref is None or ref[0] < best_ref[0] else best_ref
        summary = json.loads(best_ours[2])
        with h5py.File(ours_out, "r") as x, h5py.File(ref_out, "r") as y:
            same = x["counts"].shape == y["counts"].shape
            mismatched = int(np.count_nonzero(x["counts"][()] != y["counts"][()])) if same else -1
        rows.append(dict(case=label, spikes=spikes, shape="%d x %d x %d" % (summary["trials"], summary["bins"],
                                                                            summary["units"]),
                         ours_s=best_ours[0], ref_s=best_ref[0], ours_rss=best_ours[1], ref_rss=best_ref[1],
                         spike_bytes=spike_bytes, mismatched=mismatched))
        for f in (ours_out, ref_out):
            os.remove(f)

    header = ("| recording | spikes | counts | neurolens-cli bin (s) | h5py+numpy (s) | speed-up | "
              "peak RSS neurolens (MiB) | peak RSS numpy (MiB) | neurolens RSS / spike-time array | counts differing |")
    lines = [header, "|" + " --- |" * 10]
    for r in rows:
        lines.append("| %s | %s | %s | %.2f | %.2f | %.2fx | %.0f | %.0f | %.2f | %d |" % (
            r["case"], format(r["spikes"], ","), r["shape"], r["ours_s"], r["ref_s"], r["ref_s"] / r["ours_s"],
            r["ours_rss"] / 2**20, r["ref_rss"] / 2**20, r["ours_rss"] / r["spike_bytes"], r["mismatched"]))
    table = "\n".join(lines)
    print(table)
    text = ["# Benchmark: binning (`neurolens-cli bin` vs h5py + numpy)", "",
            "Run by `bench/bin/run_bench.py` on %s (UTC)." % datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"),
            "", "Machine: " + machine(), "",
            "Both write `/counts` float32 [1, bins, units] of a continuous recording in 20 ms bins to HDF5. "
            "Wall time of the whole process (best of %d), peak memory = maximum resident set size from "
            "`/usr/bin/time -v`. Target: NeuroLens at least as fast, peak memory at most 1.5x the spike-time "
            "array (float64 spike times). The generated recording is Poisson, written uncompressed to a temporary "
            "folder by the script. Note that the counts array itself (bins x units x 4 bytes) is 1.25x the "
            "spike-time array for the generated recording." % a.repeats, "", table, ""]
    os.makedirs(os.path.dirname(a.results), exist_ok=True)
    with open(a.results, "w") as f:
        f.write("\n".join(text))


if __name__ == "__main__":
    main()
