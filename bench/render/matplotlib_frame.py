"""Reference for bench_render: matplotlib (mplot3d, Agg) drawing the same
trajectories. Reads the float32 points written by bench_render, prints JSON timings.

Two ways a user would draw them are timed and the faster one is reported as the
reference: one ax.plot call per trial (the common script) and one Line3DCollection
per condition (the fast path)."""
import json
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from mpl_toolkits.mplot3d.art3d import Line3DCollection  # noqa: E402

OKABE_ITO = ["#e69f00", "#56b4e9", "#009e73", "#d55e00", "#0072b2", "#cc79a7", "#f0e442", "#000000"]


def load(path):
    with open(path, "rb") as f:
        trials, bins, dims = np.fromfile(f, dtype=np.int64, count=3)
        points = np.fromfile(f, dtype=np.float32, count=trials * bins * dims).reshape(trials, bins, dims)
        condition = np.fromfile(f, dtype=np.int32, count=trials)
    return points, condition


def figure(width, height):
    fig = plt.figure(figsize=(width / 100.0, height / 100.0), dpi=100)
    return fig, fig.add_subplot(projection="3d")


def per_trial(points, condition, width, height, frames):
    start = time.perf_counter()
    fig, ax = figure(width, height)
    for trial in range(points.shape[0]):
        p = points[trial]
        ax.plot(p[:, 0], p[:, 1], p[:, 2], color=OKABE_ITO[condition[trial] % 8], linewidth=1.5)
    fig.canvas.draw()
    first = time.perf_counter() - start
    times, cpu = [], []
    for frame in range(frames):
        ax.view_init(elev=30, azim=-60 + 2 * (frame + 1))
        t0, c0 = time.perf_counter(), time.process_time()
        fig.canvas.draw()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    plt.close(fig)
    return first, float(np.median(times)), float(np.median(cpu))


def per_condition(points, condition, width, height, frames):
    start = time.perf_counter()
    fig, ax = figure(width, height)
    for c in np.unique(condition):
        segments = points[condition == c]
        ax.add_collection3d(Line3DCollection(list(segments), colors=OKABE_ITO[c % 8], linewidths=1.5))
    ax.set_xlim(points[..., 0].min(), points[..., 0].max())
    ax.set_ylim(points[..., 1].min(), points[..., 1].max())
    ax.set_zlim(points[..., 2].min(), points[..., 2].max())
    fig.canvas.draw()
    first = time.perf_counter() - start
    times, cpu = [], []
    for frame in range(frames):
        ax.view_init(elev=30, azim=-60 + 2 * (frame + 1))
        t0, c0 = time.perf_counter(), time.process_time()
        fig.canvas.draw()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    plt.close(fig)
    return first, float(np.median(times)), float(np.median(cpu))


def main():
    path, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    points, condition = load(path)
    trial_first, trial_frame, trial_cpu = per_trial(points, condition, width, height, 3)
    coll_first, coll_frame, coll_cpu = per_condition(points, condition, width, height, 5)
    print(json.dumps({
        "matplotlib": matplotlib.__version__,
        "per_trial_first_s": trial_first, "per_trial_frame_s": trial_frame,
        "collection_first_s": coll_first, "collection_frame_s": coll_frame,
        "per_trial_cpu_s": trial_cpu, "collection_cpu_s": coll_cpu,
    }))


if __name__ == "__main__":
    main()
