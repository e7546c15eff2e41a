#!/usr/bin/env python3
"""Probe and lesion-with-probe speed on a real recording, side by side with scikit-learn.

Usage: /work/main/.venv/bin/python bench/probe/run_bench.py [--cli build/bin/neurolens-cli] [--repeats 50]

On pmd_reach_yu2009 (210 trials sorted by condition, 20 ms bins, default window: 4,200 rows) with an
8-latent GRU (tests/app/python/make_gui_model.py: untrained, fixed seed; a model not made for this bench):
  1. `probe --target trials:condition --features latents` (nested 5 x 5 stratified folds, 17 penalties);
  2. scikit-learn's GridSearchCV(LogisticRegression(C = 1/alpha)) on the same latents, the same
     StratifiedKFold folds outer and inner (tests/core/python/probe_reference.py), default tol (1e-4);
  3. `lesion --lesion 1,...,6 --random-repeats R` without a target, and 4. with `--target trials:condition`.
Prints a Markdown table (seconds, ratios, the machine's load) for bench/results/probe.md.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "core", "python"))


def run(cmd):
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--cli", default=os.path.join(ROOT, "build", "bin", "neurolens-cli"))
    p.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "pmd_reach_yu2009.nwb"))
    p.add_argument("--repeats", type=int, default=50)
    a = p.parse_args()
    import h5py
    import numpy as np
    import probe_reference
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import GridSearchCV

    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "gru.pt")
        subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests", "app", "python", "make_gui_model.py"), model],
                       check=True)
        rows = []
        seconds, out = run([a.cli, "probe", a.data, "--target", "trials:condition", "--features", "latents", "--model",
                            model, "--json", "--quiet"])
        probe = json.loads(out)
        rows.append(("probe (NeuroLens)", seconds, probe["accuracy"]))

        latents_file = os.path.join(tmp, "latents.h5")
        run([a.cli, "infer", "--model", model, a.data, "--out", latents_file, "--quiet"])
        with h5py.File(latents_file, "r") as f:
            latents = f["latents"][:].astype(np.float64)
        with h5py.File(a.data, "r") as f:
            labels = [v.decode() if isinstance(v, bytes) else v for v in f["intervals/trials/condition"][:]]
        classes = sorted(set(labels))
        trial_label = np.array([classes.index(v) for v in labels])
        trials, bins, width = latents.shape
        x = latents.reshape(trials * bins, width)
        y = np.repeat(trial_label, bins)
        meta = {"group_end": (np.arange(1, trials + 1) * bins).tolist(), "group_labels": trial_label.tolist(),
                "folds": 5}
        alphas = np.logspace(-4, 4, 17)
        start = time.perf_counter()
        predictions, _ = probe_reference.nested(
            meta, lambda cv: GridSearchCV(LogisticRegression(multi_class="multinomial", max_iter=10000),
                                          {"C": list(1.0 / alphas)}, cv=cv, scoring="accuracy"), x, y)
        rows.append(("probe (scikit-learn GridSearchCV, same folds)", time.perf_counter() - start,
                     accuracy_score(y, predictions)))

        lesion = [a.cli, "lesion", "--model", model, a.data, "--lesion", "1,2,3,4,5,6", "--random-repeats",
                  str(a.repeats), "--json", "--quiet"]
        seconds, _ = run(lesion)
        rows.append((f"lesion, {a.repeats} random lesions, no target", seconds, None))
        seconds, out = run(lesion + ["--target", "trials:condition"])
        rows.append((f"lesion, {a.repeats} random lesions, --target trials:condition ({a.repeats + 2} probes)",
                     seconds, json.loads(out)["lesions"][0]["probe_accuracy_intact"]))

    load = os.getloadavg()
    print(f"Machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end\n")
    print("| what | seconds | accuracy |\n| --- | --- | --- |")
    for name, seconds, accuracy in rows:
        print(f"| {name} | {seconds:.1f} | {'' if accuracy is None else f'{accuracy:.4f}'} |")
    print(f"\nscikit-learn / NeuroLens probe: {rows[1][1] / rows[0][1]:.1f}x; "
          f"lesion with target / without: {rows[3][1] / rows[2][1]:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
