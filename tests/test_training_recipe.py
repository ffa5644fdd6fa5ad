"""The training recipe of issue 13: offsets that keep a language's or a corpus's base rate out
of its words, raked weights, topical terms left out, and per-group metrics. Tiny models on the
project's samples plus a few made-up rows, so that these run in a clone without ../shared."""

from __future__ import annotations

import json
import math
from pathlib import Path

from typer.testing import CliRunner

from scamscreen.cli import app
from scamscreen.evaluate import ScoredRow, group_metrics
from scamscreen.model import parse_model
from scamscreen.training import (
    PLAIN_RECIPE,
    LabelledText,
    Recipe,
    fit,
    fit_recipe,
    raked_weights,
    read_labelled,
    serialize,
    topical_terms,
)

SAMPLES = Path(__file__).resolve().parent.parent / "data/samples/ads.jsonl"
# Everyday Korean job-advert words, recombined into many legitimate adverts: the situation of
# legit_modern.csv, where every Korean advert is legitimate.
KOREAN = ["정규직", "채용", "경력", "우대", "서울", "근무", "연봉", "협의", "복지", "지원",
          "개발자", "모집", "주5일", "신입", "가능"]


def _korean_legit(count: int) -> list[LabelledText]:
    rows = []
    for i in range(count):
        words = [KOREAN[(i * 7 + k * 3) % len(KOREAN)] for k in range(12)]
        rows.append(LabelledText(f"ko-{i}", " ".join(words), 0, "modern.csv", {"lang": "ko"}))
    return rows


def test_language_offsets_keep_an_all_legitimate_language_from_meaning_legitimate() -> None:
    rows = read_labelled(SAMPLES) + _korean_legit(60)
    # A Korean recruitment advert made of the same everyday words (and nothing the model knows
    # as scam language): its words must not count as evidence of legitimacy.
    advert = "캄보디아 " + " ".join(KOREAN[:10])
    plain = fit_recipe(rows, 4.0, PLAIN_RECIPE).evidence([advert])[0]
    offsets = fit_recipe(rows, 4.0, Recipe(source_offsets=False)).evidence([advert])[0]
    assert plain < -0.5
    assert abs(offsets) < abs(plain) / 3


def test_served_model_has_no_offsets_and_only_all_legitimate_groups_get_one() -> None:
    rows = read_labelled(SAMPLES) + _korean_legit(30)
    model = fit(rows, 4.0, recipe=Recipe())
    served = parse_model(serialize(model.to_payload()), "x")
    assert len(served.terms) == len(served.coef) == len(served.idf)
    assert not any(term.startswith(("lang:", "source:")) for term in served.terms)
    # Languages and files with scams keep their base rate in their words (issue 13's guard on
    # the samples' recruitment points); only the all-legitimate ones get an offset.
    assert set(model.metadata["language_offsets"]) == {"lang:ko", "source:modern.csv"}
    # No intercept: an advert of words the model never saw has log-odds 0, and serving (which
    # subtracts logit(train_prevalence) = logit(1/2) = 0) counts no evidence either way.
    prediction = served.predict("Ζητείται υπάλληλος γραφείου για πλήρη απασχόληση")
    assert prediction.known_terms == 0 and served.train_prevalence == 0.5
    assert math.isclose(prediction.log_odds, 0.0, abs_tol=1e-9)
    samples = read_labelled(SAMPLES)  # the rows without offsets: the calibration's reference
    share = sum(r.label for r in samples) / len(samples)
    assert math.isclose(model.metadata["reference_prevalence"], share, abs_tol=1e-5)
    every = Recipe(offsets_only_without_scams=False)
    assert "lang:th" in fit(rows, 4.0, recipe=every).metadata["language_offsets"]
    assert Recipe.from_mapping(Recipe().to_dict()) == Recipe()


def test_train_takes_a_recipe_by_name_and_defaults_to_the_plain_one(tmp_path: Path) -> None:
    output = tmp_path / "m.json"
    bad = CliRunner().invoke(app, ["train", str(SAMPLES), "-o", str(output), "--recipe", "x"])
    assert bad.exit_code == 2 and "--recipe is one of plain, scam-language" in bad.output
    result = CliRunner().invoke(app, ["train", str(SAMPLES), "-o", str(output), "--c", "4"])
    assert result.exit_code == 0, result.output
    assert "recipe" not in json.loads(output.read_text(encoding="utf-8"))["metadata"]
    result = CliRunner().invoke(app, ["train", str(SAMPLES), "-o", str(output), "--c", "4",
                                      "--recipe", "scam-language"])
    assert result.exit_code == 0, result.output
    recipe = json.loads(output.read_text(encoding="utf-8"))["metadata"]["recipe"]
    assert Recipe.from_mapping(recipe) == Recipe()


def test_raked_weights_make_a_column_independent_of_the_label() -> None:
    rows = [LabelledText(str(i), "t", label, "f", {"industry": industry})
            for i, (label, industry) in enumerate(
                [(1, "oil")] * 8 + [(0, "oil")] * 2 + [(1, "it")] * 2 + [(0, "it")] * 8)]
    rows.append(LabelledText("x", "t", 1, "g", {}))  # no such column: weight left at 1
    weights = raked_weights(rows, ["industry"])
    assert weights[-1] == 1.0

    def scam_share(industry: str) -> float:
        pairs = [(w, r.label) for w, r in zip(weights, rows, strict=True)
                 if r.extra.get("industry") == industry]
        return sum(w for w, label in pairs if label) / sum(w for w, _ in pairs)

    assert math.isclose(scam_share("oil"), scam_share("it"), abs_tol=1e-6)


def test_topical_terms_are_words_of_topic_fields_named_often_enough() -> None:
    rows = [LabelledText(str(i), "t", 0, "f", {"location": "US, TX, Houston",
                                               "industry": "Oil & Energy" if i < 3 else ""})
            for i in range(4)]
    dropped = topical_terms(rows, ["location", "industry"], min_rows=3)
    assert {"houston", "tx", "oil", "energy"} <= dropped
    assert topical_terms(rows, ["location", "industry"], min_rows=4) == {"us", "tx", "houston"}


def _row(id: str, label: int, score: int, lang: str, added: float) -> ScoredRow:
    return ScoredRow(id, label, score, score / 10, 0.0, 0.0, (), {"lang": lang}, added)


def test_group_metrics_per_language() -> None:
    rows = [_row("a", 1, 80, "en", 1.0), _row("b", 0, 40, "en", -1.0),
            _row("c", 0, 10, "en", -0.5), _row("d", 0, 20, "ko", 0.1)]
    by_lang = {g.group: g for g in group_metrics(rows, "lang")}
    en, ko = by_lang["en"], by_lang["ko"]
    assert (en.rows, en.positives, en.roc_auc) == (3, 1, 1.0)
    assert math.isclose(en.legit_medium_or_high or 0, 0.5)
    assert en.legit_high == 0 and en.recall_high == 1.0
    assert math.isclose(en.classifier_points_legit or 0, -0.75)
    assert ko.roc_auc is None and ko.classifier_points_scams is None


def test_evaluate_prints_metrics_per_group(tmp_path: Path, tiny_model_path: Path) -> None:
    data = tmp_path / "ads.jsonl"
    data.write_text(SAMPLES.read_text(encoding="utf-8"), encoding="utf-8")
    command = ["evaluate", str(data), "--group-column", "lang", "--model", str(tiny_model_path),
               "--trust-model"]
    result = CliRunner().invoke(app, command, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "By lang" in result.output and "zh-Hant" in result.output
    as_json = json.loads(CliRunner().invoke(app, [*command, "--json"]).output)
    groups = {g["group"]: g for g in as_json["groups"]["lang"]}
    assert groups["zh-Hant"]["rows"] == 41 and groups["en"]["positives"] == 26
    missing = CliRunner().invoke(app, ["evaluate", str(data), "--group-column", "nope"])
    assert missing.exit_code == 2 and "no group column 'nope'" in missing.output
