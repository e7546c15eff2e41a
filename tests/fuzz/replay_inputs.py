#!/usr/bin/env python3
"""Replays inputs through the program's own reading path and says which did not end cleanly.

Each file is read by `neurolens-cli info FILE` and `neurolens-cli bin FILE --out OUT` (with the limits the
program applies to every read, crash_report.h). A run ends cleanly when it
  - ends by itself (no signal) within --seconds (default 20) of wall-clock time,
  - stays within --memory-mb (default 1024) of peak resident memory,
  - exits 0, or 3 (bad input) with exactly one `error:` line on stderr that names the file,
  - leaves nothing behind in its output folder but a complete OUT (and nothing at all after an error).
With --expect-error only exit 3 is clean: every file given is known to be malformed.

This is the fuzzing verdict (tests/fuzz/run_fuzz.sh) and the regression test over tests/fuzz/corpus
(CTest fuzz_corpus_replay): whatever library a fuzzer's report blamed, an input is a finding exactly when
the program does not end cleanly on it.

Usage: replay_inputs.py --cli PATH [--expect-error] [--seconds S] [--memory-mb M] FILE_OR_FOLDER...
Exit status: 0 when every run ended cleanly, 1 otherwise (one line per finding on stdout).
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def inputs(paths):
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.name != "README.md")
        elif path.is_file():
            yield path


def measure(command, hard_limit_s):
    """Runs command; returns (exit status or -signal, stderr text, wall seconds, killed, peak RSS MiB)."""
    with tempfile.TemporaryFile() as err:
        start = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
        killed = False
        while True:  # os.wait4 gives this child's own peak RSS; poll it so that a hang can be killed
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid != 0:
                break
            if time.monotonic() - start > hard_limit_s and not killed:
                killed = True
                os.killpg(process.pid, signal.SIGKILL)
            time.sleep(0.01)
        wall = time.monotonic() - start
        process.returncode = 0  # reaped above; keep Popen from waiting again
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return code, text, wall, killed, usage.ru_maxrss / 1024.0


def verdict(file, name, result, out_dir, expect_error, seconds, memory_mb):
    code, err, wall, killed, peak_mib = result
    problems = []
    if killed:
        problems.append(f"did not end within {seconds * 2:.0f} s (killed)")
    elif code < 0:
        problems.append(f"killed by signal {signal.Signals(-code).name}")
    elif code not in (0, 3) or (expect_error and code != 3):
        problems.append(f"exit status {code}" + (" (expected 3: the file is malformed)" if code == 0 else ""))
    if wall > seconds:
        problems.append(f"took {wall:.1f} s (limit {seconds:.0f} s)")
    if peak_mib > memory_mb:
        problems.append(f"peak memory {peak_mib:.0f} MiB (limit {memory_mb:.0f} MiB)")
    if code != 0 and not killed:
        errors = [line for line in err.splitlines() if line.startswith("error: ")]
        if len(errors) != 1:
            problems.append(f"{len(errors)} 'error:' lines on stderr (expected one): {err.strip()[-300:]!r}")
        elif str(file) not in errors[0]:
            problems.append(f"error line does not name the file: {errors[0]!r}")
    left = sorted(p.name for p in out_dir.iterdir())
    allowed = ["out.h5"] if code == 0 else []
    if [n for n in left if n not in allowed]:
        problems.append(f"left behind in the output folder: {left}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", required=True)
    parser.add_argument("--expect-error", action="store_true")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--memory-mb", type=float, default=1024.0)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()

    files = list(inputs(args.paths))
    if not files:
        print("replay: no inputs found in " + " ".join(args.paths))
        return 1
    findings = 0
    slowest = (0.0, None)
    for file in files:
        for name in ("info", "bin"):
            with tempfile.TemporaryDirectory(prefix="neurolens-replay-") as folder:
                out_dir = Path(folder) / "out"
                out_dir.mkdir()
                command = [args.cli, name, str(file), "--quiet"]
                if name == "bin":
                    command += ["--out", str(out_dir / "out.h5")]
                result = measure(command, args.seconds * 2)
                problems = verdict(file, name, result, out_dir, args.expect_error, args.seconds, args.memory_mb)
                slowest = max(slowest, (result[2], f"{name} {file.name}"), key=lambda x: x[0])
                if problems:
                    findings += 1
                    print(f"FINDING: {name} {file}: " + "; ".join(problems))
    print(f"replay: {len(files)} input(s) x info, bin: {findings} finding(s); slowest run {slowest[0]:.1f} s "
          f"({slowest[1]})")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
