#!/usr/bin/env python3
"""scikit-learn's answer for `neurolens-cli probe --target trials:COLUMN`, for the CLI tests.

Usage: probe_trials_reference.py COUNTS.h5 FILE.nwb COLUMN [--rows bins|trials] [--folds K] [--alphas A,B,..]

COUNTS.h5 is `neurolens-cli bin --out` of FILE.nwb (/counts [trials, bins, units], /trial_ids); the labels are
read from FILE.nwb's trials table with h5py. LogisticRegression (C = 1/alpha over the contract's alpha grid,
logspace(-4, 4, 17)) inside GridSearchCV, StratifiedKFold(K) without shuffling over whole trials, outer and
inner (tests/core/python/probe_reference.py). Prints one JSON line: accuracy, chance, rows.
Exit 77 when a needed package is missing (the test skips).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "core", "python"))
try:
    import h5py
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import GridSearchCV
    import probe_reference
except ImportError as error:  # pragma: no cover
    print(f"missing package: {error}", file=sys.stderr)
    sys.exit(77)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("counts")
    p.add_argument("nwb")
    p.add_argument("column")
    p.add_argument("--rows", choices=["bins", "trials"], default="bins")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--alphas", default=None, help="comma-separated (default logspace(-4, 4, 17), as the contract)")
    a = p.parse_args()
    with h5py.File(a.counts, "r") as f:
        counts = f["counts"][:].astype(np.float64)
        trial_ids = f["trial_ids"][:]
    with h5py.File(a.nwb, "r") as f:
        table = f["intervals/trials"]
        ids = table["id"][:]
        values = table[a.column][:]
    by_id = dict(zip(ids.tolist(), values.tolist()))
    labels = [by_id[t] for t in trial_ids.tolist()]
    classes = sorted(set(labels))
    trial_label = np.array([classes.index(v) for v in labels])
    trials, bins, units = counts.shape
    if a.rows == "trials":
        x = counts.mean(axis=1)
        y = trial_label
        group_end = np.arange(1, trials + 1)
    else:
        x = counts.reshape(trials * bins, units)
        y = np.repeat(trial_label, bins)
        group_end = np.arange(1, trials + 1) * bins
    alphas = [float(v) for v in a.alphas.split(",")] if a.alphas else np.logspace(-4, 4, 17).tolist()
    meta = {"group_end": group_end.tolist(), "group_labels": trial_label.tolist(), "folds": a.folds}
    estimator = LogisticRegression(multi_class="multinomial", solver="lbfgs", max_iter=20000, tol=1e-8)
    predictions, chosen = probe_reference.nested(
        meta, lambda cv: GridSearchCV(estimator, {"C": [1.0 / v for v in alphas]}, cv=cv, scoring="accuracy"), x, y)
    counts_per_class = np.bincount(y)
    print(json.dumps({"accuracy": float(accuracy_score(y, predictions)),
                      "chance": float(counts_per_class.max() / len(y)), "rows": int(len(y)),
                      "alpha_per_fold": chosen}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
