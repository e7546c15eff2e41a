#!/usr/bin/env python3
"""Writes a small NWB file with pynwb (units with a cell_type column, three trials)
and prints, as JSON, what a spike raster of some of its trials must show: the
number of spikes inside the window of each trial, counted here with numpy from the
spike times written, independently of NeuroLens.

Usage: make_raster_nwb.py OUT.nwb WINDOW_START_MS WINDOW_END_MS TRIAL,TRIAL,...
Exit 77 when pynwb is not installed.
"""
import json
import sys
from datetime import datetime, timezone

import numpy as np

try:
    from pynwb import NWBHDF5IO, NWBFile
except ImportError:
    print("pynwb is not installed", file=sys.stderr)
    sys.exit(77)


def main():
    out, start_ms, end_ms = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    drawn = [int(t) for t in sys.argv[4].split(",")]
    rng = np.random.default_rng(11)
    nwb = NWBFile(session_description="raster fixture", identifier="raster-fixture",
                  session_start_time=datetime(2021, 5, 4, tzinfo=timezone.utc))
    nwb.add_unit_column(name="cell_type", description="putative type")
    types = ["pyramidal", "interneuron", "pyramidal", "interneuron", "pyramidal", "unknown"]
    trial_starts = [1.0, 2.5, 4.0]
    trains = []
    for unit, cell_type in enumerate(types):
        # Uniform spikes over the whole session at 5-40 Hz; unit 5 is silent.
        rate = 0.0 if unit == 5 else 5.0 + 7.0 * unit
        count = rng.poisson(rate * 6.0)
        times = np.sort(rng.uniform(0.0, 6.0, count))
        trains.append(times)
        nwb.add_unit(id=10 + unit, spike_times=times, cell_type=cell_type)
    for start in trial_starts:
        nwb.add_trial(start_time=start, stop_time=start + 1.2)
    with NWBHDF5IO(out, "w") as io:
        io.write(nwb)

    per_type = {}
    total = 0
    for unit, times in enumerate(trains):
        for trial in drawn:
            relative_ms = (times - trial_starts[trial]) * 1000.0
            inside = int(np.count_nonzero((relative_ms >= start_ms) & (relative_ms < end_ms)))
            total += inside
            per_type[types[unit]] = per_type.get(types[unit], 0) + inside
    print(json.dumps({"ticks": total, "ticks_per_type": per_type, "units": len(types),
                      "types": sorted(set(types))}))


if __name__ == "__main__":
    main()
