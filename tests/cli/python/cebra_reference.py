"""CEBRA (cebra on PyPI, over Debian's torch 1.13) for tests/cli/test_cli_cebra.cpp.

Usage:
  cebra_reference.py train BIN_H5 DIR [ITERATIONS]
      BIN_H5 is `neurolens-cli bin m1_stevenson2011.nwb --bin-ms 50 --behavior hand_vel --out BIN_H5`.
      Trains a small offset10 CEBRA-Behavior model on its counts and hand velocity (seeded, one torch
      thread), exports it with tools/python/neurolens_export.py from_cebra to DIR/cebra.pt (which checks
      the file against CEBRA.transform on the whole recording), and writes CEBRA.transform(counts) as
      DIR/x.f64, the velocity as DIR/y.f64 and DIR/meta.json for probe_reference.py ridge (rows where
      the velocity is NaN left out, one row per fold group: contiguous folds over bins, as the CLI's).
  cebra_reference.py compare INFER_H5 DIR
      Max |infer's /latents - CEBRA.transform| over the whole recording.
Prints one JSON line. Exit 77 when cebra (or numpy >= 1.25 for it) is missing: the test skips.
"""
import json
import os
import sys
import time

try:
    import h5py
    import numpy as np
    import torch
    import cebra
    import cebra.distributions.base
except ImportError as error:  # pragma: no cover
    print(f"cebra is not importable: {error}", file=sys.stderr)
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tools", "python"))
from neurolens_export import from_cebra  # noqa: E402

SEED = 18


def seed_cebra_samplers(seed: int) -> None:
    """cebra 0.6.1's samplers seed their generators from the OS: give each one a fixed seed instead."""
    original = cebra.distributions.base.HasGenerator.__init__
    counter = [seed]

    def seeded(self, *args, **kwargs):
        original(self, *args, **kwargs)
        counter[0] += 1
        self._seed = counter[0]
        self.generator.manual_seed(self._seed)

    cebra.distributions.base.HasGenerator.__init__ = seeded


def train(bin_h5: str, directory: str, iterations: int) -> dict:
    torch.set_num_threads(1)  # faster than two on two shared cores
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    seed_cebra_samplers(SEED)
    with h5py.File(bin_h5, "r") as f:
        counts = f["counts"][0].astype(np.float32)  # [bins, units]
        velocity = f["behavior"][0].astype(np.float64)  # [bins, 2]
        bin_ms = float(f.attrs["bin_ms"])
    keep = np.all(np.isfinite(velocity), axis=1)
    started = time.time()
    model = cebra.CEBRA(model_architecture="offset10-model", batch_size=256, learning_rate=1e-3,
                        temperature=1.0, output_dimension=8, max_iterations=iterations, distance="cosine",
                        conditional="time_delta", time_offsets=10, device="cpu", verbose=False)
    model.fit(counts[keep], velocity[keep].astype(np.float32))
    trained = time.time() - started
    os.makedirs(directory, exist_ok=True)
    started = time.time()
    metadata = from_cebra(model, os.path.join(directory, "cebra.pt"), bin_ms=bin_ms,
                          trained_on="m1_stevenson2011", counts=counts)
    exported = time.time() - started
    latents = model.transform(counts).astype(np.float64)
    latents.astype("<f8").tofile(os.path.join(directory, "transform.f64"))
    x, y = latents[keep], velocity[keep]
    x.astype("<f8").tofile(os.path.join(directory, "x.f64"))
    y.astype("<f8").tofile(os.path.join(directory, "y.f64"))
    rows = int(keep.sum())
    meta = {"rows": rows, "features": int(x.shape[1]), "dims": int(y.shape[1]),
            "group_end": list(range(1, rows + 1)), "folds": 5,
            "alphas": [float(a) for a in np.logspace(-4, 4, 17)]}
    with open(os.path.join(directory, "meta.json"), "w") as handle:
        json.dump(meta, handle)
    offset = model.solver_.model.get_offset()  # the encoder's context: bins t-left..t+right-1
    return {"train_seconds": trained, "export_seconds": exported, "iterations": iterations,
            "offset": [int(offset.left), int(offset.right)],
            "bins": int(counts.shape[0]), "units": int(counts.shape[1]), "rows": rows, "metadata": metadata}


def compare(infer_h5: str, directory: str) -> dict:
    expected = np.fromfile(os.path.join(directory, "transform.f64"), dtype="<f8")
    with h5py.File(infer_h5, "r") as f:
        latents = f["latents"][:]
    expected = expected.reshape(-1, latents.shape[-1])
    if latents.shape[0] != 1 or latents.shape[1] != expected.shape[0]:
        return {"error": f"infer's latents have shape {list(latents.shape)}, CEBRA.transform's "
                         f"{list(expected.shape)}"}
    return {"latents_max_diff": float(np.abs(latents[0] - expected).max()),
            "latents_max_abs": float(np.abs(expected).max()), "bins": int(expected.shape[0])}


def main() -> int:
    if sys.argv[1] == "train":
        result = train(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 150)
    else:
        result = compare(sys.argv[2], sys.argv[3])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
