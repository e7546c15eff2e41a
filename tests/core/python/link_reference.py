"""Independent reference for the type-latent link (tests/core/test_link.cpp).

Usage: link_reference.py DIR
DIR/meta.json: units, latents, alpha, types (type index per unit), folds (fold index per unit).
DIR/profiles.f64: raw profiles [units, latents], row-major little-endian float64.
Computes with numpy + scikit-learn: unit-norm profiles, association (mean squared normalised profile per
type and latent), the sign-free outer-product features, and the cross-validated accuracy of
LogisticRegression(multinomial, C=1/alpha) on the given folds, from sign-free features and from |p|.
Writes DIR/out.json. Exit 77 when a package is missing.
"""
import json
import os
import sys

try:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
except ImportError as error:  # pragma: no cover
    print(f"missing package: {error}", file=sys.stderr)
    sys.exit(77)


def sign_free(p):
    units, latents = p.shape
    rows, cols = np.triu_indices(latents)
    outer = p[:, :, None] * p[:, None, :]
    scale = np.where(rows == cols, 1.0, np.sqrt(2.0))
    return outer[:, rows, cols] * scale


def cv_accuracy(features, types, folds, alpha):
    predicted = np.zeros_like(types)
    for fold in np.unique(folds):
        train, test = folds != fold, folds == fold
        model = LogisticRegression(multi_class="multinomial", C=1.0 / alpha, max_iter=20000, tol=1e-10)
        model.fit(features[train], types[train])
        predicted[test] = model.predict(features[test])
    return float(np.mean(predicted == types)), predicted


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "meta.json")) as handle:
        meta = json.load(handle)
    raw = np.fromfile(os.path.join(directory, "profiles.f64"), dtype="<f8").reshape(meta["units"], meta["latents"])
    types = np.asarray(meta["types"], dtype=int)
    folds = np.asarray(meta["folds"], dtype=int)
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    p = np.divide(raw, norms, out=np.zeros_like(raw), where=norms > 0)
    association = np.stack([np.mean(p[types == t] ** 2, axis=0) for t in range(types.max() + 1)])
    accuracy, predicted = cv_accuracy(sign_free(p), types, folds, meta["alpha"])
    abs_accuracy, _ = cv_accuracy(np.abs(p), types, folds, meta["alpha"])
    with open(os.path.join(directory, "out.json"), "w") as handle:
        json.dump({"association": association.tolist(), "type_accuracy": accuracy, "abs_accuracy": abs_accuracy,
                   "predicted": predicted.tolist()}, handle)


if __name__ == "__main__":
    main()
