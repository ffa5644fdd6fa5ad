"""Cold start of ``scamscreen check --json`` on one ad, beside bare Python and beside importing
scikit-learn, each a fresh process; prints medians and the machine.

    .venv/bin/python bench/bench_check.py [--runs 9] [--ad data/samples/example-ad.txt]

Target: the median ``check`` under 0.5 s. Each command runs once untimed first so that every
timed run sees a warm file cache (a cold disk measures the disk, not scamscreen).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 0.5


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return (f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, load average {load:.2f}")


def median_seconds(command: list[str], runs: int) -> tuple[float, list[float]]:
    subprocess.run(command, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--ad", type=Path, default=ROOT / "data/samples/example-ad.txt")
    args = parser.parse_args(argv)
    python = sys.executable
    scamscreen = str(Path(python).with_name("scamscreen"))
    bare, sklearn, check_name = ("python -c pass", "python -c 'import sklearn'",
                                 "scamscreen check --json")
    commands = {
        bare: [python, "-c", "pass"],
        sklearn: [python, "-c", "import sklearn"],
        check_name: [scamscreen, "check", "--json", "--file", str(args.ad)],
    }
    print(f"machine: {machine()}")
    print(f"median of {args.runs} runs each (after one warm-up run):")
    medians = {}
    for name, command in commands.items():
        medians[name], times = median_seconds(command, args.runs)
        print(f"  {name:<28} {medians[name]:.3f} s  (min {min(times):.3f}, max {max(times):.3f})")
    check = medians[check_name]
    print(f"check / bare python:       {check / medians[bare]:.2f}x")
    print(f"check / importing sklearn: {check / medians[sklearn]:.2f}x")
    verdict = "meets" if check < TARGET_SECONDS else "MISSES"
    print(f"target < {TARGET_SECONDS} s: {verdict} ({check:.3f} s)")
    return 0 if check < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
