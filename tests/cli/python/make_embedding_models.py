"""Small models with unit embeddings (model contract: `unit_embeddings(session)` or an output key
"unit_embeddings") for tests/core/test_model_embeddings.cpp and tests/cli/test_cli_embedding.cpp (issue 18 step 4).

    python make_embedding_models.py OUT_DIR [NWB COLUMN]

Each unit's embedding is its type's centre (one random direction per type, scaled by a random gain and sign)
plus noise, in D = 6 dimensions: the types of COLUMN in NWB's units table (h5py), or without NWB 40 units of
four types (unit i has type i % 4). Writes to OUT_DIR:
  embed.pt           unit_embeddings(session) planted by the true types (session 1: the same, negated)
  embed_sessions.pt  embed.pt with the sessions "first" and "second" in its metadata
  embed_shuffled.pt  the same, planted by a random permutation of the types (the types should not separate)
  embed_key.pt       no method: forward returns {"latents", "unit_embeddings"}
  embed_rows.pt      unit_embeddings with one row too few
  embed_nan.pt       unit_embeddings holding a NaN
  plain.pt           no unit embeddings at all
  embed.f32          embed.pt's session 0 embeddings, [units, D] row-major float32
and prints the unit count. Exit 77 when torch/numpy (or h5py with an NWB) are missing.
"""
import json
import os
import sys

try:
    import numpy as np
    import torch
except ImportError as error:  # pragma: no cover
    print(f"missing package: {error}", file=sys.stderr)
    sys.exit(77)

D = 6
LATENTS = 3


class WithMethod(torch.nn.Module):
    def __init__(self, embeddings: np.ndarray, latents: int):
        super().__init__()
        self.register_buffer("table", torch.tensor(embeddings, dtype=torch.float32))
        self.readout = torch.nn.Linear(embeddings.shape[1], latents)

    @torch.jit.export
    def unit_embeddings(self, session: int) -> torch.Tensor:
        return self.table if session == 0 else -self.table

    @torch.jit.export
    def forward_session(self, x: torch.Tensor, session: int) -> torch.Tensor:
        return self.readout(torch.matmul(torch.log1p(x), self.unit_embeddings(session)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_session(x, 0)


class WithKey(torch.nn.Module):
    def __init__(self, embeddings: np.ndarray, latents: int):
        super().__init__()
        self.register_buffer("table", torch.tensor(embeddings, dtype=torch.float32))
        self.readout = torch.nn.Linear(embeddings.shape[1], latents)

    def forward(self, x: torch.Tensor):
        return {"latents": self.readout(torch.matmul(torch.log1p(x), self.table)), "unit_embeddings": self.table}


class Plain(torch.nn.Module):
    def __init__(self, units: int, latents: int):
        super().__init__()
        self.readout = torch.nn.Linear(units, latents)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.readout(torch.log1p(x))


def planted(labels, rng) -> np.ndarray:
    types = sorted(set(labels))
    centres = {t: v / np.linalg.norm(v) for t, v in zip(types, rng.normal(size=(len(types), D)))}
    return np.stack([rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 2.0) * centres[t] + 0.15 * rng.normal(size=D)
                     for t in labels]).astype(np.float32)


def save(module, path, units, sessions=None):
    module.eval()
    meta = {"name": os.path.basename(path)[:-3], "units": units, "latents": LATENTS}
    if sessions:
        meta = {"name": meta["name"], "latents": LATENTS, "sessions": [{"id": s, "units": units} for s in sessions]}
    torch.jit.save(torch.jit.script(module), path, _extra_files={"neurolens.json": json.dumps(meta)})


def main():
    out = sys.argv[1]
    if len(sys.argv) >= 4:
        try:
            import h5py
        except ImportError as error:  # pragma: no cover
            print(f"missing package: {error}", file=sys.stderr)
            sys.exit(77)
        with h5py.File(sys.argv[2], "r") as f:
            labels = [v.decode() if isinstance(v, bytes) else str(v) for v in f["units"][sys.argv[3]][:]]
    else:
        labels = [str(i % 4) for i in range(40)]
    units = len(labels)
    rng = np.random.default_rng(18)
    torch.manual_seed(18)
    embeddings = planted(labels, rng)
    shuffled = planted(list(rng.permutation(labels)), rng)
    save(WithMethod(embeddings, LATENTS), os.path.join(out, "embed.pt"), units)
    save(WithMethod(shuffled, LATENTS), os.path.join(out, "embed_shuffled.pt"), units)
    save(WithMethod(embeddings, LATENTS), os.path.join(out, "embed_sessions.pt"), units, ["first", "second"])
    save(WithKey(embeddings, LATENTS), os.path.join(out, "embed_key.pt"), units)
    # forward stays intact (it reads the whole table); only unit_embeddings() is broken.
    save(BrokenEmbeddings(embeddings, embeddings[:-1], LATENTS), os.path.join(out, "embed_rows.pt"), units)
    broken = embeddings.copy()
    broken[units // 2, 1] = np.nan
    save(BrokenEmbeddings(embeddings, broken, LATENTS), os.path.join(out, "embed_nan.pt"), units)
    save(Plain(units, LATENTS), os.path.join(out, "plain.pt"), units)
    embeddings.astype("<f4").tofile(os.path.join(out, "embed.f32"))
    print(units)


class BrokenEmbeddings(torch.nn.Module):
    def __init__(self, embeddings: np.ndarray, broken: np.ndarray, latents: int):
        super().__init__()
        self.register_buffer("table", torch.tensor(embeddings, dtype=torch.float32))
        self.register_buffer("broken", torch.tensor(broken, dtype=torch.float32))
        self.readout = torch.nn.Linear(embeddings.shape[1], latents)

    @torch.jit.export
    def unit_embeddings(self, session: int) -> torch.Tensor:
        return self.broken

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.readout(torch.matmul(torch.log1p(x), self.table))


if __name__ == "__main__":
    main()
