"""Reference values for tests/core/test_metrics.cpp from nlb_tools itself.

    python metrics_reference.py OUT_DIR [NWB_FILE]

For each case writes CASE.counts.f32 / CASE.rates.f32 (raw little-endian
float32 [trials, bins, units]) and reference.json with the shapes, the
condition of each trial and nlb_tools' neg_log_likelihood, bits_per_spike and
eval_psth on exactly those float32 values (computed in float64).
Cases: "random" (Poisson counts with silent units and zero rates) and, given
an NWB file with trials, "real" (its counts in 20 ms bins over 0-400 ms, read
with h5py, and smoothed-count predictions).
"""
import json
import sys
from pathlib import Path

import numpy as np

try:
    from nlb_tools.evaluation import bits_per_spike, eval_psth, neg_log_likelihood
except ImportError as error:  # the test QSKIPs on exit code 77
    print(f"nlb_tools is not installed: {error}", file=sys.stderr)
    sys.exit(77)
from sklearn.metrics import r2_score


def reference(name, counts, rates, conditions, out, result):
    counts = counts.astype(np.float32)
    rates = rates.astype(np.float32)
    (out / f"{name}.counts.f32").write_bytes(counts.astype("<f4").tobytes())
    (out / f"{name}.rates.f32").write_bytes(rates.astype("<f4").tobytes())
    c64 = counts.astype(np.float64)
    r64 = rates.astype(np.float64)
    labels = sorted(set(conditions))
    cond_idx = [np.array([i for i, c in enumerate(conditions) if c == label]) for label in labels]
    psth = np.stack([c64[idx].mean(axis=0) for idx in cond_idx])
    pred = np.vstack([r64[idx].mean(axis=0) for idx in cond_idx])
    result[name] = {
        "shape": list(counts.shape),
        "conditions": list(conditions),
        "nll": float(neg_log_likelihood(r64.copy(), c64)),
        "bits_per_spike": float(bits_per_spike(r64.copy(), c64)),
        "psth_r2": float(eval_psth(psth, r64, cond_idx)),
        "psth_r2_per_unit": [float(v) for v in r2_score(np.vstack(list(psth)), pred, multioutput="raw_values")],
    }


def read_nwb_counts(path, bin_s=0.02, bins=20):
    import h5py

    with h5py.File(path, "r") as f:
        times = f["units/spike_times"][:]
        ends = f["units/spike_times_index"][:]
        starts = f["intervals/trials/start_time"][:]
        conditions = [c.decode() if isinstance(c, bytes) else str(c) for c in f["intervals/trials/condition"][:]]
    counts = np.zeros((len(starts), bins, len(ends)))
    begin = 0
    for unit, end in enumerate(ends):
        unit_times = times[begin:end]
        begin = end
        for trial, start in enumerate(starts):
            edges = start + np.arange(bins + 1) * bin_s
            counts[trial, :, unit] = np.histogram(unit_times, bins=edges)[0]
    return counts, conditions


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    result = {}
    rng = np.random.default_rng(7)
    trials, bins, units = 24, 15, 9
    truth = rng.gamma(2.0, 0.4, size=(trials, bins, units))
    truth[:, :, 0] = 0.0  # a silent unit: null rate 0 -> nlb's 1e-9
    counts = rng.poisson(truth).astype(float)
    rates = truth * rng.uniform(0.7, 1.3, size=truth.shape)
    rates[0, 0, 3] = 0.0  # an exact zero rate where spikes may be
    conditions = [f"cond_{i % 4}" for i in range(trials)]
    reference("random", counts, rates, conditions, out, result)

    if len(sys.argv) > 2:
        counts, conditions = read_nwb_counts(sys.argv[2])
        kernel = np.exp(-0.5 * (np.arange(-3, 4) / 1.5) ** 2)
        kernel /= kernel.sum()
        smoothed = np.apply_along_axis(lambda v: np.convolve(v, kernel, mode="same"), 1, counts)
        rates = 0.7 * smoothed + 0.3 * counts.mean(axis=(0, 1), keepdims=True) + 1e-3
        reference("real", counts, rates, conditions, out, result)

    (out / "reference.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main()
