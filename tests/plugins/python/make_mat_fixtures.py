"""Writes DataHigh-layout MAT fixtures with scipy.io.savemat (an independent writer)
and a JSON of what a reader must find in them. Usage: make_mat_fixtures.py OUTDIR"""
import json
import sys

import numpy as np
import scipy.io as sio

out = sys.argv[1]
rng = np.random.default_rng(7)

# Good file: 3 trials of different lengths, 4 units, uint8 counts with repeats.
lengths = [30, 45, 25]
conditions = ["left", "right", "left"]
D = np.zeros((1, 3), dtype=[("data", "O"), ("condition", "O")])
expected = {"trials": [], "units": 4}
for i, (n, c) in enumerate(zip(lengths, conditions)):
    counts = rng.poisson(0.3, size=(4, n)).astype(np.uint8)
    counts[1, 0] = 3  # several spikes in one 1 ms bin
    D[0, i]["data"] = counts
    D[0, i]["condition"] = c
    expected["trials"].append({"bins": n, "condition": c, "unit_counts": counts.sum(axis=1).tolist(),
                               "first_spike_bin_unit0": int(np.nonzero(counts[0])[0][0]) if counts[0].any() else -1})
sio.savemat(f"{out}/good.mat", {"D": D})
# The same data as double (MATLAB's default class) must read identically.
Dd = D.copy()
for i in range(3):
    Dd[0, i]["data"] = D[0, i]["data"].astype(np.float64)
sio.savemat(f"{out}/good_double.mat", {"D": Dd})
json.dump(expected, open(f"{out}/good.json", "w"))

sio.savemat(f"{out}/no_D.mat", {"X": np.ones((2, 2))})
sio.savemat(f"{out}/D_not_struct.mat", {"D": np.ones((2, 2))})
R = np.zeros((1, 2), dtype=[("data", "O"), ("condition", "O")])
R[0, 0]["data"] = np.ones((4, 10)); R[0, 0]["condition"] = "a"
R[0, 1]["data"] = np.ones((5, 10)); R[0, 1]["condition"] = "b"
sio.savemat(f"{out}/ragged_units.mat", {"D": R})
N = np.zeros((1, 1), dtype=[("data", "O"), ("condition", "O")])
N[0, 0]["data"] = np.array([[1.0, -1.0], [0.0, 2.0]]); N[0, 0]["condition"] = "a"
sio.savemat(f"{out}/negative.mat", {"D": N})
F = np.zeros((1, 1), dtype=[("data", "O"), ("condition", "O")])
F[0, 0]["data"] = np.array([[0.5, 1.0]]); F[0, 0]["condition"] = "a"
sio.savemat(f"{out}/fractional.mat", {"D": F})
H = np.zeros((1, 1), dtype=[("data", "O"), ("condition", "O")])
H[0, 0]["data"] = np.array([[1.0, 1e135]]); H[0, 0]["condition"] = "a"  # no 1 ms bin holds that many spikes
sio.savemat(f"{out}/huge_count.mat", {"D": H})
C = np.zeros((1, 1), dtype=[("data", "O"), ("condition", "O")])
C[0, 0]["data"] = np.ones((4, 30), dtype=np.complex128); C[0, 0]["condition"] = "a"
sio.savemat(f"{out}/complex_counts.mat", {"D": C})
S = np.zeros((1, 1), dtype=[("data", "O"), ("condition", "O")])
S[0, 0]["data"] = "not counts"; S[0, 0]["condition"] = "a"
sio.savemat(f"{out}/text_data.mat", {"D": S})
T = np.zeros((1, 1), dtype=[("traj", "O")])
T[0, 0]["traj"] = np.ones((3, 4))
sio.savemat(f"{out}/no_data_field.mat", {"D": T})
good = open(f"{out}/good.mat", "rb").read()
open(f"{out}/truncated.mat", "wb").write(good[: len(good) // 2])
open(f"{out}/not_mat.mat", "wb").write(b"hello, this is not a MAT-file at all" * 4)
open(f"{out}/empty.mat", "wb").close()

# The real DataHigh file: totals per trial and unit, and conditions.
real = sio.loadmat(sys.argv[2])["D"] if len(sys.argv) > 2 else None
if real is not None:
    json.dump({"trials": real.shape[1], "units": int(real[0, 0]["data"].shape[0]),
               "total_spikes": int(sum(int(real[0, i]["data"].astype(np.int64).sum()) for i in range(real.shape[1]))),
               "conditions": [str(real[0, i]["condition"][0]) for i in range(real.shape[1])],
               "bins": [int(real[0, i]["data"].shape[1]) for i in range(real.shape[1])]},
              open(f"{out}/real.json", "w"))
