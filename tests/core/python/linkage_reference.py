"""Reference for averageLinkageOrder (tests/core/test_dsa.cpp): scipy's average-linkage leaf order.

Usage: linkage_reference.py DIR. DIR/meta.json: {"n"}; DIR/d.f64: a symmetric distance matrix [n, n]
(row-major float64). Writes DIR/out.json: {"order": leaves_list(linkage(squareform(d), "average"))}.
Exit 77 when scipy is missing.
"""
import json
import os
import sys

try:
    import numpy as np
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform
except ImportError as error:  # pragma: no cover
    print(f"missing package: {error}", file=sys.stderr)
    sys.exit(77)


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "meta.json")) as handle:
        n = json.load(handle)["n"]
    d = np.fromfile(os.path.join(directory, "d.f64"), dtype="<f8").reshape(n, n)
    order = leaves_list(linkage(squareform(d, checks=False), "average"))
    with open(os.path.join(directory, "out.json"), "w") as handle:
        json.dump({"order": [int(i) for i in order]}, handle)


if __name__ == "__main__":
    main()
