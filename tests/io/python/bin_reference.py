#!/usr/bin/env python3
"""Independent reference for NeuroLens binning, with h5py + numpy only.

Implements ../shared/spec/cli.md "Binning options" from its text, not from the
C++ code: a spike at time t falls in bin k of a trial iff
origin + k*B <= t < origin + (k+1)*B, with origin = align + window_start/1000
and B = bin_ms/1000 (both in float64, edges computed as origin + k*B);
continuous recordings are one trial from 0 to the last spike, or --chunk-ms
pseudo-trials; behaviour is the mean of the samples in each bin, else linear
interpolation (numpy.interp) at the bin centre, NaN outside the series' time span.

Usage: bin_reference.py FILE OUT.h5 [--bin-ms B] [--align COL] [--window S:E]
       [--chunk-ms C] [--units LIST] [--behavior NAME ...]
Writes /counts float32 [trials, bins, units], /unit_ids, /trial_ids,
/bin_start_s, /behavior float32 [trials, bins, dims], attribute spikes.
"""
import argparse
import math

import h5py
import numpy as np

TOLERANCE = 1e-6  # whole bins: floor(x + 1e-6), as NeuroLens documents


def whole_bins(x):
    return int(math.floor(x + TOLERANCE)) if x > 0 else 0


def bin_index(t, origin, bin_s):
    k = math.floor((t - origin) / bin_s)
    while origin + k * bin_s > t:
        k -= 1
    while origin + (k + 1) * bin_s <= t:
        k += 1
    return k


def find_series(f, name):
    base = f["processing/behavior"]
    if name in base and isinstance(base[name], h5py.Group) and "data" in base[name]:
        return base[name]
    for container in base.values():
        if isinstance(container, h5py.Group) and name in container and "data" in container[name]:
            return container[name]
    if "/" in name and name in base:
        return base[name]
    raise SystemExit(f"no behaviour {name}")


def read_series(group):
    data = group["data"][()].astype(np.float64)
    if data.ndim == 1:
        data = data[:, None]
    conversion = float(group["data"].attrs.get("conversion", 1.0))
    offset = float(group["data"].attrs.get("offset", 0.0))
    if conversion != 1.0 or offset != 0.0:
        data = data * conversion + offset
    if "timestamps" in group:
        ts = group["timestamps"][()].astype(np.float64)
    else:
        t0 = float(group["starting_time"][()])
        rate = float(group["starting_time"].attrs["rate"])
        ts = t0 + np.arange(data.shape[0], dtype=np.float64) / rate
    order = np.argsort(ts, kind="stable")
    return ts[order], data[order]


def resample(ts, data, origins, nbins, bin_s):
    out = np.zeros((len(origins), nbins, data.shape[1]), dtype=np.float64)
    for i, origin in enumerate(origins):
        edges = origin + np.arange(nbins + 1, dtype=np.float64) * bin_s
        first = np.searchsorted(ts, edges, side="left")  # samples with lo <= t < hi are first[k]:first[k+1]
        n = np.diff(first)
        centres = 0.5 * (edges[:-1] + edges[1:])
        for d in range(data.shape[1]):
            # reduceat over all nbins + 1 edges: segment k is data[first[k]:first[k+1]] when non-empty
            # (the segment after the last edge is dropped); empty bins are masked below.
            sums = np.add.reduceat(np.append(data[:, d], 0.0), first)[:-1]
            means = np.where(n > 0, sums / np.maximum(n, 1), 0.0)
            out[i, :, d] = np.where(n > 0, means, np.interp(centres, ts, data[:, d], left=np.nan, right=np.nan))
    return out.astype(np.float32)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("out")
    p.add_argument("--bin-ms", type=float, default=20.0)
    p.add_argument("--align", default="start_time")
    p.add_argument("--window")
    p.add_argument("--chunk-ms", type=float)
    p.add_argument("--units", default="")
    p.add_argument("--behavior", nargs="*", default=[])
    a = p.parse_args()

    bin_s = a.bin_ms / 1000.0
    with h5py.File(a.file, "r") as f:
        times = f["units/spike_times"][()].astype(np.float64)
        ends = f["units/spike_times_index"][()].astype(np.int64) if "units/spike_times_index" in f else np.array([len(times)])
        begins = np.concatenate([[0], ends[:-1]]).astype(np.int64)
        ids = f["units/id"][()].astype(np.int64) if "units/id" in f else np.arange(len(ends), dtype=np.int64)

        if a.units == "":
            kept = list(range(len(ends)))
        elif "=" in a.units:
            col, value = a.units.split("=", 1)
            values = f["units/" + col][()]
            kept = [u for u in range(len(ends))
                    if (values[u].decode() if isinstance(values[u], bytes) else str(values[u])) == value
                    or (np.issubdtype(values.dtype, np.number) and float(values[u]) == float(value))]
        else:
            wanted = {int(x) for x in a.units.split(",") if x}
            kept = [u for u in range(len(ends)) if int(ids[u]) in wanted]

        if "intervals/trials" in f:
            trials = f["intervals/trials"]
            align = trials[a.align][()].astype(np.float64)
            stop = trials["stop_time"][()].astype(np.float64)
            if a.window:
                w0, w1 = (float(x) for x in a.window.split(":"))
            else:
                w0, w1 = 0.0, float(np.min(stop - align)) * 1000.0
            nbins = whole_bins((w1 - w0) / a.bin_ms)
            origins = align + w0 / 1000.0
            trial_ids = trials["id"][()].astype(np.int64) if "id" in trials else np.arange(len(align))
        else:
            last = float(times[: ends[-1]].max())
            total = bin_index(last, 0.0, bin_s) + 1
            if a.chunk_ms:
                nbins = whole_bins(a.chunk_ms / a.bin_ms)
                chunks = whole_bins(total * a.bin_ms / a.chunk_ms)
                origins = np.arange(chunks, dtype=np.float64) * (a.chunk_ms / 1000.0)
            else:
                nbins = total
                origins = np.zeros(1)
            trial_ids = np.arange(len(origins), dtype=np.int64)

        counts = np.zeros((len(origins), nbins, len(kept)), dtype=np.float32)
        for j, u in enumerate(kept):
            t = times[begins[u]:ends[u]]
            for i, origin in enumerate(origins):
                edges = origin + np.arange(nbins + 1, dtype=np.float64) * bin_s
                k = np.searchsorted(edges, t, side="right") - 1
                k = k[(k >= 0) & (k < nbins)]
                counts[i, :, j] += np.bincount(k, minlength=nbins).astype(np.float32)

        behavior = [resample(*read_series(find_series(f, name)), origins, nbins, bin_s) for name in a.behavior]

    with h5py.File(a.out, "w") as out:
        out["counts"] = counts
        out["unit_ids"] = ids[kept]
        out["trial_ids"] = trial_ids
        out["bin_start_s"] = np.asarray(origins, dtype=np.float64)
        if behavior:
            out["behavior"] = np.concatenate(behavior, axis=2)
        out.attrs["spikes"] = int(counts.sum(dtype=np.float64))


if __name__ == "__main__":
    main()
