#!/usr/bin/env python3
"""Streamed attribution over a whole real recording (issue 21 step 2): `attribute --stream-ms` on
m1_stevenson2011 at 50 ms with a CEBRA-style convolutional encoder and a bidirectional GRU (untrained, made by
tests/cli/python/make_stream_models.py), all latents, next to Captum's IntegratedGradients on the same windows
(captum_stream.py). Writes a markdown report.

Usage: run_stream_bench.py --cli BUILD/bin/neurolens-cli --python .venv/bin/python --out RESULT.md
       [--recording ../shared/data/m1_stevenson2011.nwb] [--stream-ms 20000] [--steps 50] [--threads 2]
       [--models conv,gru] [--captum-windows gru=K (Captum on the first K windows)]
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def load() -> str:
    return "%.1f" % os.getloadavg()[0]


def run(command, **kwargs):
    started = time.perf_counter()
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"failed ({done.returncode}): {' '.join(map(str, command))}")
    return done, wall


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--cli", required=True)
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--out", required=True)
    p.add_argument("--recording", default=str(ROOT.parent / "shared/data/m1_stevenson2011.nwb"))
    p.add_argument("--stream-ms", default="20000")
    p.add_argument("--steps", default="50")
    p.add_argument("--threads", default="2")
    p.add_argument("--models", default="conv,gru")
    p.add_argument("--captum-windows", action="append", default=[],
                   help="MODEL=K: Captum on the first K windows only for that model (time extrapolated)")
    a = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="stream_bench_"))
    made, _ = run([a.python, ROOT / "tests/cli/python/make_stream_models.py", work / "models", "171"])
    binned = work / "m1_50ms.h5"
    run([a.cli, "bin", a.recording, "--bin-ms", "50", "--out", binned, "--quiet"])
    names = {"conv": ("conv_meta", "CEBRA offset10-style convolution, 8 latents, field 5+4 from metadata"),
             "gru": ("gru", "bidirectional GRU (hidden 32), 8 latents, field measured by the probe")}
    rows = []
    for key in a.models.split(","):
        file, label = names[key]
        model = work / "models" / f"{file}.pt"
        out = work / f"{key}_stream.h5"
        env = dict(os.environ, OMP_NUM_THREADS=a.threads)
        before = load()
        done, wall = run([a.cli, "attribute", a.recording, "--model", model, "--bin-ms", "50", "--device", "cpu",
                          "--steps", a.steps, "--stream-ms", a.stream_ms, "--json", "--out", out], env=env)
        ours = json.loads(done.stdout)
        eta_lines = [line for line in done.stderr.splitlines() if "ETA" in line]
        between = load()
        captum_cmd = [a.python, HERE / "captum_stream.py", "--model", model, "--counts", binned, "--streamed", out,
                      "--steps", a.steps, "--threads", a.threads]
        limits = dict(item.split("=", 1) for item in a.captum_windows)
        if int(limits.get(key, 0)) > 0:
            captum_cmd += ["--windows", limits[key]]
        done, captum_wall = run(captum_cmd)
        captum = json.loads(done.stdout)
        rows.append({"model": key, "label": label, "ours": ours, "ours_wall": wall, "captum": captum,
                     "captum_wall": captum_wall, "load": (before, between, load()), "eta": eta_lines[:3]})
        print(json.dumps(rows[-1]), flush=True)

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines = ["# Streamed attribution over a whole recording (`attribute --stream-ms`)", "",
             f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on: {cpu}, {os.cpu_count()} hardware "
             f"threads (a 2-core VM shared with other builds: load averages below), LibTorch 1.13 (Debian), "
             f"captum in the project venv, {a.threads} threads on both sides.", "",
             f"Recording: {Path(a.recording).name} at 50 ms (1 continuous trial, 15,788 bins x 171 units), "
             f"`--stream-ms {a.stream_ms}`, integrated gradients, {a.steps} Gauss-Legendre steps, zero baseline, "
             "all 8 latents, device cpu. Models are untrained (random weights, seed 0): speed and memory do not "
             "depend on training; a trained GRU may need a longer context.", "",
             "| model | windows (context before+after) | NeuroLens s | NeuroLens peak RSS MiB | Captum s (windows) "
             "| Captum peak RSS MiB | speed-up | attributions max rel. difference | max rel. completeness "
             "NeuroLens / Captum | load (start / between / end) |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for r in rows:
        o, c = r["ours"], r["captum"]
        s = o["stream"]
        windows = s["windows"]
        captum_seconds = c["seconds"]
        scaled = captum_seconds * windows / c["windows"]
        note = "" if c["windows"] == windows else f" ({c['windows']} of {windows}; all: ~{scaled:.0f} s extrapolated)"
        lines.append(
            f"| {r['label']} | {windows} ({s['context_bins'][0]}+{s['context_bins'][1]}, "
            f"{s['receptive_field_source']}) | {o['compute_seconds']:.1f} | {o['peak_rss_mb']:.0f} | "
            f"{captum_seconds:.1f}{note} | {c['peak_rss_mb']:.0f} | {scaled / o['compute_seconds']:.2f}x | "
            f"{c['rel_diff']:.2e} | {o['max_rel_completeness']:.2e} / {c['max_rel_completeness']:.2e} | "
            f"{' / '.join(r['load'])} |")
    lines += ["", "NeuroLens seconds: `compute_seconds` of `--json` (after loading and binning, before writing; the "
              "GRU's includes the receptive-field probe, " + ", ".join(
                  f"{r['ours']['stream'].get('probe_seconds', 0):.1f} s" for r in rows if r["model"] == "gru") +
              "). Peak RSS: getrusage of each process (NeuroLens: the whole CLI process, LibTorch included; Captum: "
              "the Python process with torch). Attributions compared window by window over the widened window.", "",
              "ETA lines printed by NeuroLens (first three):", ""]
    for r in rows:
        lines.append(f"- {r['model']}: " + "; ".join(f"`{e.strip()}`" for e in r["eta"]))
    lines += ["", f"Reproduce: `python3 bench/attribution/run_stream_bench.py --cli build/bin/neurolens-cli --python "
              f".venv/bin/python --out bench/results/attribution-stream.md --stream-ms {a.stream_ms} --steps "
              f"{a.steps}`", ""]
    Path(a.out).write_text("\n".join(lines))
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
