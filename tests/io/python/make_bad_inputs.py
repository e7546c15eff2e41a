#!/usr/bin/env python3
"""Writes malformed recordings, one problem each, for the bad-input tests.

Usage: make_bad_inputs.py SOURCE_NWB OUTDIR
Creates OUTDIR/<case>.nwb for each case below (SOURCE_NWB gives a real file to
truncate) and OUTDIR/folder.nwb/ (a directory). Prints the case names.
"""
import os
import sys

import h5py
import numpy as np


def minimal(path, times=None, index=None, ids=None, trials=None, index_dtype="uint32"):
    times = np.array([0.1, 0.2, 0.3, 0.4]) if times is None else times
    with h5py.File(path, "w") as f:
        f.attrs["neurodata_type"] = "NWBFile"
        f["session_description"] = "bad input case"
        units = f.create_group("units")
        units["spike_times"] = times
        units["spike_times_index"] = np.array([2, 4] if index is None else index, dtype=index_dtype)
        units["id"] = np.arange(2 if ids is None else ids, dtype=np.int64)
        if trials is not None:
            group = f.create_group("intervals/trials")
            group["start_time"] = np.array(trials[0], dtype=float)
            group["stop_time"] = np.array(trials[1], dtype=float)
            group["id"] = np.arange(len(trials[0]), dtype=np.int64)


def main():
    source, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    cases = []

    def case(name):
        cases.append(name)
        return os.path.join(out, name + ".nwb")

    open(case("empty"), "wb").close()
    with open(source, "rb") as f:
        data = f.read()
    with open(case("truncated"), "wb") as f:
        f.write(data[: len(data) * 6 // 10])
    with open(case("not_hdf5"), "w") as f:
        f.write("start_time,stop_time\n0,1\n")
    with h5py.File(case("missing_units"), "w") as f:
        f["session_description"] = "no units"
        f.create_group("intervals/trials")
    minimal(case("index_out_of_range"), index=[2, 9])
    minimal(case("index_decreasing"), index=[3, 1])
    minimal(case("index_negative"), index=[-1, 4], index_dtype="int64")
    minimal(case("index_float"), index=[2.0, 4.0], index_dtype="float64")
    minimal(case("string_spike_times"), times=np.array([b"0.1", b"0.2", b"0.3", b"0.4"]))
    minimal(case("nan_spike_times"), times=np.array([0.1, np.nan, 0.3, 0.4]))
    minimal(case("inf_spike_times"), times=np.array([0.1, 0.2, np.inf, 0.4]))
    minimal(case("ids_mismatch"), ids=5)
    minimal(case("stop_before_start"), trials=([0.0, 1.0], [0.5, 0.9]))
    minimal(case("nan_trial_start"), trials=([0.0, np.nan], [0.5, 1.9]))
    with h5py.File(case("spike_times_2d"), "w") as f:
        f["units/spike_times"] = np.zeros((2, 2))
        f["units/spike_times_index"] = np.array([1, 2], dtype=np.uint8)
    # Sound to read, but one damaged float makes the recording last for years: counts that cannot fit are bad
    # input to `bin` (exit 3). Not listed with the cases above, which every reader entry point must refuse.
    minimal(os.path.join(out, "binonly_spike_time_1e9.nwb"), times=np.array([0.1, 0.2, 0.3, 1e9]))
    minimal(os.path.join(out, "binonly_stop_time_1e8.nwb"), trials=([0.0, 1.0], [1e8, 1e8 + 1.0]))
    os.makedirs(os.path.join(out, "folder.nwb"), exist_ok=True)
    cases.append("folder")
    print("\n".join(cases))


if __name__ == "__main__":
    main()
