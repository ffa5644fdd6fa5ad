"""Where a batch worker's time goes: microseconds per advert for each stage of screening.

    .venv/bin/python bench/bench_stages.py              # EMSCAD texts, or the samples
    .venv/bin/python bench/bench_stages.py --ads 1000 --rounds 3

Runs in one process on warm state (the catalogue's pattern sets and RE2's automata built by a
first pass over the same ads), the way a worker spends a long run. Each stage is timed over
all ads before the next, so a stage's figure includes the cache misses it causes itself.
`bench/bench_batch.py` is the end-to-end figure; this one says which stage to work on. Batch
workers screen chunks (``screen_texts``); the one-by-one lines are what ``screen`` costs.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench_batch import load_texts
from bench_check import machine

from scamscreen.batch import CHUNK_SIZE, screen_text, screen_texts
from scamscreen.contacts import find_contacts
from scamscreen.normalize import fold
from scamscreen.rules import find_hits, find_hits_many
from scamscreen.screener import Screener


def per_ad_microseconds(function: Callable[[Any], Any], items: Sequence[Any],
                        rounds: int) -> tuple[float, list[Any]]:
    best = float("inf")
    results: list[Any] = []
    for _ in range(rounds):
        started = time.perf_counter()
        results = [function(item) for item in items]
        best = min(best, time.perf_counter() - started)
    return best / len(items) * 1e6, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ads", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many passes")
    options = parser.parse_args()
    texts, _, origin = load_texts()
    ads = -(-options.ads // CHUNK_SIZE) * CHUNK_SIZE  # whole chunks, so per-ad figures compare
    texts = [texts[n % len(texts)] for n in range(ads)]
    print(f"machine: {machine()}")
    print(f"{len(texts):,} ads from {origin}, {sum(map(len, texts)) / len(texts):,.0f} "
          f"characters on average; best of {options.rounds} passes, warm")
    screener = Screener()
    for text in texts:  # warm: pattern sets built, automata states cached
        screen_text(screener, text)
    catalogue, model = screener.catalogue, screener.model
    assert model is not None
    stages: list[tuple[str, float]] = []
    cost, folded = per_ad_microseconds(fold, texts, options.rounds)
    stages.append(("fold", cost))
    cost, contacts = per_ad_microseconds(find_contacts, folded, options.rounds)
    stages.append(("contacts", cost))
    cost, _ = per_ad_microseconds(lambda n: find_hits(catalogue, folded[n], contacts[n]),
                                  range(len(texts)), options.rounds)
    stages.append(("rules", cost))
    cost, _ = per_ad_microseconds(lambda f: model.predict_folded(f.text), folded, options.rounds)
    stages.append(("classifier", cost))
    chunks = [texts[n : n + CHUNK_SIZE] for n in range(0, len(texts), CHUNK_SIZE)]
    folded_chunks = [[f.text for f in folded[n : n + CHUNK_SIZE]]
                     for n in range(0, len(folded), CHUNK_SIZE)]
    cost, _ = per_ad_microseconds(lambda chunk: model.predict_many(chunk, 0), folded_chunks,
                                  options.rounds)
    stages.append((f"classifier, chunks of {CHUNK_SIZE}", cost / CHUNK_SIZE))
    spans = range(0, len(folded), CHUNK_SIZE)
    cost, _ = per_ad_microseconds(
        lambda n: find_hits_many(catalogue, folded[n : n + CHUNK_SIZE],
                                 contacts[n : n + CHUNK_SIZE]), spans, options.rounds)
    stages.append((f"rules, chunks of {CHUNK_SIZE}", cost / CHUNK_SIZE))
    one_by_one, _ = per_ad_microseconds(lambda t: screen_text(screener, t), texts,
                                        options.rounds)
    chunked, _ = per_ad_microseconds(lambda chunk: screen_texts(screener, chunk), chunks,
                                     options.rounds)
    chunked /= CHUNK_SIZE
    for name, value in stages:
        print(f"  {name:32s} {value:8.1f} µs/ad")
    print(f"  {'screen_text, one by one':32s} {one_by_one:8.1f} µs/ad "
          f"= {1e6 / one_by_one:,.0f} ads/s per core")
    print(f"  {f'screen_texts, chunks of {CHUNK_SIZE}':32s} {chunked:8.1f} µs/ad "
          f"= {1e6 / chunked:,.0f} ads/s per core")


if __name__ == "__main__":
    main()
