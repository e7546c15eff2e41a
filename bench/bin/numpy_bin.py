#!/usr/bin/env python3
"""What a user would otherwise write: bin an NWB recording's spikes with h5py +
numpy (continuous, one floor division per spike, np.bincount per unit) and write
/counts [1, bins, units] float32 with h5py. The comparison point for
`neurolens-cli bin` in run_bench.py.

Usage: numpy_bin.py FILE OUT.h5 [--bin-ms 20]
"""
import argparse

import h5py
import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("out")
    p.add_argument("--bin-ms", type=float, default=20.0)
    a = p.parse_args()
    bin_s = a.bin_ms / 1000.0
    with h5py.File(a.file, "r") as f:
        times = f["units/spike_times"][()]
        ends = f["units/spike_times_index"][()].astype(np.int64)
    begins = np.concatenate([[0], ends[:-1]])
    nbins = int(np.floor(times[: ends[-1]].max() / bin_s)) + 1
    counts = np.zeros((1, nbins, len(ends)), dtype=np.float32)
    for u, (b, e) in enumerate(zip(begins, ends)):
        k = np.floor(times[b:e] / bin_s).astype(np.int64)
        k = k[(k >= 0) & (k < nbins)]
        counts[0, :, u] = np.bincount(k, minlength=nbins)
    with h5py.File(a.out, "w") as out:
        out["counts"] = counts
    print(int(counts.sum(dtype=np.float64)))


if __name__ == "__main__":
    main()
