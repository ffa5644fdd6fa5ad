"""The fold's fast paths (whitespace as spaces, offset maps built on first use, the RE2 filter for
spaced letters) give exactly what the plain implementation (``reference_hotpath``) gives: the
same text, and the same source span for every folded span."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scamscreen.normalize import _SPACED_LETTERS, _SPACED_LETTERS_FILTER, fold
from scamscreen.textio import read_text_file
from tests import reference_hotpath as reference

ROOT = Path(__file__).resolve().parent.parent
NASTY = ROOT / "tests" / "corpus" / "nasty"
WHITESPACE = [chr(code) for code in range(0x3001) if chr(code).isspace()]  # all of them
# Whitespace of every kind in runs and alone, next to characters that lower() folds differently
# from fold_char (…, ™, Σ, ﬁ, invisible ones) and letters spaced out after other letters,
# digits, punctuation and non-ASCII characters (what the spaced-letters filter must let pass).
PIECES = [*WHITESPACE, "  ", " \n ", "\xa0\xa0", "\u3000 ", "a", "Word", "’", "•", "é", "…",
          "™", "ﬁ", "Σ", "ΑΣ ", "\u200b", "\xad", "½", "İ", "e\u0301", "中", "ไทย",
          "T e l e g r a m", "x.y.z.w", "é-è-ê-ë", "1a b c d", "_a.b.c.d", "’a b c d",
          "(a-b-c-d)", "a·b·c·d", "Ab C d E", "u.s.a.", "\ud800"]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=40).map("".join)


def _samples() -> list[str]:
    return [json.loads(line)["text"] for path in sorted((ROOT / "data" / "samples").glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _nasty() -> list[str]:
    return [read_text_file(path) for path in sorted(NASTY.glob("screen-*"))]


def _assert_same_fold_and_every_span(text: str) -> None:
    fast, plain = fold(text), reference.fold(text)
    assert fast.text == plain.text
    length = len(fast.text)
    step = max(1, length // 60)
    for start in range(0, length + 1, step):
        for end in range(start, min(length, start + 4 * step) + 1, step):
            assert fast.source_span(start, end) == plain.source_span(start, end), (start, end)
        assert fast.source_span(start, length) == plain.source_span(start, length)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_folds_and_maps_back_as_before(text: str) -> None:
    _assert_same_fold_and_every_span(text)


@settings(max_examples=600, deadline=None)
@given(texts)
def test_the_filter_passes_every_text_with_spaced_letters(text: str) -> None:
    text = text.replace("\ud800", "\ufffd")  # as folding leaves it; RE2 cannot take surrogates
    for candidate in (text, text.lower()):
        if _SPACED_LETTERS.search(candidate):
            assert _SPACED_LETTERS_FILTER.search(candidate.encode()) is not None, candidate


def test_samples_and_nasty_corpus_fold_and_map_back_as_before() -> None:
    texts = _samples() + _nasty()
    assert len(texts) > 100
    for text in texts:
        _assert_same_fold_and_every_span(text)


@pytest.mark.parametrize("text", ["", " ", "\n", "a  b", "  lead and trail \n", "…", "a…  b",
                                  "1a b c d", "_a.b.c.d", "x-ab c d e", "é_b_c_d"])
def test_edge_texts(text: str) -> None:
    _assert_same_fold_and_every_span(text)
