"""The TF-IDF classifier as served: plain data, scored without scikit-learn.

Training (``training.py``) fits a scikit-learn ``TfidfVectorizer`` + ``LogisticRegression`` whose
analyzer is :func:`analyze` below, then exports vocabulary, idf, coefficients and intercept to
JSON. Serving reads that JSON and repeats the vectoriser's arithmetic (sublinear tf, idf, l2
norm, dot product), so:
- the model file is data only: loading it cannot run code, unlike a pickle or joblib file;
- ``scamscreen check`` starts without importing scikit-learn (which alone costs ~0.9 s);
- training and serving share one analyzer, so they cannot drift (a test compares both).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import re2

from scamscreen.errors import ModelError
from scamscreen.normalize import fold_text

MODEL_FORMAT = "scamscreen.tfidf-logreg"
MODEL_FORMAT_VERSION = 1
ANALYZER_NAME = "scamscreen-words-cjk-bigrams/1"
DEFAULT_MODEL_NAME = "scamscreen-model.json"
# How many terms to show on each side of the classifier's explanation.
TOP_TERMS = 8

# EMSCAD masks contacts as #EMAIL_<hash>#; real ads carry real ones. Both are removed before
# the classifier sees the text, so neither the masks nor the contacts become signals.
# RE2, so that this takes time linear in the advert: Python's backtracking ``\S+@\S+\.`` took
# cubic time on a run of "@" (ten thousand of them: minutes). It finds the same spans: folded
# text has no whitespace but " ", and \p{Nd} is what Python's \d matches.
_CONTACT_LIKE = re2.compile(
    r"(?i)#(?:email|phone|url)_[0-9a-f]+#"
    r"|https?://\S+|www\.\S+|\S+@\S+\.[a-z]{2,}"
    r"|\+?\p{Nd}[\p{Nd} ().-]{6,}\p{Nd}"
)
# Han, kana and Hangul runs become character bigrams, Thai runs too (none of them separate
# words with spaces); elsewhere words of two or more letters and their adjacent pairs.
_TOKEN = re.compile(
    r"(?P<cjk>[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+)"
    r"|(?P<thai>[\u0e00-\u0e7f]+)"
    r"|(?P<word>[^\W\d_]{2,})"
)


def _char_bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def analyze(text: str) -> list[str]:
    """Turn an advert into the terms the classifier counts. Shared by training and serving."""
    cleaned = _CONTACT_LIKE.sub(" ", fold_text(text))
    terms: list[str] = []
    previous_word: str | None = None
    for match in _TOKEN.finditer(cleaned):
        word = match.group("word")
        if word is not None:
            terms.append(word)
            if previous_word is not None:
                terms.append(f"{previous_word} {word}")
            previous_word = word
        else:
            previous_word = None
            terms.extend(_char_bigrams(match.group()))
    return terms


@dataclass(frozen=True, slots=True)
class TermWeight:
    term: str
    weight: float

    def to_dict(self) -> dict[str, object]:
        return {"term": self.term, "weight": round(self.weight, 4)}


@dataclass(frozen=True, slots=True)
class Prediction:
    """The classifier's view of one advert."""

    probability: float
    log_odds: float
    terms_up: tuple[TermWeight, ...]
    terms_down: tuple[TermWeight, ...]


def _logistic(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp_value = math.exp(value)
    return exp_value / (1.0 + exp_value)


class TextModel:
    """A fitted TF-IDF + logistic-regression model, served from plain data."""

    def __init__(self, payload: dict[str, Any], checksum: str) -> None:
        try:
            terms: list[str] = payload["terms"]
            self.idf: list[float] = [float(v) for v in payload["idf"]]
            self.coef: list[float] = [float(v) for v in payload["coef"]]
            self.intercept = float(payload["intercept"])
            self.train_prevalence = float(payload["train_prevalence"])
            self.metadata: dict[str, Any] = dict(payload.get("metadata", {}))
        except (KeyError, TypeError, ValueError) as error:
            raise ModelError(f"model file is malformed: {error}") from None
        if not len(terms) == len(self.idf) == len(self.coef):
            raise ModelError("model file is malformed: terms, idf and coef differ in length")
        if not 0 < self.train_prevalence < 1:
            raise ModelError("model file is malformed: train_prevalence must be in (0, 1)")
        self.terms = terms
        self.vocabulary = {term: index for index, term in enumerate(terms)}
        self.checksum = checksum

    def to_payload(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "version": MODEL_FORMAT_VERSION,
            "analyzer": ANALYZER_NAME,
            "terms": self.terms,
            "idf": self.idf,
            "coef": self.coef,
            "intercept": self.intercept,
            "train_prevalence": self.train_prevalence,
            "metadata": self.metadata,
        }

    def vectorize(self, text: str) -> dict[int, float]:
        """Sublinear-tf TF-IDF, l2-normalised: the arithmetic of the fitted vectoriser."""
        counts = Counter(self.vocabulary[t] for t in analyze(text) if t in self.vocabulary)
        weights = {index: (1.0 + math.log(count)) * self.idf[index] for index, count in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        if norm == 0:
            return {}
        return {index: w / norm for index, w in weights.items()}

    def predict(self, text: str, top: int = TOP_TERMS) -> Prediction:
        vector = self.vectorize(text)
        contributions = [(index, value * self.coef[index]) for index, value in vector.items()]
        log_odds = self.intercept + sum(c for _, c in contributions)
        contributions.sort(key=lambda item: item[1])
        up = [TermWeight(self.terms[i], c) for i, c in reversed(contributions[-top:]) if c > 0]
        down = [TermWeight(self.terms[i], c) for i, c in contributions[:top] if c < 0]
        return Prediction(_logistic(log_odds), log_odds, tuple(up), tuple(down))


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def shipped_checksum() -> str:
    """The checksum of the model this release ships, recorded in the package."""
    return (resources.files("scamscreen") / "model.sha256").read_text(encoding="utf-8").split()[0]


def shipped_model_path() -> Path:
    return Path(str(resources.files("scamscreen._model") / DEFAULT_MODEL_NAME))


def parse_model(data: bytes, checksum: str) -> TextModel:
    try:
        payload = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelError("model file is not a scamscreen model (not JSON)") from None
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise ModelError("model file is not a scamscreen model (unknown format)")
    if payload.get("version") != MODEL_FORMAT_VERSION or payload.get("analyzer") != ANALYZER_NAME:
        raise ModelError("model file was made by an incompatible scamscreen version; retrain it")
    return TextModel(payload, checksum)


def load_model(path: Path | None = None, *, trust: bool = False) -> TextModel:
    """Load a model, refusing any file whose checksum is not the shipped one unless trusted.

    The format is data only, but a model still decides scores: a file swapped on disk must not
    silently change what caseworkers see, so only the release's own model loads by default.
    """
    target = path or shipped_model_path()
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"model file not found: {target}") from None
    except OSError as error:
        raise ModelError(f"cannot read model file {target}: {error.strerror}") from None
    checksum = sha256_of(data)
    if not trust and checksum != shipped_checksum():
        raise ModelError(
            f"model file {target} is not the model this release ships (sha256 {checksum[:12]}…); "
            "pass --trust-model to use it anyway"
        )
    return parse_model(data, checksum)


@cache
def default_model() -> TextModel:
    return load_model()
