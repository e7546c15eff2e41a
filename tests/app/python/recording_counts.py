"""Independent reference for the GUI's Recording panel: unit and trial counts of an
NWB file read with h5py (prints JSON)."""
import json
import sys

import h5py

with h5py.File(sys.argv[1], "r") as f:
    units = int(f["units/id"].shape[0])
    trials = int(f["intervals/trials/id"].shape[0]) if "intervals/trials" in f else 0
print(json.dumps({"units": units, "trials": trials}))
