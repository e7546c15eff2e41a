#!/usr/bin/env python3
"""GPU attribution benchmark (issue 21 step 5): NeuroLens against a Captum-style reference on the same device.

Model: the bench transformer (2 layers, d=128, 4 heads, 16 latents; bench/attribution/make_bench_model.py),
64 trials x 50 bins x 128 units, 50 Gauss-Legendre steps, all 16 latents; fp32, tf32 and bf16. The reference
is bench/gpu/reference_ig.py (Captum's algorithm in plain PyTorch: the machine has no Captum and no network;
checked against Captum itself on the developer machine to 2e-7). Both sides read the same counts (written by
bench_attribution). Reports seconds, ratio, max relative completeness and TFLOP/s (the reference's work
counted by torch.utils.flop_counter, divided by each side's time) against the device's dense peak.

Usage: run_gpu_bench.py --bench build-gpu/bin/bench_attribution [--out bench/results/attribution-gpu.md]
       [--trials 64] [--device cuda] [--precisions fp32,tf32,bf16] [--repeats 3]
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
ROOT = os.path.join(HERE, "..", "..")

# Dense peak TFLOP/s (NVIDIA data sheets, SXM): fp32, tf32 and bf16 tensor cores without sparsity.
PEAKS = {"H100": {"fp32": 67.0, "tf32": 494.7, "bf16": 989.4},
         "H200": {"fp32": 67.0, "tf32": 494.7, "bf16": 989.4}}


def peak_for(name: str, precision: str):
    for key, peaks in PEAKS.items():
        if key in name:
            return peaks[precision]
    return None


def run_json(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"error: {' '.join(cmd)} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--bench", required=True)
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "attribution-gpu.md"))
    p.add_argument("--trials", type=int, default=64)
    p.add_argument("--bins", type=int, default=50)
    p.add_argument("--units", type=int, default=128)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--precisions", default="fp32,tf32,bf16")
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    precisions = [x for x in a.precisions.split(",") if x]
    device_name = torch.cuda.get_device_name(0) if a.device == "cuda" else platform.processor() or "cpu"
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "transformer.pt")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "attribution", "make_bench_model.py"), model,
                        str(a.units), str(a.bins), "transformer"], check=True)
        counts = os.path.join(tmp, "counts.f32")
        common = ["--model", model, "--trials", str(a.trials), "--bins", str(a.bins), "--units", str(a.units),
                  "--steps", str(a.steps), "--repeats", str(a.repeats), "--device", a.device]
        if a.threads > 0:
            common += ["--threads", str(a.threads)]
        ours = {line["precision"]: line for line in
                run_json([a.bench] + common + ["--precisions", ",".join(precisions), "--write-input", counts])}
        rows = []
        for precision in precisions:
            ref_cmd = [sys.executable, os.path.join(HERE, "reference_ig.py"), "--model", model, "--input", counts,
                       "--shape", f"{a.trials},{a.bins},{a.units}", "--steps", str(a.steps), "--repeats",
                       str(a.repeats), "--device", a.device, "--precision", precision]
            if a.threads > 0:
                ref_cmd += ["--threads", str(a.threads)]
            ref = run_json(ref_cmd)[0]
            mine = ours[precision]
            flops = ref.get("flops")
            peak = peak_for(device_name, precision)
            rows.append({
                "precision": precision, "neurolens_s": mine["seconds"], "reference_s": ref["seconds"],
                "ratio": ref["seconds"] / mine["seconds"],
                "completeness_neurolens": mine["max_rel_completeness"],
                "completeness_reference": ref["max_rel_completeness"],
                "tflops_neurolens": flops / mine["seconds"] / 1e12 if flops else None,
                "tflops_reference": flops / ref["seconds"] / 1e12 if flops else None,
                "peak": peak, "notes": mine.get("notes", []), "chunk_trials": mine.get("chunk_trials")})
            print(json.dumps(rows[-1]))
    goals = {"fp32": 2.0, "tf32": 8.0, "bf16": 8.0}
    lines = [
        "# Attribution on the GPU: NeuroLens vs a Captum-style reference (issue 21 step 5)",
        "",
        f"Made by `bench/gpu/run.sh` on {datetime.date.today().isoformat()}: {device_name}, PyTorch "
        f"{torch.__version__} (its LibTorch for NeuroLens), {platform.node()}.",
        f"Transformer (2 layers, d=128, 4 heads, 16 latents), {a.trials} trials x {a.bins} bins x {a.units} units, "
        f"{a.steps} Gauss-Legendre steps, all latents, median of {a.repeats} after a warm-up.",
        "TFLOP/s = the reference's forward + backward work (torch.utils.flop_counter) / each side's seconds.",
        "",
        "| precision | NeuroLens s | reference s | ratio (goal) | completeness NeuroLens / reference | "
        "TFLOP/s NeuroLens / reference | dense peak |",
        "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        tf = (f"{r['tflops_neurolens']:.1f} / {r['tflops_reference']:.1f}" if r["tflops_neurolens"] else "n/a")
        lines.append(f"| {r['precision']} | {r['neurolens_s']:.3f} | {r['reference_s']:.3f} | {r['ratio']:.2f}x "
                     f"({goals.get(r['precision'], 0):.0f}x) | {r['completeness_neurolens']:.2e} / "
                     f"{r['completeness_reference']:.2e} | {tf} | {r['peak'] or 'unknown'} |")
    notes = sorted({n for r in rows for n in r["notes"]})
    if notes:
        lines += ["", "NeuroLens run notes: " + "; ".join(notes)]
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
