"""Trains one small POYO (torch_brain) on two PMd sessions together, pmd_reach_yu2009 and pmd_reach_ex2, each
with its own unit vocabulary, to decode the reach condition, and exports it with
tools/python/neurolens_export.py from_poyo as a two-session NeuroLens model (issue 18 step 2).

torch_brain needs PyTorch 2.x: run it through tools/make_poyo_sessions.sh (the venv of make_poyo_model.sh).
The result is committed as tests/data/models/poyo_pmd_sessions.pt with its provenance (.json beside it).

    tools/make_poyo_sessions.sh                    # train + export, about 3 minutes on 2 cores
    PYTHON tools/make_poyo_sessions.py OUT.pt [--steps N] [--seed S]

Data: each trial binned at 20 ms from its start_time (as `neurolens-cli bin` bins trials), the bins the
exported model reads. POYO's context window is 400 ms (20 bins): pmd_reach_yu2009's trials are exactly one
window; pmd_reach_ex2's (1.0-1.5 s) give windows at every bin offset inside the trial. Target: the trial's
reach condition at every output bin (cross-entropy), one readout of 7 + 2 logits: the first 7 are
pmd_reach_yu2009's reach1..reach7, the last 2 pmd_reach_ex2's reach1..reach2 (the sessions' labels are
not the same reaches); each session's loss uses its own logits. Every 5th trial of each condition is held
out; the held-out accuracy (the readout averaged over a trial's bins, through the saved file, trial
windows as `neurolens-cli infer` gives them) is reported.
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
sys.path.insert(0, str(ROOT / "tools"))
import neurolens_export as nx  # noqa: E402
from make_poyo_model import nx_latents  # noqa: E402  (shared with the M1 model)
from torch_brain.models import POYO  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
RECORDINGS = [DATA / "pmd_reach_yu2009.nwb", DATA / "pmd_reach_ex2.nwb"]
BIN_MS = 20.0
WINDOW_BINS = 20  # POYO's sequence_length: 400 ms (pmd_reach_yu2009's trials)
SETTINGS = dict(sequence_length=0.4, latent_step=0.05, num_latents_per_step=4, dim=32, depth=1, dim_head=16,
                cross_heads=1, self_heads=2, ffn_dropout=0.1, lin_dropout=0.1, atn_dropout=0.0)


def load(path: Path):
    """identifier, NWB unit ids, per-trial counts [bins_i, units] at BIN_MS from start_time (all of the trial's
    whole bins), condition labels (sorted unique) and each trial's label index."""
    with h5py.File(path, "r") as f:
        identifier = f["identifier"][()]
        identifier = identifier.decode() if isinstance(identifier, bytes) else str(identifier)
        unit_ids = f["units/id"][()].astype(np.int64)
        times = f["units/spike_times"][()]
        index = f["units/spike_times_index"][()].astype(np.int64)
        start = f["intervals/trials/start_time"][()]
        stop = f["intervals/trials/stop_time"][()]
        condition = [c.decode() if isinstance(c, bytes) else str(c) for c in f["intervals/trials/condition"][()]]
    bin_s = BIN_MS / 1000.0
    starts = np.concatenate([[0], index[:-1]])
    trials = []
    for a, b in zip(start, stop):
        bins = int(np.floor((b - a) / bin_s + 1e-9))
        counts = np.zeros((bins, len(unit_ids)), dtype=np.float32)
        for u, (s, e) in enumerate(zip(starts, index)):
            t = times[s:e]
            k = np.floor((t[(t >= a) & (t < a + bins * bin_s)] - a) / bin_s).astype(np.int64)
            np.add.at(counts[:, u], k[(k >= 0) & (k < bins)], 1.0)
        trials.append(counts)
    labels = sorted(set(condition))
    return identifier, unit_ids, trials, labels, np.array([labels.index(c) for c in condition])


def held_out_mask(label_index: np.ndarray) -> np.ndarray:
    """Every 5th trial of each condition (in file order) is held out."""
    held = np.zeros(len(label_index), dtype=bool)
    for label in np.unique(label_index):
        held[np.flatnonzero(label_index == label)[4::5]] = True
    return held


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--batch", type=int, default=32, help="windows per step, half from each session")
    parser.add_argument("--checkpoint", type=Path, help="also save the trained POYO's state_dict here; with "
                        "--export-only, load it instead of training")
    parser.add_argument("--export-only", action="store_true")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(2)

    started = time.time()
    sessions = [load(path) for path in RECORDINGS]
    offsets = np.cumsum([0] + [len(s[3]) for s in sessions])  # each session's first logit
    words = [[f"{identifier}/{u}" for u in unit_ids] for identifier, unit_ids, *_ in sessions]
    model = POYO(dim_out=int(offsets[-1]), **SETTINGS)
    model.unit_emb.initialize_vocab([w for session_words in words for w in session_words])
    model.session_emb.initialize_vocab([s[0] for s in sessions])
    vocab = [torch.tensor(model.unit_emb.tokenizer(w)) for w in words]
    session_index = [torch.tensor(model.session_emb.tokenizer(s[0])) for s in sessions]
    bin_s = BIN_MS / 1000.0
    latent_index, latent_times = (torch.from_numpy(a) for a in nx_latents(model))
    output_times = ((torch.arange(WINDOW_BINS, dtype=torch.float64) + 0.5) * bin_s).float()
    held = [held_out_mask(s[4]) for s in sessions]
    # Training windows: (trial, first bin) for every whole window inside a training trial.
    windows = [[(i, b) for i in np.flatnonzero(~h) for b in range(len(s[2][i]) - WINDOW_BINS + 1)]
               for s, h in zip(sessions, held)]

    def session_forward(s: int, x: torch.Tensor) -> torch.Tensor:
        tokens, timestamps, token_type, mask = nx.poyo_spike_tokens(x, vocab[s], bin_s)
        n = x.size(0)
        return model(input_unit_index=tokens, input_timestamps=timestamps, input_token_type=token_type,
                     input_mask=mask, latent_index=latent_index.unsqueeze(0).expand(n, -1),
                     latent_timestamps=latent_times.float().unsqueeze(0).expand(n, -1),
                     session_index=session_index[s].repeat(n),
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
        loss = torch.zeros(())
        for s, (identifier, _, trials, _, label_index) in enumerate(sessions):
            chosen = generator.integers(0, len(windows[s]), size=args.batch // 2)
            x = torch.stack([torch.from_numpy(trials[windows[s][c][0]][windows[s][c][1]:windows[s][c][1] + WINDOW_BINS])
                             for c in chosen])
            y = torch.tensor([label_index[windows[s][c][0]] for c in chosen]).repeat_interleave(WINDOW_BINS)
            logits = session_forward(s, x)[..., offsets[s]:offsets[s + 1]].reshape(-1, offsets[s + 1] - offsets[s])
            loss = loss + torch.nn.functional.cross_entropy(logits, y) / len(sessions)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        losses.append(float(loss))
        if step % 50 == 0 or step == steps - 1:
            print(f"step {step}: loss {np.mean(losses[-50:]):.3f} ({time.time() - started:.0f} s)", file=sys.stderr)
    train_seconds = time.time() - started
    model.eval()
    if args.checkpoint and not args.export_only:
        torch.save(model.state_dict(), args.checkpoint)

    exported = time.time()
    provenance = {
        "script": "tools/make_poyo_sessions.py",
        "command": " ".join(["tools/make_poyo_sessions.py"] + sys.argv[1:]),
        "seed": args.seed, "steps": args.steps, "batch_windows": args.batch, "bin_ms": BIN_MS,
        "poyo_settings": SETTINGS, "torch": torch.__version__, "torch_brain": nx._version("torch_brain"),
        "python": platform.python_version(),
        "sessions": [{"id": s[0], "units": len(s[1]), "trials": len(s[2]), "labels": s[3],
                      "readout_logits": [int(offsets[i]), int(offsets[i + 1])],
                      "held_out_trials": int(held[i].sum())} for i, s in enumerate(sessions)],
        "target": "trials:condition, cross-entropy at every output bin, per-session logits of POYO's readout",
        "held_out": "every 5th trial of each condition"}
    first, *others = sessions
    metadata = nx.from_poyo(model, words[0], first[0], args.out, bin_ms=BIN_MS,
                            sessions=[(s[0], w, s[1].tolist()) for s, w in zip(others, words[1:])],
                            recording_unit_ids=first[1].tolist(),
                            name="POYO PMd two sessions, reach condition (small)",
                            trained_on=", ".join(s[0] for s in sessions), extra_metadata={"provenance": provenance})
    export_seconds = time.time() - exported

    # Held-out accuracy through the saved file (what NeuroLens runs): each trial's bins 0:D (D = the session's
    # shortest trial, as `neurolens-cli infer` bins it by default), the readout averaged over the bins.
    loaded = torch.jit.load(str(args.out))
    accuracy = {}
    for s, (identifier, _, trials, labels, label_index) in enumerate(sessions):
        shortest = min(len(t) for t in trials)
        x = torch.from_numpy(np.stack([t[:shortest] for t in trials]))
        with torch.no_grad():
            readout = loaded.forward_session(x, s)["readout"][..., offsets[s]:offsets[s + 1]].mean(dim=1)
        correct = (readout.argmax(dim=1).numpy() == label_index)
        accuracy[identifier] = {"train": round(float(correct[~held[s]].mean()), 4),
                                "held_out": round(float(correct[held[s]].mean()), 4),
                                "chance": round(1.0 / len(labels), 4)}
    summary = {"metadata": metadata, "train_seconds": round(train_seconds, 1),
               "export_seconds": round(export_seconds, 1),
               "final_loss": round(float(np.mean(losses[-50:])), 4) if losses else None,
               "readout_accuracy": accuracy, "file_bytes": args.out.stat().st_size}
    sidecar = args.out.with_suffix(".json")
    sidecar.write_text(json.dumps({**provenance, **{k: v for k, v in summary.items() if k != "metadata"}},
                                  indent=1) + "\n")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
