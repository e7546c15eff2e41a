"""Independent reading of a saved NeuroLens session (JSON + HDF5 results) with
hashlib, json and h5py: prints what the GUI test compares against."""
import hashlib
import json
import sys

import h5py
import numpy as np


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(session_path):
    with open(session_path, encoding="utf-8") as handle:
        session = json.load(handle)
    out = {"inputs_match": {}}
    for kind, entry in session["inputs"].items():
        # "recordings" and "models" list every file open; each must match too
        entries = entry if isinstance(entry, list) else [entry]
        out["inputs_match"][kind] = all(sha256(e["path"]) == e["sha256"] for e in entries)
    results = session_path + ".h5"
    with h5py.File(results, "r") as h5:
        out["latents_shape"] = list(h5["latents"].shape)
        if "attribution" in h5:
            profiles = np.asarray(h5["attribution/profiles"])
            out["profiles_shape"] = list(profiles.shape)
            out["profiles_sum"] = float(profiles.sum())
            out["unit_types"] = sorted({t.decode() if isinstance(t, bytes) else str(t)
                                        for t in h5["attribution/unit_types"][()]})
            if "per_bin_magnitude" in h5["attribution"]:
                magnitude = np.asarray(h5["attribution/per_bin_magnitude"], dtype=np.float64)
                out["per_bin_shape"] = list(magnitude.shape)
                out["per_bin_sum"] = float(magnitude.sum())
        if "probe" in h5:
            out["probe_r2_per_dim"] = [float(v) for v in h5["probe/r2_per_dim"][()]]
    out["time_bin"] = session["view"]["time_bin"]
    out["colour"] = session["view"].get("colour", "")
    out["means"] = session["view"]["means"]
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
