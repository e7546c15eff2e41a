#!/usr/bin/env python3
"""Captum side of the streamed attribution benchmark: the same windows as `attribute --stream-ms`.

Reads the window table (/windows/*) of a streamed `attribute --out` file and the counts of `bin --out`, and
runs captum.attr.IntegratedGradients as a user would: per group of windows of one shape (at most --group
windows per call), one call per latent, target = the latent summed over the windows' own bins, zero
baseline, Gauss-Legendre, all steps in one internal batch. Times the whole loop, reads the peak RSS
(getrusage), and compares the attributions with the program's frames.

Prints one JSON line: {"impl": "captum", "seconds", "peak_rss_mb", "windows", "max_rel_completeness",
"max_abs_diff", "max_abs", "rel_diff"}.

Usage: captum_stream.py --model M.pt --counts binned.h5 --streamed attr.h5 [--steps 50] [--group 4]
       [--threads N] [--windows K (the first K windows only)]
"""
import argparse
import json
import resource
import sys
import time

import h5py
import numpy as np
import torch
from captum.attr import IntegratedGradients


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--counts", required=True)
    p.add_argument("--streamed", required=True)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--group", type=int, default=4)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--windows", type=int, default=0)
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    with h5py.File(a.counts, "r") as f:
        counts = torch.from_numpy(f["counts"][()].astype(np.float32))  # [trials, bins, units]
    s = h5py.File(a.streamed, "r")
    table = {k: s["windows/" + k][()] for k in ("trial", "own_begin", "own_end", "input_begin", "input_end",
                                                 "frame_begin")}
    frames = s["attributions"]  # [windows, latents, frame, units]
    targets = [int(t) for t in s["targets"][()]]
    count = len(table["trial"]) if a.windows <= 0 else min(a.windows, len(table["trial"]))
    extra = {"neurolens.json": ""}
    model = torch.jit.load(a.model, map_location="cpu", _extra_files=extra).eval()

    def latents_of(inp):
        out = model(inp)
        if isinstance(out, tuple):
            out = out[0]
        elif isinstance(out, dict):
            out = out["latents"]
        return out

    # Groups of windows of one shape (as the program batches them), at most --group per call.
    shapes = {}
    for w in range(count):
        shape = (int(table["input_end"][w] - table["input_begin"][w]), int(table["own_begin"][w] - table["input_begin"][w]),
                 int(table["own_end"][w] - table["input_begin"][w]))
        shapes.setdefault(shape, []).append(w)
    groups = []
    for shape, members in shapes.items():
        for i in range(0, len(members), a.group):
            groups.append((shape, members[i:i + a.group]))

    worst_completeness = 0.0
    max_diff = 0.0
    max_abs = 0.0
    start = time.perf_counter()
    results = []
    for (length, own_begin, own_end), members in groups:
        x = torch.stack([counts[int(table["trial"][w]), int(table["input_begin"][w]):int(table["input_end"][w])]
                         for w in members])

        def f(inp, b=own_begin, e=own_end):
            return latents_of(inp)[:, b:e, :].sum(dim=1)

        ig = IntegratedGradients(f)
        baseline = torch.zeros_like(x)
        per_latent = []
        for d in targets:
            attr, delta = ig.attribute(x, baselines=baseline, target=d, n_steps=a.steps, method="gausslegendre",
                                       internal_batch_size=None, return_convergence_delta=True)
            with torch.no_grad():
                df = (f(x)[:, d] - f(baseline)[:, d]).abs().clamp_min(1e-6)
            worst_completeness = max(worst_completeness, float((delta.abs() / df).max()))
            per_latent.append(attr.detach())
        results.append((members, torch.stack(per_latent, dim=1)))  # [n, latents, length, units]
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    for members, attr in results:
        for i, w in enumerate(members):
            offset = int(table["input_begin"][w] - table["frame_begin"][w])
            ours = frames[w][:, offset:offset + attr.shape[2], :]
            theirs = attr[i].numpy()
            max_diff = max(max_diff, float(np.abs(ours - theirs).max()))
            max_abs = max(max_abs, float(np.abs(theirs).max()))
    print(json.dumps({"impl": "captum", "seconds": seconds, "peak_rss_mb": peak, "windows": count,
                      "groups": len(groups), "steps": a.steps, "max_rel_completeness": worst_completeness,
                      "max_abs_diff": max_diff, "max_abs": max_abs, "rel_diff": max_diff / max(max_abs, 1e-30),
                      "threads": torch.get_num_threads()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
