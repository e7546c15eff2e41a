"""A planted TorchScript model for the `link` command test (tests/cli/test_cli_link.cpp).

Usage: link_reference_model.py RECORDING.nwb UNIT_COLUMN OUT_DIR
       link_reference_model.py --weights W.f64 UNITS LATENTS OUT.pt   (latents = counts @ W, W row-major
                                                                        float64; for the lesion test)

Reads the unit column with h5py and builds latents = counts @ W (8 latents), where every unit of a
type loads on that type's random direction with a random sign and gain (plus a little noise), and the
latent basis is then rotated at random. For a linear model, integrated gradients from a zero baseline
are exact: unit u's profile is (its total count) * W[u, :], so after normalisation the profile is
W[u, :] / |W[u, :]|. Writes OUT_DIR/model.pt and OUT_DIR/expected_profiles.f64 ([units, 8],
row-major float64) and prints the unit count. Exit 77 when torch/h5py are missing.
"""
import os
import sys

try:
    import h5py
    import numpy as np
    import torch
except ImportError as error:  # pragma: no cover
    print(f"missing package: {error}", file=sys.stderr)
    sys.exit(77)


class Linear(torch.nn.Module):
    def __init__(self, weights):
        super().__init__()
        self.register_buffer("weights", torch.tensor(weights, dtype=torch.float32))

    def forward(self, x):
        return torch.matmul(x, self.weights)


def from_weights():
    weights_file, units, latents, out = sys.argv[2:6]
    weights = np.fromfile(weights_file, dtype="<f8").reshape(int(units), int(latents))
    torch.jit.script(Linear(weights.astype(np.float32))).save(out)


def main():
    if sys.argv[1] == "--weights":
        from_weights()
        return
    nwb, column, out = sys.argv[1:4]
    with h5py.File(nwb, "r") as f:
        labels = [v.decode() if isinstance(v, bytes) else str(v) for v in f["units"][column][:]]
    rng = np.random.default_rng(17)
    latents = 8
    types = sorted(set(labels))
    directions = {t: v / np.linalg.norm(v) for t, v in zip(types, rng.normal(size=(len(types), latents)))}
    weights = np.stack([rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 2.0) * directions[t]
                        + 0.05 * rng.normal(size=latents) for t in labels])
    rotation, _ = np.linalg.qr(rng.normal(size=(latents, latents)))
    weights = weights @ rotation
    model = torch.jit.script(Linear(weights.astype(np.float32)))
    model.save(os.path.join(out, "model.pt"))
    expected = weights / np.linalg.norm(weights, axis=1, keepdims=True)
    expected.astype("<f8").tofile(os.path.join(out, "expected_profiles.f64"))
    print(len(labels))


if __name__ == "__main__":
    main()
