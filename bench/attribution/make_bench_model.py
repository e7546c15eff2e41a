#!/usr/bin/env python3
"""The benchmark's model: an NDT-like transformer (2 layers, d=128, 4 heads, 16 latents) for
UNITS units, scripted and saved with neurolens.json metadata. Usage: make_bench_model.py OUT.pt [UNITS] [BINS]"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "core", "python"))
from make_attribution_models import Transformer  # noqa: E402


def main() -> int:
    out = sys.argv[1]
    units = int(sys.argv[2]) if len(sys.argv) > 2 else 128
    bins = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    torch.manual_seed(7)
    model = Transformer(units=units, d=128, layers=2, heads=4, latents=16, bins=bins).eval()
    torch.jit.save(torch.jit.script(model), out,
                   _extra_files={"neurolens.json": json.dumps({"name": "bench-transformer", "units": units,
                                                               "latents": 16})})
    return 0


if __name__ == "__main__":
    sys.exit(main())
