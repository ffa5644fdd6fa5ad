"""Write ``models/MODEL_CARD.md`` from the shipped model and a fresh evaluation of it.

Nothing in the card is typed by hand except the prose that frames the figures: sizes, C, the
calibration, every metric and every lift come from the model file, the catalogue, and
evaluations run when the card is generated (``scamscreen model-card``; see
``scripts/make-model-card.sh``).
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from scamscreen.catalogue import Catalogue
from scamscreen.errors import InputError
from scamscreen.evaluate import Evaluation
from scamscreen.model import ANALYZER_NAME, TextModel
from scamscreen.scoring import CLASSIFIER_POINTS_RANGE

CITATION = ("Vidros, Kolias, Kambourakis and Akoglu, \"Automatic Detection of Online Recruitment "
            "Frauds: Characteristics, Methods, and a Public Dataset\", Future Internet 9(1):6, "
            "2017, doi:10.3390/fi9010006")
NATURAL_RATE_NOTE = ("rows from the random samples (`rdube_fj_small_358`, `fjd_test_536`), "
                     "not the `mit_` rows, which are a selection of fully filled-in legitimate ads")
REPRODUCE = """```sh
scripts/train-shipped-model.sh      # retrain models/scamscreen-model.json, record its sha256
scripts/make-model-card.sh          # bench/quality.py, then scamscreen model-card
```"""


@dataclass(frozen=True)
class CardInputs:
    model: TextModel
    catalogue: Catalogue
    held_out: Evaluation
    natural: Evaluation | None
    held_out_at_prevalence: Evaluation | None = None
    quality: Mapping[str, Any] | None = None
    analyzers: Mapping[str, Any] | None = None
    generated: str = ""
    sets: Mapping[str, Any] | None = None


def _f(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _ci(evaluation: Evaluation, name: str, value: float | None) -> str:
    interval = evaluation.intervals.get(name)
    if interval is None:
        return _f(value)
    return f"{_f(value)} (95% CI {interval.low:.3f}–{interval.high:.3f})"


def _bands_table(evaluation: Evaluation) -> list[str]:
    lines = ["| band | score ≥ | precision | recall | F1 | false-positive rate | flagged |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for b in evaluation.bands:
        lines.append(f"| {b.band} | {b.threshold} | {_f(b.precision)} | {_f(b.recall)} | "
                     f"{_f(b.f1)} | {_f(b.fpr)} | {b.tp + b.fp} of {evaluation.rows} |")
    return lines


def _reliability_table(evaluation: Evaluation) -> list[str]:
    lines = ["| score | ads | mean score / 100 | observed scam rate |", "|---|---:|---:|---:|"]
    for r in evaluation.reliability:
        if r.count:
            top = r.high if r.high == 100 else r.high - 1
            lines.append(f"| {r.low}–{top} | {r.count} | {_f(r.mean_score, 2)} | "
                         f"{_f(r.observed, 2)} |")
    return lines


def _flag_rows(inputs: CardInputs) -> list[str]:
    held = {f.id: f for f in inputs.held_out.flags}
    samples = {f["id"]: f for f in (inputs.quality or {}).get("samples_cv", {}).get("flags", [])}
    lines = ["| flag | title | points | EMSCAD held-out: scams / legit, lift | "
             "samples (CV): scams / legit, lift |", "|---|---|---:|---|---|"]
    for flag in inputs.catalogue:
        h = held.get(flag.id)
        s = samples.get(flag.id)
        held_cell = f"{h.fired_positive} / {h.fired_negative}, {_f(h.lift, 2)}" if h else "–"
        sample_cell = (f"{s['fired_positive']} / {s['fired_negative']}, {_f(s['lift'], 2)}"
                       if s else "–")
        lines.append(f"| {flag.id} | {flag.title} | {flag.points:g} | {held_cell} | "
                     f"{sample_cell} |")
    return lines


def _recipe_lines(meta: Mapping[str, Any]) -> list[str]:
    """How the rows were used, and the data of issue 13 when the model trained on it."""
    modern = any(source.get("file") == "legit_modern.csv" for source in meta.get("sources", []))
    lines = []
    if modern:
        lines += [
            "`legit_modern.csv` (beside the project, not in it): 4,706 legitimate adverts "
            "posted 2018-2025, scraped by public repositories: TABA-DaJobA/Crawling (Wanted, "
            "Korea, no licence stated), unikonkon/nodeJS_JobThai_Scraper (JobThai, MIT), "
            "luca13224/IT_job_analysis (ITviec, MIT), 22021202-VU-VAN-HUY/pull_data_topcv "
            "(TopCV, none stated), phamquochung279/crawl-topcv-jobs (TopCV, MIT), "
            "dewantrishasree17-dev/linkedin-job-market-analysis-India (LinkedIn India, none "
            "stated), PlayingNumbers/ds_salary_proj and eyowhite/Messy-dataset (Glassdoor US, "
            "none stated), linpingyu/JobListings (Indeed California, none stated). The texts "
            "belong to the employers who posted them.",
            "",
        ]
    recipe = meta.get("recipe")
    if recipe:
        lines.append(f"Training recipe (issue 13, `--recipe scam-language`): {recipe}; offsets "
                     f"fitted and dropped at serving: {meta.get('language_offsets')}.")
    else:
        lines.append("Training recipe: plain (every row weight 1, no offsets, every term). "
                     "Issue 13's recipe (`scamscreen train --recipe scam-language`) is opt-in: "
                     "no variant tried yet keeps the samples' recruitment points at today's "
                     "while keeping ordinary adverts in an unseen language out of `medium`; "
                     "see `bench/results/issue13-recipes.md`.")
    return [*lines, ""]


def _quality_section(quality: Mapping[str, Any] | None, catalogue_sha: str) -> list[str]:
    if not quality:
        return ["Not measured for this card: run `bench/quality.py` and pass `--quality`."]
    lines = [f"Measured by `{quality.get('command', 'bench/quality.py')}` on "
             f"{quality.get('date', '?')}."]
    if quality.get("catalogue_sha256") != catalogue_sha:
        lines.append("**Warning: these figures were measured with a different rule catalogue "
                     "than the one this card describes; rerun `scripts/make-model-card.sh`.**")
    cv = quality.get("samples_cv")
    if cv:
        bar = cv["quality_bar"]
        lines += [
            "",
            f"**`data/samples/ads.jsonl`, {cv['folds']}-fold cross-validation** (each fold scored "
            "by a classifier and calibration trained on the EMSCAD training part plus the other "
            f"folds, C={cv['c']:g}): ROC-AUC {_f(cv['roc_auc'])}.",
            f"- recruitment ads scoring `high`: **{bar['recruitment_high']} of "
            f"{bar['recruitment']}** (bar: all)" + (
                f"; missed: {', '.join(bar['recruitment_missed'])}"
                if bar["recruitment_missed"] else ""),
            f"- look-alike ads scoring `high`: **{bar['lookalike_high']} of {bar['lookalike']}** "
            f"({bar['lookalike_rate']:.0%}; bar: at most 10%)" + (
                f": {', '.join(bar['lookalike_flagged'])}" if bar["lookalike_flagged"] else ""),
            f"- bar {'**met**' if bar['passed'] else '**not met**'}.",
        ]
    if cv and cv.get("recruitment_points_by_lang_today"):
        now, today = cv["recruitment_points_by_lang"], cv["recruitment_points_by_lang_today"]
        lines += [
            "- classifier points on recruitment ads, mean per language, cross-validated the same "
            "way (today's recipe: EMSCAD and samples only, plain, C=32 -> this model's): "
            + ", ".join(f"{lang} {today[lang] or 0:+.2f} -> {now.get(lang) or 0:+.2f}"
                        for lang in sorted(today))
            + "; guard (none lower) "
            + ("**met**." if cv["recruitment_points_passed"] else "**not met**."),
        ]
    modern = quality.get("modern_loso")
    if modern:
        bars = modern["bars"]
        lines += [
            "",
            f"**`legit_modern.csv`** ({modern['rows']} legitimate adverts, 2018-25; "
            f"{modern.get('method', 'leave one source out')}): share in `medium` or `high` and "
            f"in `high` (bars: at most {bars['medium_or_high']:.0%} and {bars['high']:.0%} per "
            f"language and per source) {'**met**' if modern['passed'] else '**not met**'}.",
            "",
            "| group | adverts | medium or high | high | mean classifier points |",
            "|---|---:|---:|---:|---:|",
            *(f"| {g['group']} | {g['rows']} | {g['medium_or_high']:.1%} | {g['high']:.1%} | "
              f"{g['classifier_points_legit'] or 0:+.2f} |"
              for g in modern["by_lang"] + modern["by_source"]),
        ]
        unseen = modern.get("unseen_language")
        if unseen:
            lines.append(f"\nKorean adverts ({unseen['source']}), a language the model saw no "
                         f"scam in: mean classifier points {unseen['classifier_points'] or 0:+.2f} "
                         f"(bar: |mean| <= {unseen['bar']}).")
    ablations = quality.get("ablations") or []
    if ablations:
        lines += ["", f"Ablations ({quality.get('ablations_date', '?')}, "
                  "`bench/quality.py --ablations`), each trained and measured the same way:",
                  "", "| variant | EMSCAD held-out ROC-AUC | recruitment points by language "
                  "| legit_modern medium+ (worst group) |", "|---|---:|---|---:|"]
    for variant in ablations:
        points = variant.get("recruitment_points_by_lang") or {}
        worst = variant.get("modern_worst_medium_or_high")
        lines.append(f"| {variant.get('name', '?')} | {_f(variant.get('emscad_held_out_auc'))} | "
                     + ", ".join(f"{k} {v or 0:+.2f}" for k, v in sorted(points.items()))
                     + f" | {'-' if worst is None else f'{worst:.1%}'} |")
    blind = quality.get("holdout")
    if blind:
        bar = blind["quality_bar"]
        lines += [
            "",
            "**`data/samples/holdout.jsonl`, a blind set written separately and never used to "
            f"train or tune** (shipped model): ROC-AUC {_f(blind['roc_auc'])}; recruitment ads "
            f"`high`: {bar['recruitment_high']} of {bar['recruitment']}; look-alikes `high`: "
            f"{bar['lookalike_high']} of {bar['lookalike']} ({bar['lookalike_rate']:.0%}).",
        ]
    return lines


def _analyzer_section(analyzers: Mapping[str, Any] | None) -> list[str]:
    lines = [f"Analyzer `{ANALYZER_NAME}` (shared by training and serving, `model.analyze`): "
             "text is folded (`normalize.py`), contacts and EMSCAD's `#EMAIL_…#`/`#PHONE_…#`/"
             "`#URL_…#` masks are removed, then words of two or more letters and adjacent word "
             "pairs are counted for spaced scripts, character bigrams for Chinese, Japanese, "
             "Korean and Thai runs (which do not separate words with spaces). Sublinear tf, "
             "idf, l2 norm, logistic regression (liblinear, l2)."]
    if analyzers:
        lines += ["", f"Why, measured by `{analyzers.get('command')}` on the EMSCAD training part "
                  "(fit there, scored on the held-out rows):", "",
                  "| analyzer | held-out ROC-AUC | fit + transform time (s) | terms |",
                  "|---|---:|---:|---:|"]
        for row in analyzers.get("results", []):
            lines.append(f"| {row['analyzer']} | {_f(row['roc_auc'])} | {row['seconds']:.1f} | "
                         f"{row['terms']} |")
    return lines


def render_card(inputs: CardInputs) -> str:
    """The model card as Markdown, from already-computed inputs."""
    model, catalogue, held = inputs.model, inputs.catalogue, inputs.held_out
    meta = model.metadata
    calibration = meta.get("calibration") or {}
    fitted = calibration.get("fitted_on", {})
    cv_by_c = meta.get("cv_auc_by_C") or {}
    held_ids = meta.get("held_out_ids") or {}
    lines = [
        "# Model card: scamscreen classifier and score",
        "",
        f"Generated by `scamscreen model-card` on {inputs.generated or date.today().isoformat()} "
        "from the shipped model and a fresh evaluation; do not edit by hand. To reproduce:",
        "",
        REPRODUCE,
        "",
        f"- model file: `models/scamscreen-model.json`, sha256 `{model.checksum}`",
        f"- rule catalogue: {len(catalogue)} flags, fingerprint `{held.catalogue_sha256[:16]}…`"
        if held.catalogue_sha256 else f"- rule catalogue: {len(catalogue)} flags",
        "",
        "## What it is",
        "",
        "A job advert's 0–100 score combines two kinds of evidence in one log-odds space "
        "(`scoring.py`): the red-flag catalogue's points and a TF-IDF logistic-regression "
        "classifier's log-odds, plus a base rate. Every point of the score is shown in "
        "`scamscreen check`. This card covers the classifier and the calibrated combination.",
        "",
        "## Training data",
        "",
        f"- **EMSCAD**, the Employment Scam Aegean Dataset: {CITATION}. The public mirrors "
        "declare CC0-1.0. The copy used (`emscad_train.csv`) is a reassembled part: all 866 "
        "fraudulent adverts that could be recovered and a subset of the legitimate ones, "
        "English, from one US-centred job platform, 2012–2014.",
        "- **The project's own samples** (`data/samples/ads.jsonl`): scam-compound recruitment "
        "ads, ordinary job scams and legitimate look-alikes written for this project in English, "
        "Traditional and Simplified Chinese, Thai, Vietnamese and Indonesian/Malay.",
        "",
        "| file | rows used for training | of which scams | held out for evaluation |",
        "|---|---:|---:|---:|",
    ]
    for source in meta.get("sources", []):
        lines.append(f"| {source['file']} | {source['rows_used']} | {source['positives_used']} | "
                     f"{len(held_ids.get(source['file'], []))} |")
    share = meta.get("positives", 0) / max(meta.get("rows", 1), 1)
    lines += [
        "",
        f"Total: {meta.get('rows', '?')} training rows, {meta.get('positives', '?')} scams "
        f"(prevalence {share:.1%}). The held-out rows are a stratified 20% of "
        f"`emscad_train.csv` (seed {meta.get('seed', '?')}); their ids are in the model's "
        "metadata (`held_out_ids`), so `scamscreen evaluate --ids-from-model` scores exactly them.",
        "",
        *_recipe_lines(meta),
        "## Features and model",
        "",
        *_analyzer_section(inputs.analyzers),
        "",
        f"{len(model.terms):,} terms (minimum document frequency 2). Regularisation C = "
        f"{meta.get('C', '?')}, chosen by 5-fold stratified cross-validated ROC-AUC on the "
        "training rows only:",
        "",
        "| C | " + " | ".join(sorted(cv_by_c, key=float)) + " |",
        "|---|" + "---:|" * len(cv_by_c),
        "| CV ROC-AUC | " + " | ".join(f"{cv_by_c[k]:.4f}" for k in sorted(cv_by_c, key=float))
        + " |",
        "",
        "## Calibration: from evidence to a probability",
        "",
    ]
    if calibration:
        lines += [
            f"Method: {calibration.get('method', '?')}. Fitted on {fitted.get('rows', '?')} "
            f"training rows ({fitted.get('positives', '?')} scams, prevalence "
            f"{fitted.get('prevalence', 0):.1%}; flags fired on "
            f"{fitted.get('rows_with_flags', '?')} of them).",
            "",
            f"- `rule_scale` = {calibration['rule_scale']:g}: every flag's catalogue points are "
            "multiplied by it, so flags keep their relative weights (one scale, not a per-flag "
            "fit; isotonic regression overfits data this small).",
            f"- `classifier_scale` = {calibration['classifier_scale']:g}, applied to the "
            "classifier's log-odds minus those of its training prevalence; its points are then "
            "bounded smoothly (tanh, slope 1 at zero) within `scoring.CLASSIFIER_POINTS_RANGE` "
            f"({CLASSIFIER_POINTS_RANGE[0]:g} to +{CLASSIFIER_POINTS_RANGE[1]:g}) so that it can "
            "neither carry an ad into `high` alone nor veto strong rule evidence; that bound "
            "is a guard, not part of the fit, so the most confident classifier verdicts are "
            "deliberately under-stated.",
            f"- `offset` = {calibration['offset']:g}: added to the base, net of the training "
            "prevalence.",
            f"- **Assumed prevalence (prior): {calibration.get('prior', 0.1):.0%}** of the ads "
            "screened are scams. `--prior` replaces it: a caseworker's inbox of suspicious leads "
            "might use 0.5, a job board 0.02. Base = logit(prior) + offset; the score is "
            "100 · logistic(base + rule points + classifier points), so the explanation adds up "
            "to the score shown.",
        ]
        if calibration.get("catalogue", {}).get("sha256") != held.catalogue_sha256:
            lines.append("- **Warning: the catalogue changed since this calibration was fitted; "
                         "retrain with `scripts/train-shipped-model.sh`.**")
    else:
        lines.append("This model carries no fitted calibration: the hand-set defaults apply.")

    lines += [
        "",
        f"## Metrics on held-out EMSCAD rows ({held.rows} adverts, {held.positives} scams)",
        "",
        f"Bootstrap intervals: {held.bootstrap} resamples of the held-out rows, percentile 95%.",
        "",
        f"- ROC-AUC of the score: **{_ci(held, 'roc_auc', held.roc_auc)}** "
        "(quality bar of issue 13: ≥ 0.99)",
        f"- average precision: {_ci(held, 'average_precision', held.average_precision)}",
        f"- ROC-AUC of the classifier alone: {_f(held.roc_auc_classifier)}; of the rules alone: "
        f"{_f(held.roc_auc_rules)}",
    ]
    natural = inputs.natural
    if natural is not None:
        lines += [
            f"- **On the natural-rate part only** ({NATURAL_RATE_NOTE}; {natural.rows} adverts, "
            f"{natural.positives} scams): ROC-AUC **{_ci(natural, 'roc_auc', natural.roc_auc)}**, "
            f"average precision {_ci(natural, 'average_precision', natural.average_precision)}. "
            "This is much lower, and it is the honest figure for a random stream of ordinary "
            "ads: part of the headline AUC comes from telling scams apart from the `mit_` "
            "selection of complete, polished legitimate ads, which is easier than the real "
            "task. With so few scams in it, its interval is wide.",
        ]
    lines += [
        "",
        f"At the default prior ({held.prior:.0%}), as a user sees scores:",
        "",
        *_bands_table(held),
        "",
        f"Confusion matrix at `high`: {held.confusion_high['tp']} scams and "
        f"{held.confusion_high['fp']} legitimate ads flagged; {held.confusion_high['fn']} scams "
        f"and {held.confusion_high['tn']} legitimate ads not flagged.",
        "",
    ]
    fair = inputs.held_out_at_prevalence
    if fair is not None:
        lines += [
            f"Reliability, with `--prior {fair.prior:.3f}` (the held-out rows' own prevalence, "
            "so that the score's promise can be compared with what happened):",
            "",
            *_reliability_table(fair),
            "",
            f"Brier score {_f(fair.brier)}.",
            "",
        ]
    lines += [
        "## Quality bar on the project's own samples",
        "",
        *_quality_section(inputs.quality, held.catalogue_sha256 or ""),
        "",
        "## Every labelled set, per language",
        "",
        *_sets_section(inputs.sets),
        "",
        "## Flags and their measured lift",
        "",
        "Lift = (share of scams among the ads a flag fired on) / (share of scams in the file); "
        "1 means the flag tells nothing, – means it never fired. EMSCAD predates the "
        "scam-compound wave, so most trafficking flags never fire there; the samples are where "
        "they are measured, and those were also read by the people who wrote the flags, so "
        "their lift there is optimistic.",
        "",
        *_flag_rows(inputs),
        "",
        "## Known limits",
        "",
        "- **Languages the classifier never saw at scale.** EMSCAD is English. Chinese, Thai, "
        "Vietnamese and Indonesian/Malay reach the classifier only through the project's ~200 "
        "samples, so for those languages the rules carry the score and the classifier's "
        "contribution is weak; other languages get rules written for them only where a "
        "pattern is language-neutral (`any`).",
        "- **Era and region.** EMSCAD's ads are from one US-centred platform, 2012–2014: "
        "advance-fee, data-entry and work-from-home scams. It has no scam-compound recruitment; "
        "that signal comes from the rule catalogue and the samples.",
        "- **Masked contacts removed.** EMSCAD masks e-mails, phones and URLs; the analyzer "
        "removes both the masks and real contacts, so the classifier cannot use contact details; "
        "only the rules (e.g. messaging-app-only contact) do.",
        "- **Selection in the data.** The `mit_` legitimate rows are a biased selection; the "
        "natural-rate figure above is the one to quote for ordinary ad streams.",
        "- **Samples are small and written by the project.** Cross-validated figures on them "
        "measure consistency with how the project's writers see scams, not performance on the "
        "wild; the blind hold-out set is the closest to that we have.",
        "- **Prevalence.** Scores assume the prior above. Where scams are rarer (a job board), "
        "the same evidence means a lower probability: pass `--prior`.",
        "",
        f"Card generated with Python {platform.python_version()} on {platform.machine()}.",
        "",
    ]
    return "\n".join(lines)


_SET_NOTES = {
    "ads": "the samples the catalogue was written against, which the model also trained on "
           "(an upper bound, not a measure)",
    "dev": "written blind, then used to tune lexicons and flags (training data now)",
    "dev2": "a second set written blind, then used to tune (training data now)",
    "paraphrases": "blind rewrites of every scam sample, never used to tune",
    "holdout": "blind hold-out, never used to tune",
    "holdout2": "a second blind hold-out (a quarter of it one- or two-line posts), never used "
                "to tune",
    "holdout-languages": "blind hold-out in the 18 languages added with their lexicons, never "
                         "used to tune",
    "study": "real posts quoted in news and advisories (../shared), read while writing the "
             "lexicons",
}


def _share(pair: list[int]) -> str:
    hits, total = pair
    return f"{hits}/{total} ({hits / total:.0%})" if total else "–"


def _sets_section(sets: Mapping[str, Any] | None) -> list[str]:
    """The table of ``bench/quality_sets.py``: bands per set and language."""
    if not sets:
        return ["Not measured for this card: run `bench/quality_sets.py --json FILE` and pass "
                "`--sets FILE`."]
    lines = [f"Measured by `{sets.get('command', 'bench/quality_sets.py')}` with the shipped "
             "model. Recruitment adverts should be `high`, job scams `high` or `medium`, "
             "look-alikes not `high`; the last column is the classifier's mean points on "
             "look-alikes (near zero or below in a language it barely knows)."]
    for name, report in sets.get("sets", {}).items():
        lines += ["", f"**{name}** — {_SET_NOTES.get(name, '')}", "",
                  "| language | adverts | ROC-AUC | recruitment `high` | job scams `high`/`medium` "
                  "| look-alikes `high` | classifier points (look-alikes) |",
                  "|---|---|---|---|---|---|---|"]
        for lang, figures in report.items():
            points = figures.get("lookalike_classifier_points")
            lines.append(
                f"| {lang} | {figures['rows']} | {_f(figures['roc_auc'])} | "
                f"{_share(figures['recruitment_high'])} | "
                f"{_share(figures['job_scam_high_or_medium'])} | "
                f"{_share(figures['lookalike_high'])} | "
                f"{'–' if points is None else f'{points:+.2f}'} |")
    return lines


def _read_json(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(f"cannot read {path}: {error}") from None


def is_natural_rate(row: Any) -> bool:
    return not str(row.extra.get("source", "")).startswith("mit_")


def generate(data: Path, *, quality: Path | None = None, analyzers: Path | None = None,
             bootstrap: int = 1000, seed: int = 20261125, sets: Path | None = None) -> str:
    """Evaluate the shipped model on its held-out rows of ``data`` and render the card."""
    from scamscreen.evaluate import evaluate_file
    from scamscreen.screener import Screener

    screener = Screener()
    held = evaluate_file(data, screener, ids_from_model=True, bootstrap=bootstrap, seed=seed)
    natural = evaluate_file(data, screener, ids_from_model=True, bootstrap=bootstrap, seed=seed,
                            where=is_natural_rate)
    fair = evaluate_file(data, Screener(prior=held.prevalence), ids_from_model=True)
    assert screener.model is not None
    return render_card(CardInputs(screener.model, screener.catalogue, held, natural, fair,
                                  _read_json(quality), _read_json(analyzers),
                                  sets=_read_json(sets)))
