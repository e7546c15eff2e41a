"""Fit the gallery's two models to one recording's binned counts (tools/make_gallery).

    make_gallery_models.py COUNTS.h5 OUTDIR --name NAME [--behavior] [--steps N] [--seed S]

COUNTS.h5 is `neurolens-cli bin` output (/counts [trials, bins, units], /behavior with --behavior). Writes
OUTDIR/NAME_cebra.pt and OUTDIR/NAME_gru.pt (TorchScript under the model contract, docs/models.md, written and
checked by neurolens_export.py) and prints one JSON line per model with its training loss.

- CEBRA-style conv: CEBRA's offset10-model (Schneider, Lee & Mathis 2023: Conv1d k=2, three residual Conv1d k=3
  blocks with GELU, Conv1d k=3 to 8 dims, unit-norm output, receptive field 10 bins), trained with InfoNCE
  (cosine similarity / temperature 1, in-batch negatives). Positives: with --behavior (continuous recordings),
  CEBRA-behaviour's rule: the bin whose behaviour is nearest to the reference's plus the behaviour change
  between two random consecutive bins; without it (trials with conditions), a bin at the same time in a trial
  of the same condition (--conditions-from: the recording's trials table), else time contrastive (a bin
  1-10 bins later in the same trial). Exported as CEBRA.transform pads (replicate).
- GRU: log1p(counts) -> GRU (64) -> 8 latents -> exp(linear) Poisson rates, trained with coordinated dropout
  (30 % of the counts hidden from the encoder and scored) on the Poisson likelihood.
CPU, 2 threads, seeded: the same counts and seed give the same weights.
"""
import argparse
import json
import shutil
import sys
from pathlib import Path

import h5py
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent / "python"))
from neurolens_export import CebraEncoder, wrap  # noqa: E402

LATENTS = 8
HIDDEN = 64


class Skip(nn.Module):
    """CEBRA's _Skip: the input cropped to the module's output length plus the module's output."""

    def __init__(self, module: nn.Module, crop: int):
        super().__init__()
        self.module = module
        self.crop = crop

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, :, self.crop:-self.crop] + self.module(x)


class Normalize(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(x, dim=1)


def offset10(units: int) -> nn.Sequential:
    """CEBRA's offset10-model: [batch, units, bins + 9] -> [batch, 8, bins], unit norm."""
    return nn.Sequential(
        nn.Conv1d(units, HIDDEN, 2), nn.GELU(),
        Skip(nn.Sequential(nn.Conv1d(HIDDEN, HIDDEN, 3), nn.GELU()), 1),
        Skip(nn.Sequential(nn.Conv1d(HIDDEN, HIDDEN, 3), nn.GELU()), 1),
        Skip(nn.Sequential(nn.Conv1d(HIDDEN, HIDDEN, 3), nn.GELU()), 1),
        nn.Conv1d(HIDDEN, LATENTS, 3), Normalize())


class Gru(nn.Module):
    def __init__(self, units: int):
        super().__init__()
        self.gru = nn.GRU(units, HIDDEN, batch_first=True)
        self.to_latents = nn.Linear(HIDDEN, LATENTS)
        self.to_log_rates = nn.Linear(LATENTS, units)

    def forward(self, x: torch.Tensor):
        hidden, _ = self.gru(torch.log1p(x))
        latents = self.to_latents(hidden)
        return latents, torch.exp(self.to_log_rates(latents))


def info_nce(reference: torch.Tensor, positive: torch.Tensor) -> torch.Tensor:
    """CEBRA's InfoNCE with cosine similarity, temperature 1, the other positives as negatives."""
    logits = reference @ positive.T
    return F.cross_entropy(logits, torch.arange(len(reference)))


def behaviour_positives(labels: np.ndarray, steps_between: np.ndarray, ref: np.ndarray,
                        rng: np.random.Generator) -> np.ndarray:
    """CEBRA-behaviour: for each reference, the candidate whose label is nearest to the reference's label plus
    a random empirical one-bin change."""
    target = labels[ref] + steps_between[rng.integers(0, len(steps_between), len(ref))]
    pool = rng.choice(np.flatnonzero(np.isfinite(labels).all(axis=1)), min(4096, len(labels)))
    distances = torch.cdist(torch.from_numpy(target).float(), torch.from_numpy(labels[pool]).float())
    return pool[distances.argmin(dim=1).numpy()]


def fit_cebra(counts: np.ndarray, behavior, conditions, steps: int, per_step: int,
              rng: np.random.Generator) -> tuple:
    trials, bins, units = counts.shape
    model = CebraEncoder(offset10(units), 4, 5, convolutional=True)
    x = torch.from_numpy(counts)
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
    if behavior is not None:
        flat = behavior.reshape(trials * bins, -1)
        finite = np.isfinite(flat).all(axis=1)
        scale = np.std(flat[finite], axis=0)
        pairs = np.flatnonzero(finite[:-1] & finite[1:])
        steps_between = (flat[pairs + 1] - flat[pairs]) / scale
    same_condition = None
    if conditions is not None:
        same_condition = {c: np.flatnonzero(conditions == c) for c in np.unique(conditions)}
    batch = 512
    loss = torch.tensor(0.0)
    for _ in range(steps):
        chosen = np.sort(rng.choice(trials, min(trials, per_step), replace=False))  # trials this step draws from
        z = model(x[torch.from_numpy(chosen)]).reshape(len(chosen) * bins, LATENTS)
        if behavior is not None:
            labels = (behavior[chosen] / scale).reshape(len(chosen) * bins, -1)
            ref = rng.choice(np.flatnonzero(np.isfinite(labels).all(axis=1)), batch)
            pos = behaviour_positives(labels, steps_between, ref, rng)
        elif same_condition is not None:
            z = model(x).reshape(trials * bins, LATENTS)  # all trials: every condition has partners
            ref = rng.integers(0, trials * bins, batch)
            ref_trial, ref_bin = ref // bins, ref % bins
            pos_trial = np.empty_like(ref_trial)
            for condition, members in same_condition.items():
                mask = conditions[ref_trial] == condition
                pos_trial[mask] = rng.choice(members, mask.sum())
            pos = pos_trial * bins + ref_bin
        else:
            ref = rng.integers(0, len(chosen), batch) * bins + rng.integers(0, bins - 10, batch)
            pos = ref + rng.integers(1, 11, batch)
        loss = info_nce(z[torch.from_numpy(ref)], z[torch.from_numpy(pos)])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return model.eval(), float(loss)


def fit_gru(counts: np.ndarray, steps: int, per_step: int, rng: np.random.Generator) -> tuple:
    trials, bins, units = counts.shape
    model = Gru(units)
    x = torch.from_numpy(counts)
    optimiser = torch.optim.Adam(model.parameters(), lr=5e-3)
    dropout = 0.3
    loss = torch.tensor(0.0)
    for _ in range(steps):
        rows = torch.from_numpy(rng.choice(trials, min(trials, per_step), replace=False))
        batch = x[rows]
        keep = (torch.rand(batch.shape) > dropout).float()
        rates = model(batch * keep / (1.0 - dropout))[1]
        hidden = 1.0 - keep
        loss = ((rates - batch * torch.log(rates)) * hidden).sum() / hidden.sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return model.eval(), float(loss)


def write_typed_copy(source: Path, target: Path, counts: np.ndarray, behavior, conditions, labels) -> dict:
    """A copy of the recording with a `tuning` unit column (the shared recordings have no unit types, which the
    attribution and association views group units by): each unit's preferred condition (the condition with
    its highest mean count), or with behaviour its preferred movement direction (the quadrant of the angle of
    its counts' regression on the direction's cosine and sine). Returns the number of units of each type."""
    flat = counts.reshape(-1, counts.shape[-1])
    if conditions is not None:
        means = np.stack([counts[conditions == c].mean(axis=(0, 1)) for c in range(len(labels))])
        types = [f"prefers {labels[i]}" for i in means.argmax(axis=0)]
    else:
        velocity = behavior.reshape(-1, behavior.shape[-1])
        finite = np.isfinite(velocity).all(axis=1)
        angle = np.arctan2(velocity[finite, 1], velocity[finite, 0])
        design = np.stack([np.cos(angle), np.sin(angle), np.ones_like(angle)], axis=1)
        weights, *_ = np.linalg.lstsq(design, flat[finite], rcond=None)
        preferred = np.degrees(np.arctan2(weights[1], weights[0]))
        names = ["right", "up", "left", "down"]
        types = [names[int(((a + 45.0) % 360.0) // 90.0)] for a in preferred]
    shutil.copyfile(source, target)
    with h5py.File(target, "a") as f:
        units = f["units"]
        column = units.create_dataset("tuning", data=np.array(types, dtype=object), dtype=h5py.string_dtype())
        column.attrs["neurodata_type"] = "VectorData"
        column.attrs["namespace"] = "hdmf-common"
        column.attrs["description"] = "preferred condition or movement direction (tools/make_gallery_models.py)"
        if "colnames" in units.attrs:
            units.attrs["colnames"] = np.array(list(units.attrs["colnames"]) + ["tuning"], dtype=object)
    return {t: types.count(t) for t in sorted(set(types))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("counts", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--name", required=True)
    parser.add_argument("--bin-ms", type=float, default=20.0)
    parser.add_argument("--behavior", action="store_true", help="CEBRA-behaviour positives from /behavior")
    parser.add_argument("--conditions-from", type=Path,
                        help="NWB recording whose trials table's `condition` labels the binned trials")
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--seed", type=int, default=30)
    parser.add_argument("--typed-copy", type=Path, nargs=2, metavar=("NWB", "OUT"),
                        help="also write OUT, a copy of the recording NWB with a `tuning` unit column")
    parser.add_argument("--trials-per-step", type=int, default=64,
                        help="trials (or chunks of a continuous recording) each training step draws from")
    args = parser.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    with h5py.File(args.counts, "r") as f:
        counts = f["counts"][:].astype(np.float32)
        behavior = f["behavior"][:] if args.behavior else None
        trial_ids = f["trial_ids"][:]
    conditions = None
    condition_names = None
    if args.conditions_from:
        with h5py.File(args.conditions_from, "r") as f:
            ids = list(f["intervals/trials/id"][:])
            labels = f["intervals/trials/condition"][:]
        condition_names, inverse = np.unique(labels, return_inverse=True)
        condition_names = [n.decode() if isinstance(n, bytes) else str(n) for n in condition_names]
        conditions = inverse[[ids.index(t) for t in trial_ids]]
    if args.typed_copy:
        types = write_typed_copy(args.typed_copy[0], args.typed_copy[1], counts, behavior, conditions, condition_names)
        print(json.dumps({"typed_copy": str(args.typed_copy[1]), "tuning": types}))
    args.out.mkdir(parents=True, exist_ok=True)
    trained_on = f"{args.name} ({counts.shape[0]} trials x {counts.shape[1]} bins of {args.bin_ms:g} ms, seed {args.seed})"
    units, bins = counts.shape[2], counts.shape[1]
    cebra, cebra_loss = fit_cebra(counts, behavior, conditions, args.steps, args.trials_per_step, rng)
    path = args.out / f"{args.name}_cebra.pt"
    wrap(cebra, path, units=units, bins=min(bins, 40), bin_ms=args.bin_ms, name=f"CEBRA-style offset10 ({args.name})",
         trained_on=trained_on, method="trace", quiet=True)
    print(json.dumps({"model": str(path), "kind": "cebra", "infonce": round(cebra_loss, 4)}))
    gru, gru_loss = fit_gru(counts, args.steps, args.trials_per_step, rng)
    path = args.out / f"{args.name}_gru.pt"
    wrap(gru, path, units=units, bins=min(bins, 40), bin_ms=args.bin_ms, name=f"GRU ({args.name})",
         trained_on=trained_on, quiet=True)
    print(json.dumps({"model": str(path), "kind": "gru", "poisson_nll": round(gru_loss, 4)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
