"""Worked example: wrap an NDT-style transformer for NeuroLens (docs/models.md).

NDT (Ye & Pandarinath 2021) embeds each bin's spike counts, adds a learned
position embedding, runs a transformer encoder over the bins and reads out
log-rates. Its "latent state" is whatever representation you want to look at;
here a linear projection of the encoder output to 16 factors, from which the
log-rates are read out (as in the NDT code's readout path).

    /usr/bin/python3 tools/python/examples/export_ndt.py /tmp/ndt.pt
    neurolens-cli infer --model /tmp/ndt.pt RECORDING.nwb --window 0:400
"""
import math
import sys
from pathlib import Path
from typing import Dict

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from neurolens_export import export_model  # noqa: E402


class NDT(nn.Module):
    """A small NDT: your trained model would be loaded here instead."""

    def __init__(self, units: int, bins: int, d_model: int = 64, factors: int = 16, layers: int = 2):
        super().__init__()
        self.embed = nn.Linear(units, d_model)
        self.position = nn.Parameter(torch.zeros(1, bins, d_model))
        layer = nn.TransformerEncoderLayer(d_model, nhead=4, dim_feedforward=128, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers)
        self.factors = nn.Linear(d_model, factors)
        self.readout = nn.Linear(factors, units)
        self.scale = math.sqrt(d_model)

    def forward(self, spikes: torch.Tensor) -> torch.Tensor:  # returns log-rates, as NDT does
        return self.readout(self.hidden_factors(spikes))

    def hidden_factors(self, spikes: torch.Tensor) -> torch.Tensor:
        h = self.embed(spikes) * self.scale + self.position[:, : spikes.shape[1]]
        return self.factors(self.encoder(h))


class NDTForNeuroLens(nn.Module):
    """The wrapper: counts [batch, bins, units] -> {"latents", "log_rates"}."""

    def __init__(self, ndt: NDT):
        super().__init__()
        self.ndt = ndt

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        factors = self.ndt.hidden_factors(x)
        return {"latents": factors, "log_rates": self.ndt.readout(factors)}


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "ndt_neurolens.pt")
    units, bins = 61, 20  # e.g. pmd_reach_yu2009.nwb at 20 ms, window 0:400
    torch.manual_seed(0)
    ndt = NDT(units, bins)
    # ndt.load_state_dict(torch.load("my_ndt_checkpoint.pt"))  # your trained weights
    metadata = export_model(NDTForNeuroLens(ndt), out, units=units, bins=bins, bin_ms=20,
                            name="NDT (example, untrained)", trained_on="nothing: example weights")
    print(f"wrote {out}: {metadata}")


if __name__ == "__main__":
    main()
