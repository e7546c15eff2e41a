"""scikit-learn side of the alignment benchmark: CCA on the rows bench_align wrote.

Usage: sklearn_cca.py A.f64 B.f64 ROWS DIMS COMPONENTS REPEATS
Prints one JSON line: seconds (median of REPEATS timed fits; no warm-up run, a fit takes minutes at the default
size), canonical_correlations (correlations of the COMPONENTS pairs of scores).
"""
import json
import sys
import time

import numpy as np
from sklearn.cross_decomposition import CCA


def main():
    path_a, path_b = sys.argv[1], sys.argv[2]
    rows, dims, components, repeats = (int(v) for v in sys.argv[3:7])
    a = np.fromfile(path_a, dtype="<f8").reshape(rows, dims)
    b = np.fromfile(path_b, dtype="<f8").reshape(rows, dims)
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        cca = CCA(n_components=components, scale=False, max_iter=500, tol=1e-6)
        x_scores, y_scores = cca.fit_transform(a, b)
        seconds.append(time.perf_counter() - started)
    correlations = [float(np.corrcoef(x_scores[:, i], y_scores[:, i])[0, 1]) for i in range(components)]
    print(json.dumps({"seconds": float(np.median(seconds)), "canonical_correlations": correlations}))


if __name__ == "__main__":
    main()
