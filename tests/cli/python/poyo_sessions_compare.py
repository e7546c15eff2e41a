"""The committed two-session POYO (tests/data/models/poyo_pmd_sessions.pt) run by this Python's torch on the
counts that `neurolens-cli bin` wrote, session by session, against what `neurolens-cli infer` wrote
(tests/cli/test_cli_poyo_sessions.cpp).

    python poyo_sessions_compare.py MODEL COUNTS_H5 LATENTS_H5 SESSION
SESSION indexes the model's sessions. Prints {"trials", "bins", "max_abs_diff", "latents_max_abs",
"unit_embeddings": [[units, dim] per session], "embeddings_differ"}. Exit 77 without torch or h5py (CTest skips).
"""
import json
import sys

try:
    import h5py
    import torch
except ImportError as error:  # pragma: no cover
    print(f"needs torch and h5py: {error}", file=sys.stderr)
    sys.exit(77)


def main(model: str, counts_file: str, latents_file: str, session: str) -> int:
    files = {"neurolens.json": ""}
    loaded = torch.jit.load(model, _extra_files=files)
    sessions = len(json.loads(files["neurolens.json"])["sessions"])
    with h5py.File(counts_file, "r") as f:
        counts = torch.from_numpy(f["/counts"][()])
    with h5py.File(latents_file, "r") as f:
        latents = torch.from_numpy(f["/latents"][()])
    with torch.no_grad():
        expected = loaded.forward_session(counts, int(session))["latents"]
        embeddings = [loaded.unit_embeddings(s) for s in range(sessions)]
    if expected.shape != latents.shape:
        print(json.dumps({"error": f"shapes {list(expected.shape)} and {list(latents.shape)}"}))
        return 1
    print(json.dumps({"trials": int(latents.shape[0]), "bins": int(latents.shape[1]),
                      "max_abs_diff": float((expected - latents).abs().max()),
                      "latents_max_abs": float(expected.abs().max()),
                      "unit_embeddings": [list(e.shape) for e in embeddings],
                      "embeddings_differ": bool(not torch.allclose(embeddings[0], embeddings[-1]))}))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
