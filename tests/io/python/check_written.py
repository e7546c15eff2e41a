#!/usr/bin/env python3
"""Reads an NWB file written by NeuroLens with pynwb and prints what pynwb sees
as JSON, plus the number of CRITICAL issues nwbinspector reports (null when
nwbinspector is not installed). Exit 77 when pynwb is missing.

Usage: check_written.py FILE.nwb
"""
import json
import sys

try:
    from pynwb import NWBHDF5IO
except ImportError:
    print("pynwb is not installed", file=sys.stderr)
    sys.exit(77)


def main():
    path = sys.argv[1]
    with NWBHDF5IO(path, "r") as io:
        nwb = io.read()
        units = nwb.units.to_dataframe()
        out = {
            "session_description": nwb.session_description,
            "unit_ids": [int(i) for i in units.index],
            "spike_times": [list(map(float, t)) for t in units["spike_times"]],
            "unit_columns": {},
            "trials": None,
            "behavior": {},
        }
        for name in units.columns:
            if name == "spike_times":
                continue
            out["unit_columns"][name] = [x if isinstance(x, str) else (list(x) if hasattr(x, "__len__") else float(x))
                                         for x in units[name]]
        if nwb.trials is not None:
            trials = nwb.trials.to_dataframe()
            out["trials"] = {"ids": [int(i) for i in trials.index]}
            for name in trials.columns:
                out["trials"][name] = [x if isinstance(x, str) else float(x) for x in trials[name]]
        if "behavior" in nwb.processing:
            for name, ts in nwb.processing["behavior"].data_interfaces.items():
                out["behavior"][name] = {"unit": ts.unit, "shape": list(ts.data.shape),
                                         "data": [float(v) for v in ts.data[:].reshape(-1)],
                                         "timestamps": list(map(float, ts.timestamps[:]))}
    try:
        from nwbinspector import Importance, inspect_nwbfile
        issues = list(inspect_nwbfile(nwbfile_path=path))
        out["critical"] = [m.message for m in issues if m.importance == Importance.CRITICAL]
    except ImportError:
        out["critical"] = None
    print(json.dumps(out))


if __name__ == "__main__":
    main()
