#!/usr/bin/env python3
"""Captum's own attributions for a TorchScript model, as the reference the C++ engine must match.

Usage:
  captum_reference.py --model M.pt --input x.f32 --shape T,B,U --method METHOD --out PREFIX
                      [--steps N] [--integration RULE] [--baseline zero|mean] [--targets 0,2]
                      [--target-bins B0:B1] [--samples S] [--noise F] [--seed N]

x.f32 holds float32 counts [T, B, U] (little-endian, row-major). Writes
PREFIX_attr.f32 [T, D, B, U] and, for integrated gradients, PREFIX_delta.f32 [T, D] = F(x) - F(baseline)
and PREFIX_completeness.f32 [T, D] = Captum's convergence delta.

F_d(x) = sum over the target bins of latent d; each target is one Captum call, as users call Captum.
SmoothGrad is Captum's NoiseTunnel(Saliency(F), nt_type="smoothgrad", abs=False) (mean of the plain
gradient), one trial at a time with torch.manual_seed(trial_seed(seed, trial)) and stdev = noise *
(max(x) - min(x)) over the whole input: the same noise the C++ engine draws, so results compare 1:1.
Exit 3 when captum is missing (the test skips then).
"""
import argparse
import sys

import numpy as np
import torch

try:
    from captum.attr import InputXGradient, IntegratedGradients, NoiseTunnel, Saliency
except ImportError:  # pragma: no cover - reported to the test, which skips
    print("captum is not installed in this Python", file=sys.stderr)
    sys.exit(3)

MASK64 = (1 << 64) - 1


def splitmix64(z: int) -> int:
    z = (z + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def trial_seed(seed: int, trial: int) -> int:
    """Same formula as trialSeed() in core/src/attribution.cpp (documented in docs/attribution.md)."""
    return splitmix64((seed + trial) & MASK64) & 0x7FFFFFFFFFFFFFFF


def latents_of(output):
    if isinstance(output, tuple):
        return output[0]
    if isinstance(output, dict):
        return output["latents"]
    return output


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--shape", required=True)
    p.add_argument("--method", required=True,
                   choices=["saliency", "input_x_gradient", "integrated_gradients", "smoothgrad"])
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--integration", default="gausslegendre")
    p.add_argument("--baseline", default="zero", choices=["zero", "mean"])
    p.add_argument("--targets", default="")
    p.add_argument("--target-bins", default="")
    p.add_argument("--samples", type=int, default=25)
    p.add_argument("--noise", type=float, default=0.15)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()

    torch.set_num_threads(2)
    shape = tuple(int(s) for s in a.shape.split(","))
    x = torch.from_numpy(np.fromfile(a.input, dtype="<f4").reshape(shape).copy())
    trials, bins, units = shape
    model = torch.jit.load(a.model).eval()
    b0, b1 = (0, bins) if not a.target_bins else tuple(int(v) for v in a.target_bins.split(":"))

    def f(inp: torch.Tensor) -> torch.Tensor:
        return latents_of(model(inp))[:, b0:b1, :].sum(dim=1)

    with torch.no_grad():
        latent_count = f(x[:1]).shape[1]
    targets = [int(t) for t in a.targets.split(",")] if a.targets else list(range(latent_count))

    if a.baseline == "zero":
        baseline = torch.zeros_like(x)
    else:
        baseline = x.mean(dim=(0, 1), keepdim=True).expand_as(x).contiguous()

    attr = np.zeros((trials, len(targets), bins, units), dtype=np.float32)
    delta = np.zeros((trials, len(targets)), dtype=np.float32)
    completeness = np.zeros((trials, len(targets)), dtype=np.float32)
    stdev = float(a.noise * (x.max() - x.min()))
    for j, d in enumerate(targets):
        if a.method == "integrated_gradients":
            ig = IntegratedGradients(f)
            result, conv = ig.attribute(x, baselines=baseline, target=d, n_steps=a.steps, method=a.integration,
                                        return_convergence_delta=True)
            with torch.no_grad():
                delta[:, j] = (f(x)[:, d] - f(baseline)[:, d]).numpy()
            completeness[:, j] = conv.detach().numpy()
        elif a.method == "saliency":
            result = Saliency(f).attribute(x, target=d, abs=True)
        elif a.method == "input_x_gradient":
            result = InputXGradient(f).attribute(x, target=d)
        else:
            parts = []
            for t in range(trials):
                torch.manual_seed(trial_seed(a.seed, t))
                nt = NoiseTunnel(Saliency(f))
                parts.append(nt.attribute(x[t:t + 1], nt_type="smoothgrad", nt_samples=a.samples, stdevs=stdev,
                                          target=d, abs=False))
            result = torch.cat(parts, dim=0)
        attr[:, j] = result.detach().numpy()

    attr.astype("<f4").tofile(a.out + "_attr.f32")
    delta.astype("<f4").tofile(a.out + "_delta.f32")
    completeness.astype("<f4").tofile(a.out + "_completeness.f32")
    return 0


if __name__ == "__main__":
    sys.exit(main())
