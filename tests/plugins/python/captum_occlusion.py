"""Captum's Occlusion on a small fixed nonlinear model, as the reference for the
occlusion plugin. Reads IN.json (x [trials,bins,units], baseline [bins,units],
W, V [latents,units], window/strides, targets, target bins), writes OUT.json.
Model: latents[b, d] = tanh(W x[b] + V x[b-1])_d (x[-1] = 0)."""
import json
import sys

import torch
from captum.attr import Occlusion

spec = json.load(open(sys.argv[1]))
x = torch.tensor(spec["x"], dtype=torch.float64)
baseline = torch.tensor(spec["baseline"], dtype=torch.float64).unsqueeze(0)
W = torch.tensor(spec["W"], dtype=torch.float64)
V = torch.tensor(spec["V"], dtype=torch.float64)
b0, b1 = spec["target_bins"]


def latents(inp):
    prev = torch.cat([torch.zeros_like(inp[:, :1]), inp[:, :-1]], dim=1)
    return torch.tanh(inp @ W.T + prev @ V.T)


def forward(inp):  # F_d = sum of latent d over the target bins -> [batch, latents]
    return latents(inp)[:, b0:b1, :].sum(dim=1)


occ = Occlusion(forward)
out = []
for d in spec["targets"]:
    a = occ.attribute(x, sliding_window_shapes=tuple(spec["window"]), strides=tuple(spec["strides"]),
                      baselines=baseline, target=d)
    out.append(a.tolist())
json.dump({"attributions": out}, open(sys.argv[2], "w"))  # [targets][trials][bins][units]
