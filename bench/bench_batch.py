"""Benchmark `scamscreen batch`: throughput, peak memory, and the ratio to plain scikit-learn.

    .venv/bin/python bench/bench_batch.py                # 20,000 ads, default --jobs
    .venv/bin/python bench/bench_batch.py --rows 5000 --jobs 1
    .venv/bin/python bench/bench_batch.py --gigabytes 1  # the memory check: a ~1 GB input
    .venv/bin/python bench/bench_batch.py --per-ad       # also 40,000 ads: start-up vs per ad
    .venv/bin/python bench/bench_batch.py --multilingual # dense Chinese/Thai/Vietnamese/... ads

The input is built in a temporary folder from the EMSCAD texts in ../shared/data (never copied
into the repository), or from data/samples/ads.jsonl when they are absent. The run is the real
CLI in a subprocess, rules and classifier both on; peak RSS is sampled from /proc over the
whole process tree (main process plus workers). In the same run, a plain scikit-learn pipeline
(TfidfVectorizer with word 1-2 grams + LogisticRegression, fitted on the same texts) times
`predict_proba` over the same ads, so the ratio holds on a busy machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_check import machine

ROOT = Path(__file__).resolve().parent.parent
EMSCAD = ROOT.parent / "shared" / "data" / "emscad_train.csv"
SAMPLES = ROOT / "data" / "samples" / "ads.jsonl"


def load_texts() -> tuple[list[str], list[int], str]:
    if EMSCAD.exists():
        csv.field_size_limit(sys.maxsize)
        with EMSCAD.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return [r["text"] for r in rows], [int(r["fraudulent"]) for r in rows], str(EMSCAD)
    rows = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines()]
    return [r["text"] for r in rows], [int(r["label"]) for r in rows], str(SAMPLES)


def dense_sample_texts() -> tuple[list[str], list[int], str]:
    """Adverts of ~2.7 KB made of five sample ads each: Chinese, Thai, Vietnamese, Indonesian
    and English recruitment bait side by side, far denser in red flags than EMSCAD."""
    rows = [json.loads(line) for name in ("ads.jsonl", "holdout.jsonl")
            for line in (SAMPLES.parent / name).read_text(encoding="utf-8").splitlines()]
    texts = [" ".join(rows[(n + k) % len(rows)]["text"] for k in range(5))
             for n in range(len(rows))]
    labels = [max(int(rows[(n + k) % len(rows)]["label"]) for k in range(5))
              for n in range(len(rows))]
    return texts, labels, "data/samples (five sample ads per advert)"


def write_input(path: Path, texts: list[str], rows: int, target_bytes: int) -> int:
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        number = 0
        while (number < rows) if not target_bytes else (handle.tell() < target_bytes):
            writer.writerow([f"ad-{number}", texts[number % len(texts)]])
            number += 1
        written = number
        handle.flush()
        # On disk before the clock starts: the kernel writing back our own input while the run
        # is timed would be charged to the run.
        os.fsync(handle.fileno())
    return written


def _tree_rss_kb(pid: int) -> tuple[int, int]:
    """(sum, largest) RSS in kB over ``pid`` and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        child = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip() or 0), []).append(child)
        rss[child] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total, largest, stack = 0, 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        largest = max(largest, rss.get(current, 0))
        stack.extend(children.get(current, []))
    return total, largest


def run_cli(input_path: Path, output: Path, jobs: int | None) -> dict[str, float]:
    command = [str(ROOT / ".venv" / "bin" / "scamscreen"), "batch", str(input_path),
               "-o", str(output), "-q"]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    process = subprocess.Popen(command)
    peak_total = peak_single = 0
    while process.poll() is None:
        total, single = _tree_rss_kb(process.pid)
        peak_total, peak_single = max(peak_total, total), max(peak_single, single)
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"scamscreen batch failed with exit status {process.returncode}")
    return {"seconds": seconds, "peak_rss_mb_total": peak_total / 1024,
            "peak_rss_mb_largest_process": peak_single / 1024}


def sklearn_baseline(texts: list[str], labels: list[int], rows: int) -> float:
    """Ads per second for plain TfidfVectorizer + LogisticRegression predict_proba."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipeline = make_pipeline(TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2),
                             LogisticRegression(max_iter=1000))
    pipeline.fit(texts, labels)
    ads = [texts[n % len(texts)] for n in range(rows)]
    started = time.perf_counter()
    for first in range(0, rows, 2000):
        pipeline.predict_proba(ads[first : first + 2000])
    return rows / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--gigabytes", type=float, default=0.0,
                        help="build an input of this size instead of --rows ads")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--multilingual", action="store_true",
                        help="dense multilingual adverts built from data/samples instead of "
                             "EMSCAD (the worst case for the rules' memory)")
    parser.add_argument("--per-ad", action="store_true",
                        help="also run twice the rows, to split the time into a fixed start-up "
                             "and a rate per advert")
    options = parser.parse_args()
    texts, labels, origin = dense_sample_texts() if options.multilingual else load_texts()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="scamscreen-bench-") as folder:
        input_path = Path(folder) / "ads.csv"
        rows = write_input(input_path, texts, options.rows, int(options.gigabytes * (1 << 30)))
        size = input_path.stat().st_size
        print(f"input: {rows:,} ads, {size / (1 << 20):,.1f} MiB "
              f"({size / rows:,.0f} bytes per row) from {origin}")
        measured = run_cli(input_path, Path(folder) / "out.csv", options.jobs)
        with (Path(folder) / "out.csv").open(encoding="utf-8", newline="") as handle:
            out_rows = sum(1 for _ in csv.reader(handle)) - 1
        ours = rows / measured["seconds"]
        doubled = None
        if options.per_ad:
            write_input(input_path, texts, 2 * rows, 0)
            doubled = run_cli(input_path, Path(folder) / "out.csv", options.jobs)["seconds"]
        baseline = sklearn_baseline(texts, labels, min(rows, 20_000))
    print(f"scamscreen batch: {ours:,.0f} ads/s ({measured['seconds']:.1f} s, "
          f"jobs={options.jobs or os.cpu_count()}), rules + classifier, {out_rows:,} rows out")
    if doubled is not None:
        # Two runs differ only in rows: the difference is the cost of the extra rows alone.
        per_ad = rows / (doubled - measured["seconds"])
        fixed = measured["seconds"] - rows / per_ad
        print(f"{2 * rows:,} ads: {2 * rows / doubled:,.0f} ads/s ({doubled:.1f} s); "
              f"so per advert {per_ad:,.0f} ads/s after a fixed start-up of {fixed:.1f} s")
    print(f"peak RSS: {measured['peak_rss_mb_total']:,.0f} MB over all processes, "
          f"{measured['peak_rss_mb_largest_process']:,.0f} MB in the largest")
    print(f"scikit-learn TfidfVectorizer + LogisticRegression predict_proba, one process: "
          f"{baseline:,.0f} ads/s")
    print(f"ratio: {ours / baseline:.2f}x scikit-learn")


if __name__ == "__main__":
    main()
