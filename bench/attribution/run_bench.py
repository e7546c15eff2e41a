#!/usr/bin/env python3
"""Attribution benchmark driver: NeuroLens vs Captum, side by side in one run.

Same models (2-layer d=128 transformer; bidirectional GRU; 16 latents each), same data (Poisson counts made
by bench_attribution and handed to Captum), same device, same LibTorch thread count, 50 Gauss-Legendre steps,
all 16 latents; NeuroLens and Captum alternate --rounds times per model so machine load hits both alike.
Reference = Captum's IntegratedGradients as users call it (one call per latent, all steps in one
internal batch). Prints a table and writes bench/results/attribution.md.

Usage: run_bench.py --bench BUILD/bin/bench_attribution [--trials 64] [--device auto|cpu|cuda]
                    [--precisions fp32,tf32,bf16] [--models transformer,bigru] [--repeats 3] [--rounds 1]
                    [--threads N] [--out bench/results/attribution.md]
Run it with a Python that has torch and captum (the project venv, or PYTHONPATH=<captum>).
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    text = f"{cpu}, {os.cpu_count()} hardware threads, load average {os.getloadavg()[0]:.1f} at start"
    if torch.cuda.is_available():
        text += f"; GPU {torch.cuda.get_device_name(0)}"
    return text + f"; Python torch {torch.__version__}"


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


def load() -> str:
    return "{:.1f}".format(os.getloadavg()[0])


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--bench", required=True, help="path of the built bench_attribution")
    p.add_argument("--trials", type=int, default=64)
    p.add_argument("--bins", type=int, default=50)
    p.add_argument("--units", type=int, default=128)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--device", default="auto")
    p.add_argument("--precisions", default="")
    p.add_argument("--models", default="transformer,bigru")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--rounds", type=int, default=1,
                   help="alternate NeuroLens and Captum this many times per model (the ratio is taken per round)")
    p.add_argument("--threads", type=int, default=torch.get_num_threads(),
                   help="LibTorch intra-op threads for BOTH sides (default: this Python's torch default)")
    p.add_argument("--out", default=os.path.join(HERE, "..", "results", "attribution.md"))
    a = p.parse_args()
    device = a.device if a.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    precisions = a.precisions or ("fp32,tf32,bf16" if device == "cuda" else "fp32,bf16")
    started = machine()
    uptime_start = uptime()
    sections = []
    summary = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in a.models.split(","):
            model = os.path.join(tmp, f"bench_{kind}.pt")
            data = os.path.join(tmp, "counts.f32")
            subprocess.run([sys.executable, os.path.join(HERE, "make_bench_model.py"), model, str(a.units),
                            str(a.bins), kind], check=True)
            rounds = []
            for r in range(a.rounds):
                before = load()
                # NEUROLENS_DEBUG_ATTRIBUTION: the run's notes say what the CPU rewrites changed (reported below).
                ours = subprocess.run([a.bench, "--model", model, "--trials", str(a.trials), "--bins", str(a.bins),
                                       "--units", str(a.units), "--steps", str(a.steps), "--repeats", str(a.repeats),
                                       "--device", device, "--precisions", precisions, "--threads", str(a.threads),
                                       "--write-input", data],
                                      check=True, capture_output=True, text=True,
                                      env=dict(os.environ, NEUROLENS_DEBUG_ATTRIBUTION="1")).stdout
                rows = [json.loads(line) for line in ours.splitlines() if line.strip()]
                middle = load()
                captum = subprocess.run([sys.executable, os.path.join(HERE, "captum_bench.py"), "--model", model,
                                         "--input", data, "--shape", f"{a.trials},{a.bins},{a.units}", "--steps",
                                         str(a.steps), "--repeats", str(a.repeats), "--device", device, "--threads",
                                         str(a.threads)],
                                        check=True, capture_output=True, text=True).stdout
                reference = json.loads(captum.strip().splitlines()[-1])
                rounds.append((rows, reference, f"{before} / {middle} / {load()}"))
                fp32 = [row for row in rows if row["precision"] == "fp32"]
                if fp32:
                    print(f"{kind} round {r + 1}: captum {reference['seconds']:.3f} s, neurolens fp32 "
                          f"{fp32[0]['seconds']:.3f} s, {reference['seconds'] / fp32[0]['seconds']:.2f}x "
                          f"(load {rounds[-1][2]})", flush=True)
            lines = ["| round | implementation | precision | seconds | speed-up vs Captum | max relative completeness "
                     "| load avg (start / between / end) |", "| ---: | --- | --- | ---: | ---: | ---: | --- |"]
            ratios = []
            for r, (rows, reference, loads) in enumerate(rounds, 1):
                lines.append(f"| {r} | Captum IntegratedGradients (one call per latent) | fp32 | "
                             f"{reference['seconds']:.3f} | 1.00x | {reference['max_rel_completeness']:.2e} | {loads} |")
                for row in rows:
                    ratio = reference["seconds"] / row["seconds"]
                    if row["precision"] == "fp32":
                        ratios.append((ratio, row["max_rel_completeness"] / max(reference["max_rel_completeness"],
                                                                                 1e-30)))
                    lines.append(f"| {r} | NeuroLens | {row['precision']} | {row['seconds']:.3f} | {ratio:.2f}x | "
                                 f"{row['max_rel_completeness']:.2e} | |")
            notes = sorted({note for rows, _, _ in rounds for row in rows for note in row.get("notes", [])})
            sections.append(f"### {kind}\n\n" + "\n".join(lines) +
                            "".join(f"\n\nNeuroLens note: {note}" for note in notes))
            if ratios:
                speed = sorted(x[0] for x in ratios)
                summary.append(f"| {kind} | {statistics.median(speed):.2f}x | {speed[0]:.2f}x - {speed[-1]:.2f}x | "
                               f"{max(x[1] for x in ratios):.2f} |")

    config = (f"{a.trials} trials x {a.bins} bins x {a.units} units, 16 latents (all targets), {a.steps} "
              f"Gauss-Legendre steps, device {device}, {a.threads} LibTorch thread(s) on both sides, median of "
              f"{a.repeats} timed runs after a warm-up per process, NeuroLens and Captum alternated {a.rounds} "
              f"time(s) per model")
    head = ("| model | fp32 speed-up vs Captum (median over rounds) | range | NeuroLens / Captum max relative "
            "completeness (worst round) |\n| --- | ---: | --- | ---: |\n" + "\n".join(summary))
    print(config)
    print(head)
    report = (f"# Attribution benchmark\n\nMeasured {datetime.date.today().isoformat()} on: {started}.\n"
              f"`uptime` at start: `{uptime_start}`; at end: `{uptime()}`.\n\n"
              f"Configuration: {config}.\n\n{head}\n\n" + "\n\n".join(sections) + "\n\n"
              "Reproduce: `python bench/attribution/run_bench.py --bench BUILD/bin/bench_attribution` "
              "(see docs/attribution.md).\n")
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
