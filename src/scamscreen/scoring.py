"""Flag hits and the classifier's view, combined into one score whose parts add up.

Everything lives in one additive log-odds space:

    total = base + Σ flag points (group-capped) + Σ combination points + classifier points
    score = round(100 · 1 / (1 + e^-total))

- ``base`` is the log-odds of the prior, how common scams are among the ads being screened
  (``DEFAULT_PRIOR``; ``--prior`` changes it), plus the calibration's ``offset``: what the
  fitted calibration says an ad with no flags and a neutral classifier is worth beyond that.
- A flag's points are its catalogue weight times ``rule_scale``; within a group, points are
  awarded strongest-first until the group's cap is reached.
- The classifier's points are its log-odds minus those of its training prevalence (the evidence
  it adds beyond the base rate), times ``classifier_scale``, bounded smoothly within
  ``CLASSIFIER_POINTS_RANGE`` (see ``bound_classifier_points``) so that it can neither veto
  strong rule evidence nor carry an ad into "high" alone, scaled down on very short text
  (``length_weight``) and on text in languages it never learnt (``language_weight``).
- Mitigating flags (group ``mitigation``: the ad reads as a warning about scams, or names a
  licensed employer and a formal process) carry negative points, capped like any group.
The score never falls when a red flag is added and never rises when a mitigating one is.

``rule_scale``, ``classifier_scale`` and ``offset`` are fitted by ``train`` on training rows only
(Platt-style: a logistic regression of the labels on the rule points and the out-of-fold
classifier log-odds, see ``training.fit_calibration``) and stored in the model's
``metadata["calibration"]``. The fit sees the training set's prevalence; the offset is stored
net of it, so that any prior can be put back in its place (a prior shift of a logistic model).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from scamscreen.catalogue import Catalogue, Flag
from scamscreen.contacts import Contact
from scamscreen.language import UNDETERMINED, LanguageGuess
from scamscreen.model import Prediction
from scamscreen.rules import Evidence, Hit

DEFAULT_PRIOR = 0.10
# Band thresholds on the 0-100 score: "high" from 70, "medium" from 35.
BANDS: tuple[tuple[str, int], ...] = (("high", 70), ("medium", 35), ("low", 0))
BAND_NAMES = tuple(name for name, _ in reversed(BANDS))
CLASSIFIER_POINTS_RANGE = (-2.0, 2.5)
# The classifier learnt from whole adverts; on a line or two its probability is mostly noise
# (a five-word bakery ad came out at 0.70). Below this many distinct known terms its points
# are scaled down in proportion.
FULL_WEIGHT_KNOWN_TERMS = 30


def catalogue_fingerprint(catalogue: Catalogue) -> str:
    """A digest of what decides rule points (flags, points, groups, caps, patterns): a model
    calibrated against one catalogue can tell when it is served with another."""
    parts = [(f.id, f.group, f.points, f.kind, sorted((k, list(v)) for k, v in f.patterns.items()),
              list(f.requires), [[list(map(list, r.slots)), r.window, list(r.unless),
                                  list(r.unless_near)] for r in f.concept_rules])
             for f in catalogue.flags]
    caps = sorted((g.name, g.cap) for g in catalogue.groups.values())
    lexicons = [(x.language, x.unaccented, sorted((k, list(v)) for k, v in x.concepts.items()),
                 sorted((k, list(v)) for k, v in x.triggers.items())) for x in catalogue.lexicons]
    data = json.dumps([parts, caps, lexicons, sorted(catalogue.currencies.items())],
                      ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()


def band_for(score: int) -> str:
    for name, threshold in BANDS:
        if score >= threshold:
            return name
    return "low"


def band_threshold(band: str) -> int:
    return dict(BANDS)[band]


def logit(probability: float) -> float:
    probability = min(max(probability, 1e-6), 1 - 1e-6)
    return math.log(probability / (1 - probability))


def logistic(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp_value = math.exp(value)
    return exp_value / (1.0 + exp_value)


@dataclass(frozen=True)
class Calibration:
    """How evidence maps to log-odds. Defaults are the documented hand-set values; ``train``
    fits the scales and the offset on training data (see the model card)."""

    rule_scale: float = 1.0
    classifier_scale: float = 1.0
    prior: float = DEFAULT_PRIOR
    # Log-odds of an ad with no flags and a classifier at its base rate, beyond logit(prior).
    offset: float = 0.0

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> Calibration:
        if not data:
            return cls()
        return cls(float(data.get("rule_scale", 1.0)), float(data.get("classifier_scale", 1.0)),
                   float(data.get("prior", DEFAULT_PRIOR)), float(data.get("offset", 0.0)))

    def with_prior(self, prior: float | None) -> Calibration:
        if prior is None:
            return self
        return replace(self, prior=prior)

    @property
    def base(self) -> float:
        return logit(self.prior) + self.offset


@dataclass(frozen=True)
class FlagResult:
    """A flag that fired, with the points it was awarded in this ad."""

    flag: Flag
    points: float
    evidence: tuple[Evidence, ...]
    because: tuple[str, ...] = ()
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        flag = self.flag
        return {
            "id": flag.id,
            "name": flag.name,
            "kind": flag.kind,
            "group": flag.group,
            "title": flag.title,
            "points": round(self.points, 3),
            "nominal_points": flag.points,
            "severity": flag.severity,
            "confidence": flag.confidence,
            "evidence": [e.to_dict() for e in self.evidence],
            "because": list(self.because),
            "note": self.note,
            "rationale": flag.rationale,
            "sources": [s.to_dict() for s in flag.sources],
            "advice": flag.advice,
        }


@dataclass(frozen=True)
class ClassifierResult:
    probability: float
    points: float
    raw_points: float
    prediction: Prediction | None
    language_weight: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        prediction = self.prediction
        return {
            "probability": round(self.probability, 4),
            "points": round(self.points, 3),
            "raw_points": round(self.raw_points, 3),
            "length_weight": round(length_weight(prediction), 3) if prediction else 1.0,
            "language_weight": round(self.language_weight, 3),
            "terms_up": [t.to_dict() for t in prediction.terms_up] if prediction else [],
            "terms_down": [t.to_dict() for t in prediction.terms_down] if prediction else [],
        }


@dataclass(frozen=True)
class Assessment:
    """The result of screening one advert. The CLI renders exactly this."""

    text: str
    score: int
    band: str
    total: float
    base: float
    prior: float
    flags: tuple[FlagResult, ...]
    classifier: ClassifierResult | None
    contacts: tuple[Contact, ...] = ()
    warnings: tuple[str, ...] = ()
    screened_length: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    language: LanguageGuess | None = None

    @property
    def flag_ids(self) -> tuple[str, ...]:
        return tuple(result.flag.id for result in self.flags)

    @property
    def rule_points(self) -> float:
        return sum(result.points for result in self.flags)

    def reason(self, limit: int = 3, title: Callable[[Flag], str] | None = None,
               resembles: str = "wording resembles known scam ads",
               nothing: str = "no red flags found") -> str:
        """A short human-readable reason: the heaviest flags' titles (``title`` gives them in
        the reader's language; English by default, as batch output stores it)."""
        strongest = sorted((r for r in self.flags if r.flag.kind != "combination"),
                           key=lambda r: -r.points)[:limit]
        parts = [title(r.flag) if title else r.flag.title for r in strongest]
        if self.classifier and self.classifier.points >= 1.0:
            parts.append(resembles)
        return "; ".join(parts) if parts else nothing

    def to_dict(self, include_text: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = {
            "score": self.score,
            "band": self.band,
            **(self.language or UNDETERMINED).to_dict(),
            "flags": [f.to_dict() for f in self.flags],
            "classifier": self.classifier.to_dict() if self.classifier else None,
            "contacts": [c.to_dict() for c in self.contacts],
            "explanation": {
                "prior": self.prior,
                "base": round(self.base, 3),
                "calibration_offset": round(self.base - logit(self.prior), 3),
                "rule_points": round(self.rule_points, 3),
                "classifier_points": round(self.classifier.points, 3) if self.classifier else 0.0,
                "total": round(self.total, 3),
                "formula": "score = round(100 / (1 + exp(-total))), "
                           "total = base + rule_points + classifier_points, "
                           "base = logit(prior) + calibration_offset",
                "bands": dict(BANDS),
            },
            "warnings": list(self.warnings),
        }
        if include_text:
            result["text"] = self.text
        return result


def award_points(catalogue: Catalogue, hits: list[Hit], scale: float) -> list[FlagResult]:
    """Award each hit its points, strongest first within a group, up to the group's cap."""
    remaining = {name: group.cap for name, group in catalogue.groups.items()}
    awarded: dict[str, FlagResult] = {}
    for hit in sorted(hits, key=lambda h: (-abs(h.flag.points), h.flag.id)):
        group = hit.flag.group
        magnitude = min(abs(hit.flag.points), max(remaining[group], 0.0))
        remaining[group] -= magnitude
        points = math.copysign(magnitude, hit.flag.points)
        note = ""
        if magnitude < abs(hit.flag.points):
            note = f"capped: group '{group}' counts at most {catalogue.groups[group].cap:g}"
        awarded[hit.flag.id] = FlagResult(hit.flag, points * scale, hit.evidence, hit.because, note)
    return [awarded[hit.flag.id] for hit in hits]


def bound_classifier_points(raw: float) -> float:
    """Squash the classifier's points into ``CLASSIFIER_POINTS_RANGE``, smoothly.

    Slope 1 at zero, so modest evidence counts as calibrated; strictly increasing, so the score
    keeps the classifier's ranking (a hard clip tied every confident ad: on held-out EMSCAD it
    cost ROC-AUC 0.983 -> 0.977); never beyond the bound on either side.
    """
    low, high = CLASSIFIER_POINTS_RANGE
    bound = high if raw >= 0 else -low
    return bound * math.tanh(raw / bound)


# The languages the shipped classifier learnt from (EMSCAD and the project's samples). On text in
# any other language its words are mostly unknown or shared by accident (English and Portuguese
# "salary"), and what it says is noise: its points count in proportion to the share of the
# advert written in these (``language_weight``).
CLASSIFIER_LANGUAGES = frozenset({"en", "zh-Hant", "zh-Hans", "th", "vi", "id"})


def language_weight(language: LanguageGuess | None, known: frozenset[str]) -> float:
    """The share of the advert in languages the classifier learnt (1 when unknown)."""
    if language is None or not language.shares:
        return 1.0
    return min(1.0, sum(share for lang, share in language.shares.items() if lang in known))


def length_weight(prediction: Prediction) -> float:
    """How much of the classifier's evidence to count, by how much text it had to go on."""
    if prediction.known_terms is None:
        return 1.0
    return min(1.0, prediction.known_terms / FULL_WEIGHT_KNOWN_TERMS)



def combine(
    text: str,
    catalogue: Catalogue,
    hits: list[Hit],
    prediction: Prediction | None,
    train_prevalence: float,
    calibration: Calibration,
    contacts: tuple[Contact, ...] = (),
    warnings: tuple[str, ...] = (),
    screened_length: int = 0,
    language: LanguageGuess | None = None,
    classifier_languages: frozenset[str] = CLASSIFIER_LANGUAGES,
) -> Assessment:
    flags = award_points(catalogue, hits, calibration.rule_scale)
    classifier = None
    if prediction is not None:
        raw = (prediction.log_odds - logit(train_prevalence)) * calibration.classifier_scale
        by_language = language_weight(language, classifier_languages)
        points = bound_classifier_points(raw) * length_weight(prediction) * by_language
        classifier = ClassifierResult(prediction.probability, points, raw, prediction,
                                      by_language)
    base = calibration.base
    total = base + sum(f.points for f in flags) + (classifier.points if classifier else 0.0)
    score = round(100 * logistic(total))
    return Assessment(text, score, band_for(score), total, base, calibration.prior, tuple(flags),
                      classifier, contacts, warnings, screened_length, language=language)
