"""Fit the classifier with scikit-learn and export it as data (see ``model.py``).

Imported only by ``scamscreen train`` and by evaluation code: scikit-learn is slow to import
and screening does not need it.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from scamscreen.catalogue import Catalogue
from scamscreen.errors import InputError
from scamscreen.model import (
    ANALYZER_NAME,
    MODEL_FORMAT,
    MODEL_FORMAT_VERSION,
    TextModel,
    analyze,
    sha256_of,
)

LABEL_COLUMNS = ("label", "fraudulent", "is_scam", "scam")
TEXT_COLUMNS = ("text", "description", "ad", "body", "content")
# Chosen by cross-validation on the training split (see the model card); l2, liblinear.
DEFAULT_C = 8.0
MIN_DOCUMENT_FREQUENCY = 2
MAX_FEATURES = 80_000


@dataclass
class LabelledText:
    id: str
    text: str
    label: int
    origin: str
    extra: dict[str, str] = field(default_factory=dict)


def _pick(columns: Sequence[str], wanted: str | None, candidates: Sequence[str], what: str,
          where: str) -> str:
    if wanted:
        if wanted not in columns:
            raise InputError(
                f"{where}: no {what} column '{wanted}' (columns: {', '.join(columns)})")
        return wanted
    for candidate in candidates:
        if candidate in columns:
            return candidate
    raise InputError(f"{where}: no {what} column found; name it with --{what}-column")


def _label(value: Any, where: str) -> int:
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "scam", "fraud", "fraudulent"):
        return 1
    if text in ("0", "false", "no", "legit", "legitimate", "ok"):
        return 0
    raise InputError(f"{where}: label {value!r} is not 0/1")


def read_labelled(path: Path, text_column: str | None = None, label_column: str | None = None,
                  id_column: str | None = None) -> list[LabelledText]:
    """Read a labelled CSV or JSON Lines file of adverts."""
    rows: list[dict[str, Any]]
    try:
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            with path.open(encoding="utf-8-sig") as handle:
                rows = [json.loads(line) for line in handle if line.strip()]
        else:
            csv.field_size_limit(sys.maxsize)
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, csv.Error) as error:
        raise InputError(f"cannot read {path}: {error}") from None
    if not rows:
        raise InputError(f"{path}: no rows")
    columns = list(rows[0].keys())
    text_key = _pick(columns, text_column, TEXT_COLUMNS, "text", str(path))
    label_key = _pick(columns, label_column, LABEL_COLUMNS, "label", str(path))
    if id_column and id_column not in columns:
        raise InputError(f"{path}: no id column '{id_column}' (columns: {', '.join(columns)})")
    id_key = id_column or "id"
    result = []
    for number, row in enumerate(rows, 1):
        row_id = str(row.get(id_key) or number)
        extra = {k: str(v) for k, v in row.items() if k not in (text_key, label_key)}
        result.append(
            LabelledText(row_id, str(row.get(text_key) or ""),
                         _label(row.get(label_key), f"{path}:{number}"), path.name, extra)
        )
    return result


@lru_cache(maxsize=32768)
def _analyze_once(text: str) -> tuple[str, ...]:
    """``analyze``, remembered: cross-validation refits on the same texts many times."""
    return tuple(analyze(text))


def make_pipeline(c: float = DEFAULT_C) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline([
        ("tfidf", TfidfVectorizer(analyzer=_analyze_once, sublinear_tf=True,
                                  min_df=MIN_DOCUMENT_FREQUENCY, max_features=MAX_FEATURES)),
        ("logreg", LogisticRegression(C=c, solver="liblinear", max_iter=1000)),
    ])


def export(pipeline: Any, train_prevalence: float, metadata: dict[str, Any]) -> TextModel:
    """Turn a fitted pipeline into the data-only model that ``scamscreen`` serves."""
    vectorizer = pipeline.named_steps["tfidf"]
    logreg = pipeline.named_steps["logreg"]
    terms = [""] * len(vectorizer.vocabulary_)
    for term, index in vectorizer.vocabulary_.items():
        terms[index] = term
    payload = {
        "format": MODEL_FORMAT,
        "version": MODEL_FORMAT_VERSION,
        "analyzer": ANALYZER_NAME,
        "terms": terms,
        "idf": [round(float(v), 6) for v in vectorizer.idf_],
        "coef": [round(float(v), 6) for v in logreg.coef_[0]],
        "intercept": round(float(logreg.intercept_[0]), 6),
        "train_prevalence": round(train_prevalence, 6),
        "metadata": metadata,
    }
    return TextModel(payload, sha256_of(serialize(payload)))


def serialize(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def fit(rows: Iterable[LabelledText], c: float = DEFAULT_C,
        metadata: dict[str, Any] | None = None) -> TextModel:
    """Fit on ``rows`` and export."""
    rows = list(rows)
    labels = [row.label for row in rows]
    if len(set(labels)) < 2:
        raise InputError("training needs both scam (1) and legitimate (0) examples")
    pipeline = make_pipeline(c)
    pipeline.fit([row.text for row in rows], labels)
    prevalence = sum(labels) / len(labels)
    return export(pipeline, prevalence, {"rows": len(rows), "positives": sum(labels),
                                         "C": c, **(metadata or {})})


def save(model: TextModel, path: Path) -> str:
    """Write the model as JSON; return its sha256."""
    data = serialize(model.to_payload())
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
    return sha256_of(data)


def logit(probability: float) -> float:
    probability = min(max(probability, 1e-9), 1 - 1e-9)
    return math.log(probability / (1 - probability))


C_GRID = (1.0, 4.0, 8.0, 16.0, 32.0)


def choose_c(rows: list[LabelledText], seed: int) -> tuple[float, dict[str, float]]:
    """Pick C by 5-fold stratified cross-validated ROC-AUC on the training rows only."""
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    search = GridSearchCV(make_pipeline(), {"logreg__C": list(C_GRID)}, scoring="roc_auc",
                          cv=StratifiedKFold(5, shuffle=True, random_state=seed), n_jobs=1)
    search.fit([row.text for row in rows], [row.label for row in rows])
    scores = {f"{c:g}": round(float(s), 4)
              for c, s in zip(C_GRID, search.cv_results_["mean_test_score"], strict=True)}
    return float(search.best_params_["logreg__C"]), scores


def split_hold_out(rows: list[LabelledText], fraction: float, seed: int
                   ) -> tuple[list[LabelledText], list[LabelledText]]:
    """A stratified, seeded split: (kept for training, held out)."""
    from sklearn.model_selection import train_test_split

    if not 0 < fraction < 1:
        raise InputError("a hold-out fraction must be between 0 and 1")
    kept, held = train_test_split(rows, test_size=fraction, random_state=seed,
                                  stratify=[row.label for row in rows])
    return list(kept), list(held)


def parse_hold_out(specs: Sequence[str]) -> dict[str, float]:
    result = {}
    for spec in specs:
        name, _, fraction = spec.rpartition("=")
        try:
            result[Path(name).name] = float(fraction)
        except ValueError:
            raise InputError(f"--hold-out takes FILE=FRACTION, not '{spec}'") from None
    return result


# Platt scaling is a barely regularised logistic regression on a couple of scores.
CALIBRATION_C = 100.0
CALIBRATION_FOLDS = 5
# A fitted scale below this would make a kind of evidence nearly worthless; keep it visible.
MIN_SCALE = 0.05


def rule_points(texts: Sequence[str], catalogue: Catalogue | None = None) -> list[float]:
    """Each text's group-capped flag points at rule_scale 1, exactly as screening awards them."""
    from scamscreen.screener import Screener

    screener = Screener(catalogue, use_model=False)
    points = []
    for text in texts:
        try:
            points.append(screener.screen(text).rule_points)
        except InputError:  # an empty advert has no flags
            points.append(0.0)
    return points


def out_of_fold_log_odds(rows: Sequence[LabelledText], c: float, seed: int,
                         folds: int = CALIBRATION_FOLDS) -> list[float]:
    """The classifier's log-odds for each row from a model that did not see that row."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    values = cross_val_predict(make_pipeline(c), [r.text for r in rows], [r.label for r in rows],
                               cv=StratifiedKFold(folds, shuffle=True, random_state=seed),
                               method="decision_function")
    return [float(v) for v in values]


def fit_scales(points: Sequence[float], classifier_evidence: Sequence[float],
               labels: Sequence[int]) -> tuple[float, float, float]:
    """Platt-style fit of the labels on the classifier evidence, with rule points as a fixed
    offset (their catalogue weights, scale 1).

    Returns (rule_scale, classifier_scale, intercept); rule_scale is always 1. Rule points are
    expert log-odds and stay as written: the training data holds almost no trafficking-
    recruitment ads besides the project's own samples, which the rules were written against,
    so a scale fitted on either would be fitted on the wrong population or on itself.
    ``classifier_evidence`` is log-odds minus logit(training prevalence), unbounded (serving's
    smooth bound is a guard, not part of the calibration). The classifier scale is floored at
    ``MIN_SCALE`` so the score stays monotone in it.
    """
    import numpy as np
    from scipy.optimize import minimize

    offset = np.asarray(points, dtype=float)
    evidence = np.asarray(classifier_evidence, dtype=float)
    target = np.asarray(labels, dtype=float)
    penalty = 1.0 / (2.0 * CALIBRATION_C * len(target))

    def loss(params: Any) -> tuple[float, Any]:
        scale, intercept = params
        z = intercept + offset + scale * evidence
        probability = 1.0 / (1.0 + np.exp(-z))
        value = float(np.mean(np.logaddexp(0.0, z) - target * z)) + penalty * scale * scale
        residual = probability - target
        gradient = np.array([float(np.mean(residual * evidence)) + 2 * penalty * scale,
                             float(np.mean(residual))])
        return value, gradient

    result = minimize(loss, x0=np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
    scale, intercept = (float(v) for v in result.x)
    return 1.0, max(scale, MIN_SCALE), intercept


def fit_calibration(rows: Sequence[LabelledText], c: float, seed: int,
                    catalogue: Catalogue | None = None,
                    prior: float | None = None) -> dict[str, Any]:
    """Fit how rule points and classifier log-odds map to probability, on training rows only."""
    from scamscreen.catalogue import default_catalogue
    from scamscreen.scoring import DEFAULT_PRIOR, catalogue_fingerprint

    catalogue = catalogue or default_catalogue()
    labels = [r.label for r in rows]
    prevalence = sum(labels) / len(labels)
    points = rule_points([r.text for r in rows], catalogue)
    evidence = [v - logit(prevalence) for v in out_of_fold_log_odds(rows, c, seed)]
    rule_scale, classifier_scale, intercept = fit_scales(points, evidence, labels)
    return {
        "method": "Platt-style logistic regression of the labels on the "
                  f"{CALIBRATION_FOLDS}-fold out-of-fold classifier log-odds (minus logit of the "
                  "training prevalence), with the group-capped rule points as a fixed offset "
                  "(catalogue weights, scale 1), training rows only",
        "rule_scale": round(rule_scale, 4),
        "classifier_scale": round(classifier_scale, 4),
        "offset": round(intercept - logit(prevalence), 4),
        "prior": prior if prior is not None else DEFAULT_PRIOR,
        "fitted_on": {"rows": len(rows), "positives": sum(labels),
                      "prevalence": round(prevalence, 4),
                      "rows_with_flags": sum(1 for p in points if p > 0)},
        "catalogue": {"flags": len(catalogue), "sha256": catalogue_fingerprint(catalogue)},
    }


def build_model(rows: Sequence[LabelledText], c: float, seed: int,
                metadata: dict[str, Any] | None = None, catalogue: Catalogue | None = None,
                calibrate: bool = True) -> TextModel:
    """Fit the classifier on ``rows`` and, unless told not to, its calibration on the same rows."""
    extra = dict(metadata or {})
    if calibrate:
        extra["calibration"] = fit_calibration(rows, c, seed, catalogue)
    return fit(rows, c, extra)


def train_from_files(paths: Sequence[Path], output: Path, *, text_column: str | None,
                     label_column: str | None, hold_out: Sequence[str], seed: int,
                     c: float | None, calibrate: bool = True) -> str:
    """Read, split, choose C, fit, calibrate, export; return a short report for the terminal."""
    fractions = parse_hold_out(hold_out)
    unknown = set(fractions) - {path.name for path in paths}
    if unknown:
        raise InputError("--hold-out names a file that is not an input: "
                         f"{', '.join(sorted(unknown))}")
    training: list[LabelledText] = []
    held_ids: dict[str, list[str]] = {}
    sources = []
    for path in paths:
        rows = read_labelled(path, text_column, label_column)
        if path.name in fractions:
            rows, held = split_hold_out(rows, fractions[path.name], seed)
            held_ids[path.name] = sorted(row.id for row in held)
        training.extend(rows)
        sources.append({"file": path.name, "rows_used": len(rows),
                        "positives_used": sum(r.label for r in rows)})
    cv_scores: dict[str, float] = {}
    if c is None:
        c, cv_scores = choose_c(training, seed)
    model = build_model(training, c, seed, {"sources": sources, "held_out_ids": held_ids,
                                            "seed": seed, "cv_auc_by_C": cv_scores},
                        calibrate=calibrate)
    checksum = save(model, output)
    calibration = model.metadata.get("calibration")
    fitted = (f"\ncalibration: rule_scale {calibration['rule_scale']:g}, classifier_scale "
              f"{calibration['classifier_scale']:g}, offset {calibration['offset']:g}, "
              f"prior {calibration['prior']:g}" if calibration else "\nnot calibrated")
    return (f"trained on {len(training)} adverts ({sum(r.label for r in training)} scams), "
            f"C={c:g}, {len(model.terms)} terms{fitted}\nwrote {output} (sha256 {checksum})")
