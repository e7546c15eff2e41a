#!/usr/bin/env python3
"""Small valid NWB-layout files (h5py only) to seed the reader fuzzer: trials,
text and ragged columns, behaviour with timestamps and with a rate, gzip.

Usage: make_seeds.py OUTDIR
"""
import os
import sys

import h5py
import numpy as np


def write(path, gzip=False, trials=True, behaviour=True, index_dtype="uint8"):
    rng = np.random.default_rng(0)
    times = np.sort(rng.uniform(0, 2, 40))
    with h5py.File(path, "w") as f:
        f.attrs["neurodata_type"] = "NWBFile"
        f["session_description"] = "fuzz seed"
        units = f.create_group("units")
        units.attrs["colnames"] = np.array([b"spike_times", b"cell_type", b"tags"], dtype=object)
        kwargs = dict(compression="gzip", chunks=(8,)) if gzip else {}
        units.create_dataset("spike_times", data=times, **kwargs)
        units["spike_times_index"] = np.array([10, 10, 25, 40], dtype=index_dtype)
        units["id"] = np.arange(4, dtype=np.int64)
        units["cell_type"] = np.array([b"E", b"I", b"E", b"I"], dtype=h5py.string_dtype())
        units["tags"] = np.array([b"a", b"b", b"c"], dtype=h5py.string_dtype())
        units["tags_index"] = np.array([1, 1, 2, 3], dtype=np.uint8)
        units["depth"] = np.array([1.0, 2.0, 3.0, 4.0])
        if trials:
            t = f.create_group("intervals/trials")
            t["start_time"] = np.array([0.1, 0.8])
            t["stop_time"] = np.array([0.6, 1.4])
            t["condition"] = np.array([b"l", b"r"], dtype=h5py.string_dtype())
            t["id"] = np.arange(2, dtype=np.int64)
        if behaviour:
            b = f.create_group("processing/behavior/vel")
            b["data"] = rng.normal(size=(20, 2))
            b["data"].attrs["unit"] = "m/s"
            b["timestamps"] = np.linspace(0, 2, 20)
            r = f.create_group("processing/behavior/Position/pos")
            r["data"] = rng.normal(size=10)
            r["starting_time"] = 0.0
            r["starting_time"].attrs["rate"] = 5.0


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    write(os.path.join(out, "trials.nwb"))
    write(os.path.join(out, "continuous_gzip.nwb"), gzip=True, trials=False, index_dtype="int16")
    write(os.path.join(out, "plain.nwb"), trials=False, behaviour=False, index_dtype="uint64")


if __name__ == "__main__":
    main()
