"""The score is one monotone sum in log-odds space; combinations, caps and bands behave."""

from __future__ import annotations

import math

import pytest

from scamscreen import Screener
from scamscreen.scoring import BANDS, band_for, logistic
from tests.conftest import EXAMPLE_AD

RULES_ONLY = Screener(use_model=False)


def test_explanation_adds_up_to_the_score() -> None:
    text = (
        "Customer service job in Sihanoukville. Free accommodation and flight. "
        "Salary 2000 USD, no experience. Contact Telegram @abc_hr"
    )
    result = Screener().screen(text)
    parts = result.base + sum(f.points for f in result.flags) + result.classifier.points
    assert math.isclose(parts, result.total, abs_tol=1e-9)
    assert result.score == round(100 * logistic(result.total))
    assert result.band == band_for(result.score)


def test_bands_are_ordered_thresholds() -> None:
    thresholds = [threshold for _, threshold in BANDS]
    assert thresholds == sorted(thresholds, reverse=True)
    assert band_for(100) == "high" and band_for(0) == "low"


def test_group_cap_limits_repeated_evidence() -> None:
    result = RULES_ONLY.screen("Contact us via Telegram, message us on WhatsApp, add us on LINE")
    by_group: dict[str, float] = {}
    for flag in result.flags:
        by_group[flag.flag.group] = by_group.get(flag.flag.group, 0.0) + flag.points
    for group, points in by_group.items():
        assert points <= RULES_ONLY.catalogue.groups[group].cap + 1e-9


@pytest.mark.parametrize(
    "innocent",
    [
        pytest.param(
            "Factory workers wanted, age 18-40. Free dormitory and meals. Apply at the gate.",
            id="factory-housing-age",
        ),
        pytest.param(
            "Sokha Hotel, Sihanoukville, seeks a front-office manager with 5 years' "
            "experience. Staff housing provided.",
            id="real-hotel-in-hub",
        ),
        pytest.param("工廠作業員，包吃包住，年齡18-45歲，請至本廠面試。", id="zh-factory"),
    ],
)
def test_innocent_alone_flags_do_not_reach_high(innocent: str) -> None:
    assert RULES_ONLY.screen(innocent).band != "high"


def test_combination_scores_more_than_its_parts() -> None:
    lure = "Customer service staff needed abroad, no experience, salary 2500 USD."
    hub = "Work location: Sihanoukville, Cambodia."
    both = RULES_ONLY.screen(f"{lure} {hub}")
    assert both.total > RULES_ONLY.screen(lure).total
    assert both.total > RULES_ONLY.screen(hub).total
    assert any(f.flag.kind == "combination" for f in both.flags)


def test_more_evidence_never_lowers_the_score() -> None:
    base = "Digital marketing job overseas, free visa and flight ticket."
    more = base + " Contact Telegram @recruit_hr only. Send a photo of your passport."
    assert RULES_ONLY.screen(more).total >= RULES_ONLY.screen(base).total


def test_prior_moves_the_base() -> None:
    text = "Customer service role. Contact us on WhatsApp."
    low = Screener(use_model=False, prior=0.02).screen(text)
    high = Screener(use_model=False, prior=0.5).screen(text)
    assert low.score < high.score
    assert math.isclose(high.base, 0.0, abs_tol=1e-9)


def test_classifier_counts_less_on_a_few_words() -> None:
    short = Screener().screen("Nice bakery job in Taipei")
    long = Screener().screen(EXAMPLE_AD.read_text(encoding="utf-8"))
    assert short.classifier is not None and long.classifier is not None
    short_weight = short.classifier.to_dict()["length_weight"]
    assert 0 < short_weight < 1
    assert long.classifier.to_dict()["length_weight"] == 1.0
    assert abs(short.classifier.points) <= 2.5 * short_weight + 1e-9
    assert short.band == "low"
