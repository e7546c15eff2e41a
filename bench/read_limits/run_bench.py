#!/usr/bin/env python3
"""What bounding every read costs: `neurolens-cli info` and `bin` with the reading limits on (the default)
and off (NEUROLENS_READ_MEMORY_MB=0, NEUROLENS_READ_SECONDS=0), interleaved run by run, on real recordings.

The limits are an interval timer and a soft RLIMIT_AS set around each read (app/common/crash_report.h); the
code that reads is the same either way, so the ratio of the medians is their whole cost.

With --baseline-cli (a neurolens-cli built from the commit before the limits), the same commands of that program
run in the same interleaving: its ratio is the whole change's cost, including `info` now reading every table value
and behavioural sample.

Usage: run_bench.py --cli build/bin/neurolens-cli [--baseline-cli OLD] [--runs 15] [--out FILE.md] FILE...
"""
import argparse
import datetime
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def timed(command, environment):
    start = time.perf_counter()
    subprocess.run(command, env=environment, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", required=True)
    parser.add_argument("--baseline-cli")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    limited = dict(os.environ)
    limited.pop("NEUROLENS_READ_MEMORY_MB", None)
    limited.pop("NEUROLENS_READ_SECONDS", None)
    unlimited = dict(os.environ, NEUROLENS_READ_MEMORY_MB="0", NEUROLENS_READ_SECONDS="0")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for file in args.files:
            for name in ("info", "bin"):
                def command_of(cli):
                    command = [cli, name, file, "--quiet"]
                    return command + ["--out", str(Path(folder) / "counts.h5")] if name == "bin" else command

                command = command_of(args.cli)
                timed(command, limited)  # warm the page cache
                on, off, base = [], [], []
                for _ in range(args.runs):  # interleaved, so that load changes hit all alike
                    on.append(timed(command, limited))
                    off.append(timed(command, unlimited))
                    if args.baseline_cli:
                        base.append(timed(command_of(args.baseline_cli), limited))
                rows.append((Path(file).name, name, statistics.median(off), statistics.median(on),
                             statistics.median(base) if base else None))

    load = os.getloadavg()
    lines = [
        "# Benchmark: the cost of bounded reads (`neurolens-cli info` / `bin`, limits on vs off)",
        "",
        f"Run by `bench/read_limits/run_bench.py` on {datetime.datetime.utcnow():%Y-%m-%d %H:%M} (UTC), "
        f"{args.runs} interleaved runs each, median wall time of the whole process.",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; "
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end (other work on the same cores).",
        "",
        "| recording | command | limits off (s) | limits on (s) | on / off | previous program (s) | on / previous |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for recording, name, off, on, base in rows:
        previous = f"{base:.3f} | {on / base:.3f}" if base else "- | -"
        lines.append(f"| {recording} | {name} | {off:.3f} | {on:.3f} | {on / off:.3f} | {previous} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
