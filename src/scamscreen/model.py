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
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np
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
# Each alternative comes with a literal that any match of it contains: an advert without that
# literal is cleaned with a pattern that leaves the alternative out, which finds the same
# matches (an alternative that cannot match anywhere never decides a leftmost-first match).
# RE2, so that this takes time linear in the advert: Python's backtracking ``\S+@\S+\.`` took
# cubic time on a run of "@" (ten thousand of them: minutes). It finds the same spans: folded
# text has no whitespace but " ", and \p{Nd} is what Python's \d matches.
_CONTACT_ALTERNATIVES: tuple[tuple[str, str], ...] = (
    ("#", r"#(?:email|phone|url)_[0-9a-f]+#"),
    ("://", r"https?://\S+"),
    ("www", r"www\.\S+"),
    ("@", r"\S+@\S+\.[a-z]{2,}"),
    ("", r"\+?\p{Nd}[\p{Nd} ().-]{6,}\p{Nd}"),
)
_CONTACT_LITERAL_BYTES = tuple(literal.encode() for literal, _ in _CONTACT_ALTERNATIVES)
_CONTACT_LIKE = re2.compile("(?i)" + "|".join(p for _, p in _CONTACT_ALTERNATIVES))
# Han, kana and Hangul runs become character bigrams, Thai runs too (none of them separate
# words with spaces); elsewhere words of two or more letters and their adjacent pairs.
_CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_THAI_RANGE = "\u0e00-\u0e7f"
_TOKEN = re.compile(
    rf"(?P<cjk>[{_CJK_RANGES}]+)"
    rf"|(?P<thai>[{_THAI_RANGE}]+)"
    r"|(?P<word>[^\W\d_]{2,})"
)
# Characters that can be part of a term; text without any outside ASCII is tokenised with an
# ASCII pattern, which finds the same words several times faster.
_TERM_CHARACTER = re.compile(rf"[{_CJK_RANGES}{_THAI_RANGE}]|[^\W\d_]")
_ASCII_WORD = re.compile(r"[a-zA-Z]{2,}")
_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")


@lru_cache(maxsize=16)
def _contact_pattern(present: tuple[bool, ...]) -> Any:
    alternatives = [p for (_, p), keep in zip(_CONTACT_ALTERNATIVES, present, strict=True) if keep]
    return re2.compile("(?i)" + "|".join(alternatives))


@lru_cache(maxsize=65536)
def _is_term_character(char: str) -> bool:
    return _TERM_CHARACTER.match(char) is not None


def _char_bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _remove_contacts(folded: str) -> str:
    # Folded text is lower case, so the literals are checked as written.
    present = tuple(not literal or literal in folded for literal, _ in _CONTACT_ALTERNATIVES)
    return _contact_pattern(present).sub(" ", folded)


def _ascii_words(cleaned: str) -> list[str] | None:
    """The words of contact-free folded text whose terms are all ASCII words, or None when it
    holds other letters (CJK, Thai, accented) and needs the general tokeniser."""
    others = set(_ASCII_RUNS.sub("", cleaned))
    if any(map(_is_term_character, others)):
        return None
    if others:  # stand-ins that are no letters, so the ASCII pattern sees the same words
        cleaned = cleaned.encode("ascii", "replace").decode("ascii")
    return _ASCII_WORD.findall(cleaned)


def analyze_folded(folded: str) -> list[str]:
    """``analyze`` for text that is already folded (``normalize.fold``)."""
    cleaned = _remove_contacts(folded)
    words = _ascii_words(cleaned)
    if words is not None:
        if not words:
            return []
        pairs = map(" ".join, zip(words, words[1:], strict=False))
        return [words[0], *chain.from_iterable(zip(words[1:], pairs, strict=False))]
    terms: list[str] = []
    previous_word: str | None = None
    for cjk, thai, word in _TOKEN.findall(cleaned):
        if word:
            terms.append(word)
            if previous_word is not None:
                terms.append(f"{previous_word} {word}")
            previous_word = word
        else:
            previous_word = None
            terms.extend(_char_bigrams(cjk or thai))
    return terms


def analyze(text: str) -> list[str]:
    """Turn an advert into the terms the classifier counts. Shared by training and serving."""
    return analyze_folded(fold_text(text))


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
    known_terms: int | None = None  # distinct in-vocabulary terms; None when not counted


def _logistic(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp_value = math.exp(value)
    return exp_value / (1.0 + exp_value)


# The numbers scoring reads from metadata["calibration"] (scoring.Calibration.from_mapping).
_CALIBRATION_NUMBERS = ("rule_scale", "classifier_scale", "offset", "prior")
# Fitted weights are a few units; anything past this is not a model of ours and could overflow
# the arithmetic into NaN (a trusted file is still checked: it must not crash the screener).
_LARGEST_WEIGHT = 1e6


def _sane_number(value: object) -> bool:
    try:
        return abs(float(value)) <= _LARGEST_WEIGHT  # type: ignore[arg-type]  # False for NaN
    except (TypeError, ValueError):
        return False


class TextModel:
    """A fitted TF-IDF + logistic-regression model, served from plain data."""

    def __init__(self, payload: dict[str, Any], checksum: str) -> None:
        try:
            terms: list[str] = payload["terms"]
            # Whole arrays at once: per-number Python checks were a fifth of `check`'s start-up.
            self._idf = np.asarray(payload["idf"], dtype=np.float64)
            self._coef = np.asarray(payload["coef"], dtype=np.float64)
            self.intercept = float(payload["intercept"])
            self.train_prevalence = float(payload["train_prevalence"])
            self.metadata: dict[str, Any] = dict(payload.get("metadata", {}))
        except (KeyError, TypeError, ValueError, OverflowError) as error:
            raise ModelError(f"model file is malformed: {error}") from None
        if self._idf.ndim != 1 or self._coef.ndim != 1 \
                or not len(terms) == len(self._idf) == len(self._coef):
            raise ModelError("model file is malformed: terms, idf and coef differ in length")
        if not 0 < self.train_prevalence < 1:
            raise ModelError("model file is malformed: train_prevalence must be in (0, 1)")
        if not all(isinstance(term, str) for term in terms):
            raise ModelError("model file is malformed: terms must be text")
        calibration = self.metadata.get("calibration") or {}
        if not isinstance(calibration, dict):
            raise ModelError("model file is malformed: metadata.calibration must be an object")
        numbers = [self.intercept,
                   *(calibration[key] for key in _CALIBRATION_NUMBERS if key in calibration)]
        weights_sane = bool(np.all(np.abs(self._idf) <= _LARGEST_WEIGHT)
                            and np.all(np.abs(self._coef) <= _LARGEST_WEIGHT))  # NaN fails too
        if not (weights_sane and all(map(_sane_number, numbers))):
            raise ModelError("model file is malformed: weights and calibration must be numbers "
                             f"within ±{_LARGEST_WEIGHT:g}")
        if not 0 < float(calibration.get("prior", 0.5)) < 1:
            raise ModelError("model file is malformed: the calibration prior must be in (0, 1)")
        self.terms = terms
        self.vocabulary = dict(zip(terms, range(len(terms)), strict=True))
        self.checksum = checksum
        self._pairs: _PairLookup | None = None  # built on first predict_many

    # As lists on request only: 70,000 Python floats each are ~2 MB a process holds for nothing.
    @property
    def idf(self) -> list[float]:
        return self._idf.tolist()

    @property
    def coef(self) -> list[float]:
        return self._coef.tolist()

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
        return self.vectorize_folded(fold_text(text))

    def vectorize_folded(self, folded: str) -> dict[int, float]:
        """``vectorize`` for text already folded (``normalize.fold``)."""
        indexes, values = self._tfidf(folded)
        return dict(zip(indexes.tolist(), values.tolist(), strict=True))

    def _tfidf(self, folded: str) -> tuple[Any, Any]:
        """Term indexes and their l2-normalised TF-IDF values, in order of first occurrence."""
        return self._weighted(*self._counted_terms(folded))

    def _counted_terms(self, folded: str) -> tuple[Any, Any]:
        """The indexes of the text's distinct known terms, in order of first occurrence, and
        how often each occurs."""
        counts = Counter(analyze_folded(folded))
        size = len(counts)
        indexes = np.fromiter(map(self.vocabulary.get, counts, repeat(-1)), np.intp, size)
        found = indexes >= 0
        return indexes[found], np.fromiter(counts.values(), np.intp, size)[found]

    def _weighted(self, indexes: Any, term_counts: Any) -> tuple[Any, Any]:
        """TF-IDF values of distinct terms given in order of first occurrence.

        numpy does the arithmetic element by element (products and quotients are exact IEEE
        operations) with running sums (``cumsum`` adds in order, as Python's ``sum`` does), so
        the values are bit-for-bit those of the plain per-term loop that scikit-learn's
        vectoriser is checked against."""
        weights = _sublinear_tf(term_counts) * self._idf[indexes]
        squares = weights * weights
        norm = math.sqrt(float(np.cumsum(squares)[-1])) if len(squares) else 0.0
        if norm == 0:
            return indexes[:0], weights[:0]
        return indexes, weights / norm

    def predict(self, text: str, top: int = TOP_TERMS) -> Prediction:
        return self.predict_folded(fold_text(text), top)

    def predict_folded(self, folded: str, top: int = TOP_TERMS) -> Prediction:
        """``predict`` for text already folded, so that a screener folds each advert once."""
        return self._predictions([self._counted_terms(folded)], top)[0]

    def predict_many(self, folded_texts: Sequence[str], top: int = TOP_TERMS) -> list[Prediction]:
        """``predict_folded`` for each text, equal to it bit for bit, at a fraction of the cost.

        Terms are never built as strings: the words of all texts are looked up in one pass,
        and word pairs become integer keys searched in a sorted array. Texts with letters
        other than ASCII take the general path, one by one."""
        if self._pairs is None and len(folded_texts) < _FEW_TEXTS:
            # Building the pair lookup (~50 ms) costs more than it saves on a few texts, and
            # one text is what `check` screens.
            return [self.predict_folded(folded, top) for folded in folded_texts]
        lookup = self._pair_lookup()
        predictions: list[Prediction | None] = [None] * len(folded_texts)
        word_lists: list[list[bytes]] = []
        positions: list[int] = []
        for position, (folded, words) in enumerate(zip(folded_texts,
                                                       _ascii_letter_runs(folded_texts),
                                                       strict=True)):
            if words is None:
                predictions[position] = self.predict_folded(folded, top)
            else:
                word_lists.append(words)
                positions.append(position)
        if positions:
            for position, prediction in zip(positions, self._predictions(
                    lookup.distinct_terms(word_lists), top), strict=True):
                predictions[position] = prediction
        return predictions  # type: ignore[return-value]  # every position is filled above

    def _predictions(self, distinct: list[tuple[Any, Any]], top: int) -> list[Prediction]:
        """Predictions from each text's distinct terms and counts: the arithmetic of
        ``_weighted`` then the dot product, element-wise over all texts at once (the same IEEE
        operations on the same numbers) and with the running sums per text, in order."""
        indexes = np.concatenate([terms for terms, _ in distinct])
        weights = _sublinear_tf(np.concatenate([counts for _, counts in distinct])) \
            * self._idf[indexes]
        squares = weights * weights
        ends = np.cumsum([len(terms) for terms, _ in distinct]).tolist()
        starts = [0, *ends[:-1]]
        norms = [math.sqrt(float(np.cumsum(squares[a:b])[-1])) if b > a else 0.0
                 for a, b in zip(starts, ends, strict=True)]
        # A text whose norm is 0 has no terms (_weighted); dividing by 1 leaves its values.
        lengths = np.subtract(ends, starts)
        contributions = weights / np.repeat([norm or 1.0 for norm in norms], lengths) \
            * self._coef[indexes]
        predictions = []
        for a, b, norm in zip(starts, ends, norms, strict=True):
            if norm == 0:
                a = b
            predictions.append(self._explained(indexes[a:b], contributions[a:b], top))
        return predictions

    def prepare_for_many(self) -> None:
        """Build the lookup ``predict_many`` uses (~50 ms), before the first call needs it."""
        self._pair_lookup()

    def _pair_lookup(self) -> _PairLookup:
        if self._pairs is None:
            self._pairs = _PairLookup(self.terms)
        return self._pairs

    def _explained(self, indexes: Any, contributions: Any, top: int) -> Prediction:
        total = float(np.cumsum(contributions)[-1]) if len(contributions) else 0
        log_odds = self.intercept + total
        up: list[TermWeight] = []
        down: list[TermWeight] = []
        if top > 0 and len(contributions):
            highest, lowest = _stable_extremes(contributions, top)
            up = [TermWeight(self.terms[int(indexes[k])], float(contributions[k]))
                  for k in reversed(highest) if contributions[k] > 0]
            down = [TermWeight(self.terms[int(indexes[k])], float(contributions[k]))
                    for k in lowest if contributions[k] < 0]
        return Prediction(_logistic(log_odds), log_odds, tuple(up), tuple(down),
                          len(contributions))


def _stable_extremes(values: Any, top: int) -> tuple[list[int], list[int]]:
    """``order[-top:]`` and ``order[:top]`` of ``order = np.argsort(values, kind="stable")``,
    without sorting all of ``values``: only values at least the top-th largest (at most the
    top-th smallest) can be among them, and a stable sort of those candidates, taken in
    position order, orders them as the full sort does (by value, then position)."""
    if len(values) <= 4 * top:
        order = np.argsort(values, kind="stable")
        return order[-top:].tolist(), order[:top].tolist()
    bounds = np.partition(values, (top - 1, len(values) - top))
    candidates = np.flatnonzero((values <= bounds[top - 1]) | (values >= bounds[-top]))
    order = candidates[np.argsort(values[candidates], kind="stable")]
    return order[-top:].tolist(), order[:top].tolist()


# Fewer texts than this are scored one by one until the pair lookup exists.
_FEW_TEXTS = 16
# Each ASCII byte that is a letter, as itself; every other byte (non-ASCII ones included:
# ``_ascii_words`` would make them "?") as a space, so splitting on spaces gives letter runs.
_LETTERS_ONLY = bytes(c if chr(c).isascii() and chr(c).isalpha() else 0x20 for c in range(256))
# A one-letter run is no term and no part of one (terms have two letters or more), and the
# words on either side of it form a pair: such runs are dropped before pairing.
_ONE_LETTER = -2


# Joins the texts of a chunk so that contacts are removed from all of them in one RE2 call:
# no contact pattern matches a line break, so no match can reach across it, and no text holds
# a NUL (those take the general path), so splitting on it gives the texts back one for one.
_TEXT_SEPARATOR = b"\n\x00\n"


def _ascii_letter_runs(folded_texts: Sequence[str]) -> list[list[bytes] | None]:
    """For each folded text, its runs of ASCII letters once contacts are removed, as
    ``_ascii_words`` splits it but one-letter runs kept; None where the general tokeniser is
    needed (letters beyond ASCII, a lone surrogate, a NUL)."""
    encoded: list[bytes | None] = []
    for folded in folded_texts:
        if "\x00" in folded or (not folded.isascii() and any(
                map(_is_term_character, set(_ASCII_RUNS.sub("", folded))))):
            encoded.append(None)
            continue
        try:
            encoded.append(folded.encode("utf-8"))
        except UnicodeEncodeError:  # a lone surrogate
            encoded.append(None)
    ready = [text for text in encoded if text is not None]
    if not ready:
        return [None] * len(encoded)
    joined = _TEXT_SEPARATOR.join(ready)
    # An alternative present in any text is used for all: one that cannot match in a text
    # never decides a leftmost-first match there (see _CONTACT_ALTERNATIVES). The pattern
    # finds the same spans in UTF-8 bytes as in the text; each becomes one space, a separator.
    present = tuple(not literal or literal in joined for literal in _CONTACT_LITERAL_BYTES)
    cleaned = iter(_contact_pattern(present).sub(b" ", joined).split(_TEXT_SEPARATOR))
    return [None if text is None else next(cleaned).translate(_LETTERS_ONLY).split()
            for text in encoded]


class _PairLookup:
    """The vocabulary's ASCII terms as integers: each word an id, each one-word term its
    feature index by word id, each "w1 w2" term a key ``id1 * stride + id2`` in a sorted array.
    Built once per process, on the first ``predict_many``."""

    def __init__(self, terms: Sequence[str]) -> None:
        letters = _ASCII_WORD.fullmatch
        self.word_ids: dict[bytes, int] = {}
        ids = self.word_ids
        # Flat integer arrays rather than tuples: a worker builds this for 70,000 terms.
        pair_first, pair_second, pair_feature = array("q"), array("q"), array("q")
        single_word, single_feature = array("q"), array("q")
        for feature, term in enumerate(terms):
            first, space, second = term.partition(" ")
            if not letters(first) or (space and not letters(second)):
                continue  # a term the ASCII path cannot produce
            first_id = ids.setdefault(first.encode(), len(ids))
            if space:
                pair_first.append(first_id)
                pair_second.append(ids.setdefault(second.encode(), len(ids)))
                pair_feature.append(feature)
            else:
                single_word.append(first_id)
                single_feature.append(feature)
        # Index -1 (an unknown word) reads the last slot, which says "no term".
        self.stride = len(ids) + 1
        self.unigram_feature = np.full(self.stride, -1, dtype=np.intp)
        self.unigram_feature[np.frombuffer(single_word, np.int64)] = \
            np.frombuffer(single_feature, np.int64)
        for letter in map(chr, range(128)):
            if letter.isalpha():
                ids[letter.encode()] = _ONE_LETTER
        keys = np.frombuffer(pair_first, np.int64) * self.stride \
            + np.frombuffer(pair_second, np.int64)
        order = np.argsort(keys)
        self.pair_keys = keys[order]
        self.pair_features = np.frombuffer(pair_feature, np.int64).astype(np.intp)[order]
        self._first_position = np.zeros(len(terms), dtype=np.intp)
        self._rank = np.zeros(len(terms), dtype=np.intp)

    def distinct_terms(self, word_lists: Sequence[Sequence[bytes]]) -> list[tuple[Any, Any]]:
        """For each text's letter runs: the feature indexes of its distinct known terms, in
        order of first occurrence in ``analyze``'s order (w0, w1, "w0 w1", w2, "w1 w2", ...),
        and how often each occurs. The lookups are done for all texts at once."""
        words = list(chain.from_iterable(word_lists))
        ids = np.fromiter(map(self.word_ids.get, words, repeat(-1)), np.intp, len(words))
        kept = ids != _ONE_LETTER
        kept_before = np.concatenate(([0], np.cumsum(kept)))
        ends = kept_before[np.cumsum([len(w) for w in word_lists], dtype=np.intp)]
        starts = np.concatenate(([0], ends[:-1]))
        ids = ids[kept]
        empty = np.zeros(0, dtype=np.intp)
        if not len(ids):
            return [(empty, empty)] * len(word_lists)
        # All texts in one sequence: words at 0, 1, 3, 5, ..., at 2, 4, 6, ... the pair ending
        # at the word before. A text starting at word s owns positions 2s-1 to 2e-2; the pair
        # at 2s spans the previous text's last word and its first, and is no term.
        sequence = np.empty(2 * len(ids) - 1, dtype=np.intp)
        unigrams = self.unigram_feature[ids]
        sequence[0] = unigrams[0]
        sequence[1::2] = unigrams[1:]
        first, second = ids[:-1], ids[1:]
        keys = first.astype(np.int64) * self.stride + second
        slots = np.searchsorted(self.pair_keys, keys)
        slots[slots == len(self.pair_keys)] = 0
        known = (self.pair_keys[slots] == keys) & (first >= 0) & (second >= 0)
        sequence[2::2] = np.where(known, self.pair_features[slots], -1)
        sequence[2 * starts[(starts > 0) & (starts < len(ids))]] = -1
        bounds = np.maximum(2 * np.stack([starts, ends]) - 1, 0)
        bounds[1] = np.maximum(bounds[1], bounds[0])
        known_before = np.concatenate(([0], np.cumsum(sequence >= 0)))
        low, high = known_before[bounds].tolist()
        sequence = sequence[sequence >= 0]
        return [self._distinct(sequence[a:b]) for a, b in zip(low, high, strict=True)]

    def _distinct(self, sequence: Any) -> tuple[Any, Any]:
        # Without sorting: a term's first position is where a reversed scatter of positions
        # leaves it; its rank among distinct terms then indexes the counts. The scratch arrays
        # span the vocabulary and are only read where this text has just written.
        positions = np.arange(len(sequence))
        self._first_position[sequence[::-1]] = positions[::-1]
        features = sequence[self._first_position[sequence] == positions]
        self._rank[features] = np.arange(len(features))
        return features, np.bincount(self._rank[sequence], minlength=len(features))


# 1 + log(count) for the counts nearly every term has, computed by ``math.log`` once.
_SUBLINEAR_TF_TABLE = np.array([0.0] + [1.0 + math.log(count) for count in range(1, 1024)])


def _sublinear_tf(counts: Any) -> Any:
    if not len(counts) or counts.max() < len(_SUBLINEAR_TF_TABLE):
        return _SUBLINEAR_TF_TABLE[counts]
    return np.array([1.0 + math.log(count) for count in counts.tolist()])


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


def verify_model_file(path: Path | None = None) -> None:
    """Raise ``ModelError`` unless ``path`` (the shipped model by default) is the model this
    release ships, without parsing it: what ``load_model`` checks first, for a process that
    only needs to know that its workers will load it."""
    _read_verified(path or shipped_model_path(), trust=False)


def _read_verified(target: Path, *, trust: bool) -> tuple[bytes, str]:
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
    return data, checksum


def load_model(path: Path | None = None, *, trust: bool = False) -> TextModel:
    """Load a model, refusing any file whose checksum is not the shipped one unless trusted.

    The format is data only, but a model still decides scores: a file swapped on disk must not
    silently change what caseworkers see, so only the release's own model loads by default.
    """
    data, checksum = _read_verified(path or shipped_model_path(), trust=trust)
    return parse_model(data, checksum)


@cache
def default_model() -> TextModel:
    return load_model()
