"""Independent reference for tests/cli/test_cli_models.cpp.

    python cli_model_reference.py MODEL.pt COUNTS.h5 INFER.h5 NWB CONDITION_COLUMN

COUNTS.h5 is `neurolens-cli bin` output (/counts), INFER.h5 `neurolens-cli infer`
output (/latents, /rates). Runs the model with PyTorch on the same counts and
prints JSON: the largest difference from NeuroLens's latents and rates, and
nlb_tools' bits_per_spike and eval_psth (conditions read from the NWB trials
table with h5py) on NeuroLens's rates. Exit 77 when nlb_tools is missing.
"""
import json
import sys

import h5py
import numpy as np
import torch

try:
    from nlb_tools.evaluation import bits_per_spike, eval_psth
except ImportError as error:
    print(f"nlb_tools is not installed: {error}", file=sys.stderr)
    sys.exit(77)


def main():
    model_path, counts_path, infer_path, nwb_path, column = sys.argv[1:6]
    with h5py.File(counts_path, "r") as f:
        counts = f["counts"][:]
    with h5py.File(infer_path, "r") as f:
        latents = f["latents"][:]
        rates = f["rates"][:] if "rates" in f else None
    with h5py.File(nwb_path, "r") as f:
        labels = [c.decode() if isinstance(c, bytes) else str(c) for c in f[f"intervals/trials/{column}"][:]]

    model = torch.jit.load(model_path).eval()
    with torch.no_grad():
        out = model(torch.from_numpy(counts))
    ref_latents = out["latents"] if isinstance(out, dict) else (out[0] if isinstance(out, tuple) else out)
    result = {"latents_max_diff": float(np.abs(ref_latents.numpy() - latents).max())}
    if rates is not None:
        ref_rates = out["rates"] if isinstance(out, dict) else out[1]
        result["rates_max_diff"] = float(np.abs(ref_rates.numpy() - rates).max())
        r64 = rates.astype(np.float64)
        c64 = counts.astype(np.float64)
        result["bits_per_spike"] = float(bits_per_spike(r64.copy(), c64))
        names = sorted(set(labels))
        cond_idx = [np.array([i for i, c in enumerate(labels) if c == n]) for n in names]
        psth = np.stack([c64[idx].mean(axis=0) for idx in cond_idx])
        result["psth_r2"] = float(eval_psth(psth, r64, cond_idx))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
