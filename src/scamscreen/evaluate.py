"""How good is it: score a labelled file and measure the scores against the labels.

Everything is measured on what ``check`` shows: the assessment's ``total`` (the log-odds behind
the 0-100 score, which orders ads exactly as the score does, without its rounding ties) for
ranking metrics, and the 0-100 score against the band thresholds for precision and recall.
Metrics come from scikit-learn where it has them. Imported by ``scamscreen evaluate`` and
``scamscreen model-card`` only: scikit-learn is slow to import and screening does not need it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from scamscreen.errors import InputError
from scamscreen.scoring import BANDS, catalogue_fingerprint
from scamscreen.screener import Screener
from scamscreen.training import PLAIN_RECIPE, LabelledText, Recipe, read_labelled

# Reliability bins on the 0-100 score.
RELIABILITY_EDGES = (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 101)
# Bands whose threshold is above zero: "low" starts at 0 and flags everything.
THRESHOLD_BANDS = tuple((name, threshold) for name, threshold in BANDS if threshold > 0)
CONFIDENCE = 0.95


@dataclass(frozen=True)
class ScoredRow:
    """One labelled advert and what the screener made of it."""

    id: str
    label: int
    score: int
    total: float
    rule_points: float
    classifier_points: float  # before the clip: the classifier's own ranking
    flags: tuple[str, ...]
    extra: dict[str, str] = field(default_factory=dict)
    # What the classifier added to the total: bounded and scaled by length, as `check` shows.
    classifier_added: float = 0.0


@dataclass(frozen=True)
class BandMetrics:
    band: str
    threshold: int
    tp: int
    fp: int
    tn: int
    fn: int
    precision: float | None
    recall: float | None
    f1: float | None
    fpr: float | None


@dataclass(frozen=True)
class FlagFiring:
    id: str
    title: str
    fired_positive: int
    fired_negative: int
    precision: float | None  # share of rows it fired on that are scams
    lift: float | None  # precision over the file's prevalence: 1 means it tells nothing


@dataclass(frozen=True)
class ReliabilityBin:
    low: int
    high: int  # exclusive, except the last bin, which includes 100
    count: int
    mean_score: float | None  # mean score / 100: what the score promised
    observed: float | None  # share of scams among them: what happened


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Evaluation:
    source: str
    rows: int
    positives: int
    prevalence: float
    prior: float
    roc_auc: float | None
    average_precision: float | None
    brier: float | None
    roc_auc_classifier: float | None
    roc_auc_rules: float | None
    bands: tuple[BandMetrics, ...]
    flags: tuple[FlagFiring, ...]
    reliability: tuple[ReliabilityBin, ...]
    intervals: dict[str, Interval] = field(default_factory=dict)
    bootstrap: int = 0
    unscreened: tuple[str, ...] = ()
    model_sha256: str | None = None
    catalogue_sha256: str | None = None
    notes: tuple[str, ...] = ()
    # Metrics per value of each --group-column, e.g. {"lang": [GroupMetrics, ...]}.
    groups: dict[str, tuple[GroupMetrics, ...]] = field(default_factory=dict)

    def band(self, name: str) -> BandMetrics:
        return next(b for b in self.bands if b.band == name)

    @property
    def confusion_high(self) -> dict[str, int]:
        high = self.band("high")
        return {"tp": high.tp, "fp": high.fp, "tn": high.tn, "fn": high.fn}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["confusion_high"] = self.confusion_high
        data["unscreened"] = list(self.unscreened)
        data["notes"] = list(self.notes)
        return _rounded(data)


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def score_rows(screener: Screener, rows: Iterable[LabelledText]
               ) -> tuple[list[ScoredRow], list[str]]:
    """Screen each row; return the scored rows and the ids of rows that could not be screened."""
    scored, unscreened = [], []
    for row in rows:
        try:
            assessment = screener.screen(row.text)
        except InputError:
            unscreened.append(row.id)
            continue
        classifier = assessment.classifier
        scored.append(ScoredRow(row.id, row.label, assessment.score, assessment.total,
                                assessment.rule_points, classifier.raw_points if classifier
                                else 0.0, assessment.flag_ids, row.extra,
                                classifier.points if classifier else 0.0))
    return scored, unscreened


def roc_auc(labels: Sequence[int], values: Sequence[float]) -> float | None:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, values)) if len(set(labels)) == 2 else None


def average_precision(labels: Sequence[int], values: Sequence[float]) -> float | None:
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(labels, values)) if len(set(labels)) == 2 else None


def band_metrics(labels: Sequence[int], scores: Sequence[int]) -> list[BandMetrics]:
    """Precision, recall, F1 and false-positive rate when "at or above the band" means scam."""
    from sklearn.metrics import confusion_matrix

    result = []
    for name, threshold in THRESHOLD_BANDS:
        predicted = [int(score >= threshold) for score in scores]
        matrix = confusion_matrix(labels, predicted, labels=[0, 1])
        tn, fp, fn, tp = (int(v) for v in matrix.ravel())
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        # F1 = 2tp / (2tp + fp + fn); undefined only when there is nothing to find or flag.
        f1 = _ratio(2 * tp, 2 * tp + fp + fn)
        result.append(BandMetrics(name, threshold, tp, fp, tn, fn, precision, recall, f1,
                                  _ratio(fp, fp + tn)))
    return result


def flag_firing(rows: Sequence[ScoredRow], screener: Screener) -> list[FlagFiring]:
    """For every flag in the catalogue: how often it fired on scams and on legitimate ads."""
    prevalence = _ratio(sum(r.label for r in rows), len(rows)) or 0.0
    result = []
    for flag in screener.catalogue:
        positive = sum(1 for r in rows if r.label == 1 and flag.id in r.flags)
        negative = sum(1 for r in rows if r.label == 0 and flag.id in r.flags)
        precision = _ratio(positive, positive + negative)
        lift = precision / prevalence if precision is not None and prevalence else None
        result.append(FlagFiring(flag.id, flag.title, positive, negative, precision, lift))
    return result


def reliability(rows: Sequence[ScoredRow]) -> list[ReliabilityBin]:
    bins = []
    for low, high in zip(RELIABILITY_EDGES, RELIABILITY_EDGES[1:], strict=False):
        inside = [r for r in rows if low <= r.score < high]
        bins.append(ReliabilityBin(
            low, min(high, 100), len(inside),
            _ratio(sum(r.score for r in inside) / 100, len(inside)),
            _ratio(sum(r.label for r in inside), len(inside))))
    return bins


def bootstrap_intervals(rows: Sequence[ScoredRow], resamples: int, seed: int
                        ) -> dict[str, Interval]:
    """Percentile bootstrap intervals (95%) for the headline metrics, resampling rows."""
    if resamples <= 0 or not rows:
        return {}
    generator = random.Random(seed)
    draws: dict[str, list[float]] = {"roc_auc": [], "average_precision": [],
                                     "precision_high": [], "recall_high": []}
    for _ in range(resamples):
        sample = [rows[generator.randrange(len(rows))] for _ in rows]
        labels = [r.label for r in sample]
        if len(set(labels)) < 2:
            continue
        totals = [r.total for r in sample]
        draws["roc_auc"].append(roc_auc(labels, totals) or 0.0)
        draws["average_precision"].append(average_precision(labels, totals) or 0.0)
        high = band_metrics(labels, [r.score for r in sample])[0]
        if high.precision is not None:
            draws["precision_high"].append(high.precision)
        if high.recall is not None:
            draws["recall_high"].append(high.recall)
    tail = (1 - CONFIDENCE) / 2
    intervals = {}
    for name, values in draws.items():
        if values:
            values.sort()
            lower = values[int(tail * (len(values) - 1))]
            upper = values[int(round((1 - tail) * (len(values) - 1)))]
            intervals[name] = Interval(lower, upper)
    return intervals


def summarize(rows: Sequence[ScoredRow], screener: Screener, *, source: str = "",
              bootstrap: int = 0, seed: int = 20261125, unscreened: Sequence[str] = ()
              ) -> Evaluation:
    """Every metric over already-scored rows."""
    if not rows:
        raise InputError(f"{source or 'input'}: no rows could be screened")
    labels = [r.label for r in rows]
    totals = [r.total for r in rows]
    positives = sum(labels)
    prevalence = positives / len(rows)
    notes = []
    if len(set(labels)) < 2:
        notes.append("only one class present: ranking metrics are undefined")
    prior = screener.calibration.prior
    if abs(prior - prevalence) > 0.05:
        notes.append(f"scores assume {prior:.0%} of ads are scams, this file has "
                     f"{prevalence:.0%}: for the reliability table to be a fair test, "
                     f"rerun with --prior {prevalence:.3f}")
    model = screener.model
    expected = (model.metadata.get("calibration") or {}).get("catalogue", {}).get("sha256") \
        if model else None
    fingerprint = catalogue_fingerprint(screener.catalogue)
    if expected and expected != fingerprint:
        notes.append("the catalogue changed since the model was calibrated: retrain "
                     "(scripts/train-shipped-model.sh) to refit the calibration")
    return Evaluation(
        source=source,
        rows=len(rows),
        positives=positives,
        prevalence=prevalence,
        prior=prior,
        roc_auc=roc_auc(labels, totals),
        average_precision=average_precision(labels, totals),
        brier=sum((r.score / 100 - r.label) ** 2 for r in rows) / len(rows),
        roc_auc_classifier=roc_auc(labels, [r.classifier_points for r in rows]) if model else None,
        roc_auc_rules=roc_auc(labels, [r.rule_points for r in rows]),
        bands=tuple(band_metrics(labels, [r.score for r in rows])),
        flags=tuple(flag_firing(rows, screener)),
        reliability=tuple(reliability(rows)),
        intervals=bootstrap_intervals(rows, bootstrap, seed),
        bootstrap=bootstrap,
        unscreened=tuple(unscreened),
        model_sha256=model.checksum if model else None,
        catalogue_sha256=fingerprint,
        notes=tuple(notes),
    )


def held_out_ids(screener: Screener, file_name: str) -> set[str]:
    """The ids of ``file_name`` that the screener's model kept out of training."""
    if screener.model is None:
        raise InputError("--ids-from-model needs a model (not --no-model)")
    recorded = screener.model.metadata.get("held_out_ids") or {}
    if file_name not in recorded:
        known = ", ".join(recorded) or "none"
        raise InputError(f"the model held out no rows of '{file_name}' (it records: {known})")
    return set(recorded[file_name])


def evaluate_file(path: Path, screener: Screener, *, text_column: str | None = None,
                  label_column: str | None = None, id_column: str | None = None,
                  ids_from_model: bool = False, bootstrap: int = 0,
                  seed: int = 20261125, where: Callable[[LabelledText], bool] | None = None,
                  group_columns: Sequence[str] = ()) -> Evaluation:
    """Read a labelled CSV or JSONL file, screen every row, and measure."""
    rows = read_labelled(path, text_column, label_column, id_column)
    if ids_from_model:
        wanted = held_out_ids(screener, path.name)
        rows = [row for row in rows if row.id in wanted]
        if len(rows) != len(wanted):
            raise InputError(f"{path}: {len(wanted) - len(rows)} of the model's held-out ids "
                             "are not in this file; is it the file the model was trained from?")
    if where is not None:
        rows = [row for row in rows if where(row)]
    for column in group_columns:
        if rows and column not in rows[0].extra:
            raise InputError(f"{path}: no group column '{column}' "
                             f"(columns: {', '.join(rows[0].extra)})")
    scored, unscreened = score_rows(screener, rows)
    evaluation = summarize(scored, screener, source=path.name, bootstrap=bootstrap, seed=seed,
                           unscreened=unscreened)
    if not group_columns:
        return evaluation
    return replace(evaluation, groups={column: tuple(group_metrics(scored, column))
                                       for column in group_columns})


# --- cross-validation where the samples also train the classifier -------------------------

@dataclass(frozen=True)
class QualityBar:
    """Issue 2's bar on the project's samples: every recruitment ad high, <= 10% look-alikes."""

    recruitment: int
    recruitment_high: int
    recruitment_missed: tuple[str, ...]
    lookalike: int
    lookalike_high: int
    lookalike_flagged: tuple[str, ...]
    max_lookalike_rate: float = 0.10

    @property
    def lookalike_rate(self) -> float:
        return self.lookalike_high / self.lookalike if self.lookalike else 0.0

    @property
    def passed(self) -> bool:
        return (self.recruitment_high == self.recruitment
                and self.lookalike_rate <= self.max_lookalike_rate)

    def to_dict(self) -> dict[str, Any]:
        data = _rounded(asdict(self))
        data.update(lookalike_rate=round(self.lookalike_rate, 4), passed=self.passed)
        return data


def quality_bar(rows: Sequence[ScoredRow], kind_key: str = "kind") -> QualityBar:
    high = dict(BANDS)["high"]
    recruitment = [r for r in rows if r.extra.get(kind_key) == "recruitment"]
    lookalike = [r for r in rows if r.extra.get(kind_key) == "lookalike"]
    return QualityBar(
        len(recruitment), sum(r.score >= high for r in recruitment),
        tuple(r.id for r in recruitment if r.score < high),
        len(lookalike), sum(r.score >= high for r in lookalike),
        tuple(r.id for r in lookalike if r.score >= high))


def cross_validate_samples(base_rows: Sequence[LabelledText], sample_rows: Sequence[LabelledText],
                           *, c: float, seed: int, folds: int = 5, prior: float | None = None,
                           catalogue: Any = None, recipe: Recipe | None = None
                           ) -> list[ScoredRow]:
    """Score every sample with a model (classifier and calibration) that never saw it.

    For each of ``folds`` stratified folds of the samples: train on ``base_rows`` plus the other
    folds (calibration refitted on that training set only), then screen the fold.
    """
    from sklearn.model_selection import StratifiedKFold

    from scamscreen.catalogue import default_catalogue
    from scamscreen.training import build_model

    catalogue = catalogue or default_catalogue()
    strata = [f"{r.label}:{r.extra.get('kind', '')}" for r in sample_rows]
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    scored: list[ScoredRow] = []
    for train_index, test_index in splitter.split(sample_rows, strata):
        training = list(base_rows) + [sample_rows[i] for i in train_index]
        model = build_model(training, c, seed, catalogue=catalogue,
                            recipe=recipe or PLAIN_RECIPE)
        screener = Screener(catalogue, model, prior=prior)
        fold_scored, _ = score_rows(screener, [sample_rows[i] for i in test_index])
        scored.extend(fold_scored)
    order = {row.id: index for index, row in enumerate(sample_rows)}
    return sorted(scored, key=lambda r: order[r.id])


def leave_one_group_out(base_rows: Sequence[LabelledText], rows: Sequence[LabelledText],
                        group_key: str, *, c: float, seed: int, recipe: Recipe,
                        prior: float | None = None, catalogue: Any = None) -> list[ScoredRow]:
    """Score every row of ``rows`` with a model that never saw any row of its group.

    For each value of ``group_key`` (e.g. ``source_repo``): train classifier and calibration on
    ``base_rows`` plus the rows of every other group, then screen that group. This is how an
    advert from a job board the model never trained on fares.
    """
    from scamscreen.catalogue import default_catalogue
    from scamscreen.training import build_model

    catalogue = catalogue or default_catalogue()
    groups: dict[str, list[LabelledText]] = {}
    for row in rows:
        groups.setdefault(row.extra.get(group_key, ""), []).append(row)
    scored: list[ScoredRow] = []
    for name in sorted(groups):
        training = list(base_rows) + [r for other, members in groups.items() if other != name
                                      for r in members]
        model = build_model(training, c, seed, catalogue=catalogue, recipe=recipe)
        group_scored, _ = score_rows(Screener(catalogue, model, prior=prior), groups[name])
        scored.extend(group_scored)
    order = {row.id: index for index, row in enumerate(rows)}
    return sorted(scored, key=lambda r: order[r.id])


@dataclass(frozen=True)
class GroupMetrics:
    """How one group of rows (a language, a source) fared: the figures issue 13 asks for."""

    group: str
    rows: int
    positives: int
    roc_auc: float | None
    medium_or_high: float  # share of rows scoring medium or high
    high: float
    legit_medium_or_high: float | None  # the same among legitimate rows only
    legit_high: float | None
    recall_high: float | None  # share of scams scoring high
    classifier_points_scams: float | None  # mean points the classifier added, on scams
    classifier_points_legit: float | None  # and on legitimate rows

    def to_dict(self) -> dict[str, Any]:
        return _rounded(asdict(self))


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def group_metrics(rows: Sequence[ScoredRow], key: str | Callable[[ScoredRow], str]
                  ) -> list[GroupMetrics]:
    """Metrics per value of ``key`` (an ``extra`` column, or a function of the row), largest
    group first."""
    medium, high = dict(BANDS)["medium"], dict(BANDS)["high"]
    of = key if callable(key) else (lambda r: r.extra.get(key, "") or "(none)")
    groups: dict[str, list[ScoredRow]] = {}
    for row in rows:
        groups.setdefault(of(row), []).append(row)
    result = []
    for name, members in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        scams = [r for r in members if r.label == 1]
        legit = [r for r in members if r.label == 0]
        labels = [r.label for r in members]
        result.append(GroupMetrics(
            name, len(members), len(scams), roc_auc(labels, [r.total for r in members]),
            sum(r.score >= medium for r in members) / len(members),
            sum(r.score >= high for r in members) / len(members),
            _ratio(sum(r.score >= medium for r in legit), len(legit)),
            _ratio(sum(r.score >= high for r in legit), len(legit)),
            _ratio(sum(r.score >= high for r in scams), len(scams)),
            _mean([r.classifier_added for r in scams]),
            _mean([r.classifier_added for r in legit])))
    return result


def render_groups(console: Any, groups: Sequence[GroupMetrics], column: str) -> None:
    """Print per-group metrics as one rich table."""
    from rich.table import Table

    table = Table(title=f"By {column} (classifier points: mean added to the total)")
    for name in ("group", "ads", "scams", "ROC-AUC", "medium+", "high", "legit medium+",
                 "legit high", "scams high", "cls pts scams", "cls pts legit"):
        table.add_column(name, justify="left" if name == "group" else "right")
    for g in groups:
        table.add_row(g.group, str(g.rows), str(g.positives), _fmt(g.roc_auc),
                      _pct(g.medium_or_high), _pct(g.high), _pct(g.legit_medium_or_high),
                      _pct(g.legit_high), _pct(g.recall_high),
                      _fmt(g.classifier_points_scams, 2), _fmt(g.classifier_points_legit, 2))
    console.print(table)


# --- rendering ------------------------------------------------------------------------------

def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def render(console: Any, evaluation: Evaluation) -> None:
    """Print an evaluation as rich tables."""
    from rich.table import Table

    e = evaluation
    console.print(f"[bold]{e.source}[/]: {e.rows} adverts, {e.positives} scams "
                  f"(prevalence {e.prevalence:.1%}); scores assume prior {e.prior:.1%}")

    def with_ci(name: str, value: float | None) -> str:
        interval = e.intervals.get(name)
        text = _fmt(value)
        return f"{text}  (95% CI {interval.low:.3f}–{interval.high:.3f})" if interval else text

    headline = Table(title="Ranking", show_header=False)
    headline.add_row("ROC-AUC (score)", with_ci("roc_auc", e.roc_auc))
    headline.add_row("average precision", with_ci("average_precision", e.average_precision))
    headline.add_row("ROC-AUC, classifier alone", _fmt(e.roc_auc_classifier))
    headline.add_row("ROC-AUC, rules alone", _fmt(e.roc_auc_rules))
    headline.add_row("Brier score (score/100)", _fmt(e.brier))
    console.print(headline)

    bands = Table(title="At each band threshold (score ≥ threshold counts as scam)")
    for column in ("band", "threshold", "precision", "recall", "F1", "FPR", "flagged"):
        bands.add_column(column, justify="right" if column != "band" else "left")
    for b in e.bands:
        bands.add_row(b.band, str(b.threshold), _fmt(b.precision), _fmt(b.recall), _fmt(b.f1),
                      _fmt(b.fpr), str(b.tp + b.fp))
    console.print(bands)

    c = e.confusion_high
    confusion = Table(title=f"Confusion matrix at high (score ≥ {e.band('high').threshold})")
    confusion.add_column("")
    confusion.add_column("predicted scam", justify="right")
    confusion.add_column("predicted not", justify="right")
    confusion.add_row("actual scam", str(c["tp"]), str(c["fn"]))
    confusion.add_row("actual legitimate", str(c["fp"]), str(c["tn"]))
    console.print(confusion)

    flags = Table(title="Flags: firing on scams vs legitimate ads "
                  "(lift = precision / prevalence; 1 = tells nothing)")
    flags.add_column("flag", no_wrap=True)
    flags.add_column("title", no_wrap=True, overflow="ellipsis", max_width=44)
    for column in ("on scams", "on legit", "precision", "lift"):
        flags.add_column(column, justify="right")
    fired = [f for f in e.flags if f.fired_positive + f.fired_negative]
    for f in sorted(fired, key=lambda f: (-(f.fired_positive + f.fired_negative), f.id)):
        flags.add_row(f.id, f.title, str(f.fired_positive), str(f.fired_negative),
                      _fmt(f.precision, 2), _fmt(f.lift, 2))
    console.print(flags)
    silent = [f.id for f in e.flags if not f.fired_positive + f.fired_negative]
    if silent:
        console.print(f"{len(silent)} flags never fired on this file: {', '.join(silent)}")

    table = Table(title="Reliability: score bins vs observed scam rate")
    for column in ("scores", "ads", "mean score/100", "observed rate"):
        table.add_column(column, justify="right")
    for r in e.reliability:
        label = f"{r.low}–{r.high}" if r.high == 100 else f"{r.low}–{r.high - 1}"
        table.add_row(label, str(r.count), _fmt(r.mean_score, 2), _fmt(r.observed, 2))
    console.print(table)
    for note in e.notes:
        console.print(f"[yellow]note:[/] {note}")
    if e.unscreened:
        console.print(f"[yellow]{len(e.unscreened)} rows could not be screened[/] "
                      f"(empty text): {', '.join(e.unscreened[:10])}")
