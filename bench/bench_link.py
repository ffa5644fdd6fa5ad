"""How long linking a large batch takes: `python bench/bench_link.py [N]` (default 100,000 ads).

Synthetic ads, built so that the answer is known: a quarter are reposts of 2,000 templates
(each repost with ~8% of its words changed and its own contact line), a quarter share one of
3,000 recruiter contacts written in different ways (t.me link or @name, wa.me link or
+855 number), and half are distinct. Words come from the project's sample ads. Prints the
time to extract contacts, the time to link, the clusters found, and the machine.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import numpy as np
from bench_check import machine

from scamscreen.contacts import find_contacts
from scamscreen.link import link

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples" / "ads.jsonl"


def make_ads(count: int, seed: int = 7) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)
    words = sorted({w for line in SAMPLES.read_text(encoding="utf-8").splitlines()
                    for w in json.loads(line)["text"].split() if len(w) > 2 and w.isalpha()})
    templates = [[rng.choice(words) for _ in range(rng.randint(40, 120))] for _ in range(2000)]
    texts, truth = [], []
    for index in range(count):
        roll = rng.random()
        if roll < 0.25:
            template_number = rng.randrange(len(templates))
            body = [w if rng.random() > 0.08 else rng.choice(words)
                    for w in templates[template_number]]
            contact = f"Telegram @solo_{index}"
            truth.append(template_number)
        elif roll < 0.5:
            recruiter = rng.randrange(3000)
            body = [rng.choice(words) for _ in range(rng.randint(30, 100))]
            number = f"97{recruiter:07d}"
            contact = rng.choice([f"t.me/recruit_{recruiter}", f"TG: @recruit_{recruiter}",
                                  f"wa.me/855{number}",
                                  f"WhatsApp +855 {number[:2]} {number[2:5]} {number[5:]}"])
            truth.append(10_000 + recruiter if "recruit_" in contact else 20_000 + recruiter)
        else:
            body = [rng.choice(words) for _ in range(rng.randint(30, 100))]
            contact = f"email hr{index}@example{index}.com"
            truth.append(-1)
        texts.append(" ".join(body) + "\n" + contact)
    return texts, truth


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    texts, truth = make_ads(count)
    ids = [f"ad-{i}" for i in range(count)]
    started = time.perf_counter()
    contacts = [find_contacts(text) for text in texts]
    contacts_seconds = time.perf_counter() - started
    started = time.perf_counter()
    linking = link(ids, texts, contacts, [None] * count)
    link_seconds = time.perf_counter() - started
    groups: dict[int, list[str]] = {}
    for ad_id, group in zip(ids, truth, strict=True):
        if group >= 0:
            groups.setdefault(group, []).append(ad_id)
    planted = [members for members in groups.values() if len(members) > 1]
    recovered = sum(1 for members in planted
                    if len({linking.cluster_of.get(m, m) for m in members}) == 1)
    expected = sum(len(m) for m in planted)
    clustered = len(linking.cluster_of)
    print(f"ads: {count:,}")
    print(f"contacts extracted in {contacts_seconds:.1f} s "
          f"({count / contacts_seconds:,.0f} ads/s)")
    print(f"linked in {link_seconds:.1f} s ({count / link_seconds:,.0f} ads/s)")
    largest = linking.clusters[0].size if linking.clusters else 0
    print(f"clusters: {len(linking.clusters):,} (largest {largest}); planted groups recovered "
          f"whole: {recovered:,} of {len(planted):,}; ads clustered: {clustered:,} "
          f"(planted: {expected:,})")
    print(f"machine: {machine()}, numpy {np.__version__}")


if __name__ == "__main__":
    main()
