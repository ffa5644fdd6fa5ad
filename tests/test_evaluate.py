"""``evaluate`` on a small labelled file whose metrics are worked out by hand below."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scamscreen.catalogue import load_directory
from scamscreen.cli import app
from scamscreen.evaluate import (
    ScoredRow,
    bootstrap_intervals,
    evaluate_file,
    quality_bar,
)
from scamscreen.screener import Screener

FLAG = """
id = "{id}"
name = "test.{name}"
title = "{title}"
group = "test"
points = {points}
rationale = "r"
advice = "a"
sources = [{{ title = "s" }}]
[patterns]
en = ['''\\b{name}\\b''']
[examples]
match = ["{name}"]
no_match = ["nothing"]
"""

# Prior 0.2 puts the base at logit(0.2) = -1.386, so with no model:
#   "alpha" (3.0 points) -> logistic(1.614) = 0.834 -> 83, high
#   "bravo" (1.0 point)  -> logistic(-0.386) = 0.405 -> 40, medium
#   neither              -> 0.2 -> 20, low
ROWS = [  # (text, label)
    ("alpha one", 1), ("alpha two", 1), ("alpha three", 0),
    ("bravo four", 1), ("bravo five", 0),
    ("six", 1), ("seven", 0), ("eight", 0),
]


@pytest.fixture()
def screener(tmp_path: Path) -> Screener:
    flags = tmp_path / "flags"
    flags.mkdir()
    (flags / "groups.toml").write_text('[groups.test]\ntitle = "t"\ncap = 5.0\n')
    (flags / "SS-TEST-001.toml").write_text(FLAG.format(id="SS-TEST-001", name="alpha",
                                                        title="Alpha", points=3.0))
    (flags / "SS-TEST-002.toml").write_text(FLAG.format(id="SS-TEST-002", name="bravo",
                                                        title="Bravo", points=1.0))
    return Screener(load_directory(flags), use_model=False, prior=0.2)


@pytest.fixture()
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps({"id": f"r{i}", "text": t, "label": y}) + "\n"
                            for i, (t, y) in enumerate(ROWS, 1)))
    return path


def test_scores_are_as_worked_out(screener: Screener) -> None:
    assert [screener.screen(t).score for t, _ in ROWS] == [83, 83, 83, 40, 40, 20, 20, 20]


def test_ranking_metrics_by_hand(screener: Screener, labelled: Path) -> None:
    result = evaluate_file(labelled, screener)
    assert (result.rows, result.positives, result.prevalence) == (8, 4, 0.5)
    # 16 scam/legit pairs; ties count a half. Scams at alpha win 3.5 each (tie with the
    # alpha legit, beat bravo and two nones), the bravo scam 2.5, the none scam 1.
    assert math.isclose(result.roc_auc or 0, (3.5 + 3.5 + 2.5 + 1) / 16)
    # Average precision: sum over thresholds of recall gained times precision there.
    assert math.isclose(result.average_precision or 0,
                        0.5 * (2 / 3) + 0.25 * (3 / 5) + 0.25 * (4 / 8))
    # Rules are the only evidence, so they rank the same; no model, no classifier AUC.
    assert result.roc_auc_rules == result.roc_auc
    assert result.roc_auc_classifier is None


def test_band_metrics_and_confusion_by_hand(screener: Screener, labelled: Path) -> None:
    result = evaluate_file(labelled, screener)
    high, medium = result.band("high"), result.band("medium")
    # high (>= 70): the three alpha rows are flagged, two of them scams.
    assert result.confusion_high == {"tp": 2, "fp": 1, "tn": 3, "fn": 2}
    assert math.isclose(high.precision or 0, 2 / 3)
    assert math.isclose(high.recall or 0, 2 / 4)
    assert math.isclose(high.f1 or 0, 2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert math.isclose(high.fpr or 0, 1 / 4)
    # medium (>= 35): alpha and bravo rows flagged, three of five are scams.
    assert (medium.tp, medium.fp, medium.tn, medium.fn) == (3, 2, 2, 1)
    assert math.isclose(medium.precision or 0, 3 / 5)
    assert math.isclose(medium.recall or 0, 3 / 4)
    assert math.isclose(medium.f1 or 0, 2 / 3)
    assert math.isclose(medium.fpr or 0, 2 / 4)


def test_flag_lift_by_hand(screener: Screener, labelled: Path) -> None:
    flags = {f.id: f for f in evaluate_file(labelled, screener).flags}
    alpha, bravo = flags["SS-TEST-001"], flags["SS-TEST-002"]
    assert (alpha.fired_positive, alpha.fired_negative) == (2, 1)
    assert math.isclose(alpha.precision or 0, 2 / 3)
    assert math.isclose(alpha.lift or 0, (2 / 3) / 0.5)
    assert (bravo.fired_positive, bravo.fired_negative, bravo.lift) == (1, 1, 1.0)


def test_reliability_table_by_hand(screener: Screener, labelled: Path) -> None:
    bins = {(b.low, b.high): b for b in evaluate_file(labelled, screener).reliability}
    assert bins[(80, 90)].count == 3 and math.isclose(bins[(80, 90)].observed or 0, 2 / 3)
    assert math.isclose(bins[(80, 90)].mean_score or 0, 0.83)
    assert bins[(40, 50)].count == 2 and bins[(40, 50)].observed == 0.5
    assert bins[(20, 30)].count == 3 and math.isclose(bins[(20, 30)].observed or 0, 1 / 3)
    assert sum(b.count for b in bins.values()) == 8


def test_bootstrap_interval_surrounds_the_estimate(screener: Screener, labelled: Path) -> None:
    result = evaluate_file(labelled, screener, bootstrap=200)
    interval = result.intervals["roc_auc"]
    assert interval.low <= (result.roc_auc or 0) <= interval.high
    again = evaluate_file(labelled, screener, bootstrap=200)
    assert again.intervals == result.intervals  # seeded: rerunnable


def test_bootstrap_of_nothing_is_nothing() -> None:
    assert bootstrap_intervals([], 100, 1) == {}


def test_to_dict_is_json(screener: Screener, labelled: Path) -> None:
    data = evaluate_file(labelled, screener).to_dict()
    assert json.loads(json.dumps(data))["confusion_high"]["tp"] == 2
    assert data["roc_auc"] == round((3.5 + 3.5 + 2.5 + 1) / 16, 4)


def test_prior_mismatch_is_noted(screener: Screener, labelled: Path) -> None:
    notes = evaluate_file(labelled, screener).notes
    assert any("--prior 0.500" in note for note in notes)


def _row(id: str, kind: str, score: int) -> ScoredRow:
    return ScoredRow(id, int(kind != "lookalike"), score, 0.0, 0.0, 0.0, (), {"kind": kind})


def test_quality_bar() -> None:
    rows = [_row("r1", "recruitment", 90), _row("r2", "recruitment", 70),
            *[_row(f"l{i}", "lookalike", 10) for i in range(9)], _row("l9", "lookalike", 75)]
    bar = quality_bar(rows)
    assert bar.passed and bar.lookalike_rate == 0.1
    bar = quality_bar([*rows, _row("r3", "recruitment", 69)])
    assert not bar.passed and bar.recruitment_missed == ("r3",)


def test_cli_evaluate_json(labelled: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", str(labelled), "--no-model", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rows"] == 8 and {b["band"] for b in data["bands"]} == {"high", "medium"}


def test_cli_evaluate_table(labelled: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", str(labelled), "--no-model"])
    assert result.exit_code == 0, result.output
    assert "ROC-AUC" in result.output and "Reliability" in result.output


def test_cli_ids_from_model_needs_a_model(labelled: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", str(labelled), "--no-model", "--ids-from-model"])
    assert result.exit_code == 2


def test_cli_ids_from_model_rejects_a_file_it_did_not_hold_out(labelled: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", str(labelled), "--ids-from-model"])
    assert result.exit_code == 2
