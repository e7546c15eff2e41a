#!/usr/bin/env python3
"""Captum side of the attribution benchmark: IntegratedGradients as users call it.

One IntegratedGradients.attribute call per latent target, all steps in one internal batch
(internal_batch_size=None), Gauss-Legendre, on F_d(x) = latent d summed over all bins.
Prints one JSON line: {"impl": "captum", "seconds": median, "max_rel_completeness", "device", "threads"}.

Usage: captum_bench.py --model M.pt --input x.f32 --shape T,B,U [--steps 50] [--repeats 3] [--device cpu|cuda]
       [--threads N]
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np
import torch
from captum.attr import IntegratedGradients


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--shape", required=True)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    shape = tuple(int(s) for s in a.shape.split(","))
    device = torch.device(a.device)
    x = torch.from_numpy(np.fromfile(a.input, dtype="<f4").reshape(shape).copy()).to(device)
    extra = {"neurolens.json": ""}
    model = torch.jit.load(a.model, map_location=device, _extra_files=extra).eval()

    def f(inp):
        out = model(inp)
        if isinstance(out, tuple):
            out = out[0]
        elif isinstance(out, dict):
            out = out["latents"]
        return out.sum(dim=1)

    # The latent count from the metadata, not from a no-grad probe forward: TorchScript's executor profiles
    # its first call, and a no-grad probe would leave every later gradient pass on the slower fallback graph.
    latents = json.loads(extra["neurolens.json"] or "{}").get("latents")
    if latents is None:
        with torch.no_grad():
            latents = f(x[:1]).shape[1]
    baseline = torch.zeros_like(x)
    ig = IntegratedGradients(f)

    def run():
        worst = 0.0
        for d in range(latents):
            attr, delta = ig.attribute(x, baselines=baseline, target=d, n_steps=a.steps, method="gausslegendre",
                                       internal_batch_size=None, return_convergence_delta=True)
            with torch.no_grad():
                df = (f(x)[:, d] - f(baseline)[:, d]).abs().clamp_min(1e-6)
            worst = max(worst, float((delta.abs() / df).max()))
        if device.type == "cuda":
            torch.cuda.synchronize()
        return worst

    run()  # warm-up: TorchScript profiling runs, allocator
    seconds = []
    completeness = 0.0
    for _ in range(a.repeats):
        start = time.perf_counter()
        completeness = run()
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"impl": "captum", "precision": "fp32", "seconds": statistics.median(seconds),
                      "max_rel_completeness": completeness, "device": device.type,
                      "threads": torch.get_num_threads()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
