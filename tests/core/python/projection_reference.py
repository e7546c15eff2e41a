"""Independent reference for projections (tests/core/test_projection.cpp).

Usage: projection_reference.py DIR
DIR/meta.json: rows, cols_a, cols_b, k. DIR/a.f64 [rows, cols_a], DIR/b.f64 [rows, cols_b] (row-major float64).
Computes: PCA of a with numpy SVD (explained variance ratio, components, projection), the canonical
correlations of a and b with sklearn's CCA (correlation of each pair of scores), and
scipy.linalg.orthogonal_procrustes(a_centred, b_centred) when cols_a == cols_b. Writes DIR/out.json.
Exit 77 when a package is missing.
"""
import json
import os
import sys

try:
    import numpy as np
    from scipy.linalg import orthogonal_procrustes
    from sklearn.cross_decomposition import CCA
except ImportError as error:  # pragma: no cover
    print(f"missing package: {error}", file=sys.stderr)
    sys.exit(77)


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "meta.json")) as handle:
        meta = json.load(handle)
    rows, k = meta["rows"], meta["k"]
    a = np.fromfile(os.path.join(directory, "a.f64"), dtype="<f8").reshape(rows, meta["cols_a"])
    b = np.fromfile(os.path.join(directory, "b.f64"), dtype="<f8").reshape(rows, meta["cols_b"])
    centred = a - a.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    variance = s ** 2 / (rows - 1)
    out = {"explained_variance": variance[:k].tolist(), "ratio": (variance[:k] / variance.sum()).tolist(),
           "components": vt[:k].tolist(), "projected": (centred @ vt[:k].T).tolist()}
    cca = CCA(n_components=k, max_iter=5000, tol=1e-12, scale=False)
    x_scores, y_scores = cca.fit_transform(a, b)
    out["canonical_correlations"] = [float(np.corrcoef(x_scores[:, i], y_scores[:, i])[0, 1]) for i in range(k)]
    if meta["cols_a"] == meta["cols_b"]:
        rotation, scale = orthogonal_procrustes(centred, b - b.mean(axis=0))
        out["procrustes_rotation"] = rotation.tolist()
        out["procrustes_scale"] = float(scale)
    with open(os.path.join(directory, "out.json"), "w") as handle:
        json.dump(out, handle)


if __name__ == "__main__":
    main()
