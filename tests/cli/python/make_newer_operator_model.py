"""Writes OUT.pt: a TorchScript file whose code calls aten::scaled_dot_product_attention, as a file
saved by PyTorch 2.x does (nn.MultiheadAttention, POYO), for the program's unknown-operator error
(tests/cli/test_cli_models.cpp). PyTorch 1.13 cannot save such a call itself, so this saves a small
scripted model and edits the code inside the archive (a zip), the way a newer PyTorch would have
written it; the debug tables of the edited code are dropped (they are optional).

Usage: make_newer_operator_model.py OUT.pt
"""
import json
import os
import sys
import zipfile

import torch


class Attention(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x)


def main() -> int:
    out = sys.argv[1]
    plain = out + ".plain"
    torch.jit.save(torch.jit.script(Attention()), plain,
                   _extra_files={"neurolens.json": json.dumps({"name": "saved by PyTorch 2.x", "units": 5})})
    edited = 0
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename.endswith(".debug_pkl"):
                continue
            if "/code/" in entry.filename and entry.filename.endswith(".py"):
                replaced = data.replace(b"torch.relu(x)", b"torch.scaled_dot_product_attention(x, x, x)")
                edited += replaced != data
                data = replaced
            target.writestr(entry.filename, data)
    os.unlink(plain)
    if edited != 1:
        print("could not find the call to edit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
