#!/usr/bin/env python3
"""The benchmark's models, scripted and saved with neurolens.json metadata:
- transformer: NDT-like (2 layers, d=128, 4 heads, 16 latents);
- bigru: bidirectional GRU (hidden 64 each way) -> tanh readout to 16 latents (LFADS-style encoder).
Usage: make_bench_model.py OUT.pt [UNITS] [BINS] [transformer|bigru]"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "core", "python"))
from make_attribution_models import Transformer  # noqa: E402


class BiGru(torch.nn.Module):
    def __init__(self, units: int, hidden: int = 64, latents: int = 16):
        super().__init__()
        self.gru = torch.nn.GRU(units, hidden, batch_first=True, bidirectional=True)
        self.readout = torch.nn.Linear(2 * hidden, latents)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.gru(torch.asinh(x))
        return torch.tanh(self.readout(h))


def main() -> int:
    out = sys.argv[1]
    units = int(sys.argv[2]) if len(sys.argv) > 2 else 128
    bins = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    kind = sys.argv[4] if len(sys.argv) > 4 else "transformer"
    torch.manual_seed(7)
    if kind == "transformer":
        model = Transformer(units=units, d=128, layers=2, heads=4, latents=16, bins=bins).eval()
    elif kind == "bigru":
        model = BiGru(units=units).eval()
    else:
        raise SystemExit(f"unknown model kind {kind}")
    torch.jit.save(torch.jit.script(model), out,
                   _extra_files={"neurolens.json": json.dumps({"name": f"bench-{kind}", "units": units,
                                                               "latents": 16})})
    return 0


if __name__ == "__main__":
    sys.exit(main())
