"""Reference DSA distances from dsa-metric 2.0.2 itself (tests/core/test_dsa.cpp).

Usage: dsa_reference.py DIR [OUT.json]
DIR/meta.json: {"systems": [{"name", "trials", "bins", "dims"}...], "pairs": [[i, j]...],
                "configs": [{"name", "n_delays", "rank" (null = full)}...], "checksum"}.
DIR/<name>.f64: each system's trajectories [trials, bins, dims] (row-major float64).
For every config, pair and score_method in (angular, wasserstein) it runs
    DSA.DSA(X, Y, score_method=..., n_delays=..., rank=...).fit_score()
with dsa-metric's own defaults otherwise (DSA class: iters=1500, lr=5e-3; DMD: delay_interval=1,
lamb=1e-8), torch.manual_seed(0) before each angular fit (its optimiser starts from a random
parametrisation). Writes OUT.json (default DIR/out.json): {"checksum", "dsa_metric": version,
"torch": version, "<config>": {"angular": [...], "wasserstein": [...]},
"<config>_global": {"angular": [...]}}: the angle after the best orthogonal map found by scipy's BFGS from 40 starts
on dsa-metric's own DMD matrices (A_v), an independent check of its optimiser.
Exit 77 when dsa-metric is missing (it needs torch, POT, pydmd ...: `pip install dsa-metric==2.0.2`).

The committed values tests/core/python/dsa_reference_values.json were made by running
test_dsa with NEUROLENS_DSA_KEEP_INPUTS=DIR, then this script with dsa-metric 2.0.2 installed in a
venv over Debian's python3-torch 1.13 (python3 -m venv --system-site-packages; pip install dsa-metric==2.0.2).
"""
import json
import os
import sys

try:
    import numpy as np
    import torch
    from importlib.metadata import version
    from DSA import DSA
    from DSA.dmd import DMD
    from scipy.linalg import expm
    from scipy.optimize import minimize
except ImportError as error:  # pragma: no cover
    print(f"missing package: {error}", file=sys.stderr)
    sys.exit(77)


def best_angle(a, b, starts=40, seed=0):
    a = a / np.linalg.norm(a)
    b = b / np.linalg.norm(b)
    n = a.shape[0]
    upper = np.triu_indices(n, 1)
    rng = np.random.default_rng(seed)
    best = -1.0
    for start in range(starts):
        reflection = np.eye(n)
        if start % 2:
            reflection[0, 0] = -1.0

        def negative_cosine(p):
            k = np.zeros((n, n))
            k[upper] = p
            c = expm(k - k.T) @ reflection
            return -np.sum(a * (c @ b @ c.T))

        result = minimize(negative_cosine, rng.standard_normal(len(upper[0])), method="BFGS")
        best = max(best, -result.fun)
    return float(np.arccos(np.clip(best, -1.0, 1.0)))


def main():
    directory = sys.argv[1]
    out_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(directory, "out.json")
    with open(os.path.join(directory, "meta.json")) as handle:
        meta = json.load(handle)
    data = []
    for system in meta["systems"]:
        shape = (system["trials"], system["bins"], system["dims"])
        data.append(np.fromfile(os.path.join(directory, system["name"] + ".f64"), dtype="<f8").reshape(shape))
    out = {"checksum": meta["checksum"], "dsa_metric": version("dsa-metric"), "torch": torch.__version__}
    for config in meta["configs"]:
        results = {"angular": [], "wasserstein": []}
        for i, j in meta["pairs"]:
            for method in ("angular", "wasserstein"):
                torch.manual_seed(0)
                kwargs = {"n_delays": config["n_delays"]}
                if config["rank"] is not None:
                    kwargs["rank"] = config["rank"]
                score = DSA(data[i], data[j], score_method=method, **kwargs).fit_score()
                results[method].append(float(np.asarray(score).reshape(-1)[0]))
        out[config["name"]] = results
        # The angular score's optimiser (Adam over a Cayley parametrisation, two starts) can stop short of the
        # best orthogonal map. An independent check on dsa-metric's own DMD matrices: scipy's BFGS over
        # C = expm(K) R (K skew, R the identity or a reflection) from 40 random starts, the largest cosine kept.
        best_angles = []
        for i, j in meta["pairs"]:
            fits = []
            for x in (data[i], data[j]):
                kwargs = {"n_delays": config["n_delays"]}
                if config["rank"] is not None:
                    kwargs["rank"] = config["rank"]
                dmd = DMD(x, **kwargs)
                dmd.fit()
                fits.append(dmd.A_v.double().numpy())
            best_angles.append(best_angle(*fits))
        out[config["name"] + "_global"] = {"angular": best_angles}
    with open(out_path, "w") as handle:
        json.dump(out, handle, indent=1)


if __name__ == "__main__":
    main()
