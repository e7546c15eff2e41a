"""Worked example: train a CEBRA-Behavior encoder on M1 and export it for NeuroLens (docs/models.md).

Needs cebra (PyPI) in a venv over Debian's torch 1.13 (see docs/models.md, "CEBRA"):

    neurolens-cli bin ../shared/data/m1_stevenson2011.nwb --bin-ms 50 --behavior hand_vel --out /tmp/m1_50ms.h5
    .venv/bin/python tools/python/examples/export_cebra.py /tmp/m1_50ms.h5 /tmp/cebra_m1.pt 150

The counts come from `neurolens-cli bin`, so CEBRA trains on exactly the bins NeuroLens will feed the
model; from_cebra checks that the saved file's latents equal CEBRA.transform on the whole recording.
"""
import sys
from pathlib import Path

import h5py
import numpy as np
import torch

import cebra

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from neurolens_export import from_cebra  # noqa: E402


def main() -> None:
    binned, out = sys.argv[1], sys.argv[2]
    iterations = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    torch.set_num_threads(1)  # on two cores, one torch thread trains faster
    torch.manual_seed(0)
    with h5py.File(binned, "r") as f:
        counts = f["counts"][0].astype(np.float32)  # [bins, units]: the recording as one trial
        velocity = f["behavior"][0].astype(np.float32)  # [bins, 2]: hand_vel
        bin_ms = float(f.attrs["bin_ms"])
    keep = np.all(np.isfinite(velocity), axis=1)  # train on bins with behaviour
    model = cebra.CEBRA(model_architecture="offset10-model", output_dimension=8, batch_size=256,
                        learning_rate=1e-3, temperature=1.0, max_iterations=iterations, distance="cosine",
                        conditional="time_delta", time_offsets=10, device="cpu", verbose=False)
    model.fit(counts[keep], velocity[keep])
    # model = cebra.CEBRA.load("my_cebra.pt")  # or load your own fitted estimator
    metadata = from_cebra(model, out, bin_ms=bin_ms, trained_on="m1_stevenson2011", counts=counts)
    print(f"wrote {out}: {metadata}")


if __name__ == "__main__":
    main()
