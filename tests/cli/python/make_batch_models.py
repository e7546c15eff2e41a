"""Two small TorchScript models for the batch tests (tests/cli/test_cli_batch.cpp).

    python make_batch_models.py OUT_DIR

- pmd61.pt: a linear encoder with Poisson rates for the two PMd recordings (61 units, 20 ms bins);
  on any other recording it is the model-contract error (units do not match): the task that fails on purpose.
- any_units.pt, any_units_b.pt: no unit count in their metadata and a forward that works for any
  number of units (population statistics as latents, each unit's mean over the trial's bins as its
  rate, the second smoothed over time), so they fit every recording.
Fixed seeds: the same files every run.
"""
import json
import sys
from pathlib import Path
from typing import Tuple

import torch
from torch import nn


class Linear61(nn.Module):
    def __init__(self):
        super().__init__()
        self.to_latents = nn.Linear(61, 3)
        self.to_log_rates = nn.Linear(3, 61)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        latents = self.to_latents(torch.log1p(x))
        return latents, torch.exp(self.to_log_rates(latents) * 0.1 - 1.0)


class AnyUnits(nn.Module):
    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        mean = x.mean(dim=2, keepdim=True)
        spread = (x - mean).pow(2).mean(dim=2, keepdim=True)
        latents = torch.cat([mean, spread], dim=2)
        rates = x.mean(dim=1, keepdim=True).expand_as(x) * 0.9 + 0.05
        return latents, rates


class AnyUnitsSmoothed(nn.Module):
    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        total = torch.log1p(x).sum(dim=2, keepdim=True)
        smoothed = torch.cumsum(total, dim=1) / torch.arange(1, x.shape[1] + 1, dtype=x.dtype).view(1, -1, 1)
        latents = torch.cat([total, smoothed, x.amax(dim=2, keepdim=True)], dim=2)
        rates = x.mean(dim=1, keepdim=True).expand_as(x) * 0.8 + 0.1
        return latents, rates


def save(module: nn.Module, path: Path, meta: dict):
    module.eval()
    torch.jit.save(torch.jit.script(module), str(path), _extra_files={"neurolens.json": json.dumps(meta)})


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(20)
    save(Linear61(), out / "pmd61.pt", {"name": "pmd61 linear", "bin_ms": 20, "units": 61, "latents": 3})
    save(AnyUnits(), out / "any_units.pt", {"name": "any units", "bin_ms": 20, "latents": 2})
    save(AnyUnitsSmoothed(), out / "any_units_b.pt", {"name": "any units, smoothed", "bin_ms": 20, "latents": 3})


if __name__ == "__main__":
    main()
