#!/usr/bin/env python3
"""Small untrained models for the --stream-ms tests and bench (TorchScript, the model contract).

- conv_meta.pt: a CEBRA offset10-style convolutional encoder (conv k=2, three residual convs k=3, conv k=3,
  unit-norm latents), the time axis padded as CEBRA.transform pads it (first bin repeated 5 times, last 4
  times), so bin t sees bins t-5..t+4; metadata "receptive_field_bins": [5, 4].
- conv_probe.pt: the same weights without that key (the program measures the field).
- gru.pt: a bidirectional GRU encoder (log1p input), no receptive-field metadata: its influence decays but
  never ends.

Usage: make_stream_models.py OUTDIR UNITS [--latents 8] [--hidden 32] [--bin-ms 50]
Prints one JSON line with the paths.
"""
import argparse
import json
import sys
from pathlib import Path

import torch
from torch import nn
import torch.nn.functional as F


class Skip(nn.Module):
    """CEBRA's _Skip: a 'valid' conv k=3 plus the input cropped by one bin on each side."""

    def __init__(self, hidden: int):
        super().__init__()
        self.conv = nn.Conv1d(hidden, hidden, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, :, 1:-1] + F.gelu(self.conv(x))


class ConvEncoder(nn.Module):
    def __init__(self, units: int, hidden: int, latents: int):
        super().__init__()
        self.first = nn.Conv1d(units, hidden, 2)
        self.skip1 = Skip(hidden)
        self.skip2 = Skip(hidden)
        self.skip3 = Skip(hidden)
        self.last = nn.Conv1d(hidden, latents, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.transpose(1, 2)  # [batch, units, bins]
        h = F.pad(h, (5, 4), mode="replicate")
        h = F.gelu(self.first(h))
        h = self.skip3(self.skip2(self.skip1(h)))
        z = self.last(h)
        z = z / z.pow(2).sum(dim=1, keepdim=True).sqrt().clamp_min(1e-8)  # CEBRA's unit-norm latents
        return z.transpose(1, 2)


class GRUEncoder(nn.Module):
    def __init__(self, units: int, hidden: int, latents: int):
        super().__init__()
        self.gru = nn.GRU(units, hidden, batch_first=True, bidirectional=True)
        self.to_latents = nn.Linear(2 * hidden, latents)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.gru(torch.log1p(x))
        return self.to_latents(h)


def save(model: nn.Module, path: Path, metadata: dict) -> None:
    scripted = torch.jit.script(model.eval())
    scripted.save(str(path), _extra_files={"neurolens.json": json.dumps(metadata)})


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("outdir")
    p.add_argument("units", type=int)
    p.add_argument("--latents", type=int, default=8)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--bin-ms", type=float, default=50.0)
    a = p.parse_args()
    out = Path(a.outdir)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    conv = ConvEncoder(a.units, a.hidden, a.latents)
    gru = GRUEncoder(a.units, a.hidden, a.latents)
    base = {"units": a.units, "latents": a.latents, "bin_ms": a.bin_ms}
    save(conv, out / "conv_meta.pt", dict(base, name="CEBRA-style conv (untrained)", receptive_field_bins=[5, 4]))
    save(conv, out / "conv_probe.pt", dict(base, name="CEBRA-style conv (untrained, no field metadata)"))
    save(gru, out / "gru.pt", dict(base, name="bidirectional GRU (untrained)"))
    # The same GRU at 200 ms bins: attribution over a whole recording in one pass (the streamed result's reference)
    # costs a quarter of the 50 ms one.
    save(gru, out / "gru_200ms.pt", dict(base, bin_ms=4 * a.bin_ms, name="bidirectional GRU (untrained, 200 ms)"))
    # The field is what the padding comment says: an impulse at bin 20 moves bins 16..25 only.
    with torch.no_grad():
        x = torch.poisson(torch.full((1, 40, a.units), 0.5))
        y = x.clone()
        y[0, 20] += 3.0
        moved = ((conv(y) - conv(x)).abs().amax(dim=2)[0] > 0).nonzero().flatten().tolist()
    print(json.dumps({"conv_meta": str(out / "conv_meta.pt"), "conv_probe": str(out / "conv_probe.pt"),
                      "gru": str(out / "gru.pt"), "impulse_moves_bins": [min(moved), max(moved)]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
