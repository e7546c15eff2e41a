"""Independent reference for NeuroLens probes (tests/core/test_probe.cpp).

Usage:
  probe_reference.py ridge DIR      nested CV with sklearn GridSearchCV(Ridge) on DIR/x.f64, DIR/y.f64
  probe_reference.py logistic DIR   the same with LogisticRegression(multinomial, C=1/alpha); with
                                    group_labels in meta.json, StratifiedKFold over the groups (outer and inner)
  probe_reference.py m1 NWB DIR     bin a continuous NWB recording with h5py + numpy (20 ms bins, the CLI
                                    spec's rules) and write DIR/x.f64 (counts), DIR/y.f64 (hand_vel), meta.json

DIR/meta.json holds rows, features, dims, group_end (one past the last row of each fold group), folds,
alphas. Matrices are raw little-endian float64, row-major. Results go to DIR/out.json (and DIR/pred.f64).
Exit 77 when a needed package is missing (the test skips).
"""
import json
import os
import sys

try:
    import numpy as np
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
except ImportError as error:  # pragma: no cover
    print(f"missing package: {error}", file=sys.stderr)
    sys.exit(77)


def contiguous_folds(n, k):
    """sklearn KFold(shuffle=False) sizes: the first n % k folds one larger."""
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    edges = np.cumsum([0] + sizes)
    return [(edges[i], edges[i + 1]) for i in range(k)]


def rows_of(groups, group_end):
    starts = np.concatenate([[0], group_end[:-1]])
    return np.concatenate([np.arange(starts[g], group_end[g]) for g in groups]).astype(int)


def group_folds(n, k, labels):
    """Test groups of each fold: contiguous (KFold) or, given one label per group,
    sklearn's own StratifiedKFold(k) without shuffling."""
    if labels is None:
        return [np.arange(begin, end) for begin, end in contiguous_folds(n, k)]
    splitter = StratifiedKFold(n_splits=k, shuffle=False)
    return [test for _, test in splitter.split(np.zeros((n, 1)), labels)]


def nested(meta, make_estimator, x, y):
    group_end = np.asarray(meta["group_end"], dtype=int)
    k = meta["folds"]
    groups = len(group_end)
    labels = np.asarray(meta["group_labels"]) if "group_labels" in meta else None
    predictions = np.zeros_like(y, dtype=float)
    alphas = []
    for test_groups in group_folds(groups, k, labels):
        train_groups = np.setdiff1d(np.arange(groups), test_groups)
        train_rows = rows_of(train_groups, group_end)
        test_rows = rows_of(test_groups, group_end)
        # Inner folds of the same kind over the training groups; indices relative to train_rows.
        position = {row: i for i, row in enumerate(train_rows)}
        inner = []
        inner_labels = None if labels is None else labels[train_groups]
        for inner_groups in group_folds(len(train_groups), k, inner_labels):
            inner_test = np.array([position[r] for r in rows_of(train_groups[inner_groups], group_end)])
            inner_train = np.setdiff1d(np.arange(len(train_rows)), inner_test)
            inner.append((inner_train, inner_test))
        search = make_estimator(inner)
        search.fit(x[train_rows], y[train_rows])
        alphas.append(search.best_params_["alpha"] if "alpha" in search.best_params_
                      else 1.0 / search.best_params_["C"])
        predictions[test_rows] = search.predict(x[test_rows])
    return predictions, alphas


def load(directory):
    with open(os.path.join(directory, "meta.json")) as handle:
        meta = json.load(handle)
    x = np.fromfile(os.path.join(directory, "x.f64"), dtype="<f8").reshape(meta["rows"], meta["features"])
    y = np.fromfile(os.path.join(directory, "y.f64"), dtype="<f8").reshape(meta["rows"], meta["dims"])
    return meta, x, y


def ridge(directory):
    meta, x, y = load(directory)
    grid = {"alpha": meta["alphas"]}
    predictions, alphas = nested(
        meta, lambda cv: GridSearchCV(Ridge(fit_intercept=True), grid, cv=cv), x, y)
    r2 = r2_score(y, predictions, multioutput="raw_values")
    predictions.astype("<f8").tofile(os.path.join(directory, "pred.f64"))
    return {"r2_per_dim": r2.tolist(), "r2": float(np.mean(r2)), "alpha_per_fold": alphas}


def logistic(directory):
    meta, x, y = load(directory)
    labels = y[:, 0].astype(int)
    grid = {"C": [1.0 / a for a in meta["alphas"]]}
    estimator = LogisticRegression(multi_class="multinomial", solver="lbfgs", max_iter=20000, tol=1e-10)
    predictions, alphas = nested(
        meta, lambda cv: GridSearchCV(estimator, grid, cv=cv, scoring="accuracy"), x, labels)
    predictions.astype("<f8").tofile(os.path.join(directory, "pred.f64"))
    counts = np.bincount(labels)
    return {"accuracy": float(accuracy_score(labels, predictions)), "chance": float(counts.max() / len(labels)),
            "alpha_per_fold": alphas}


def bin_m1(nwb, directory, bin_s=0.02):
    import h5py
    with h5py.File(nwb, "r") as f:
        times = f["units/spike_times"][:]
        index = f["units/spike_times_index"][:].astype(np.int64)
        stamps = f["processing/behavior/hand_vel/timestamps"][:]
        velocity = f["processing/behavior/hand_vel/data"][:]
    starts = np.concatenate([[0], index[:-1]])
    bins = int(np.floor(times.max() / bin_s)) + 1
    counts = np.zeros((bins, len(index)))
    for unit, (begin, end) in enumerate(zip(starts, index)):
        which = np.floor(times[begin:end] / bin_s).astype(np.int64)
        counts[:, unit] = np.bincount(which[which < bins], minlength=bins)
    # Behaviour: mean of the samples in a bin, else linear interpolation at the bin centre
    # (NaN outside the sampled span: those rows are dropped).
    which = np.floor(stamps / bin_s).astype(np.int64)
    target = np.full((bins, velocity.shape[1]), np.nan)
    centres = (np.arange(bins) + 0.5) * bin_s
    for d in range(velocity.shape[1]):
        target[:, d] = np.interp(centres, stamps, velocity[:, d], left=np.nan, right=np.nan)
        sums = np.bincount(which, weights=velocity[:, d], minlength=bins)[:bins]
        hits = np.bincount(which, minlength=bins)[:bins]
        target[hits > 0, d] = sums[hits > 0] / hits[hits > 0]
    keep = np.all(np.isfinite(target), axis=1)
    counts, target = counts[keep], target[keep]
    counts.astype("<f8").tofile(os.path.join(directory, "x.f64"))
    target.astype("<f8").tofile(os.path.join(directory, "y.f64"))
    return {"rows": int(counts.shape[0]), "features": int(counts.shape[1]), "dims": int(target.shape[1]),
            "total_bins": bins, "spikes": int(counts.sum())}


def main():
    mode = sys.argv[1]
    if mode == "m1":
        result = bin_m1(sys.argv[2], sys.argv[3])
        directory = sys.argv[3]
    else:
        directory = sys.argv[2]
        result = ridge(directory) if mode == "ridge" else logistic(directory)
    with open(os.path.join(directory, "out.json"), "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
