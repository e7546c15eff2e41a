"""A small GRU for the GUI tests: 61 units at 20 ms (pmd_reach_yu2009), 8 latents.

Untrained (weights from a fixed seed): the tests need a model that fits the recording
(its metadata states units and bin size, as the model contract asks) and draws
trajectories, not one that explains the data. Usage: make_gui_model.py OUT.pt
"""
import json
import sys

import torch
from torch import nn

UNITS = 61
LATENTS = 8


class Gru(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(UNITS, 32, batch_first=True)
        self.to_latents = nn.Linear(32, LATENTS)
        self.to_log_rates = nn.Linear(LATENTS, UNITS)

    def forward(self, x: torch.Tensor):
        hidden, _ = self.gru(torch.log1p(x))
        latents = self.to_latents(hidden)
        return latents, torch.exp(self.to_log_rates(latents))


def main() -> None:
    torch.manual_seed(28)
    model = torch.jit.script(Gru().eval())
    meta = {"name": "gui-test-gru", "bin_ms": 20, "units": UNITS, "latents": LATENTS,
            "trained_on": "pmd_reach_yu2009 (untrained weights, seed 28)"}
    torch.jit.save(model, sys.argv[1], _extra_files={"neurolens.json": json.dumps(meta)})


if __name__ == "__main__":
    main()
