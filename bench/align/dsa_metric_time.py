"""dsa-metric side of the DSA benchmark: DSA(X, Y, ...).fit_score() on the trajectories run_dsa_bench.py wrote.

Usage: dsa_metric_time.py JOBS.json REPEATS
JOBS.json: [{"a", "b" (row-major float64 files), "trials", "bins", "dims", "score" (angular | wasserstein),
             "delays", "rank" (null = full)}...]
For each job: REPEATS timed runs of
    DSA.DSA(X, Y, score_method=score, n_delays=delays[, rank=rank]).fit_score()
(construction, both DMD fits and the score; dsa-metric's defaults otherwise: iters=1500, lr=5e-3, lamb=1e-8,
delay_interval=1), torch.manual_seed(0) before each run, as tests/core/python/dsa_reference.py runs it.
Prints one JSON line: {"dsa_metric", "torch", "threads", "import_seconds", "jobs": [{"distance", "seconds",
"cpu_seconds"} (medians)...]}.
Exit 77 when dsa-metric is missing (`pip install dsa-metric==2.0.2`, see dsa_reference.py).
"""
import json
import sys
import time

started = time.perf_counter()
try:
    import numpy as np
    import torch
    from importlib.metadata import version
    from DSA import DSA
except ImportError as error:  # pragma: no cover
    print(f"missing package: {error}", file=sys.stderr)
    sys.exit(77)
import_seconds = time.perf_counter() - started


def main():
    with open(sys.argv[1]) as handle:
        jobs = json.load(handle)
    repeats = int(sys.argv[2])
    results = []
    for job in jobs:
        shape = (job["trials"], job["bins"], job["dims"])
        x = np.fromfile(job["a"], dtype="<f8").reshape(shape)
        y = np.fromfile(job["b"], dtype="<f8").reshape(shape)
        kwargs = {"n_delays": job["delays"]}
        if job["rank"] is not None:
            kwargs["rank"] = job["rank"]
        wall, cpu, distance = [], [], None
        for _ in range(repeats):
            torch.manual_seed(0)
            w, c = time.perf_counter(), time.process_time()
            score = DSA(x, y, score_method=job["score"], **kwargs).fit_score()
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
            distance = float(np.asarray(score).reshape(-1)[0])
        results.append({"distance": distance, "seconds": float(np.median(wall)), "cpu_seconds": float(np.median(cpu))})
    print(json.dumps({"dsa_metric": version("dsa-metric"), "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "import_seconds": import_seconds, "jobs": results}))


if __name__ == "__main__":
    main()
