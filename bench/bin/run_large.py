#!/usr/bin/env python3
"""Benchmark for recordings larger than memory (issue 20 step 5): `neurolens-cli bin --out` on generated
1,000-unit continuous recordings of growing length (up to 4 h at 20 Hz: about 288 M spikes, a 2.3 GB
spike-time array and 2.9 GB of float32 counts), against h5py + numpy binning the same file one unit at a time
into a chunked dataset (numpy_bin_chunked.py). Peak memory (/usr/bin/time -v "Maximum resident set size")
and wall time of each whole process; the counts of both compared element by element, in slabs.

Each recording is written with h5py in pieces (one unit at a time, uncompressed, the NWB layout of the shared
files: /units/spike_times + /units/spike_times_index + /units/id) into --tmp and deleted after its row, with
both outputs. Writes bench/results/bin-large.md.

With --model M (a TorchScript model over the 1,000 units at 50 ms, e.g. conv_meta.pt from
tests/cli/python/make_stream_models.py DIR 1000) each row also runs `infer --stream-ms 60000 --bin-ms 50`,
and with --compare-cli OLD/bin/neurolens-cli the same command of a build that reads the counts whole before
streaming (the path before issue 20 step 5), their latents compared.

Usage: run_large.py --cli BUILD/bin/neurolens-cli [--python /usr/bin/python3] [--tmp /tmp]
                    [--hours 0.5,1,2,4] [--units 1000] [--rate 20] [--model M [--compare-cli OLD]]
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from run_bench import machine  # noqa: E402


def generate(path, units, seconds, rate, seed=1):
    """Poisson spike trains, sorted per unit, written one unit at a time (memory: one unit)."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rate * seconds, units)
    ends = np.cumsum(counts).astype(np.uint64)
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
    """Runs command under /usr/bin/time -v: (seconds, max RSS bytes, stdout, CPU seconds user + system)."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(command), proc.stderr[-3000:]))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    cpu = sum(float(re.search(r"%s time \(seconds\): ([\d.]+)" % kind, proc.stderr).group(1))
              for kind in ("User", "System"))
    return seconds, rss_kb * 1024, proc.stdout, cpu


def differing(a, b, slab=16384):
    """Counts differing elements of /counts in two files, a slab of bins at a time."""
    with h5py.File(a, "r") as x, h5py.File(b, "r") as y:
        cx, cy = x["counts"], y["counts"]
        if cx.shape != cy.shape:
            return -1
        bad = 0
        for first in range(0, cx.shape[1], slab):
            bad += int(np.count_nonzero(cx[:, first:first + slab, :] != cy[:, first:first + slab, :]))
        return bad


def load():
    return "%.1f" % os.getloadavg()[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cli", required=True)
    p.add_argument("--python", default="/usr/bin/python3")
    p.add_argument("--tmp", default=tempfile.gettempdir())
    p.add_argument("--hours", default="0.5,1,2,4")
    p.add_argument("--units", type=int, default=1000)
    p.add_argument("--rate", type=float, default=20.0)
    p.add_argument("--model")
    p.add_argument("--compare-cli")
    p.add_argument("--results", default=os.path.join(SOURCE, "bench", "results", "bin-large.md"))
    a = p.parse_args()
    infer_rows = []

    rows = []
    for hours in [float(h) for h in a.hours.split(",")]:
        recording = os.path.join(a.tmp, "neurolens_large_%du_%gh.nwb" % (a.units, hours))
        ours_out = os.path.join(a.tmp, "neurolens_large_ours.h5")
        ref_out = os.path.join(a.tmp, "neurolens_large_numpy.h5")
        try:
            started = time.perf_counter()
            spikes = generate(recording, a.units, hours * 3600.0, a.rate)
            made = time.perf_counter() - started
            load_before = load()
            ours = timed([a.cli, "bin", "--quiet", "--json", "--bin-ms", "20", "--out", ours_out, recording])
            ref = timed([a.python, os.path.join(HERE, "numpy_bin_chunked.py"), recording, ref_out, "--bin-ms", "20"])
            load_after = load()
            summary = json.loads(ours[2])
            row = dict(hours=hours, spikes=spikes, shape="%d x %d x %d" % (summary["trials"], summary["bins"],
                                                                         summary["units"]),
                       spike_bytes=spikes * 8, counts_bytes=summary["bins"] * summary["units"] * 4,
                       ours_s=ours[0], ref_s=ref[0], ours_rss=ours[1], ref_rss=ref[1], ours_cpu=ours[3],
                       ref_cpu=ref[3],
                       same_spikes=summary["spikes"] == int(ref[2].strip()), mismatched=differing(ours_out, ref_out),
                       generate_s=made, load="%s-%s" % (load_before, load_after))
            rows.append(row)
            print(row, file=sys.stderr)
            if a.model:
                os.remove(ours_out)
                os.remove(ref_out)
                command = ["infer", recording, "--model", a.model, "--bin-ms", "50", "--stream-ms", "60000",
                           "--device", "cpu", "--quiet", "--json", "--out"]
                mine = timed([a.cli] + command + [ours_out])
                irow = dict(hours=hours, ours_s=mine[0], ours_rss=mine[1], ours_cpu=mine[3],
                            summary=json.loads(mine[2]), load=load())
                if a.compare_cli:
                    old = timed([a.compare_cli] + command + [ref_out])
                    with h5py.File(ours_out, "r") as x, h5py.File(ref_out, "r") as y:
                        irow["diff"] = float(np.max(np.abs(x["latents"][()] - y["latents"][()])))
                    irow.update(old_s=old[0], old_rss=old[1], old_cpu=old[3])
                infer_rows.append(irow)
                print(irow, file=sys.stderr)
        finally:
            for f in (recording, ours_out, ref_out):
                if os.path.exists(f):
                    os.remove(f)

    header = ("| recording (1,000 units, %g Hz) | spikes | spike times (GiB) | counts float32 (GiB) | "
              "neurolens-cli bin: wall (CPU) s | h5py+numpy chunked: wall (CPU) s | peak RSS neurolens (MiB) | peak RSS numpy (MiB) | "
              "counts differing | load (1 min) |" % a.rate)
    lines = [header, "|" + " --- |" * 10]
    for r in rows:
        lines.append("| %g h (%s) | %s | %.2f | %.2f | %.1f (%.1f) | %.1f (%.1f) | %.0f | %.0f | %s | %s |" % (
            r["hours"], r["shape"], format(r["spikes"], ","), r["spike_bytes"] / 2**30, r["counts_bytes"] / 2**30,
            r["ours_s"], r["ours_cpu"], r["ref_s"], r["ref_cpu"], r["ours_rss"] / 2**20, r["ref_rss"] / 2**20,
            ("%d" % r["mismatched"]) + ("" if r["same_spikes"] else " (spike totals differ)"), r["load"]))
    table = "\n".join(lines)
    if infer_rows:
        lines = ["", "", "`infer --stream-ms 60000 --bin-ms 50` (%s, CPU; windows of 1,200 bins, context from the "
                 "model's metadata):" % os.path.basename(a.model), "",
                 "| recording | counts float32 at 50 ms (GiB) | windows | infer from the file: wall (CPU) s | "
                 "peak RSS (MiB) | counts read whole first: wall (CPU) s | peak RSS (MiB) | latents max difference |",
                 "|" + " --- |" * 8]
        for r in infer_rows:
            s = r["summary"]
            lines.append("| %g h | %.2f | %d | %.1f (%.1f) | %.0f | %s | %s | %s |" % (
                r["hours"], s["bins"] * s["units"] * 4 / 2**30, s["stream"]["windows"], r["ours_s"], r["ours_cpu"],
                r["ours_rss"] / 2**20,
                "%.1f (%.1f)" % (r["old_s"], r["old_cpu"]) if "old_s" in r else "-",
                "%.0f" % (r["old_rss"] / 2**20) if "old_rss" in r else "-",
                "%g" % r["diff"] if "diff" in r else "-"))
        table += "\n".join(lines)
    print(table)
    text = ["# Benchmark: binning recordings larger than memory (`neurolens-cli bin` vs h5py + numpy, chunked)", "",
            "Run by `bench/bin/run_large.py` on %s (UTC)." % datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"),
            "", "Machine: " + machine(), "",
            "Generated continuous recordings (Poisson, sorted per unit, uncompressed, written one unit at a time by "
            "the script into a temporary folder and deleted after their row), binned in 20 ms bins into `/counts` "
            "float32 [1, bins, units]. neurolens-cli bins a block of 32 units at a time and writes each into a "
            "chunked `/counts` (chunks [1, 8192, 32]); the reference (`numpy_bin_chunked.py`) does the same with "
            "h5py + numpy (one unit's spike times at a time, np.bincount with the contract's exact edges, blocks "
            "of 32 units into a dataset with the same chunks). Wall time and peak memory (maximum resident set "
            "size, `/usr/bin/time -v`) of each whole process, one run each, with its CPU time (user + system) in "
            "brackets, which the other builds on the machine disturb less than the wall time; counts of both "
            "compared element by element. The machine is shared with other builds: the load column is the 1-minute load average "
            "before and after the row's two runs.", "", table, ""]
    os.makedirs(os.path.dirname(a.results), exist_ok=True)
    with open(a.results, "w") as f:
        f.write("\n".join(text))


if __name__ == "__main__":
    main()
