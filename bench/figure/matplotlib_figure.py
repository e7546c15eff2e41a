"""Reference for bench_figure: matplotlib (Agg, mplot3d) exporting the same
trajectories to a PNG of the same pixel size, at matplotlib's defaults.

Reads the float32 points written by bench_figure and prints one JSON line of
timings (seconds, best of the given repeats). Two ways a user would draw them are
timed and the faster is the reference: one ax.plot per trial (the common script)
and one Line3DCollection per condition (the fast path). Each timing covers
building the figure, drawing and writing the PNG, as the NeuroLens timing does.

Usage: matplotlib_figure.py POINTS WIDTH HEIGHT OUT_DIR [REPEATS]
"""
import json
import os
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


def new_axes(width, height):
    dpi = plt.rcParams["savefig.dpi"] if plt.rcParams["savefig.dpi"] != "figure" else plt.rcParams["figure.dpi"]
    fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    return fig, fig.add_subplot(projection="3d"), dpi


def per_trial(points, condition, width, height, out):
    start = time.perf_counter()
    fig, ax, dpi = new_axes(width, height)
    for trial in range(points.shape[0]):
        p = points[trial]
        ax.plot(p[:, 0], p[:, 1], p[:, 2], color=OKABE_ITO[condition[trial] % 8])
    fig.savefig(out, dpi=dpi)
    plt.close(fig)
    return time.perf_counter() - start


def per_condition(points, condition, width, height, out):
    start = time.perf_counter()
    fig, ax, dpi = new_axes(width, height)
    for c in np.unique(condition):
        ax.add_collection3d(Line3DCollection(list(points[condition == c]), colors=OKABE_ITO[c % 8]))
    ax.set_xlim(points[..., 0].min(), points[..., 0].max())
    ax.set_ylim(points[..., 1].min(), points[..., 1].max())
    ax.set_zlim(points[..., 2].min(), points[..., 2].max())
    fig.savefig(out, dpi=dpi)
    plt.close(fig)
    return time.perf_counter() - start


def main():
    path, width, height, out_dir = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    repeats = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    points, condition = load(path)
    trial_png = os.path.join(out_dir, "matplotlib_per_trial.png")
    collection_png = os.path.join(out_dir, "matplotlib_collection.png")
    trial_times = [per_trial(points, condition, width, height, trial_png) for _ in range(repeats)]
    collection_times = [per_condition(points, condition, width, height, collection_png) for _ in range(repeats)]
    size = list(plt.imread(trial_png).shape[:2])[::-1]
    print(json.dumps({"per_trial_s": min(trial_times), "collection_s": min(collection_times),
                      "png_size": size, "matplotlib": matplotlib.__version__,
                      "trials": int(points.shape[0]), "bins": int(points.shape[1])}))


if __name__ == "__main__":
    main()
