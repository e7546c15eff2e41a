#!/usr/bin/env python3
"""Tiny TorchScript models for the attribution tests, written at test time.

Usage: make_attribution_models.py OUT_DIR

Every model follows ../../../shared/spec/model-contract.md (x: float32 [batch, bins, units]):
- attr_linear.pt      latents = x @ W + c                      (Tensor output)
- attr_linear_oom.pt  the same, raising CUDA's out-of-memory error for a batch of more than 3 rows
- attr_quadratic.pt   latents = (x*x) @ Q + x @ W              (tuple output: latents, rates)
- attr_gru.pt         GRU -> tanh readout                      (Dict output with "latents", "rates")
- attr_transformer.pt 1-layer self-attention block, tanh head   (Tensor output)
- attr_unit_norm.pt   latents = z / |z|, z = x @ W + c         (CEBRA-style: needs many integration steps)
- attr_unit_embedding.pt  latents = x @ embedding(unit_ids)     (an integer buffer of unit ids, as POYO's unit
                          vocabulary: attribution must keep its dtype at every precision)

W and Q are closed-form (see weight_matrix below) so the C++ test can solve the
exact attributions by hand without reading the model's parameters.
"""
import json
import math
import sys
from typing import Dict, Tuple

import torch

UNITS = 6
LATENTS = 3


def weight_matrix(rows: int, cols: int, a: float, b: float, scale: float) -> torch.Tensor:
    """W[u, l] = scale * sin(a * (u + 1) + b * (l + 1)): the C++ test uses the same formula."""
    w = torch.empty(rows, cols, dtype=torch.float64)
    for u in range(rows):
        for l in range(cols):
            w[u, l] = scale * math.sin(a * (u + 1) + b * (l + 1))
    return w.float()


class Linear(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(weight_matrix(UNITS, LATENTS, 0.7, 1.3, 0.5))
        self.bias = torch.nn.Parameter(torch.tensor([0.1, -0.2, 0.3]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.weight + self.bias


class LinearOutOfMemoryAbove3(Linear):
    """A device that holds 3 rows: exercises the out-of-memory fallbacks without a GPU."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.size(0) > 3:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return x @ self.weight + self.bias


class Quadratic(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(weight_matrix(UNITS, LATENTS, 0.7, 1.3, 0.5))
        self.quad = torch.nn.Parameter(weight_matrix(UNITS, LATENTS, 0.4, 0.9, 0.25))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        latents = (x * x) @ self.quad + x @ self.weight
        rates = torch.exp(0.1 * x)
        return latents, rates


class Gru(torch.nn.Module):
    def __init__(self, units: int = UNITS, hidden: int = 16, latents: int = 4):
        super().__init__()
        self.gru = torch.nn.GRU(units, hidden, batch_first=True)
        self.readout = torch.nn.Linear(hidden, latents)
        self.rates = torch.nn.Linear(latents, units)

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        h, _ = self.gru(torch.asinh(x))
        latents = torch.tanh(self.readout(h))
        return {"latents": latents, "rates": torch.exp(self.rates(latents))}


class AttentionBlock(torch.nn.Module):
    """Pre-norm self-attention + MLP written with plain ops (scriptable on every torch)."""

    def __init__(self, d: int, heads: int):
        super().__init__()
        self.heads = heads
        self.norm1 = torch.nn.LayerNorm(d)
        self.qkv = torch.nn.Linear(d, 3 * d)
        self.proj = torch.nn.Linear(d, d)
        self.norm2 = torch.nn.LayerNorm(d)
        self.mlp1 = torch.nn.Linear(d, 4 * d)
        self.mlp2 = torch.nn.Linear(4 * d, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        h = self.heads
        qkv = self.qkv(self.norm1(x)).reshape(b, t, 3, h, d // h).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // h), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(y)
        return x + self.mlp2(torch.nn.functional.gelu(self.mlp1(self.norm2(x))))


class UnitNorm(torch.nn.Module):
    """CEBRA-style unit-norm latents: z / |z| with z = x @ W + c and a small c. Along the path from a zero
    baseline the direction of z turns sharply near alpha = 0, so integrated gradients needs many steps
    (relative completeness ~25 at 16 Gauss-Legendre steps, ~0.02 at 64, ~1e-5 at 128)."""

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(weight_matrix(UNITS, LATENTS, 0.9, 0.4, 0.5))
        self.bias = torch.nn.Parameter(torch.tensor([0.02, -0.01, 0.015]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = x @ self.weight + self.bias
        return z / torch.sqrt((z * z).sum(-1, keepdim=True) + 1e-12)


class Transformer(torch.nn.Module):
    """NDT-like encoder: counts -> embedding -> attention blocks -> latents."""

    def __init__(self, units: int, d: int, layers: int, heads: int, latents: int, bins: int):
        super().__init__()
        self.embed = torch.nn.Linear(units, d)
        self.position = torch.nn.Parameter(0.02 * torch.randn(1, bins, d))
        self.blocks = torch.nn.ModuleList([AttentionBlock(d, heads) for _ in range(layers)])
        self.head = torch.nn.Linear(d, latents)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.embed(torch.asinh(x)) + self.position[:, : x.shape[1], :]
        for block in self.blocks:
            z = block(z)
        return torch.tanh(self.head(z))


class UnitEmbedding(torch.nn.Module):
    """Each unit's weights come from a learned vocabulary looked up by an integer buffer (POYO-style)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("unit_ids", torch.tensor([3, 1, 4, 0, 5, 2], dtype=torch.long))
        self.vocabulary = torch.nn.Embedding(8, LATENTS)
        with torch.no_grad():
            self.vocabulary.weight.copy_(weight_matrix(8, LATENTS, 0.3, 0.8, 0.5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.vocabulary(self.unit_ids)


def save(module: torch.nn.Module, path: str, meta: dict) -> None:
    module.eval()
    scripted = torch.jit.script(module)
    torch.jit.save(scripted, path, _extra_files={"neurolens.json": json.dumps(meta)})


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    torch.manual_seed(1234)
    save(Linear(), f"{out}/attr_linear.pt", {"name": "linear", "units": UNITS, "latents": LATENTS})
    save(LinearOutOfMemoryAbove3(), f"{out}/attr_linear_oom.pt", {"name": "linear", "units": UNITS, "latents": LATENTS})
    save(Quadratic(), f"{out}/attr_quadratic.pt", {"name": "quadratic", "units": UNITS, "latents": LATENTS})
    save(Gru(), f"{out}/attr_gru.pt", {"name": "gru", "units": UNITS, "latents": 4})
    save(Transformer(units=UNITS, d=16, layers=1, heads=2, latents=4, bins=64), f"{out}/attr_transformer.pt",
         {"name": "transformer", "units": UNITS, "latents": 4})
    save(UnitNorm(), f"{out}/attr_unit_norm.pt", {"name": "unit_norm", "units": UNITS, "latents": LATENTS})
    save(UnitEmbedding(), f"{out}/attr_unit_embedding.pt", {"name": "unit_embedding", "units": UNITS, "latents": LATENTS})
    return 0


if __name__ == "__main__":
    sys.exit(main())
