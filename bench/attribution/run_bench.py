#!/usr/bin/env python3
"""Attribution benchmark driver: NeuroLens vs Captum, side by side in one run.

Same model (2-layer d=128 transformer, 16 latents), same data (Poisson counts made by
bench_attribution and handed to Captum), same device, 50 Gauss-Legendre steps, all 16 latents.
Reference = Captum's IntegratedGradients as users call it (one call per latent, all steps in one
internal batch). Prints a table and writes bench/results/attribution.md.

Usage: run_bench.py --bench BUILD/bin/bench_attribution [--trials 64] [--device auto|cpu|cuda]
                    [--precisions fp32,tf32,bf16] [--repeats 3] [--out bench/results/attribution.md]
Run it with a Python that has torch and captum (the project venv, or PYTHONPATH=<captum>).
"""
import argparse
import datetime
import json
import os
import platform
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


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--bench", required=True, help="path of the built bench_attribution")
    p.add_argument("--trials", type=int, default=64)
    p.add_argument("--bins", type=int, default=50)
    p.add_argument("--units", type=int, default=128)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--device", default="auto")
    p.add_argument("--precisions", default="")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", default=os.path.join(HERE, "..", "results", "attribution.md"))
    a = p.parse_args()
    device = a.device if a.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    precisions = a.precisions or ("fp32,tf32,bf16" if device == "cuda" else "fp32,bf16")

    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "bench_model.pt")
        data = os.path.join(tmp, "counts.f32")
        subprocess.run([sys.executable, os.path.join(HERE, "make_bench_model.py"), model, str(a.units), str(a.bins)],
                       check=True)
        ours = subprocess.run([a.bench, "--model", model, "--trials", str(a.trials), "--bins", str(a.bins), "--units",
                               str(a.units), "--steps", str(a.steps), "--repeats", str(a.repeats), "--device", device,
                               "--precisions", precisions, "--write-input", data],
                              check=True, capture_output=True, text=True).stdout
        rows = [json.loads(line) for line in ours.splitlines() if line.strip()]
        captum = subprocess.run([sys.executable, os.path.join(HERE, "captum_bench.py"), "--model", model, "--input", data,
                                 "--shape", f"{a.trials},{a.bins},{a.units}", "--steps", str(a.steps), "--repeats",
                                 str(a.repeats), "--device", device],
                                check=True, capture_output=True, text=True).stdout
        reference = json.loads(captum.strip().splitlines()[-1])

    config = (f"{a.trials} trials x {a.bins} bins x {a.units} units, 2-layer d=128 transformer, 16 latents (all "
              f"targets), {a.steps} Gauss-Legendre steps, device {device}, median of {a.repeats} runs after a warm-up")
    header = "| implementation | precision | seconds | speed-up vs Captum | max relative completeness |"
    lines = [header, "| --- | --- | ---: | ---: | ---: |",
             f"| Captum IntegratedGradients (one call per latent) | fp32 | {reference['seconds']:.3f} | 1.00x | "
             f"{reference['max_rel_completeness']:.2e} |"]
    for row in rows:
        lines.append(f"| NeuroLens | {row['precision']} | {row['seconds']:.3f} | "
                     f"{reference['seconds'] / row['seconds']:.2f}x | {row['max_rel_completeness']:.2e} |")
    table = "\n".join(lines)
    print(config)
    print(table)
    report = (f"# Attribution benchmark\n\nMeasured {datetime.date.today().isoformat()} on: {machine()}.\n\n"
              f"Configuration: {config}.\n\n{table}\n\n"
              "Reproduce: `python bench/attribution/run_bench.py --bench BUILD/bin/bench_attribution` "
              "(see docs/attribution.md).\n")
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
