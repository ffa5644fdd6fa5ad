"""Linking ads into clusters: shared contacts, near-duplicate text, cluster summaries."""

from __future__ import annotations

import random

from scamscreen.contacts import find_contacts
from scamscreen.errors import InputError
from scamscreen.link import NEAR_DUPLICATE_JACCARD, link, link_results, minhash_signatures
from scamscreen.screener import Screener

TEMPLATE = (
    "URGENT HIRING customer service representative for our company office in {place}. "
    "Salary {pay} USD per month plus commission, paid every two weeks. No experience needed, "
    "we will train you in typing and chatting with customers online. Free visa, free air "
    "ticket, free food and accommodation in the company dormitory. Age 18 to 35, basic "
    "English is enough. Only a few places left, we fly next week. {contact}"
)
OTHER = (
    "Bakery in Taichung seeks a morning assistant to help with bread and pastry, four days a "
    "week, hourly pay as the law requires, training given. Visit us at 12 Main Road or "
    "email hiring@breadhouse.com.tw"
)


def _link(texts: list[str], scores: list[int | None] | None = None):  # type: ignore[no-untyped-def]
    ids = [f"ad{i}" for i in range(len(texts))]
    return link(ids, texts, [find_contacts(t) for t in texts], scores or [None] * len(texts))


def test_reposts_of_one_template_are_one_near_duplicate_cluster() -> None:
    texts = [TEMPLATE.format(place="Sihanoukville", pay=1500, contact="Telegram @a_hr1"),
             TEMPLATE.format(place="Phnom Penh", pay=1800, contact="WhatsApp +66 81 234 5678"),
             TEMPLATE.format(place="Bavet", pay=2000, contact="LINE ID: job_777"), OTHER]
    linking = _link(texts, [90, 80, 70, 5])
    (cluster,) = linking.clusters
    assert cluster.ids == ("ad0", "ad1", "ad2")
    assert cluster.links == ("near-duplicate",) and cluster.contacts == ()
    assert (cluster.size, cluster.max_score, cluster.median_score) == (3, 90, 80)
    assert "ad3" not in linking.cluster_of


def test_ads_sharing_a_contact_written_differently_are_linked() -> None:
    texts = ["Need staff fast, apply wa.me/85512345678",
             "Good salary job abroad. Call +855 12 345 678 now",
             "Translator wanted, t.me/trans_boss",
             "Interpreter role, DM Telegram @trans_boss",
             "Unrelated ad with no contact at all in it"]
    linking = _link(texts, [60, 70, 40, 50, 1])
    by_ids = {cluster.ids: cluster for cluster in linking.clusters}
    assert by_ids[("ad0", "ad1")].contacts == ("phone:+85512345678",)
    assert by_ids[("ad2", "ad3")].contacts == ("telegram:trans_boss",)
    assert all(cluster.links == ("contact",) for cluster in linking.clusters)
    assert "ad4" not in linking.cluster_of


def test_links_are_transitive_across_kinds() -> None:
    texts = [TEMPLATE.format(place="Poipet", pay=1500, contact="t.me/hub_boss"),
             TEMPLATE.format(place="Myawaddy", pay=2500, contact="WhatsApp +95 9 123 456 789"),
             "Different words entirely. +95 9 123 456 789"]
    (cluster,) = _link(texts).clusters
    assert cluster.size == 3 and cluster.links == ("contact", "near-duplicate")


def test_common_platform_domains_link_nothing() -> None:
    texts = ["Apply on facebook.com/jobs1 today", "See facebook.com/other for a cook job"]
    assert _link(texts).clusters == ()


def test_distinct_ads_of_one_genre_stay_apart() -> None:
    rng = random.Random(3)
    words = TEMPLATE.replace("{", "").replace("}", "").split()
    texts = [" ".join(rng.sample(words, len(words))) for _ in range(40)]
    assert _link(texts).clusters == ()


def test_signatures_estimate_jaccard_and_are_deterministic() -> None:
    a = TEMPLATE.format(place="Sihanoukville", pay=1500, contact="")
    b = TEMPLATE.format(place="Sihanoukville", pay=1600, contact="")
    first, usable = minhash_signatures([a, b, "too short"])
    second, _ = minhash_signatures([a, b, "too short"])
    assert (first == second).all() and list(usable) == [True, True, False]
    assert (first[0] == first[1]).mean() > NEAR_DUPLICATE_JACCARD


def test_link_results_skips_rows_that_could_not_be_screened() -> None:
    screener = Screener(use_model=False)
    results = [("a", screener.screen("Job abroad, WhatsApp +855 12 345 678")),
               ("b", InputError("the advert is empty")),
               ("c", screener.screen("Another job, wa.me/85512345678"))]
    linking = link_results(results)
    assert linking.cluster_of == {"a": "C1", "c": "C1"}
    assert linking.to_dict()["clusters"][0]["ids"] == ["a", "c"]


def test_cluster_ids_go_largest_first() -> None:
    texts = ["x wa.me/85512345678", "y +855 12 345 678", "z +855 12 345 678",
             "p t.me/solo_boss", "q @solo_boss on telegram"]
    linking = _link(texts)
    assert [(c.id, c.size) for c in linking.clusters] == [("C1", 3), ("C2", 2)]
