"""Worked example: wrap an LFADS-style sequential autoencoder for NeuroLens (docs/models.md).

LFADS (Pandarinath et al. 2018): a bidirectional GRU encodes the whole trial into an initial condition g0, a
generator GRU unrolls from g0 without input, a linear layer gives low-dimensional factors, and the rates are
exp of a linear readout of the factors. NeuroLens's latents are the factors; the dict form names the rates as
log-rates. The generator loop over time is plain Python, which torch.jit.script keeps as a loop (a trace would
freeze the example's length: wrap checks the file at three lengths).

    /usr/bin/python3 tools/python/examples/export_lfads.py /tmp/lfads.pt
    neurolens-cli evaluate --model /tmp/lfads.pt ../shared/data/pmd_reach_yu2009.nwb --condition condition --json
"""
import sys
from pathlib import Path
from typing import Dict

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from neurolens_export import wrap  # noqa: E402


class LFADSLike(nn.Module):
    def __init__(self, units: int, encoder: int = 32, generator: int = 32, factors: int = 8):
        super().__init__()
        self.encoder = nn.GRU(units, encoder, batch_first=True, bidirectional=True)
        self.to_g0 = nn.Linear(2 * encoder, generator)
        self.generator = nn.GRUCell(1, generator)  # no inferred inputs (no controller) in this sketch
        self.to_factors = nn.Linear(generator, factors)
        self.to_log_rates = nn.Linear(factors, units)

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        last = self.encoder(torch.log1p(x))[1]                # final states: [2, batch, encoder]
        g = self.to_g0(torch.cat((last[0], last[1]), dim=-1))  # g0, the mean of q(g0) in eval mode
        empty = torch.zeros(x.size(0), 1, dtype=x.dtype, device=x.device)
        factors = []
        for step in range(x.size(1)):
            g = self.generator(empty, g)
            factors.append(self.to_factors(g))
        latents = torch.stack(factors, dim=1)
        return {"latents": latents, "log_rates": self.to_log_rates(latents)}


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "lfads_neurolens.pt")
    units = 61
    torch.manual_seed(0)
    model = LFADSLike(units)
    # model.load_state_dict(torch.load("my_lfads.pt"))  # your trained weights, same layer names
    metadata = wrap(model, out, units=units, bins=20, bin_ms=20, name="LFADS-style (example)",
                    outputs={"latents": "latents", "log_rates": "log_rates"})
    print(f"wrote {out}: {metadata}")


if __name__ == "__main__":
    main()
