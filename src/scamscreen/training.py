"""Fit the classifier with scikit-learn and export it as data (see ``model.py``).

Imported only by ``scamscreen train`` and by evaluation code: scikit-learn is slow to import
and screening does not need it.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections import Counter
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


class _WithoutTerms:
    """``_analyze_once`` minus a set of terms: the vocabulary never holds them, so the served
    model has no weight for them and the analyzer (shared with serving) stays as it is."""

    def __init__(self, dropped: frozenset[str]) -> None:
        self.dropped = dropped

    def __call__(self, text: str) -> list[str]:
        return [term for term in _analyze_once(text) if term not in self.dropped]


def make_pipeline(c: float = DEFAULT_C, dropped_terms: frozenset[str] = frozenset(),
                  fit_intercept: bool = True) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    analyzer = _WithoutTerms(dropped_terms) if dropped_terms else _analyze_once
    return Pipeline([
        ("tfidf", TfidfVectorizer(analyzer=analyzer, sublinear_tf=True,
                                  min_df=MIN_DOCUMENT_FREQUENCY, max_features=MAX_FEATURES)),
        ("logreg", LogisticRegression(C=c, solver="liblinear", max_iter=1000,
                                      fit_intercept=fit_intercept)),
    ])


# --- the recipe: what keeps the classifier's evidence about scam language -------------------

# Rows without a language column are taken to be in this one; it is also the reference whose
# base rate the served intercept keeps (EMSCAD, the only corpus with many scams, is English).
REFERENCE_LANGUAGE = "en"
LANGUAGE_COLUMN = "lang"
# A language offset's column value: large, so that liblinear's l2 penalty on its weight is
# small (the penalty on w for a column of value v is that of w*v for a column of value 1) and
# the offset, not the language's own words, takes up the language's base rate.
OFFSET_VALUE = 10.0
# Rounds of raking (iterative proportional fitting) of row weights over the confounders.
RAKING_ROUNDS = 5
WEIGHT_BOUNDS = (0.1, 10.0)
# Topical terms must name a topic in this many training rows' fields to be dropped.
MIN_TOPICAL_ROWS = 3


@dataclass(frozen=True)
class Recipe:
    """How training keeps the classifier's evidence about how scams are written rather than
    about which language, industry, place or era an advert is in. Each switch is measured,
    on and off, by ``bench/quality.py --ablations``; the model records the recipe it used."""

    # One offset per language besides the reference, fitted with the model and dropped from
    # the served one: a language's base rate in the training data (Korean, Thai and
    # Vietnamese adverts there are all legitimate) goes into the offset, not into its words.
    language_offsets: bool = True
    # The same for each training file (EMSCAD, the samples, legit_modern.csv): a corpus's
    # style and era (all of legit_modern.csv is 2018-25 and legitimate) go into its offset,
    # not into the words that mark its era or its boards. The reference is the file with the
    # most scams.
    source_offsets: bool = True
    # Columns (of the training files) whose values must not predict the label: row weights
    # are raked so that, within the rows that have them, each is independent of the label.
    # Off by default: raking EMSCAD by industry, function and state cost held-out ROC-AUC
    # (see the ablations in the model card) and the source offsets did more for modern ads.
    reweigh_columns: tuple[str, ...] = ()
    # Columns whose values name a topic (place, industry, job function, department): terms
    # made of their words are left out of the vocabulary.
    topical_columns: tuple[str, ...] = ("location", "industry", "function", "department")
    # Offsets only for the languages and files that hold no scam at all (Korean, and
    # legit_modern.csv): their base rate is the hazard (a naive model learns "Korean means
    # legitimate"). A language or file with scams keeps its base rate in its words, as in the
    # plain recipe: an offset there took up the samples' scam share, so the samples'
    # recruitment adverts got fewer classifier points than today (issue 13's guard).
    offsets_only_without_scams: bool = True
    # No intercept: an advert of words the model never saw (a language it never trained on)
    # has log-odds 0 and the served evidence is what its terms add, so it gets no points
    # either way; the words, not an intercept, carry the base rate of the rows without
    # offsets, and the calibration's intercept takes the prior's place. With an intercept,
    # whose log-odds are no average advert's, unseen Korean adverts got +1.8 points.
    fit_intercept: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"language_offsets": self.language_offsets,
                "source_offsets": self.source_offsets,
                "reweigh_columns": list(self.reweigh_columns),
                "topical_columns": list(self.topical_columns),
                "offsets_only_without_scams": self.offsets_only_without_scams,
                "fit_intercept": self.fit_intercept}

    @classmethod
    def from_mapping(cls, data: Any) -> Recipe:
        """The recipe a model records; a model that records none was trained before recipes
        (plain fit, every row weight 1)."""
        if not isinstance(data, dict):
            return PLAIN_RECIPE
        return cls(bool(data.get("language_offsets", False)),
                   bool(data.get("source_offsets", False)),
                   tuple(data.get("reweigh_columns", ())),
                   tuple(data.get("topical_columns", ())),
                   bool(data.get("offsets_only_without_scams", False)),
                   bool(data.get("fit_intercept", True)))


PLAIN_RECIPE = Recipe(language_offsets=False, source_offsets=False, reweigh_columns=(),
                      topical_columns=(), offsets_only_without_scams=False,
                      fit_intercept=True)
DEFAULT_RECIPE = Recipe()
# By name, for ``scamscreen train --recipe``.
RECIPES = {"plain": PLAIN_RECIPE, "scam-language": DEFAULT_RECIPE}


def language_of(row: LabelledText) -> str:
    return (row.extra.get(LANGUAGE_COLUMN) or REFERENCE_LANGUAGE).strip() or REFERENCE_LANGUAGE


def _column_value(row: LabelledText, column: str) -> str | None:
    """A confounder's value in a row, or None where the row has no such column. ``state`` is
    derived from EMSCAD's ``location`` ("US, TX, Houston" -> "US, TX")."""
    if column == "state":
        location = row.extra.get("location")
        return None if location is None else ",".join(location.split(",")[:2]).strip()
    value = row.extra.get(column)
    return None if value is None else value.strip().lower()


def raked_weights(rows: Sequence[LabelledText], columns: Sequence[str],
                  rounds: int = RAKING_ROUNDS) -> list[float]:
    """Row weights under which each column's value is independent of the label (Kamiran and
    Calders' reweighing, raked over several columns): weight(label, value) is multiplied by
    P(label) P(value) / P(label, value) over the rows that have the column, round after round.
    Rows without the column keep their weight; the weighted share of scams is unchanged."""
    weights = [1.0] * len(rows)
    low, high = WEIGHT_BOUNDS
    for _ in range(rounds):
        for column in columns:
            values = [_column_value(row, column) for row in rows]
            present = [i for i, value in enumerate(values) if value is not None]
            if not present:
                continue
            total = sum(weights[i] for i in present)
            by_label: dict[int, float] = {}
            by_value: dict[str, float] = {}
            joint: dict[tuple[int, str], float] = {}
            for i in present:
                label, value = rows[i].label, values[i] or ""
                by_label[label] = by_label.get(label, 0.0) + weights[i]
                by_value[value] = by_value.get(value, 0.0) + weights[i]
                joint[label, value] = joint.get((label, value), 0.0) + weights[i]
            for i in present:
                label, value = rows[i].label, values[i] or ""
                factor = by_label[label] * by_value[value] / (joint[label, value] * total)
                weights[i] = min(max(weights[i] * factor, low), high)
    return weights


def topical_terms(rows: Sequence[LabelledText], columns: Sequence[str],
                  min_rows: int = MIN_TOPICAL_ROWS) -> frozenset[str]:
    """Words that name a place, industry, function or department in at least ``min_rows``
    rows' own fields, and every term (word or word pair) that contains one."""
    counts: dict[str, int] = {}
    for row in rows:
        words: set[str] = set()
        for column in columns:
            value = row.extra.get(column)
            if value:
                words.update(t for t in _analyze_once(value) if " " not in t)
        for word in words:
            counts[word] = counts.get(word, 0) + 1
    return frozenset(word for word, count in counts.items() if count >= min_rows)


@dataclass
class Fitted:
    """A fitted vectoriser and logistic regression, with the language offsets it was fitted
    with. ``decision`` is the served model's view: text terms and the intercept only."""

    pipeline: Any
    languages: tuple[str, ...]
    offsets: dict[str, float]

    def decision(self, texts: Sequence[str]) -> Any:
        return self.evidence(texts) + _intercept(self.pipeline.named_steps["logreg"])

    def evidence(self, texts: Sequence[str]) -> Any:
        """What the text's terms add to the intercept: the classifier's evidence as served."""
        vectorizer = self.pipeline.named_steps["tfidf"]
        logreg = self.pipeline.named_steps["logreg"]
        matrix = vectorizer.transform(list(texts))
        return matrix @ logreg.coef_[0][:len(vectorizer.vocabulary_)]


def fit_recipe(rows: Sequence[LabelledText], c: float, recipe: Recipe) -> Fitted:
    """Fit vectoriser and classifier on ``rows`` the way ``recipe`` says."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack

    texts = [row.text for row in rows]
    labels = np.asarray([row.label for row in rows])
    dropped = topical_terms(rows, recipe.topical_columns) if recipe.topical_columns \
        else frozenset()
    pipeline = make_pipeline(c, dropped, recipe.fit_intercept)
    vectorizer, logreg = pipeline.named_steps["tfidf"], pipeline.named_steps["logreg"]
    matrix = vectorizer.fit_transform(texts)
    strata = offset_strata(rows, recipe)
    languages = tuple(sorted({name for names in strata for name in names}))
    if languages:
        column = {name: k for k, name in enumerate(languages)}
        cells = [(i, column[name]) for i, names in enumerate(strata) for name in names]
        offsets = csr_matrix(([OFFSET_VALUE] * len(cells),
                              ([i for i, _ in cells], [k for _, k in cells])),
                             shape=(len(rows), len(languages)))
        matrix = hstack([matrix, offsets], format="csr")
    weights = raked_weights(rows, recipe.reweigh_columns) if recipe.reweigh_columns else None
    logreg.fit(matrix, labels, sample_weight=None if weights is None else np.asarray(weights))
    terms = len(vectorizer.vocabulary_)
    fitted_offsets = {name: round(float(logreg.coef_[0][terms + k]) * OFFSET_VALUE, 4)
                      for k, name in enumerate(languages)}
    return Fitted(pipeline, languages, fitted_offsets)


def offset_strata(rows: Sequence[LabelledText], recipe: Recipe) -> list[tuple[str, ...]]:
    """For each row, the offsets it carries: its language and its training file, unless that
    is the reference language or file (whose base rate the served intercept keeps), or, with
    ``offsets_only_without_scams``, a language or file that holds a scam."""
    reference_source = _reference_source(rows)
    with_scams = {f"lang:{language_of(row)}" for row in rows if row.label == 1} \
        | {f"source:{row.origin}" for row in rows if row.label == 1} \
        if recipe.offsets_only_without_scams else set()
    result = []
    for row in rows:
        names = []
        language, source = f"lang:{language_of(row)}", f"source:{row.origin}"
        if recipe.language_offsets and language_of(row) != REFERENCE_LANGUAGE \
                and language not in with_scams:
            names.append(language)
        if recipe.source_offsets and row.origin != reference_source \
                and source not in with_scams:
            names.append(source)
        result.append(tuple(names))
    return result


def _reference_source(rows: Sequence[LabelledText]) -> str:
    scams = Counter(row.origin for row in rows if row.label == 1)
    return scams.most_common(1)[0][0] if scams else ""


def reference_prevalence(rows: Sequence[LabelledText], recipe: Recipe) -> float:
    """The share of scams the served intercept stands for: the reference language's when the
    languages have offsets of their own (the served model is that language's), else all rows'.
    """
    strata = offset_strata(rows, recipe)
    labels = [row.label for row, names in zip(rows, strata, strict=True) if not names]
    if len(set(labels)) < 2:
        labels = [row.label for row in rows]
    return sum(labels) / len(labels)


def _intercept(logreg: Any) -> float:
    """The fitted intercept; scikit-learn keeps a plain 0.0 when there is none."""
    import numpy as np

    return float(np.ravel(logreg.intercept_)[0])


def served_prevalence(rows: Sequence[LabelledText], recipe: Recipe) -> float:
    """The ``train_prevalence`` a model records: serving counts log-odds minus its logit as
    the classifier's evidence. Plain: the training rows' share of scams. Without an intercept
    (issue 13's recipe): 1/2, so that the evidence is what the terms add and an advert of
    unknown words has none. (With an intercept, and the share of scams of the rows without
    offsets, unseen Korean adverts got +1.8 points; an intercept is no average advert's
    log-odds.)"""
    return reference_prevalence(rows, recipe) if recipe.fit_intercept else 0.5


def export(pipeline: Any, train_prevalence: float, metadata: dict[str, Any]) -> TextModel:
    """Turn a fitted pipeline into the data-only model that ``scamscreen`` serves (text terms
    only: any language offsets after them are left out)."""
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
        "coef": [round(float(v), 6) for v in logreg.coef_[0][:len(terms)]],
        "intercept": round(_intercept(logreg), 6),
        "train_prevalence": round(train_prevalence, 6),
        "metadata": metadata,
    }
    return TextModel(payload, sha256_of(serialize(payload)))


def serialize(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def fit(rows: Iterable[LabelledText], c: float = DEFAULT_C,
        metadata: dict[str, Any] | None = None, recipe: Recipe = PLAIN_RECIPE) -> TextModel:
    """Fit on ``rows`` as ``recipe`` says (plainly by default) and export."""
    rows = list(rows)
    labels = [row.label for row in rows]
    if len(set(labels)) < 2:
        raise InputError("training needs both scam (1) and legitimate (0) examples")
    fitted = fit_recipe(rows, c, recipe)
    extra: dict[str, Any] = {"rows": len(rows), "positives": sum(labels), "C": c}
    if recipe != PLAIN_RECIPE:
        extra["recipe"] = recipe.to_dict()
        extra["language_offsets"] = fitted.offsets
        extra["languages"] = dict(sorted(Counter(language_of(row) for row in rows).items()))
        extra["reference_prevalence"] = round(reference_prevalence(rows, recipe), 6)
    return export(fitted.pipeline, served_prevalence(rows, recipe), {**extra, **(metadata or {})})


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


# Platt scaling is a barely regularised logistic regression on a couple of scores.
CALIBRATION_C = 100.0
CALIBRATION_FOLDS = 5
# A fitted scale below this would make a kind of evidence nearly worthless; keep it visible.
MIN_SCALE = 0.05


C_GRID = (1.0, 4.0, 8.0, 16.0, 32.0)


def _folds(rows: Sequence[LabelledText], folds: int, seed: int) -> list[tuple[Any, Any]]:
    """Stratified by label and language, so that every fold holds each language's share."""
    from sklearn.model_selection import StratifiedKFold

    strata = [f"{row.label}:{language_of(row)}" for row in rows]
    counts = Counter(strata)
    # A stratum smaller than the folds cannot be spread over them: fall back on the label.
    strata = [s if counts[s] >= folds else s.split(":")[0] for s in strata]
    return list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(rows, strata))


def out_of_fold_log_odds(rows: Sequence[LabelledText], c: float, seed: int,
                         folds: int = CALIBRATION_FOLDS,
                         recipe: Recipe = PLAIN_RECIPE) -> list[float]:
    """The served classifier's log-odds (terms and intercept, no offsets) for each row, from
    a model that did not see that row."""
    values = [0.0] * len(rows)
    for train_index, test_index in _folds(rows, folds, seed):
        fitted = fit_recipe([rows[i] for i in train_index], c, recipe)
        texts = [rows[i].text for i in test_index]
        predicted = fitted.decision(texts)
        for i, value in zip(test_index, predicted, strict=True):
            values[i] = float(value)
    return values


def choose_c(rows: list[LabelledText], seed: int, recipe: Recipe = PLAIN_RECIPE
             ) -> tuple[float, dict[str, float], list[float]]:
    """Pick C by 5-fold cross-validated ROC-AUC of the served log-odds on the training rows
    only (every language pooled: a legitimate Korean advert must rank below a scam too).
    Returns C, the AUC per C, and the chosen C's out-of-fold log-odds (for calibration)."""
    from sklearn.metrics import roc_auc_score

    labels = [row.label for row in rows]
    scores: dict[str, float] = {}
    best: tuple[float, float, list[float]] | None = None
    for c in C_GRID:
        values = out_of_fold_log_odds(rows, c, seed, CALIBRATION_FOLDS, recipe)
        auc = float(roc_auc_score(labels, values))
        scores[f"{c:g}"] = round(auc, 4)
        if best is None or auc > best[1]:
            best = (c, auc, values)
    assert best is not None
    return best[0], scores, best[2]


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


# Rule points by catalogue and text: cross-validation calibrates on the same texts many times.
_RULE_POINTS: dict[tuple[int, str], float] = {}


def rule_points(texts: Sequence[str], catalogue: Catalogue | None = None) -> list[float]:
    """Each text's group-capped flag points at rule_scale 1, exactly as screening awards them."""
    from scamscreen.catalogue import default_catalogue
    from scamscreen.screener import Screener

    catalogue = catalogue or default_catalogue()
    screener: Screener | None = None
    points = []
    for text in texts:
        key = (id(catalogue), text)
        if key not in _RULE_POINTS:
            screener = screener or Screener(catalogue, use_model=False)
            try:
                _RULE_POINTS[key] = screener.screen(text).rule_points
            except InputError:  # an empty advert has no flags
                _RULE_POINTS[key] = 0.0
        points.append(_RULE_POINTS[key])
    return points


def fit_scales(points: Sequence[float], classifier_evidence: Sequence[float],
               labels: Sequence[int], strata: Sequence[tuple[str, ...]] | None = None
               ) -> tuple[float, float, float]:
    """Platt-style fit of the labels on the classifier evidence, with rule points as a fixed
    offset (their catalogue weights, scale 1).

    Returns (rule_scale, classifier_scale, intercept); rule_scale is always 1. Rule points are
    expert log-odds and stay as written: the training data holds almost no trafficking-
    recruitment ads besides the project's own samples, which the rules were written against,
    so a scale fitted on either would be fitted on the wrong population or on itself.
    ``classifier_evidence`` is log-odds minus logit(training prevalence), unbounded (serving's
    smooth bound is a guard, not part of the calibration). The classifier scale is floored at
    ``MIN_SCALE`` so the score stays monotone in it.

    With ``strata`` (``offset_strata``), each language and file other than the reference gets
    an intercept of its own, as in the classifier's fit, and the reference's is returned: the
    base rates of the all-legitimate languages and files (Korean, legit_modern.csv) must not
    decide how far the classifier's evidence is trusted, nor the base every advert starts
    from. (Holding the reference's intercept at its prevalence's log-odds was tried and
    dropped with the terms-only evidence it went with.)
    """
    import numpy as np
    from scipy.optimize import minimize

    offset = np.asarray(points, dtype=float)
    evidence = np.asarray(classifier_evidence, dtype=float)
    target = np.asarray(labels, dtype=float)
    others = sorted({name for names in strata or () for name in names})
    indicators = np.array([[float(other in names) for other in others]
                           for names in (strata or [])]).reshape(len(target), len(others))
    penalty = 1.0 / (2.0 * CALIBRATION_C * len(target))

    def loss(params: Any) -> tuple[float, Any]:
        scale, intercept, shifts = params[0], params[1], params[2:]
        z = intercept + offset + scale * evidence + indicators @ shifts
        probability = 1.0 / (1.0 + np.exp(-z))
        value = float(np.mean(np.logaddexp(0.0, z) - target * z)) \
            + penalty * (scale * scale + float(shifts @ shifts))
        residual = probability - target
        gradient = np.concatenate([
            [float(np.mean(residual * evidence)) + 2 * penalty * scale,
             float(np.mean(residual))],
            residual @ indicators / len(target) + 2 * penalty * shifts])
        return value, gradient

    start = np.concatenate([[1.0, 0.0], np.zeros(len(others))])
    result = minimize(loss, x0=start, jac=True, method="L-BFGS-B")
    scale = float(result.x[0])
    intercept = float(result.x[1])
    return 1.0, max(scale, MIN_SCALE), intercept


def fit_calibration(rows: Sequence[LabelledText], c: float, seed: int,
                    catalogue: Catalogue | None = None, prior: float | None = None,
                    recipe: Recipe = PLAIN_RECIPE,
                    out_of_fold: Sequence[float] | None = None) -> dict[str, Any]:
    """Fit how rule points and classifier log-odds map to probability, on training rows only.
    ``out_of_fold`` reuses log-odds already computed with the same folds (``choose_c``)."""
    from scamscreen.catalogue import default_catalogue
    from scamscreen.scoring import DEFAULT_PRIOR, catalogue_fingerprint

    catalogue = catalogue or default_catalogue()
    labels = [r.label for r in rows]
    prevalence = reference_prevalence(rows, recipe)
    points = rule_points([r.text for r in rows], catalogue)
    if out_of_fold is None:
        out_of_fold = out_of_fold_log_odds(rows, c, seed, CALIBRATION_FOLDS, recipe)
    evidence = [v - logit(served_prevalence(rows, recipe)) for v in out_of_fold]
    strata = offset_strata(rows, recipe)
    rule_scale, classifier_scale, intercept = fit_scales(
        points, evidence, labels, strata if any(strata) else None)
    per_language = (" and an intercept per language and training file, as in the classifier "
                    "(the reference's kept)" if any(strata) else "")
    return {
        "method": "Platt-style logistic regression of the labels on the "
                  f"{CALIBRATION_FOLDS}-fold out-of-fold classifier log-odds (minus logit of the "
                  "training prevalence, of the rows without offsets), with the group-capped rule "
                  f"points as a fixed offset (catalogue weights, scale 1){per_language}, "
                  "training rows only",
        "rule_scale": round(rule_scale, 4),
        "classifier_scale": round(classifier_scale, 4),
        "offset": round(intercept - logit(prevalence), 4),
        "prior": prior if prior is not None else DEFAULT_PRIOR,
        "fitted_on": {"rows": len(rows), "positives": sum(labels),
                      "prevalence": round(sum(labels) / len(labels), 4),
                      "reference_prevalence": round(prevalence, 4),
                      "rows_with_flags": sum(1 for p in points if p > 0)},
        "catalogue": {"flags": len(catalogue), "sha256": catalogue_fingerprint(catalogue)},
    }


def build_model(rows: Sequence[LabelledText], c: float, seed: int,
                metadata: dict[str, Any] | None = None, catalogue: Catalogue | None = None,
                calibrate: bool = True, recipe: Recipe = PLAIN_RECIPE,
                out_of_fold: Sequence[float] | None = None) -> TextModel:
    """Fit the classifier on ``rows`` and, unless told not to, its calibration on the same rows."""
    extra = dict(metadata or {})
    if calibrate:
        extra["calibration"] = fit_calibration(rows, c, seed, catalogue, recipe=recipe,
                                               out_of_fold=out_of_fold)
    return fit(rows, c, extra, recipe)


def train_from_files(paths: Sequence[Path], output: Path, *, text_column: str | None,
                     label_column: str | None, hold_out: Sequence[str], seed: int,
                     c: float | None, calibrate: bool = True,
                     recipe: Recipe = PLAIN_RECIPE) -> str:
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
    out_of_fold: list[float] | None = None
    if c is None:
        c, cv_scores, out_of_fold = choose_c(training, seed, recipe)
    model = build_model(training, c, seed, {"sources": sources, "held_out_ids": held_ids,
                                            "seed": seed, "cv_auc_by_C": cv_scores},
                        calibrate=calibrate, recipe=recipe, out_of_fold=out_of_fold)
    checksum = save(model, output)
    calibration = model.metadata.get("calibration")
    fitted = (f"\ncalibration: rule_scale {calibration['rule_scale']:g}, classifier_scale "
              f"{calibration['classifier_scale']:g}, offset {calibration['offset']:g}, "
              f"prior {calibration['prior']:g}" if calibration else "\nnot calibrated")
    return (f"trained on {len(training)} adverts ({sum(r.label for r in training)} scams), "
            f"C={c:g}, {len(model.terms)} terms{fitted}\nwrote {output} (sha256 {checksum})")
