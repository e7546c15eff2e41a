"""Worked example: wrap a GRU encoder (LFADS-like) for NeuroLens (docs/models.md).

The encoder returns a tuple (latents, rates): the simplest output form.

    /usr/bin/python3 tools/python/examples/export_gru.py /tmp/gru.pt
    neurolens-cli evaluate --model /tmp/gru.pt RECORDING.nwb --window 0:400
"""
import sys
from pathlib import Path
from typing import Tuple

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from neurolens_export import export_model  # noqa: E402


class GRUEncoder(nn.Module):
    def __init__(self, units: int, hidden: int = 64, latents: int = 8):
        super().__init__()
        self.gru = nn.GRU(units, hidden, batch_first=True, bidirectional=True)
        self.to_latents = nn.Linear(2 * hidden, latents)
        self.to_log_rates = nn.Linear(latents, units)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        hidden, _ = self.gru(torch.log1p(x))  # log1p: counts are not normalised on the way in
        latents = self.to_latents(hidden)
        return latents, torch.exp(self.to_log_rates(latents))  # rates: expected counts per bin


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "gru_neurolens.pt")
    units, bins = 61, 20
    torch.manual_seed(0)
    model = GRUEncoder(units)
    # model.load_state_dict(torch.load("my_gru.pt"))  # your trained weights
    metadata = export_model(model, out, units=units, bins=bins, bin_ms=20, name="GRU encoder (example)",
                            unit_ids=range(units))
    print(f"wrote {out}: {metadata}")


if __name__ == "__main__":
    main()
