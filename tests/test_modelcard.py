"""The model card is generated from the model and an evaluation, never typed by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from scamscreen.catalogue import default_catalogue
from scamscreen.evaluate import score_rows, summarize
from scamscreen.modelcard import CITATION, CardInputs, generate, render_card
from scamscreen.screener import Screener
from scamscreen.training import build_model, read_labelled

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data/samples/ads.jsonl"
SHARED_DATA = ROOT.parent / "shared/data/emscad_train.csv"


@pytest.fixture(scope="module")
def card() -> tuple[str, CardInputs]:
    rows = read_labelled(SAMPLES)
    model = build_model(rows, 4.0, 7, {"sources": [{"file": SAMPLES.name, "rows_used": len(rows),
                                                    "positives_used": sum(r.label for r in rows)}],
                                       "seed": 7, "cv_auc_by_C": {"1": 0.91, "4": 0.93}})
    screener = Screener(default_catalogue(), model)
    scored, _ = score_rows(screener, rows)
    evaluation = summarize(scored, screener, source=SAMPLES.name, bootstrap=50)
    quality = {"date": "2026-01-01", "catalogue_sha256": evaluation.catalogue_sha256,
               "samples_cv": {"folds": 5, "c": 4.0, "roc_auc": 0.9, "flags": [],
                              "quality_bar": {"recruitment": 2, "recruitment_high": 1,
                                              "recruitment_missed": ["rec-9"], "lookalike": 10,
                                              "lookalike_high": 1, "lookalike_flagged": ["la-1"],
                                              "lookalike_rate": 0.1, "passed": False}}}
    inputs = CardInputs(model, screener.catalogue, evaluation, evaluation, evaluation, quality,
                        generated="2026-01-02")
    return render_card(inputs), inputs


def test_card_carries_the_models_own_facts(card: tuple[str, CardInputs]) -> None:
    text, inputs = card
    model = inputs.model
    assert model.checksum in text
    assert f"{len(model.terms):,} terms" in text
    assert "| CV ROC-AUC | 0.9100 | 0.9300 |" in text
    calibration = model.metadata["calibration"]
    assert f"`rule_scale` = {calibration['rule_scale']:g}" in text
    assert f"`offset` = {calibration['offset']:g}" in text
    assert "Assumed prevalence (prior): 10%" in text


def test_card_carries_the_evaluation(card: tuple[str, CardInputs]) -> None:
    text, inputs = card
    held = inputs.held_out
    interval = held.intervals["roc_auc"]
    assert f"{held.roc_auc:.3f} (95% CI {interval.low:.3f}–{interval.high:.3f})" in text
    high = held.band("high")
    assert f"| high | 70 | {high.precision:.3f} | {high.recall:.3f} |" in text
    assert "natural-rate part only" in text
    assert "1 of 2** (bar: all); missed: rec-9" in text
    assert "bar **not met**" in text


def test_card_cites_the_data_and_lists_every_flag(card: tuple[str, CardInputs]) -> None:
    text, inputs = card
    assert CITATION in text and "doi:10.3390/fi9010006" in text and "CC0-1.0" in text
    for flag in inputs.catalogue:
        assert f"| {flag.id} |" in text
    assert "## Known limits" in text and "2012–2014" in text


def test_card_warns_when_quality_figures_are_from_another_catalogue(
        card: tuple[str, CardInputs]) -> None:
    _, inputs = card
    stale = CardInputs(inputs.model, inputs.catalogue, inputs.held_out, None, None,
                       {**inputs.quality, "catalogue_sha256": "other"})  # type: ignore[dict-item]
    assert "different rule catalogue" in render_card(stale)


@pytest.mark.skipif(not SHARED_DATA.exists(),
                    reason="needs ../shared/data/emscad_train.csv (held-out rows of the "
                    "shipped model)")
def test_generate_from_the_shipped_model() -> None:
    text = generate(SHARED_DATA, bootstrap=20)
    assert "Metrics on held-out EMSCAD rows" in text and "natural-rate part only" in text
