"""Size on disk and load time of the shipped model; prints the figures and the machine.

    .venv/bin/python bench/bench_model.py [--runs 7]

Load time is measured two ways: in-process (read, checksum, parse JSON, build the vocabulary:
``model.load_model``), median of several loads; and as a fresh process that imports
scamscreen and loads the model, against a fresh process that only imports scamscreen.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time

from bench_check import machine, median_seconds

from scamscreen.model import load_model, shipped_model_path


def _process_seconds(code: str, runs: int) -> float:
    return median_seconds([sys.executable, "-c", code], runs)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    path = shipped_model_path()
    data = path.read_bytes()
    print(f"machine: {machine()}")
    print(f"model: {path}")
    print(f"  size on disk: {len(data) / 1e6:.2f} MB ({len(data):,} bytes); "
          f"gzip -6 would be {len(gzip.compress(data, 6)) / 1e6:.2f} MB")
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        model = load_model(path)
        times.append(time.perf_counter() - started)
    print(f"  terms: {len(model.terms):,}")
    print(f"  load_model in-process: median {statistics.median(times) * 1000:.0f} ms "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}) over {args.runs} loads")
    importing = _process_seconds("import scamscreen.model", args.runs)
    loading = _process_seconds("from scamscreen.model import load_model; load_model()", args.runs)
    print(f"  fresh process, import only: {importing * 1000:.0f} ms; import + load: "
          f"{loading * 1000:.0f} ms; load adds {(loading - importing) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
