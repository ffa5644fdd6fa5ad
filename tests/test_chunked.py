"""Screening a chunk of adverts at once (``Screener.screen_chunk``, ``TextModel.predict_many``,
``batch.screen_texts``) gives exactly what screening them one by one gives."""

from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scamscreen import batch
from scamscreen.errors import InputError
from scamscreen.model import TextModel, _stable_extremes, default_model
from scamscreen.normalize import fold_text
from scamscreen.screener import MAX_CHARS, Screener
from tests.test_hotpath import PIECES, SAMPLES

# Texts that take each path: ASCII words, non-ASCII letters and CJK (the general path), lone
# surrogates, contacts and masks, one-letter words between others, nothing to count.
pieced = st.lists(st.sampled_from([*PIECES, " a ", " I ", "x y z", "the job"])
                  | st.text(max_size=4), max_size=40).map("".join)


def _prepared_model() -> TextModel:
    """The shipped model with its pair lookup built, so that even a few texts take the chunk
    path (without it, fewer than 16 are scored one by one)."""
    model = default_model()
    model.prepare_for_many()
    return model


def _same_prediction(fast: object, slow: object) -> None:
    assert fast == slow  # frozen dataclasses: every number bit for bit, every term in order


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener()


def test_predict_many_equals_predict_on_the_samples() -> None:
    model = _prepared_model()
    folded = [fold_text(text) for text in SAMPLES]
    for top in (8, 3):
        for fast, text in zip(model.predict_many(folded, top), folded, strict=True):
            _same_prediction(fast, model.predict_folded(text, top))


def test_predict_many_without_terms_keeps_every_number() -> None:
    model = _prepared_model()
    folded = [fold_text(text) for text in SAMPLES[:60]]
    for fast, text in zip(model.predict_many(folded, 0), folded, strict=True):
        slow = model.predict_folded(text)
        assert (fast.probability, fast.log_odds, fast.known_terms) == \
            (slow.probability, slow.log_odds, slow.known_terms)
        assert fast.terms_up == fast.terms_down == ()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(pieced, min_size=1, max_size=12))
def test_predict_many_equals_predict_on_any_texts(texts: list[str]) -> None:
    model = _prepared_model()
    folded = [fold_text(text) for text in texts]
    for fast, text in zip(model.predict_many(folded), folded, strict=True):
        _same_prediction(fast, model.predict_folded(text))


def test_predict_many_equals_predict_on_emscad(shared_data: Path) -> None:
    csv.field_size_limit(sys.maxsize)
    with shared_data.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    model = _prepared_model()
    folded = [fold_text(text) for text in random.Random(5).sample(texts, 500)]
    for fast, text in zip(model.predict_many(folded), folded, strict=True):
        _same_prediction(fast, model.predict_folded(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([-2.0, -1.0, -0.5, -0.0, 0.0, 0.25, 1.0, 3.0]), min_size=1,
                max_size=60), st.integers(1, 8))
def test_extremes_are_those_of_a_full_stable_sort(values: list[float], top: int) -> None:
    array = np.array(values)
    order = np.argsort(array, kind="stable")
    assert _stable_extremes(array, top) == (order[-top:].tolist(), order[:top].tolist())


def test_screen_chunk_equals_screen(screener: Screener) -> None:
    texts = [*SAMPLES[:40], "", "   ", "a\x00b", "x" * (MAX_CHARS + 10)]
    for text, result in zip(texts, screener.screen_chunk(texts), strict=True):
        try:
            expected = screener.screen(text)
        except InputError as error:
            assert isinstance(result, InputError) and str(result) == str(error)
            continue
        assert not isinstance(result, InputError)
        assert json.dumps(result.to_dict()) == json.dumps(expected.to_dict())


def test_screen_texts_equals_screen_text(screener: Screener) -> None:
    texts: list[str | None] = [*SAMPLES[:30], None, "", "\x01" * 50]
    for details in (False, True):
        outcomes = batch.screen_texts(screener, texts, details)
        assert outcomes == [batch.screen_text(screener, text, details) for text in texts]


def test_a_row_that_breaks_the_chunk_fails_alone(screener: Screener,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    texts = SAMPLES[:5]
    broken = texts[2]
    screen_chunk = Screener.screen_chunk

    def fail_with_broken(self: Screener, chunk: list[str], **options: bool) -> object:
        if broken in chunk:
            raise RuntimeError("boom")
        return screen_chunk(self, chunk, **options)

    monkeypatch.setattr(Screener, "screen_chunk", fail_with_broken)
    outcomes = batch.screen_texts(screener, texts)
    assert [o[5] for o in outcomes] == ["", "", "internal error: RuntimeError: boom", "", ""]
    assert all(o[0] is not None for n, o in enumerate(outcomes) if n != 2)


def test_screen_many_crosses_chunks_in_order(screener: Screener) -> None:
    texts = [*SAMPLES[:7], "", *SAMPLES[7:12]]
    results = list(screener.screen_many(iter(texts), chunk_size=3))
    assert len(results) == len(texts)
    assert isinstance(results[7], InputError)
    for text, result in zip(texts, results, strict=True):
        if text:
            assert not isinstance(result, InputError)
            assert result.to_dict() == screener.screen(text).to_dict()


def test_predict_many_keeps_texts_apart() -> None:
    """Contacts are removed from a chunk's texts joined by line breaks and a NUL: a contact
    at the end of one text must not reach into the next, and a text holding a NUL itself
    (which ``screen`` rejects, but ``predict_many`` accepts) must not shift the others."""
    model = _prepared_model()
    texts = ["call +855 12 345", "678 901 now, visa free", "mail hr@", "gmail.com today",
             "a\n\x00\nb job offer", "www.", "example.com apply", "", "#url_ab12",
             "# phone", "salary 12 34 56", "78 90 bonus"]
    folded = [fold_text(text) for text in texts]
    folded[4] = "a\n\x00\nb job offer"  # as given: folding would drop the NUL
    for fast, text in zip(model.predict_many(folded), folded, strict=True):
        _same_prediction(fast, model.predict_folded(text))
