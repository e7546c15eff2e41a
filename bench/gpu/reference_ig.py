#!/usr/bin/env python3
"""Captum-style integrated gradients in plain PyTorch, for the GPU machine (no network, no Captum there).

Exactly what Captum's IntegratedGradients.attribute does when a user calls it once per latent with
method="gausslegendre", internal_batch_size=None and return_convergence_delta=True: the inputs scaled to every
Gauss-Legendre point in one batch, one backward of F_d (latent d summed over bins) per latent, attributions =
(x - baseline) * the weighted sum of gradients, delta = sum(attributions) - (F_d(x) - F_d(baseline)).
`--check-captum` (where Captum is installed, e.g. the developer machine) compares with Captum itself.

Prints one JSON line: {"impl": "reference", "precision", "seconds" (median), "max_rel_completeness", "device",
"flops" (forward + backward of the work done, counted by torch.utils.flop_counter where available)}.

Usage: reference_ig.py --model M.pt --input x.f32 --shape T,B,U [--steps 50] [--repeats 3]
       [--device cpu|cuda] [--precision fp32|tf32|bf16] [--threads N] [--check-captum]
"""
import argparse
import contextlib
import json
import statistics
import sys
import time

import numpy as np
import torch


def gauss_legendre(steps: int):
    """Captum's points and weights on [0, 1] (captum.attr._utils.approximation_methods)."""
    points, weights = np.polynomial.legendre.leggauss(steps)
    return list(0.5 * points + 0.5), list(0.5 * weights)


def load(path: str, device: torch.device):
    extra = {"neurolens.json": ""}
    model = torch.jit.load(path, map_location=device, _extra_files=extra).eval()
    meta = json.loads(extra["neurolens.json"] or "{}")
    return model, meta


def make_f(model):
    def f(inp):
        out = model(inp)
        if isinstance(out, tuple):
            out = out[0]
        elif isinstance(out, dict):
            out = out["latents"]
        return out.sum(dim=1)
    return f


def integrated_gradients(f, x, baseline, target: int, steps: int, autocast):
    alphas, weights = gauss_legendre(steps)
    trials = x.shape[0]
    scaled = torch.cat([baseline + a * (x - baseline) for a in alphas]).requires_grad_()
    with autocast():
        out = f(scaled)[:, target]
    grads = torch.autograd.grad(out.sum(), scaled)[0].float()
    w = torch.tensor(weights, device=x.device, dtype=grads.dtype).view(steps, 1, 1, 1)
    total = (grads.view(steps, trials, *x.shape[1:]) * w).sum(dim=0)
    attributions = (x - baseline) * total
    with torch.no_grad(), autocast():
        delta_f = (f(x)[:, target] - f(baseline)[:, target]).float()
    delta = attributions.reshape(trials, -1).sum(dim=1) - delta_f
    return attributions, delta, delta_f


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--shape", required=True)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--precision", default="fp32", choices=["fp32", "tf32", "bf16"])
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--check-captum", action="store_true")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = a.precision == "tf32"
        torch.backends.cudnn.allow_tf32 = a.precision == "tf32"

    def autocast():
        if a.precision == "bf16":
            return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    shape = tuple(int(s) for s in a.shape.split(","))
    x = torch.from_numpy(np.fromfile(a.input, dtype="<f4").reshape(shape).copy()).to(device)
    model, meta = load(a.model, device)
    f = make_f(model)
    latents = meta.get("latents")
    if latents is None:
        with torch.no_grad():
            latents = f(x[:1]).shape[1]
    baseline = torch.zeros_like(x)

    def run():
        worst = 0.0
        for d in range(latents):
            _, delta, delta_f = integrated_gradients(f, x, baseline, d, a.steps, autocast)
            worst = max(worst, float((delta.abs() / delta_f.abs().clamp_min(1e-6)).max()))
        if device.type == "cuda":
            torch.cuda.synchronize()
        return worst

    if a.check_captum:
        from captum.attr import IntegratedGradients
        ig = IntegratedGradients(f)
        for d in range(min(latents, 3)):
            ours, delta, _ = integrated_gradients(f, x, baseline, d, a.steps, autocast)
            theirs, their_delta = ig.attribute(x, baselines=baseline, target=d, n_steps=a.steps,
                                               method="gausslegendre", return_convergence_delta=True)
            scale = float(theirs.abs().max())
            diff = float((ours - theirs).abs().max()) / max(scale, 1e-12)
            print(f"latent {d}: max |reference - captum| / max |captum| = {diff:.2e}; "
                  f"delta {float(delta.abs().max()):.2e} vs {float(their_delta.abs().max()):.2e}", file=sys.stderr)
            if diff > 1e-4:
                print("error: the reference disagrees with Captum", file=sys.stderr)
                return 1

    run()  # warm-up: TorchScript profiling, allocator, cuBLAS handles
    flops = None
    try:
        from torch.utils.flop_counter import FlopCounterMode
        counter = FlopCounterMode(display=False)
        with counter:
            integrated_gradients(f, x, baseline, 0, a.steps, autocast)
        flops = int(counter.get_total_flops()) * latents
    except Exception:  # PyTorch without flop_counter (1.13), or ops it cannot see inside TorchScript
        flops = None
    seconds = []
    completeness = 0.0
    for _ in range(a.repeats):
        start = time.perf_counter()
        completeness = run()
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"impl": "reference", "precision": a.precision, "seconds": statistics.median(seconds),
                      "max_rel_completeness": completeness, "device": device.type, "flops": flops,
                      "threads": torch.get_num_threads()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
