"""A small multi-session model for tests/cli/test_cli_sessions.cpp (issue 18 step 3).

    python make_session_models.py OUT_DIR
writes OUT_DIR/multi.pt: sessions `pmd_reach_yu2009` and `pmd_reach_ex2` (61 units each, as the shared PMd
recordings), each session its own input map into one shared GRU (model contract, "Multi-session models"), and
OUT_DIR/single.pt: a single-session model of 61 units.

    python make_session_models.py compare MODEL COUNTS_H5 SESSION LATENTS_H5
prints {"max_abs_diff": ...}: LATENTS_H5's /latents (written by `infer`) against the saved model's
forward_session(counts, SESSION) on COUNTS_H5's /counts (written by `bin`).
"""
import json
import sys
from pathlib import Path

import torch
from torch import nn

UNITS = 61
HIDDEN = 8
LATENTS = 4
SESSIONS = ["pmd_reach_yu2009", "pmd_reach_ex2"]


class MultiSession(nn.Module):
    def __init__(self):
        super().__init__()
        self.session_0 = nn.Linear(UNITS, HIDDEN)
        self.session_1 = nn.Linear(UNITS, HIDDEN)
        self.gru = nn.GRU(HIDDEN, HIDDEN, batch_first=True)
        self.readout = nn.Linear(HIDDEN, LATENTS)

    @torch.jit.export
    def forward_session(self, x: torch.Tensor, session: int) -> torch.Tensor:
        x = torch.log1p(x)
        h = self.session_0(x) if session == 0 else self.session_1(x)
        return self.readout(self.gru(h)[0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_session(x, 0)


class Single(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(UNITS, HIDDEN, batch_first=True)
        self.readout = nn.Linear(HIDDEN, LATENTS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.readout(self.gru(torch.log1p(x))[0])


def save(module: nn.Module, path: Path, meta: dict):
    module.eval()
    torch.jit.save(torch.jit.script(module), str(path), _extra_files={"neurolens.json": json.dumps(meta)})


def make(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(18)
    sessions = [{"id": s, "units": UNITS, "unit_ids": list(range(UNITS))} for s in SESSIONS]
    save(MultiSession(), out / "multi.pt", {"name": "multi_pmd", "bin_ms": 20, "latents": LATENTS,
                                            "sessions": sessions})
    save(Single(), out / "single.pt", {"name": "single_pmd", "bin_ms": 20, "latents": LATENTS, "units": UNITS})


def compare(model: str, counts_file: str, session: int, latents_file: str):
    import h5py
    loaded = torch.jit.load(model)
    with h5py.File(counts_file, "r") as f:
        counts = torch.from_numpy(f["/counts"][()])
    with h5py.File(latents_file, "r") as f:
        latents = torch.from_numpy(f["/latents"][()])
    with torch.no_grad():
        reference = loaded.forward_session(counts, session)
    if reference.shape != latents.shape:
        print(json.dumps({"error": f"shapes {list(reference.shape)} and {list(latents.shape)}"}))
        return 1
    print(json.dumps({"max_abs_diff": float((reference - latents).abs().max())}))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 2:
        make(Path(sys.argv[1]))
    elif len(sys.argv) == 6 and sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]))
    else:
        sys.exit(__doc__)
