"""Throughput of ``batch --engine dask`` on a LocalCluster of 1 and 2 workers, beside the local
engine (``batch --jobs 1`` and ``--jobs 2``) on the same file in the same run; prints the machine.

    .venv/bin/python bench/bench_dask.py [--ads 3000] [--emscad]

The ads are the sample ads with variations (as in tests/test_dask_engine.py), about 370 bytes
each, or with --ad-bytes 3000 several of them joined into ads of about 3 KB (EMSCAD's size), or
with --emscad, where ../shared/data/emscad_train.csv is present, EMSCAD's own.
Every engine writes a JSONL file; the Dask files are checked to be byte-identical to the local
one. Dask is timed twice: the whole run (cluster start, each worker loading the model and
compiling the catalogue, scoring, writing, stop), and scoring alone on a started, warmed-up
cluster, which is what a long run on an existing cluster approaches.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

from bench_check import machine

ROOT = Path(__file__).resolve().parent.parent
EMSCAD = ROOT.parent / "shared" / "data" / "emscad_train.csv"
BLOCKSIZE = 256 << 10  # smaller than the default 4 MiB so that a few thousand ads make 10+ tasks


def emscad_records(count: int) -> list[dict[str, str]]:
    csv.field_size_limit(1 << 24)
    with EMSCAD.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    fields = ("title", "company_profile", "description", "requirements", "benefits")
    return [{"ref": str(n), "text": "\n".join(rows[n % len(rows)].get(f) or "" for f in fields)}
            for n in range(count)]


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from tests.test_dask_engine import make_records

    from scamscreen import dask_engine
    from scamscreen.batch import ScreenerSettings, run_batch
    from scamscreen.io.readers import open_input
    from scamscreen.partitions import fingerprint

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ads", type=int, default=3000)
    parser.add_argument("--ad-bytes", type=int, default=0, help="join sample ads to this size")
    parser.add_argument("--emscad", action="store_true", help="EMSCAD ads (about 3 KB each)")
    args = parser.parse_args(argv)
    records = emscad_records(args.ads) if args.emscad else make_records(args.ads)
    if args.ad_bytes and not args.emscad:
        pool, records = make_records(args.ads * (args.ad_bytes // 300 + 1)), []
        for number in range(args.ads):
            text = ""
            while len(text.encode()) < args.ad_bytes and pool:
                text += pool.pop()["text"] + "\n\n"
            records.append({"ref": str(number), "text": text})
    size = sum(len(r["text"].encode()) for r in records) / len(records)
    settings = ScreenerSettings()
    print(f"machine: {machine()}")
    print(f"{len(records):,} ads, {size:,.0f} bytes each on average")

    from dask.distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        path = folder / "ads.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                        encoding="utf-8")
        rates: dict[str, float] = {}
        for workers in (1, 2):  # interleaved, so that a change in the machine's load hits all
            started = time.perf_counter()
            run_batch(open_input(path), folder / "local.jsonl", fmt="jsonl", settings=settings,
                      jobs=workers)
            rates[f"local engine, --jobs {workers}"] = (
                len(records) / (time.perf_counter() - started))
            expected = (folder / "local.jsonl").read_bytes()
            started = time.perf_counter()
            dask_engine.run([path], settings, output=folder / "dask.jsonl", output_format="jsonl",
                            jobs=workers, blocksize=BLOCKSIZE)
            rates[f"dask, {workers} worker(s), whole run"] = (
                len(records) / (time.perf_counter() - started))
            assert (folder / "dask.jsonl").read_bytes() == expected, "outputs differ"
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              dashboard_address=":0") as cluster, Client(cluster) as client:
                client.run(fingerprint, settings)  # warm: model loaded, catalogue compiled
                started = time.perf_counter()
                dask_engine.run([path], settings, client=client, output=folder / "dask.jsonl",
                                output_format="jsonl", blocksize=BLOCKSIZE)
                rates[f"dask, {workers} worker(s), warm cluster"] = (
                    len(records) / (time.perf_counter() - started))
            assert (folder / "dask.jsonl").read_bytes() == expected, "outputs differ"
    base = rates["local engine, --jobs 1"]
    for name, rate in rates.items():
        print(f"{name:<34} {rate:8.1f} ads/s  ({rate / base:.2f}x local --jobs 1)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
