"""A small TorchScript model for the `figure` CLI tests (independent of NeuroLens).

latents = smoothed counts @ W with a fixed, seeded W [units, latents]: differentiable,
deterministic, and shaped by the model contract (metadata: bin_ms, units, latents).
Usage: figure_test_model.py OUT.pt UNITS [LATENTS]
"""
import json
import sys

import torch


class Linear(torch.nn.Module):
    def __init__(self, units: int, latents: int):
        super().__init__()
        generator = torch.Generator().manual_seed(11)
        self.weight = torch.nn.Parameter(torch.randn(units, latents, generator=generator) / units ** 0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # A causal 3-bin moving average, then a linear read-out.
        padded = torch.nn.functional.pad(x.transpose(1, 2), (2, 0))
        smooth = torch.nn.functional.avg_pool1d(padded, 3, 1).transpose(1, 2)
        return smooth @ self.weight


def main():
    out, units = sys.argv[1], int(sys.argv[2])
    latents = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    model = torch.jit.script(Linear(units, latents).eval())
    meta = {"name": "figure-test-linear", "bin_ms": 20, "units": units, "latents": latents}
    torch.jit.save(model, out, _extra_files={"neurolens.json": json.dumps(meta)})


if __name__ == "__main__":
    main()
