"""The fast hot path changes nothing: folding, offsets, terms, probabilities and pattern matches
are exactly those of the plain implementation (``reference_hotpath``), and the served model
agrees with scikit-learn's own pipeline."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scamscreen.catalogue import default_catalogue
from scamscreen.model import analyze, default_model
from scamscreen.normalize import fold
from scamscreen.rules import _candidate_patterns, _matching_patterns, _relaxed
from tests import reference_hotpath as reference

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [json.loads(line)["text"] for name in ("ads.jsonl", "holdout.jsonl")
           for line in (ROOT / "data" / "samples" / name).read_text(encoding="utf-8").splitlines()
           if line.strip()]
# Pieces that take each branch of the fast paths: non-ASCII letters and punctuation, full-width
# forms, "İ" and "Σ" (whose lower case is not one context-free character), combining marks,
# CJK and Thai runs, contact masks and real contacts.
PIECES = ["a", "Ab ", "word ", "  ", "\n\n", "\t", "\xa0", "’", "•", "é", "naïve ", "Ａ", "，",
          "İ", "Σ", "ΑΣ ", "ς", "e\u0301", "\u200b", "1\ufe0f\u20e3", "…", "™", "ﬁ", "²",
          "中文字", "abc中文", "ไทย", "๑๒๓๔๕๖๗๘", "T e l e g r a m", "t.e.l.e.g.r.a.m",
          "#EMAIL_ab12#", "#url_ff#", "hr@example.com", "a@b", "@handle", "http://x.io/a",
          "WWW.site.com", "www.x", " 0812 345 678 ", "+855 (12) 345-678", "\ud800", "ſ", "K"]
pieced = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=50).map("".join)
PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_same_fold(text: str) -> None:
    fast, plain = fold(text), reference.fold(text)
    assert fast.text == plain.text
    length = len(fast.text)
    for start in range(0, length + 1, max(1, length // 40)):
        for end in {start, min(length, start + 1), min(length, start + 5), length}:
            assert fast.source_span(start, end) == plain.source_span(start, end), (start, end)


def _assert_same_prediction(text: str) -> None:
    model = default_model()
    probability, log_odds, up, down = reference.predict(model, text)
    fast = model.predict(text)
    assert (fast.probability, fast.log_odds) == (probability, log_odds)  # bit for bit
    assert [(t.term, t.weight) for t in fast.terms_up] == up
    assert [(t.term, t.weight) for t in fast.terms_down] == down


@pytest.mark.parametrize("number", range(0, len(SAMPLES), 4))
def test_samples_fold_analyze_and_predict_exactly_as_before(number: int) -> None:
    for text in SAMPLES[number : number + 4]:
        _assert_same_fold(text)
        assert analyze(text) == reference.analyze(text)
        _assert_same_prediction(text)


@PROPERTY
@given(pieced)
def test_any_text_folds_exactly_as_before(text: str) -> None:
    _assert_same_fold(text)


@PROPERTY
@given(pieced)
def test_any_text_gives_the_same_terms_and_probability(text: str) -> None:
    assert analyze(text) == reference.analyze(text)
    _assert_same_prediction(text)


def test_pattern_sets_find_what_each_pattern_finds() -> None:
    catalogue = default_catalogue()
    examples = [e for flag in catalogue for e in flag.examples_match + flag.examples_no_match]
    texts = SAMPLES + examples
    for text in texts:
        folded = fold(text).text
        assert _matching_patterns(catalogue, folded) == sorted(
            index for index, compiled in enumerate(catalogue.patterns)
            if compiled.regex.search(folded)), text


@pytest.mark.parametrize(("pattern", "relaxed"), [
    (r"a[^.\n]{0,60}b", r"a[^.\n]*b"),
    (r"x{2,}y{1,40}?", r"x*y*?"),
    (r"\d{3}[ -]?\d{4}", r"\d{3}[ -]?\d{4}"),  # narrow repeats stay exact
    (r"[{0,60}]\{0,60}\p{Han}{0,20}", r"[{0,60}]\{0,60}\p{Han}*"),  # braces in a class, escaped
    (r"[]{]{0,30}[^]x]{5,50}", r"[]{]*[^]x]*"),
])
def test_relaxed_patterns_drop_only_wide_repeat_bounds(pattern: str, relaxed: str) -> None:
    assert _relaxed(pattern) == relaxed


def test_candidates_include_every_matching_pattern_on_emscad(shared_data: Path) -> None:
    import csv
    import sys

    csv.field_size_limit(sys.maxsize)
    with shared_data.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    catalogue = default_catalogue()
    for text in random.Random(11).sample(texts, 400):
        folded = fold(text).text
        candidates = set(_candidate_patterns(catalogue, folded))
        for index, compiled in enumerate(catalogue.patterns):
            if compiled.regex.search(folded):
                assert index in candidates, (index, text[:80])


def test_emscad_adverts_agree_exactly(shared_data: Path) -> None:
    import csv
    import sys

    csv.field_size_limit(sys.maxsize)
    with shared_data.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    for text in random.Random(7).sample(texts, 300):
        _assert_same_fold(text)
        _assert_same_prediction(text)


def test_served_model_matches_scikit_learn_predict_proba() -> None:
    """The data-only model's probabilities are scikit-learn's, for a pipeline fitted here."""
    pytest.importorskip("sklearn")
    from scamscreen.model import parse_model
    from scamscreen.training import export, make_pipeline

    rows = [json.loads(line) for line in
            (ROOT / "data" / "samples" / "ads.jsonl").read_text(encoding="utf-8").splitlines()]
    texts, labels = [r["text"] for r in rows], [int(r["label"]) for r in rows]
    pipeline = make_pipeline(4.0).fit(texts, labels)
    exported = export(pipeline, sum(labels) / len(labels), {})
    served = parse_model(json.dumps(exported.to_payload()).encode(), "test")
    expected = pipeline.predict_proba(SAMPLES)[:, 1]
    for text, probability in zip(SAMPLES, expected, strict=True):
        # The export rounds weights to 6 places, hence not bit for bit.
        assert served.predict(text).probability == pytest.approx(probability, abs=1e-4)
