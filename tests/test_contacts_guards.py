"""The cheap guards in contacts.py (each scan runs only where it can find something) change
nothing: every text gives exactly the contacts of the unguarded version (``reference_contacts``),
with the same kinds, values, quoted text, offsets and regions."""

from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scamscreen.catalogue import default_catalogue
from scamscreen.contacts import find_contacts
from scamscreen.normalize import fold
from scamscreen.textio import read_text_file
from tests import reference_contacts as reference

ROOT = Path(__file__).resolve().parent.parent
# Contacts of every kind and the near misses around each guard: domains bare and in URLs (one
# reach of 256 characters before a TLD and beyond), e-mail addresses, "@" handles, numbers with
# and without "+", app names, links, and text that merely looks like them.
PIECES = [" ", "\n", ". ", "a", "visit ", "Telegram: ", "TG ", "WhatsApp ", "Line ID: ", "加賴",
          "微信：", "Zalo ", "viber ", "@hr_88", "@acme.com", "hr@acme.com", "jobs@x.co.th",
          "acme.com", "jobs.acme.co.th", "www.acme-jobs.com/apply", "https://x.io/a", "http://",
          "x.com.", "a.b.c.d.e.com", "e.g. ", "u.s.", "team.in the", "-", "/", "@", "+",
          "+855 97 000 2263", "+66 81 234 5678", "0901 234 567", "(+855) 12 345 678", "2014",
          "t.me/hr_lucky", "wa.me/85512345678", "line.me/ti/p/~jobtw88", "zalo.me/0901234567",
          "whatsapp.com/send?phone=855123456789", "x" * 70 + ".com", "y" * 250, ".com ",
          "＋８５５ １２ ３４５ ６７８", "Ｔｅｌｅｇｒａｍ", "T e l e g r a m", "\u200b"]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=30).map("".join)


def _assert_same_contacts(text: str) -> None:
    folded = fold(text)
    guarded = [contact.to_dict() for contact in find_contacts(folded)]
    assert guarded == [contact.to_dict() for contact in reference.find_contacts(folded)], text


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_gives_the_contacts_it_gave_before(text: str) -> None:
    _assert_same_contacts(text)


def test_samples_nasty_corpus_and_catalogue_examples_give_the_same_contacts() -> None:
    samples = sorted((ROOT / "data" / "samples").glob("*.jsonl"))
    texts = [json.loads(line)["text"] for path in samples
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    nasty = sorted((ROOT / "tests" / "corpus" / "nasty").glob("screen-*"))
    texts += [read_text_file(path) for path in nasty]
    texts += [example for flag in default_catalogue()
              for example in flag.examples_match + flag.examples_no_match]
    assert len(texts) > 100
    for text in texts:
        _assert_same_contacts(text)


def test_emscad_adverts_give_the_same_contacts(shared_data: Path) -> None:
    csv.field_size_limit(sys.maxsize)
    with shared_data.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    for text in random.Random(5).sample(texts, min(600, len(texts))):
        _assert_same_contacts(text)


@pytest.mark.parametrize("labels", [1, 2, 4])
@pytest.mark.parametrize("before", ["", "see ", "x" * 300 + " "])
def test_the_longest_bare_domain_is_found_from_its_own_ending(labels: int, before: str) -> None:
    # Four labels of 63 characters: the start is as far before the first ".com" as it can be.
    domain = ".".join(letter * 63 for letter in "pqrs"[:labels]) + ".com"
    text = f"{before}{domain} today"
    assert [c.value for c in find_contacts(text)] == [domain]
    _assert_same_contacts(text)
