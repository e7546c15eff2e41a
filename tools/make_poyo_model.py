"""Trains a small POYO (torch_brain, Azabou et al. 2023) on m1_stevenson2011 to decode hand velocity and
exports it for NeuroLens with tools/python/neurolens_export.py from_poyo (issue 18 steps 1-2).

torch_brain needs PyTorch 2.x (Debian's torch 1.13 cannot import it), so this runs in a throwaway venv
that tools/make_poyo_model.sh creates; the resulting file, which the program's LibTorch 1.13 loads, is
committed as tests/data/models/poyo_m1.pt with its provenance (tests/data/models/poyo_m1.json).

    tools/make_poyo_model.sh                       # venv + train + export, about 3 minutes on 2 cores
    PYTHON tools/make_poyo_model.py OUT.pt [--steps N] [--seed S]

Data: spikes binned at 50 ms from 0 (as `neurolens-cli bin` bins a continuous recording), hand velocity
interpolated at the bin centres (bins outside its span are not trained on). The first 80% of the
recording trains, the last 20% is held out (R2 reported). Each count c is c spike tokens at the bin
centre, the tokens the exported model reads (neurolens_export.poyo_spike_tokens).
"""
import argparse
import json
import platform
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "python"))
import neurolens_export as nx  # noqa: E402
from torch_brain.models import POYO  # noqa: E402

RECORDING = ROOT.parent / "shared" / "data" / "m1_stevenson2011.nwb"
BIN_MS = 50.0
WINDOW_BINS = 20  # POYO's sequence_length: 1 s
SETTINGS = dict(sequence_length=1.0, latent_step=0.125, num_latents_per_step=4, dim=32, depth=1, dim_head=16,
                cross_heads=1, self_heads=2, ffn_dropout=0.1, lin_dropout=0.1, atn_dropout=0.0)


def load(path: Path):
    """counts [bins, units] at 50 ms from 0, hand velocity [bins, 2] (NaN outside its span), NWB unit ids."""
    with h5py.File(path, "r") as f:
        identifier = f["identifier"][()].decode()
        unit_ids = f["units/id"][()].astype(np.int64)
        times = f["units/spike_times"][()]
        index = f["units/spike_times_index"][()].astype(np.int64)
        velocity = f["processing/behavior/hand_vel/data"][()]
        velocity_t = f["processing/behavior/hand_vel/timestamps"][()]
    bin_s = BIN_MS / 1000.0
    bins = int(np.floor(times.max() / bin_s)) + 1
    counts = np.zeros((bins, len(unit_ids)), dtype=np.float32)
    starts = np.concatenate([[0], index[:-1]])
    for u, (a, b) in enumerate(zip(starts, index)):
        k = np.floor(times[a:b] / bin_s).astype(np.int64)
        np.add.at(counts[:, u], k[(k >= 0) & (k < bins)], 1.0)
    centres = (np.arange(bins) + 0.5) * bin_s
    target = np.stack([np.interp(centres, velocity_t, velocity[:, d], left=np.nan, right=np.nan)
                       for d in range(velocity.shape[1])], axis=1).astype(np.float32)
    return identifier, unit_ids, counts, target


def r2(predicted: np.ndarray, actual: np.ndarray) -> float:
    keep = np.isfinite(actual).all(axis=1)
    p, a = predicted[keep], actual[keep]
    return float(np.mean(1.0 - ((p - a) ** 2).sum(0) / ((a - a.mean(0)) ** 2).sum(0)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--recording", type=Path, default=RECORDING)
    parser.add_argument("--checkpoint", type=Path, help="also save the trained POYO's state_dict here; with "
                        "--export-only, load it instead of training")
    parser.add_argument("--export-only", action="store_true")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(2)

    started = time.time()
    session, unit_ids, counts, target = load(args.recording)
    bins, units = counts.shape
    split = int(bins * 0.8)
    mean = np.nanmean(target[:split], axis=0)
    std = np.nanstd(target[:split], axis=0)
    words = [f"{session}/{u}" for u in unit_ids]
    model = POYO(dim_out=target.shape[1], **SETTINGS)
    model.unit_emb.initialize_vocab(words)
    model.session_emb.initialize_vocab([session])
    vocab = torch.tensor(model.unit_emb.tokenizer(words))
    session_index = torch.tensor(model.session_emb.tokenizer(session))
    bin_s = BIN_MS / 1000.0
    latent_index, latent_times = (torch.from_numpy(a) for a in nx_latents(model))
    output_times = ((torch.arange(WINDOW_BINS, dtype=torch.float64) + 0.5) * bin_s).float()
    scaled = torch.from_numpy((target - mean) / std)
    counts_t = torch.from_numpy(counts)

    def batch_forward(starts):
        x = torch.stack([counts_t[s:s + WINDOW_BINS] for s in starts])
        tokens, timestamps, token_type, mask = nx.poyo_spike_tokens(x, vocab, bin_s)
        n = len(starts)
        return model(input_unit_index=tokens, input_timestamps=timestamps, input_token_type=token_type,
                     input_mask=mask, latent_index=latent_index.unsqueeze(0).expand(n, -1),
                     latent_timestamps=latent_times.float().unsqueeze(0).expand(n, -1),
                     session_index=session_index.repeat(n),
                     output_timestamps=output_times.unsqueeze(0).expand(n, -1))

    steps = args.steps
    if args.export_only:
        model.load_state_dict(torch.load(args.checkpoint))
        steps = 0
    optimiser = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=5e-3, total_steps=max(steps, 1))
    generator = np.random.default_rng(args.seed)
    model.train()
    losses = []
    for step in range(steps):
        starts = generator.integers(0, split - WINDOW_BINS, size=args.batch)
        y = torch.stack([scaled[s:s + WINDOW_BINS] for s in starts])
        keep = torch.isfinite(y)
        predicted = batch_forward(starts)
        loss = ((predicted - torch.nan_to_num(y)) ** 2 * keep).sum() / keep.sum().clamp(min=1)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        losses.append(float(loss))
        if step % 100 == 0 or step == steps - 1:
            print(f"step {step}: loss {np.mean(losses[-50:]):.3f} ({time.time() - started:.0f} s)", file=sys.stderr)
    train_seconds = time.time() - started
    model.eval()
    if args.checkpoint and not args.export_only:
        torch.save(model.state_dict(), args.checkpoint)

    exported = time.time()
    provenance = {
        "script": "tools/make_poyo_model.py", "command": " ".join(["tools/make_poyo_model.py"] + sys.argv[1:]),
        "seed": args.seed, "steps": args.steps, "batch_windows": args.batch, "poyo_settings": SETTINGS,
        "torch": torch.__version__, "torch_brain": nx._version("torch_brain"), "python": platform.python_version(),
        "target": "behavior:hand_vel (z-scored on the training part) via POYO's readout",
        "train_bins": [0, split], "held_out_bins": [split, bins]}
    metadata = nx.from_poyo(model, words, session, args.out, bin_ms=BIN_MS, recording_unit_ids=unit_ids.tolist(),
                            name="POYO m1 hand velocity (small)", trained_on=session,
                            extra_metadata={"provenance": provenance})
    export_seconds = time.time() - exported

    # Held-out decoding through the saved file (what NeuroLens runs), whole recording in one pass.
    loaded = torch.jit.load(str(args.out))
    with torch.no_grad():
        output = loaded(counts_t.unsqueeze(0))
    readout = output["readout"][0].numpy() * std + mean
    summary = {"metadata": metadata, "train_seconds": round(train_seconds, 1),
               "export_seconds": round(export_seconds, 1), "final_loss": round(float(np.mean(losses[-50:])), 4) if losses else None,
               "readout_r2_train": round(r2(readout[:split], target[:split]), 4),
               "readout_r2_held_out": round(r2(readout[split:], target[split:]), 4),
               "file_bytes": args.out.stat().st_size}
    sidecar = args.out.with_suffix(".json")
    sidecar.write_text(json.dumps({**provenance, **{k: v for k, v in summary.items() if k != "metadata"}},
                                  indent=1) + "\n")
    print(json.dumps(summary))
    return 0


def nx_latents(model):
    from torch_brain.models.poyo import create_linspace_latent_tokens
    return create_linspace_latent_tokens(0.0, model.sequence_length, model.latent_step, model.num_latents_per_step)


if __name__ == "__main__":
    sys.exit(main())
