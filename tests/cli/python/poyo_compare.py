"""The committed POYO model (tests/data/models/poyo_m1.pt) run by this Python's torch on the counts that
`neurolens-cli bin` wrote, against what `neurolens-cli infer` wrote (tests/cli/test_cli_poyo.cpp).

    python poyo_compare.py MODEL COUNTS_H5 LATENTS_H5
prints {"bins", "max_abs_diff", "latents_max_abs", "unit_embeddings": [units, dim], "unit_index_dtype"}.
Exit 77 without torch or h5py (CTest skips).
"""
import json
import sys

try:
    import h5py
    import torch
except ImportError as error:  # pragma: no cover
    print(f"needs torch and h5py: {error}", file=sys.stderr)
    sys.exit(77)


def main(model: str, counts_file: str, latents_file: str) -> int:
    loaded = torch.jit.load(model)
    with h5py.File(counts_file, "r") as f:
        counts = torch.from_numpy(f["/counts"][()])
    with h5py.File(latents_file, "r") as f:
        latents = torch.from_numpy(f["/latents"][()])
    with torch.no_grad():
        expected = loaded(counts)["latents"]
    if expected.shape != latents.shape:
        print(json.dumps({"error": f"shapes {list(expected.shape)} and {list(latents.shape)}"}))
        return 1
    print(json.dumps({"bins": int(latents.shape[1]), "max_abs_diff": float((expected - latents).abs().max()),
                      "latents_max_abs": float(expected.abs().max()),
                      "unit_embeddings": list(loaded.unit_embeddings(0).shape),
                      "unit_index_dtype": str(loaded.unit_index.dtype)}))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
