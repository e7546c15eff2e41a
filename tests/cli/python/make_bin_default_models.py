"""Small TorchScript models for the default of --bin-ms (tests/cli/test_cli_bin_default.cpp).

    python make_bin_default_models.py OUT_DIR

Each works for any number of units (population statistics as latents, each unit's mean over the trial's bins as
its rate), so it fits every recording; they differ only in the bin size their metadata declares:
- no_bin.pt: no "bin_ms" key (the command bins at 20 ms, as before models declared one);
- bin40.pt, bin40_b.pt: "bin_ms": 40 (two different models trained on the same bin size);
- bin100.pt: "bin_ms": 100 (disagrees with bin40.pt: a command given both and no --bin-ms refuses).
No random state: the same files every run.
"""
import json
import sys
from pathlib import Path
from typing import Tuple

import torch
from torch import nn


class AnyUnits(nn.Module):
    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        mean = x.mean(dim=2, keepdim=True)
        spread = (x - mean).pow(2).mean(dim=2, keepdim=True)
        latents = torch.cat([mean, spread], dim=2)
        rates = x.mean(dim=1, keepdim=True).expand_as(x) * 0.9 + 0.05
        return latents, rates


class AnyUnitsLog(nn.Module):
    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        total = torch.log1p(x).sum(dim=2, keepdim=True)
        latents = torch.cat([total, x.amax(dim=2, keepdim=True)], dim=2)
        rates = x.mean(dim=1, keepdim=True).expand_as(x) * 0.8 + 0.1
        return latents, rates


def save(module: nn.Module, path: Path, meta: dict):
    module.eval()
    torch.jit.save(torch.jit.script(module), str(path), _extra_files={"neurolens.json": json.dumps(meta)})


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    save(AnyUnits(), out / "no_bin.pt", {"name": "any units, no bin size", "latents": 2})
    save(AnyUnits(), out / "bin40.pt", {"name": "any units, 40 ms", "bin_ms": 40, "latents": 2})
    save(AnyUnitsLog(), out / "bin40_b.pt", {"name": "any units (log), 40 ms", "bin_ms": 40, "latents": 2})
    save(AnyUnits(), out / "bin100.pt", {"name": "any units, 100 ms", "bin_ms": 100, "latents": 2})


if __name__ == "__main__":
    main()
