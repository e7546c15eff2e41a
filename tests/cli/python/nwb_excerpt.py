"""The first SECONDS of a continuous NWB recording (spikes and behavioural series), everything else as is.

    python nwb_excerpt.py IN.nwb OUT.nwb SECONDS
Used by tests/cli/test_cli_poyo.cpp to attribute a POYO on one minute of m1_stevenson2011 rather than all 13
(integrated gradients through POYO's spike-token attention costs minutes per recording-minute on two cores).
Prints {"spikes", "units", "seconds"}. Exit 77 without h5py / numpy (CTest skips).
"""
import json
import os
import shutil
import sys

try:
    import h5py
    import numpy as np
except ImportError as error:  # pragma: no cover
    print(f"needs h5py and numpy: {error}", file=sys.stderr)
    sys.exit(77)


def replace(group, name: str, data, references=None) -> None:
    """Rewrites group[name] with `data`, keeping its attributes; `references` re-points object-reference
    attributes (name -> dataset), such as a VectorIndex's `target`."""
    old = group[name]
    attributes = {key: value for key, value in old.attrs.items()}
    del group[name]
    new = group.create_dataset(name, data=data)
    for key, value in attributes.items():
        if isinstance(value, h5py.Reference):
            value = (references or {})[key].ref
        new.attrs[key] = value


def main(source: str, target: str, seconds: float) -> int:
    shutil.copyfile(source, target)
    os.chmod(target, 0o644)
    with h5py.File(target, "r+") as f:
        units = f["units"]
        times = units["spike_times"][()]
        index = units["spike_times_index"][()].astype(np.int64)
        starts = np.concatenate([[0], index[:-1]])
        kept = [times[a:b][times[a:b] < seconds] for a, b in zip(starts, index)]
        # spike_times first: the index's `target` reference then points at the new dataset.
        replace(units, "spike_times", np.concatenate(kept))
        replace(units, "spike_times_index", np.cumsum([len(k) for k in kept]).astype(np.uint32),
                {"target": units["spike_times"]})
        behavior = f.get("processing/behavior")
        for name in (behavior.keys() if behavior is not None else []):
            series = behavior[name]
            if "timestamps" in series and "data" in series:
                keep = series["timestamps"][()] < seconds
                replace(series, "data", series["data"][()][keep])
                replace(series, "timestamps", series["timestamps"][()][keep])
        print(json.dumps({"spikes": int(sum(len(k) for k in kept)), "units": len(kept), "seconds": seconds}))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
