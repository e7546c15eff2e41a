#!/usr/bin/env python3
"""DSA and matrix benchmark (issue 31 step 5), in one run on one machine:

1. DSA: NeuroLens (`align --method dsa`'s computation, core/dsa.h) against dsa-metric 2.0.2's
   `DSA(X, Y, score_method=..., n_delays=..., rank=...).fit_score()` on the same trajectories, one distance
   against one distance (dsa-metric has no null), angular and wasserstein. The null's cost (200 permutations
   of side B's bins) is reported separately. Inputs, written here and read by both:
   - the condition-mean trajectories of the two shared PMd recordings (pmd_reach_yu2009 and pmd_reach_ex2,
     their common conditions reach1 and reach2, the first 20 bins of 20 ms from trial start, counts smoothed
     with a Gaussian of sd 40 ms, each side's top 10 principal components, centred), as `align yu2009 ex2
     --method dsa` matches them (its distance on the NWB files is the same to 7 digits);
   - planted noisy 3-D linear systems as tests/core/test_dsa.cpp builds them (15 trials x 40 bins: a damped
     rotation, the same rotation under another embedding, a line attractor), each side centred on its
     principal axes.
   NeuroLens is timed in process by bench_dsa (alignSides with DSA alone, PCA included; median of --repeats
   after a warm-up), dsa-metric in process by dsa_metric_time.py (median of --repeats); both wall and CPU
   seconds. Each input is also run through `neurolens-cli align A.h5 B.h5 --match time --method dsa` once, for
   the distance a user gets and the whole process's wall time.
2. Matrix: --sides (default 10) recordings the size of pmd_reach_yu2009 (copies of it, each with its condition
   labels relabelled by a random permutation, made here with h5py; the first unchanged), `align --matrix` with
   held-out CCA and --permutations (default 200), against what a user would otherwise run: the N (N - 1) / 2
   two-sided `align A B --method cca` runs one after the other. Their values must be the matrix's.
   The same sides also as a matrix of `--statistic dsa_distance --dsa-score wasserstein`. With --cli-before
   (another build's neurolens-cli, e.g. before per-side sharing) both matrices run with both, and must agree.

Without dsa-metric (--dsa-python, default $NEUROLENS_DSA_PYTHON, else /tmp/dsavenv/bin/python, lacks it) the
DSA comparison is skipped with a message and the rest runs.

Usage: run_dsa_bench.py --cli BUILD/bin/neurolens-cli [--bench BUILD/bin/bench_dsa] [--dsa-python PY]
                        [--data ../shared/data] [--repeats 3] [--permutations 200] [--sides 10]
                        [--cli-before OTHER/bin/neurolens-cli] [--out bench/results/align-dsa.md]
Run it with a Python that has numpy and h5py (the project venv).
"""
import argparse
import datetime
import itertools
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} hardware threads"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def timed_run(command):
    """Runs a command; returns (stdout, wall seconds, CPU seconds of the child: user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: exit {done.returncode}: {done.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done.stdout, wall, cpu


# ---------------------------------------------------------------- inputs


def pca_centred(x, k):
    """[trials, bins, dims] -> the top k principal components of all rows, centred, as float32-exact float64."""
    rows = x.reshape(-1, x.shape[-1])
    centred = rows - rows.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return (centred @ vt[:k].T).reshape(x.shape[0], x.shape[1], k).astype(np.float32).astype(np.float64)


def pmd_condition_means(path, labels, bins=20, bin_s=0.02, sd_bins=2.0):
    """Condition means [labels, bins, units] of counts in 20 ms bins from trial start, smoothed (sd 40 ms,
    kernel cut at 4 sd, renormalised at the trial's edges)."""
    with h5py.File(path, "r") as f:
        spikes = f["units/spike_times"][:]
        index = f["units/spike_times_index"][:].astype(np.int64)
        start = f["intervals/trials/start_time"][:]
        condition = f["intervals/trials/condition"][:].astype(str)
    edges = start[:, None] + bin_s * np.arange(bins + 1)[None, :]
    counts = np.zeros((len(start), bins, len(index)))
    begin = 0
    for unit, end in enumerate(index):
        times = np.sort(spikes[begin:end])
        begin = end
        counts[:, :, unit] = np.diff(np.searchsorted(times, edges, side="left"), axis=1)
    offset = np.arange(bins)[:, None] - np.arange(bins)[None, :]
    kernel = np.where(np.abs(offset) <= 4 * sd_bins, np.exp(-0.5 * (offset / sd_bins) ** 2), 0.0)
    kernel /= kernel.sum(axis=1, keepdims=True)
    smoothed = np.einsum("ij,tju->tiu", kernel, counts)
    return np.stack([smoothed[condition == label].mean(axis=0) for label in labels])


def rotation(angle, radius, third):
    m = np.zeros((3, 3))
    m[0, 0] = m[1, 1] = radius * np.cos(angle)
    m[0, 1] = -radius * np.sin(angle)
    m[1, 0] = radius * np.sin(angle)
    m[2, 2] = third
    return m


def line_attractor(seed):
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((3, 3)))
    return q @ np.diag([0.999, 0.75, 0.5]) @ q.T


def simulate_linear(m, seed, trials=15, bins=40):
    """x_{t+1} = M x_t + process noise, seen as W x_t + observation noise (test_dsa's recipe, numpy's generator)."""
    rng = np.random.default_rng(seed)
    embedding = rng.standard_normal((3, 3)) + 2.0 * np.eye(3)
    out = np.empty((trials, bins, 3))
    for t in range(trials):
        x = 2.0 * rng.standard_normal(3)
        for b in range(bins):
            out[t, b] = embedding @ x + 0.02 * rng.standard_normal(3)
            x = m @ x + 0.05 * rng.standard_normal(3)
    return out


def write_side(directory, name, x):
    path = os.path.join(directory, name)
    x.astype("<f8").tofile(path + ".f64")
    with h5py.File(path + ".h5", "w") as f:
        f.create_dataset("latents", data=x.astype(np.float32))
    return path


def dsa_inputs(directory, data):
    """The pairs of sides, written as .f64 (bench_dsa, dsa-metric) and .h5 /latents (neurolens-cli)."""
    labels = ["reach1", "reach2"]
    yu = pca_centred(pmd_condition_means(os.path.join(data, "pmd_reach_yu2009.nwb"), labels), 10)
    # ex2's trials last 1.0-1.5 s: `align` smooths its first second (the shortest trial) before cutting the common
    # 20 bins, so the edge of the smoothing kernel falls where it falls there.
    ex2 = pca_centred(pmd_condition_means(os.path.join(data, "pmd_reach_ex2.nwb"), labels, bins=50)[:, :20], 10)
    rot = pca_centred(simulate_linear(rotation(0.2, 0.98, 0.9), 1), 3)
    rot_other = pca_centred(simulate_linear(rotation(0.2, 0.98, 0.9), 2), 3)
    line = pca_centred(simulate_linear(line_attractor(99), 4), 3)
    sides = {"pmd_yu2009": yu, "pmd_ex2": ex2, "rotation": rot, "rotation_other_embedding": rot_other,
             "line_attractor": line}
    paths = {name: write_side(directory, name, x) for name, x in sides.items()}
    pairs = [("PMd yu2009 vs PMd ex2 (2 x 20 bins, K = 10)", "pmd_yu2009", "pmd_ex2", [(1, None), (3, 10)]),
             ("rotation vs rotation, other embedding (15 x 40 bins, K = 3)", "rotation", "rotation_other_embedding",
              [(1, None), (3, 5)]),
             ("rotation vs line attractor (15 x 40 bins, K = 3)", "rotation", "line_attractor", [(1, None), (3, 5)])]
    jobs = []
    for title, a, b, configs in pairs:
        trials, bins, dims = sides[a].shape
        for delays, rank in configs:
            for score in ("angular", "wasserstein"):
                jobs.append({"title": title, "a": paths[a] + ".f64", "b": paths[b] + ".f64", "h5a": paths[a] + ".h5",
                             "h5b": paths[b] + ".h5", "trials": trials, "bins": bins, "dims": dims, "score": score,
                             "delays": delays, "rank": rank})
    return jobs


def matrix_inputs(directory, data, sides):
    """`sides` copies of pmd_reach_yu2009 with their condition labels relabelled (a random permutation per file)."""
    source = os.path.join(data, "pmd_reach_yu2009.nwb")
    with h5py.File(source, "r") as f:
        condition = f["intervals/trials/condition"][:].astype(str)
    labels = sorted(set(condition))
    rng = np.random.default_rng(31)
    files = []
    for s in range(sides):
        path = os.path.join(directory, f"pmd_{s:02d}.nwb")
        shutil.copyfile(source, path)
        permutation = rng.permutation(len(labels)) if s else np.arange(len(labels))
        mapping = {labels[k]: labels[permutation[k]] for k in range(len(labels))}
        with h5py.File(path, "r+") as f:
            f["intervals/trials/condition"][...] = np.array([mapping[c] for c in condition], dtype=object)
        files.append(path)
    return files


# ---------------------------------------------------------------- runs


def run_dsa(a, jobs, workdir):
    """Returns (rows of the DSA table, notes) or (None, reason) without dsa-metric."""
    jobs_path = os.path.join(workdir, "jobs.json")
    with open(jobs_path, "w") as f:
        json.dump(jobs, f)
    probe = subprocess.run([a.dsa_python, "-c", "import DSA"], capture_output=True, text=True) \
        if os.path.exists(a.dsa_python) else None
    if probe is None or probe.returncode != 0:
        return None, (f"dsa-metric is not installed for {a.dsa_python} (python3 -m venv --system-site-packages "
                      "/tmp/dsavenv && /tmp/dsavenv/bin/pip install dsa-metric==2.0.2)")
    print(f"dsa-metric: {len(jobs)} fit_score runs x {a.repeats} ...", file=sys.stderr)
    done = subprocess.run([a.dsa_python, os.path.join(HERE, "dsa_metric_time.py"), jobs_path, str(a.repeats)],
                          capture_output=True, text=True)
    if done.returncode == 77:
        return None, f"dsa-metric is missing for {a.dsa_python} ({done.stderr.strip()})"
    if done.returncode != 0:
        raise RuntimeError(f"dsa_metric_time.py: exit {done.returncode}: {done.stderr.strip()[-800:]}")
    reference = json.loads(done.stdout.strip().splitlines()[-1])
    rows = []
    for job, theirs in zip(jobs, reference["jobs"]):
        print(f"NeuroLens: {job['title']}, {job['score']}, delays {job['delays']} ...", file=sys.stderr)
        command = [a.bench, "--a", job["a"], "--b", job["b"], "--trials", str(job["trials"]), "--bins",
                   str(job["bins"]), "--dims", str(job["dims"]), "--score", job["score"], "--delays",
                   str(job["delays"]), "--permutations", str(a.permutations), "--repeats", str(max(5, a.repeats))]
        if job["rank"] is not None:
            command += ["--rank", str(job["rank"])]
        ours = json.loads(timed_run(command)[0].strip().splitlines()[-1])
        cli = [a.cli, "align", job["h5a"], job["h5b"], "--match", "time", "--method", "dsa", "--dims",
               str(job["dims"]), "--dsa-score", job["score"], "--dsa-delays", str(job["delays"]), "--permutations",
               "0", "--json"]
        if job["rank"] is not None:
            cli += ["--dsa-rank", str(job["rank"])]
        out, cli_wall, _ = timed_run(cli)
        cli_json = json.loads(out)
        rows.append({"job": job, "ours": ours, "theirs": theirs, "cli_distance": cli_json["dsa_distance"],
                     "cli_seconds": cli_json["seconds"], "cli_wall": cli_wall})
    return rows, reference


def run_matrix(a, files):
    result = {}
    command = ["align", "--matrix", *files, "--permutations", str(a.permutations), "--seed", "1", "--json"]
    for label, cli in (("after", a.cli), ("before", a.cli_before)):
        if not cli:
            continue
        print(f"matrix ({label}) ...", file=sys.stderr)
        out, wall, cpu = timed_run([cli, *command])
        result[label] = {"json": json.loads(out), "wall": wall, "cpu": cpu}
    dsa_command = command + ["--statistic", "dsa_distance", "--dsa-score", "wasserstein"]
    for label, cli in (("dsa_after", a.cli), ("dsa_before", a.cli_before)):
        if not cli:
            continue
        print(f"DSA matrix, wasserstein ({label}) ...", file=sys.stderr)
        out, wall, cpu = timed_run([cli, *dsa_command])
        result[label] = {"json": json.loads(out), "wall": wall, "cpu": cpu}
    matrix = result["after"]["json"]
    if "before" in result:
        before = result["before"]["json"]
        result["before_identical"] = all(before[k] == matrix[k] for k in ("matrix", "p_values", "order"))
    print(f"{len(files) * (len(files) - 1) // 2} separate two-sided runs ...", file=sys.stderr)
    wall = cpu = seconds = 0.0
    largest = 0.0
    identical = True
    for i, j in itertools.combinations(range(len(files)), 2):
        out, w, c = timed_run([a.cli, "align", files[i], files[j], "--method", "cca", "--permutations",
                               str(a.permutations), "--seed", "1", "--json"])
        pair = json.loads(out)
        wall, cpu, seconds = wall + w, cpu + c, seconds + pair["seconds"]
        largest = max(largest, abs(pair["cca_heldout_mean"] - matrix["matrix"][i][j]))
        identical = identical and pair["cca_heldout_mean"] == matrix["matrix"][i][j] and \
            pair["p_values"]["cca_heldout_mean"] == matrix["p_values"][i][j]
    result["separate"] = {"wall": wall, "cpu": cpu, "seconds": seconds, "largest_difference": largest,
                          "identical": identical}
    return result


# ---------------------------------------------------------------- report


def ratio(x):
    return f"{x:.0f}x" if x >= 10 else f"{x:.2g}x"


def dsa_section(rows, reference, permutations):
    if rows is None:
        print(f"DSA comparison skipped: {reference}", file=sys.stderr)
        return f"**DSA: skipped.** {reference}\n"
    lines = ["| input | score | delays, rank | distance: NeuroLens / dsa-metric | NeuroLens ms (CPU ms) | "
             "dsa-metric ms (CPU ms) | speed-up (CPU) | NeuroLens + null s (CPU s) | null ms per draw | "
             "NeuroLens + null vs dsa-metric (CPU) | `align` process s |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        job, ours, theirs = row["job"], row["ours"], row["theirs"]
        rank = "full" if job["rank"] is None else str(job["rank"])
        per_draw = (ours["null_cpu_seconds"] - ours["cpu_seconds"]) / max(1, permutations)
        lines.append(
            f"| {job['title']} | {job['score']} | {job['delays']}, {rank} | {ours['distance']:.4g} / "
            f"{theirs['distance']:.4g} | {1000 * ours['seconds']:.2f} ({1000 * ours['cpu_seconds']:.2f}) | "
            f"{1000 * theirs['seconds']:.1f} ({1000 * theirs['cpu_seconds']:.1f}) | "
            f"{ratio(theirs['seconds'] / ours['seconds'])} ({ratio(theirs['cpu_seconds'] / ours['cpu_seconds'])}) | "
            f"{ours['null_seconds']:.3f} ({ours['null_cpu_seconds']:.3f}) | {1000 * per_draw:.2f} | "
            f"{ratio(theirs['seconds'] / ours['null_seconds'])} "
            f"({ratio(theirs['cpu_seconds'] / ours['null_cpu_seconds'])}) | "
            f"{row['cli_wall']:.2f} |")
    ratios = [r["theirs"]["seconds"] / r["ours"]["seconds"] for r in rows]
    cpu_ratios = [r["theirs"]["cpu_seconds"] / r["ours"]["cpu_seconds"] for r in rows]
    null_ratios = [r["theirs"]["cpu_seconds"] / r["ours"]["null_cpu_seconds"] for r in rows]
    def angular_null(dims):
        return [r["theirs"]["cpu_seconds"] / r["ours"]["null_cpu_seconds"] for r in rows
                if r["job"]["score"] == "angular" and r["job"]["dims"] == dims]

    cli_agrees = max(abs(r["cli_distance"] - r["ours"]["distance"]) for r in rows)
    wasserstein = [r for r in rows if r["job"]["score"] == "wasserstein"]
    relative = max(abs(r["ours"]["distance"] - r["theirs"]["distance"]) / abs(r["theirs"]["distance"])
                   for r in wasserstein)
    wasserstein_null = max(r["ours"]["null_cpu_seconds"] for r in wasserstein)
    return f"""dsa-metric {reference['dsa_metric']} over torch {reference['torch']} ({reference['threads']} torch thread(s)); importing
it takes {reference['import_seconds']:.1f} s, loading NeuroLens's compute module (LibTorch) about 0.6 s. NeuroLens: median of
5 runs after a warm-up, one thread; dsa-metric: median of its runs. "+ null": one run with {permutations} permutations.

{chr(10).join(lines)}

- One distance against one distance, NeuroLens is faster on every input: {min(ratios):.0f}x to {max(ratios):.0f}x wall,
  {min(cpu_ratios):.0f}x to {max(cpu_ratios):.0f}x CPU. The angular score is where the time goes in both (dsa-metric:
  1500 Adam steps from two starts, about 1 s of CPU whatever the size; NeuroLens: a Riemannian ascent from eight
  starts that stops when it converges); wasserstein is an eigen-decomposition and an assignment in both.
- With the null counted (one distance plus {permutations} null distances, each refitting side B's DMD, against
  dsa-metric's single distance without any null): {ratio(min(null_ratios))} to {ratio(max(null_ratios))} (CPU). The angular
  score at K = 3 stays faster ({ratio(min(angular_null(3)))} or more); at K = 10 the real and {permutations} null
  distances cost {1 / max(angular_null(10)):.1f} to {1 / min(angular_null(10)):.1f} times the CPU of dsa-metric's one
  distance; wasserstein with its null takes at most {1000 * wasserstein_null:.0f} ms of CPU, dsa-metric's one
  wasserstein distance a few ms, so there the null makes NeuroLens the slower.
- `neurolens-cli align A.h5 B.h5 --match time --method dsa` gives the same distance as bench_dsa on every row
  (largest difference {cli_agrees:.1e}); its whole process (start, LibTorch module, reading, computing) is the last
  column, against {reference['import_seconds']:.1f} s for Python to import dsa-metric alone.
- The same computation: wasserstein agrees within {relative:.1e} (relative); angular is equal or lower here (a lower angle is
  a better orthogonal map: dsa-metric's optimiser stops short with delays, as docs/alignment.md "How it is
  verified" shows against scipy's BFGS from 40 starts).
"""


def matrix_section(result, files, permutations):
    after = result["after"]
    separate = result["separate"]
    pairs = len(files) * (len(files) - 1) // 2
    lines = ["| what | wall s | CPU s | computing s (`seconds`) | vs the separate runs (wall) |",
             "| --- | ---: | ---: | ---: | ---: |",
             f"| {pairs} separate `align A B --method cca` runs, one after the other | {separate['wall']:.1f} | "
             f"{separate['cpu']:.1f} | {separate['seconds']:.1f} | 1.0x |",
             f"| `align --matrix` ({len(files)} sides) | {after['wall']:.1f} | {after['cpu']:.1f} | "
             f"{after['json']['seconds']:.1f} | {separate['wall'] / after['wall']:.1f}x |"]
    if "before" in result:
        before = result["before"]
        lines.append(f"| `align --matrix`, before per-side sharing (--cli-before) | {before['wall']:.1f} | "
                     f"{before['cpu']:.1f} | {before['json']['seconds']:.1f} | "
                     f"{separate['wall'] / before['wall']:.1f}x |")
    text = "\n".join(lines)
    same = "identical" if separate["identical"] else f"largest difference {separate['largest_difference']:.1e}"
    notes = [f"- The separate runs' held-out CCA and p are the matrix's ({same})."]
    if "before" in result:
        notes.append(f"- Before and after per-side sharing: matrix, p-values and order "
                     f"{'identical' if result['before_identical'] else 'DIFFERENT'}; CPU "
                     f"{result['before']['cpu']:.1f} s -> {after['cpu']:.1f} s "
                     f"({result['before']['cpu'] / after['cpu']:.1f}x less).")
    notes.append(f"- Under a minute asked: the matrix took {after['wall']:.1f} s wall here.")
    if "dsa_after" in result:
        dsa = result["dsa_after"]
        line = (f"- The same {len(files)} sides with `--statistic dsa_distance --dsa-score wasserstein` ({permutations} "
                f"time permutations per pair): {dsa['wall']:.1f} s wall, {dsa['cpu']:.1f} s CPU")
        if "dsa_before" in result:
            old_run = result["dsa_before"]
            same = all(old_run["json"][k] == dsa["json"][k] for k in ("matrix", "p_values", "order"))
            line += (f"; before per-side sharing {old_run['wall']:.1f} s wall, {old_run['cpu']:.1f} s CPU "
                     f"({'identical' if same else 'DIFFERENT'} matrix, p-values and order)")
        notes.append(line + ".")
    return f"""{len(files)} recordings the size of pmd_reach_yu2009 (210 trials, 61 units, 7 conditions; copies with the
condition labels relabelled by a random permutation per file, the first unchanged), `--match conditions`
(140 matched rows per pair), K = 10, held-out CCA with {permutations} permutations (7! label orders exceed them:
{permutations} drawn), `--seed 1`.

{text}

{chr(10).join(notes)}
"""


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--cli", required=True, help="path of the built neurolens-cli")
    p.add_argument("--bench", help="path of the built bench_dsa (default: beside --cli)")
    p.add_argument("--dsa-python", default=os.environ.get("NEUROLENS_DSA_PYTHON", "/tmp/dsavenv/bin/python"))
    p.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--permutations", type=int, default=200)
    p.add_argument("--sides", type=int, default=10)
    p.add_argument("--cli-before", help="another build's neurolens-cli, for the matrix before/after")
    p.add_argument("--skip-dsa", action="store_true")
    p.add_argument("--skip-matrix", action="store_true")
    p.add_argument("--out", default=os.path.join(HERE, "..", "results", "align-dsa.md"))
    a = p.parse_args()
    a.bench = a.bench or os.path.join(os.path.dirname(os.path.abspath(a.cli)), "bench_dsa")
    load_start = load()
    with tempfile.TemporaryDirectory() as workdir:
        dsa_text = matrix_text = ""
        if not a.skip_dsa:
            rows, reference = run_dsa(a, dsa_inputs(workdir, a.data), workdir)
            dsa_text = dsa_section(rows, reference, a.permutations)
            print(dsa_text)
        load_middle = load()
        if not a.skip_matrix:
            files = matrix_inputs(workdir, a.data, a.sides)
            matrix_text = matrix_section(run_matrix(a, files), files, a.permutations)
            print(matrix_text)
    load_end = load()
    text = f"""# DSA and alignment-matrix benchmark (issue 31 step 5)

Measured {datetime.date.today().isoformat()} on: {machine()}; load average (1 / 5 / 15 min) {load_start} at start,
{load_middle} between the parts, {load_end} at the end.

## DSA: NeuroLens against dsa-metric on the same trajectories

{dsa_text or 'not run (--skip-dsa)'}
## A {a.sides} x {a.sides} matrix of held-out CCA against {a.sides * (a.sides - 1) // 2} two-sided runs

{matrix_text or 'not run (--skip-matrix)'}
Reproduce: `.venv/bin/python bench/align/run_dsa_bench.py --cli BUILD/bin/neurolens-cli` (dsa-metric from
`--dsa-python`, default $NEUROLENS_DSA_PYTHON or /tmp/dsavenv/bin/python; see docs/alignment.md "Speed").
"""
    with open(a.out, "w") as f:
        f.write(text)
    print(f"wrote {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
