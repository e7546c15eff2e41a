#!/usr/bin/env python3
"""What a careful user would write for a recording larger than memory: bin an NWB
recording's spikes with h5py + numpy one unit at a time (continuous, bins of B ms
from 0 to the last spike, the contract's edges: origin + k*B <= t < origin + (k+1)*B),
a block of units at a time into a chunked /counts [1, bins, units] float32 written
with h5py, never holding all spike times or all counts. The comparison point for
`neurolens-cli bin` in run_large.py.

Usage: numpy_bin_chunked.py FILE OUT.h5 [--bin-ms 20] [--block 32]
Prints the number of spikes counted.
"""
import argparse

import h5py
import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("out")
    p.add_argument("--bin-ms", type=float, default=20.0)
    p.add_argument("--block", type=int, default=32)
    a = p.parse_args()
    bin_s = a.bin_ms / 1000.0
    with h5py.File(a.file, "r") as f:
        times = f["units/spike_times"]
        ends = f["units/spike_times_index"][()].astype(np.int64)
        begins = np.concatenate([[0], ends[:-1]])
        last = max(float(times[b:e].max()) for b, e in zip(begins, ends) if e > b)  # first pass: the extent
        nbins = int(np.floor(last / bin_s)) + 1
        while nbins * bin_s <= last:  # exact edges, as the contract
            nbins += 1
        units = len(ends)
        total = 0
        with h5py.File(a.out, "w") as out:
            counts = out.create_dataset("counts", shape=(1, nbins, units), dtype=np.float32,
                                        chunks=(1, min(nbins, 8192), min(units, a.block)))
            for first in range(0, units, a.block):
                width = min(a.block, units - first)
                block = np.zeros((nbins, width), dtype=np.float32)
                for j in range(width):
                    t = times[begins[first + j]:ends[first + j]]
                    k = np.floor(t / bin_s).astype(np.int64)
                    k -= (k * bin_s > t)            # edge corrections: k*B <= t < (k+1)*B
                    k += ((k + 1) * bin_s <= t)
                    k = k[(k >= 0) & (k < nbins)]
                    block[:, j] = np.bincount(k, minlength=nbins)
                    total += len(k)
                counts[0, :, first:first + width] = block
    print(total)


if __name__ == "__main__":
    main()
