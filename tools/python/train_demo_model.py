"""Train the bundled demo model on the demo recording (resources/demo/demo_model.pt).

    neurolens-cli demo --out /tmp/demo --recording-only
    /usr/bin/python3 tools/python/train_demo_model.py /tmp/demo/demo.nwb resources/demo/demo_model.pt

Reads the NWB file with h5py (20 ms bins, 0-1000 ms of every trial), trains a
bidirectional GRU encoder with a linear readout to 8 latents and a log-rate
readout from the latents (Poisson likelihood) on 80 % of the trials, reports
bits per spike on the held-out 20 % (as nlb_tools.evaluation.bits_per_spike
computes it), and exports TorchScript with neurolens.json metadata through
neurolens_export.py. CPU, torch 1.13 or later, about a minute.
"""
import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Dict

import h5py
import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from neurolens_export import export_model  # noqa: E402

BIN_S = 0.02
WINDOW_S = 1.0
LATENTS = 8


class DemoEncoder(nn.Module):
    """counts [batch, bins, units] -> latents [batch, bins, 8] -> rates [batch, bins, units]."""

    def __init__(self, units: int, hidden: int = 32, latents: int = LATENTS, dropout: float = 0.2):
        super().__init__()
        self.embed = nn.Linear(units, hidden)
        self.dropout = nn.Dropout(dropout)
        self.gru = nn.GRU(hidden, hidden, batch_first=True, bidirectional=True)
        self.to_latents = nn.Linear(2 * hidden, latents)
        self.to_log_rates = nn.Linear(latents, units)

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        h = self.dropout(torch.relu(self.embed(torch.log1p(x))))
        h, _ = self.gru(h)
        latents = self.to_latents(self.dropout(h))
        log_rates = self.to_log_rates(latents)
        return {"latents": latents, "rates": torch.exp(log_rates)}


def read_counts(path: Path):
    """Counts [trials, bins, units] from an NWB file written as pynwb does."""
    with h5py.File(path, "r") as f:
        times = f["units/spike_times"][:]
        ends = f["units/spike_times_index"][:]
        unit_ids = f["units/id"][:]
        starts = f["intervals/trials/start_time"][:]
    bins = int(round(WINDOW_S / BIN_S))
    counts = np.zeros((len(starts), bins, len(ends)), dtype=np.float32)
    begin = 0
    for unit, end in enumerate(ends):
        unit_times = times[begin:end]
        begin = end
        for trial, start in enumerate(starts):
            edges = start + np.arange(bins + 1) * BIN_S
            counts[trial, :, unit] = np.histogram(unit_times, bins=edges)[0]
    return counts, unit_ids


def bits_per_spike(rates: np.ndarray, spikes: np.ndarray) -> float:
    """nlb_tools.evaluation.bits_per_spike (null model: each unit's mean count per bin)."""
    from scipy.special import gammaln

    def nll(r, n):
        r = np.where(r == 0, 1e-9, r)
        return np.sum(r - n * np.log(r) + gammaln(n + 1.0))

    null = np.broadcast_to(spikes.mean(axis=(0, 1), keepdims=True), spikes.shape)
    return float((nll(null, spikes) - nll(rates, spikes)) / spikes.sum() / math.log(2))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("nwb", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    counts, unit_ids = read_counts(args.nwb)
    trials, bins, units = counts.shape
    order = np.random.default_rng(args.seed).permutation(trials)
    held_out = np.sort(order[: trials // 5])
    train = np.sort(order[trials // 5:])
    x_train = torch.from_numpy(counts[train])
    x_test = torch.from_numpy(counts[held_out])
    print(f"{args.nwb}: {trials} trials x {bins} bins x {units} units; training on {len(train)}, "
          f"holding out {len(held_out)}", file=sys.stderr)

    model = DemoEncoder(units)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs)
    loss_fn = nn.PoissonNLLLoss(log_input=False, full=False)
    started = time.time()
    for epoch in range(args.epochs):
        model.train()
        for batch in torch.randperm(len(train)).split(64):
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[batch])["rates"], x_train[batch])
            loss.backward()
            optimizer.step()
        scheduler.step()
        if epoch % 10 == 0 or epoch == args.epochs - 1:
            model.eval()
            with torch.no_grad():
                test_rates = model(x_test)["rates"].numpy()
            print(f"epoch {epoch:4d}  train loss {loss.item():.4f}  held-out bits/spike "
                  f"{bits_per_spike(test_rates, counts[held_out]):.4f}  ({time.time() - started:.0f} s)",
                  file=sys.stderr)

    model.eval()
    with torch.no_grad():
        held_out_bps = bits_per_spike(model(x_test)["rates"].numpy(), counts[held_out])
        train_bps = bits_per_spike(model(x_train)["rates"].numpy(), counts[train])
    metadata = export_model(
        model, args.out, units=units, bins=bins, bin_ms=BIN_S * 1000, name="NeuroLens demo GRU encoder",
        trained_on="neurolens-cli demo (seed 1)", unit_ids=unit_ids,
        extra_metadata={"held_out_trials": [int(t) for t in held_out],
                        "held_out_bits_per_spike": round(held_out_bps, 4),
                        "train_bits_per_spike": round(train_bps, 4),
                        "window_ms": [0, int(WINDOW_S * 1000)]})
    size = args.out.stat().st_size
    print(json.dumps({"held_out_bits_per_spike": held_out_bps, "train_bits_per_spike": train_bps,
                      "bytes": size, "seconds": round(time.time() - started, 1),
                      "latents": metadata["latents"]}))
    if held_out_bps <= 0:
        print("error: the model does not beat the null model on held-out trials", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
