#!/usr/bin/env python3
"""Bins an NWB recording with h5py + numpy, independently of NeuroLens, for the CLI tests.

Usage: bin_counts_reference.py FILE.nwb --units 0,1,2 --bin-ms 20 --window 0:200 --out counts.f32

Trials aligned to start_time; a spike at t falls in bin k iff a + w0 + k*B <= t < a + w0 + (k+1)*B
(../shared/spec/cli.md). Writes float32 [trials, bins, units] (little-endian, row-major) and prints
"trials,bins,units".
"""
import argparse
import sys

import h5py
import numpy as np


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--units", required=True)
    p.add_argument("--bin-ms", type=float, default=20.0)
    p.add_argument("--window", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    w0, w1 = (float(v) / 1000.0 for v in a.window.split(":"))
    b = a.bin_ms / 1000.0
    bins = int(np.floor((w1 - w0) / b + 1e-9))
    with h5py.File(a.file, "r") as f:
        ids = list(f["units/id"][:])
        ends = f["units/spike_times_index"][:]
        times = f["units/spike_times"][:]
        starts = f["intervals/trials/start_time"][:]
    wanted = [int(u) for u in a.units.split(",")]
    counts = np.zeros((len(starts), bins, len(wanted)), dtype=np.float32)
    for j, unit in enumerate(wanted):
        row = ids.index(unit)
        spikes = times[(ends[row - 1] if row > 0 else 0):ends[row]]
        for t, start in enumerate(starts):
            edges = start + w0 + b * np.arange(bins + 1)
            counts[t, :, j] = np.histogram(spikes, bins=edges)[0]  # right edge of the last bin is closed...
            last = np.sum(spikes == edges[-1])  # ...so take spikes exactly at the window end back out
            counts[t, -1, j] -= last
    counts.astype("<f4").tofile(a.out)
    print(f"{counts.shape[0]},{counts.shape[1]},{counts.shape[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
