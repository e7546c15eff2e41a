#!/usr/bin/env python3
"""Lists a NeuroLens results file with plain h5py: every dataset's path, dtype,
shape, HDF5 chunk shape (null when contiguous) and float64 sum, and every
attribute, as JSON on stdout.

Usage: check_results.py FILE.h5
"""
import json
import sys

import h5py
import numpy as np


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def main():
    out = {"datasets": {}, "attributes": {}}
    with h5py.File(sys.argv[1], "r") as f:
        def visit(name, obj):
            for key, value in obj.attrs.items():
                value = text(value)
                out["attributes"][f"/{name}@{key}"] = value if isinstance(value, str) else float(value)
            if isinstance(obj, h5py.Dataset):
                entry = {"dtype": str(obj.dtype), "shape": list(obj.shape),
                         "chunks": list(obj.chunks) if obj.chunks else None}
                if obj.dtype.kind in "fiu":
                    entry["sum"] = float(np.asarray(obj[()], dtype=np.float64).sum())
                else:
                    entry["values"] = [text(v) for v in np.asarray(obj[()]).reshape(-1)]
                out["datasets"]["/" + name] = entry
        for key, value in f.attrs.items():
            value = text(value)
            out["attributes"][f"/@{key}"] = value if isinstance(value, str) else float(value)
        f.visititems(visit)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
