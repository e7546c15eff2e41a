#!/usr/bin/env python3
"""Writes small NWB files that exercise every column kind NeuroLens reads, with
pynwb itself (so the layout is the real one), plus hand-made h5py files for
ragged-index dtypes pynwb never writes, and a JSON of what pynwb reads back.

Usage: make_fixtures.py OUTDIR      (needs pynwb; exit 77 when it is missing)
Creates OUTDIR/columns.nwb, OUTDIR/columns.json, OUTDIR/index_<dtype>.nwb.
"""
import json
import os
import sys
from datetime import datetime, timezone

import h5py
import numpy as np

try:
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries
    from pynwb.behavior import BehavioralTimeSeries, Position
except ImportError:
    print("pynwb is not installed", file=sys.stderr)
    sys.exit(77)

BIN_S = 0.02


def columns_file(path):
    nwb = NWBFile(session_description="every column kind", identifier="fixture-columns",
                  session_start_time=datetime(2020, 1, 1, tzinfo=timezone.utc))
    device = nwb.create_device(name="probe")
    group = nwb.create_electrode_group(name="shank0", description="shank", location="brain", device=device)
    for location in ["M1", "PMd", "M1", "S1"]:
        nwb.add_electrode(group=group, location=location)
    nwb.add_unit_column(name="cell_type", description="putative type")
    nwb.add_unit_column(name="depth", description="depth in um")
    nwb.add_unit_column(name="quality", description="integer score")
    nwb.add_unit_column(name="tags", description="ragged text", index=True)
    nwb.add_unit_column(name="peaks", description="ragged numbers", index=True)
    # Trial 0 starts at 1.0 s, trial 1 at 2.5 s; origin + k*B edges are computed the way the spec defines them.
    edge = 1.0 + 3 * BIN_S  # exactly on the edge between bins 2 and 3 of trial 0
    units = [
        dict(spike_times=[0.5, 1.001, edge, 1.2, 2.51, 2.7], cell_type="E", depth=100.0, quality=3,
             tags=["a", "b"], peaks=[1.5], electrodes=[0]),
        dict(spike_times=[], cell_type="I", depth=250.5, quality=1, tags=[], peaks=[2.0, 3.0], electrodes=[1, 2]),
        dict(spike_times=[2.9, 1.05, 2.55, 1.3, 0.2], cell_type="E", depth=-5.0, quality=2, tags=["c"], peaks=[],
             electrodes=[2]),
        dict(spike_times=[1.0, 1.02, 1.04, 3.5], cell_type="I", depth=0.0, quality=0, tags=["d", "e", "f"],
             peaks=[4.0], electrodes=[3, 0]),
    ]
    for i, unit in enumerate(units):
        nwb.add_unit(id=100 + i, **unit)
    nwb.add_trial_column(name="condition", description="reach target")
    nwb.add_trial_column(name="go_cue_time", description="go cue")
    nwb.add_trial_column(name="target_x", description="target x")
    nwb.add_trial(start_time=1.0, stop_time=1.5, condition="left", go_cue_time=1.1, target_x=-1.0)
    nwb.add_trial(start_time=2.5, stop_time=3.1, condition="right", go_cue_time=2.6, target_x=1.0)
    nwb.add_trial(start_time=3.2, stop_time=3.8, condition="left", go_cue_time=3.3, target_x=-1.0)

    module = nwb.create_processing_module(name="behavior", description="behaviour")
    stamps = np.array([0.0, 0.9, 1.005, 1.011, 1.04, 1.3, 2.0, 2.52, 3.0, 3.75])
    module.add(TimeSeries(name="speed", data=np.arange(10, dtype=float) ** 2, timestamps=stamps, unit="m/s"))
    module.add(TimeSeries(name="rate_series", data=np.arange(200, dtype=float).reshape(100, 2), starting_time=0.5,
                          rate=25.0, unit="a.u."))
    bts = BehavioralTimeSeries(name="BehavioralTimeSeries")
    bts.create_timeseries(name="pupil", data=np.linspace(1, 2, 40), timestamps=np.linspace(0, 3.9, 40), unit="mm")
    module.add(bts)
    position = Position(name="Position")
    position.create_spatial_series(name="hand_position", data=np.column_stack([np.sin(np.arange(80) / 7.0),
                                                                               np.cos(np.arange(80) / 5.0)]),
                                   timestamps=np.arange(80) * 0.05, reference_frame="centre", unit="cm")
    module.add(position)
    with NWBHDF5IO(path, "w") as io:
        io.write(nwb)

    # What pynwb reads back: the facts NeuroLens's reader must agree with.
    with NWBHDF5IO(path, "r") as io:
        nwb = io.read()
        df = nwb.units.to_dataframe()
        electrodes = nwb.electrodes.to_dataframe()
        expected = {
            "session_description": nwb.session_description,
            "unit_ids": [int(i) for i in df.index],
            "spike_times": [list(map(float, t)) for t in df["spike_times"]],
            "units": {
                "cell_type": list(df["cell_type"]),
                "depth": [float(x) for x in df["depth"]],
                "quality": [float(x) for x in df["quality"]],
                "tags": [list(x) for x in df["tags"]],
                "peaks": [list(map(float, x)) for x in df["peaks"]],
                "location": [", ".join(dict.fromkeys(electrodes.loc[list(e.index), "location"]))
                             for e in df["electrodes"]],
            },
            "trials": {
                "start_time": list(map(float, nwb.trials["start_time"][:])),
                "stop_time": list(map(float, nwb.trials["stop_time"][:])),
                "condition": list(nwb.trials["condition"][:]),
                "go_cue_time": list(map(float, nwb.trials["go_cue_time"][:])),
            },
            "behavior": {},
        }
        behavior = nwb.processing["behavior"]
        series = {"speed": behavior["speed"], "rate_series": behavior["rate_series"],
                  "pupil": behavior["BehavioralTimeSeries"]["pupil"],
                  "hand_position": behavior["Position"]["hand_position"]}
        for name, ts in series.items():
            data = np.asarray(ts.data[:])
            expected["behavior"][name] = {
                "samples": int(data.shape[0]), "dims": list(data.shape), "unit": ts.unit,
                "timestamps": list(map(float, ts.get_timestamps())),
                "data": list(map(float, data.reshape(-1)))}
    with open(os.path.join(os.path.dirname(path), "columns.json"), "w") as out:
        json.dump(expected, out)


def index_file(path, dtype):
    """spike_times_index of any integer dtype (pynwb picks the narrowest uint)."""
    times = np.array([0.01, 0.03, 0.05, 0.2, 0.21, 0.5, 0.7], dtype=np.float64)
    ends = np.array([3, 3, 5, 7], dtype=dtype)
    with h5py.File(path, "w") as f:
        f.attrs["neurodata_type"] = "NWBFile"
        f.attrs["nwb_version"] = "2.7.0"
        f["session_description"] = "index dtype " + dtype
        units = f.create_group("units")
        units["spike_times"] = times
        units["spike_times_index"] = ends
        units["id"] = np.arange(4, dtype=np.int64)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    columns_file(os.path.join(out, "columns.nwb"))
    for dtype in ["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64"]:
        index_file(os.path.join(out, f"index_{dtype}.nwb"), dtype)


if __name__ == "__main__":
    main()
