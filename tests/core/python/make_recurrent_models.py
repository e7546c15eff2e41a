#!/usr/bin/env python3
"""Small recurrent TorchScript models for test_attribution's check of the CPU rewrite of aten::gru and
aten::lstm as loops of 1x1 convolutions (issue 21 step 1), written at test time.

Usage: make_recurrent_models.py OUT_DIR

x: float32 [batch, bins, 6 units] -> latents [batch, bins, 4] (../../../shared/spec/model-contract.md):
- rec_bigru2.pt  scripted: asinh -> bidirectional 2-layer GRU (hidden 8, batch_first) -> tanh readout
- rec_lstm.pt    scripted: asinh -> unidirectional 1-layer LSTM (hidden 8, time-major input) -> tanh readout
- rec_mixed.pt   traced: GRU without biases (time-major) -> bidirectional 2-layer LSTM with projections
                 (proj_size 3, batch_first) -> tanh readout: the weights reach aten::gru/aten::lstm as a
                 list built in the graph rather than a module attribute
"""
import json
import os
import sys

import torch

UNITS = 6
LATENTS = 4


class BiGru2(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(UNITS, 8, num_layers=2, batch_first=True, bidirectional=True)
        self.readout = torch.nn.Linear(16, LATENTS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.gru(torch.asinh(x))
        return torch.tanh(self.readout(h))


class Lstm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(UNITS, 8)
        self.readout = torch.nn.Linear(8, LATENTS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.lstm(torch.asinh(x).transpose(0, 1))
        return torch.tanh(self.readout(h.transpose(0, 1)))


class Mixed(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(UNITS, 5, bias=False)
        self.lstm = torch.nn.LSTM(5, 7, num_layers=2, batch_first=True, bidirectional=True, proj_size=3)
        self.readout = torch.nn.Linear(6, LATENTS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.gru(torch.asinh(x).transpose(0, 1))
        y, _ = self.lstm(h.transpose(0, 1))
        return torch.tanh(self.readout(y))


def save(module: torch.jit.ScriptModule, path: str, name: str) -> None:
    torch.jit.save(module, path, _extra_files={"neurolens.json": json.dumps({"name": name, "units": UNITS,
                                                                             "latents": LATENTS})})


def main() -> int:
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(21)
    save(torch.jit.script(BiGru2().eval()), os.path.join(out, "rec_bigru2.pt"), "rec-bigru2")
    save(torch.jit.script(Lstm().eval()), os.path.join(out, "rec_lstm.pt"), "rec-lstm")
    example = torch.rand(3, 7, UNITS) * 3
    with torch.no_grad():
        traced = torch.jit.trace(Mixed().eval(), example, check_trace=False)
    save(traced, os.path.join(out, "rec_mixed.pt"), "rec-mixed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
