"""Independent reference for the alignment statistics (tests/core/test_alignment.cpp).

Usage: alignment_reference.py DIR
DIR/meta.json: rows, cols (both sides). DIR/a.f64, DIR/b.f64 [rows, cols] (row-major float64).
Computes the canonical correlations as numpy's thin QR + SVD of Qa^T Qb (both sides centred), the correlations
of scikit-learn's CCA scores (n_components = cols) and scipy.spatial.procrustes(a, b)'s disparity.
Writes DIR/out.json. Exit 77 when a package is missing.
"""
import json
import os
import sys

try:
    import numpy as np
    from scipy.spatial import procrustes
    from sklearn.cross_decomposition import CCA
except ImportError as error:  # pragma: no cover
    print(f"missing package: {error}", file=sys.stderr)
    sys.exit(77)


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "meta.json")) as handle:
        meta = json.load(handle)
    rows, cols = meta["rows"], meta["cols"]
    a = np.fromfile(os.path.join(directory, "a.f64"), dtype="<f8").reshape(rows, cols)
    b = np.fromfile(os.path.join(directory, "b.f64"), dtype="<f8").reshape(rows, cols)
    qa, _ = np.linalg.qr(a - a.mean(axis=0))
    qb, _ = np.linalg.qr(b - b.mean(axis=0))
    numpy_cc = np.linalg.svd(qa.T @ qb, compute_uv=False)
    cca = CCA(n_components=cols, scale=False, max_iter=20000, tol=1e-14)
    x_scores, y_scores = cca.fit_transform(a, b)
    sklearn_cc = [float(np.corrcoef(x_scores[:, i], y_scores[:, i])[0, 1]) for i in range(cols)]
    _, _, disparity = procrustes(a, b)
    out = {"numpy": [float(v) for v in numpy_cc], "sklearn": sklearn_cc, "disparity": float(disparity)}
    with open(os.path.join(directory, "out.json"), "w") as handle:
        json.dump(out, handle)


if __name__ == "__main__":
    main()
