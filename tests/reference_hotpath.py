"""The hot path as it was before it was made fast (normalize.py and model.py at 7162122), kept
verbatim as the oracle that the fast versions must agree with exactly: same folded text, same
offsets, same terms, same floating-point arithmetic in the same order."""

from __future__ import annotations
# ruff: noqa

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

# Characters that render as nothing; removing them joins the word they were hiding in.
_INVISIBLE = {
    0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x200B, 0x200C, 0x200D,
    0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2060, 0x2061, 0x2062, 0x2063,
    0x2064, 0x2066, 0x2067, 0x2068, 0x2069, 0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F,
    0x20E3, 0x3164, 0xFEFF, 0xFFA0, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0),
}

# Cyrillic and Greek letters that look like Latin ones (Unicode confusables, lowercase side).
_CONFUSABLES = dict(
    zip(
        "аеорсухіјѕһԁԛԝӏвмнтΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοτνκρυιϲ",
        "aeopcyxijshdqwlbmhtabezhikmnoptyxaotvkpuic",
        strict=True,
    )
)

_WHITESPACE_RUN = re.compile(r"\s{2,}|[^\S ]")
# Four or more single letters joined by one separator each, as in "T e l e g r a m".
_SPACED_LETTERS = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][ .\-_*·]){3,}[^\W\d_](?![^\W\d_])")
_SPACED_SEPARATORS = re.compile(r"[ .\-_*·]")
_COMBINING = re.compile(r"[^\W\d_][\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


@lru_cache(maxsize=65536)
def fold_char(char: str) -> str:
    """Return what one character becomes: usually one character, sometimes none or several."""
    code = ord(char)
    if code in _INVISIBLE:
        return ""
    if 0xD800 <= code <= 0xDFFF:  # a lone surrogate (say, undecodable argv bytes) cannot go to RE2
        return "\ufffd"
    if char.isspace():
        return " "
    if char == "İ":  # lower() would add a combining dot that no pattern expects
        return "i"
    folded = unicodedata.normalize("NFKC", char)
    folded = "".join(c for c in folded if ord(c) not in _INVISIBLE)
    folded = folded.lower()
    return "".join(_CONFUSABLES.get(c, c) for c in folded)


_ASCII_TABLE: dict[int, str] = {code: chr(code).lower() for code in range(ord("A"), ord("Z") + 1)}
_ASCII_TABLE.update({code: " " for code in (9, 10, 11, 12, 13, 28, 29, 30, 31, 133)})


@dataclass(frozen=True, slots=True)
class _Segment:
    """A stretch of folded text whose length differs from the input it came from."""

    folded_start: int
    folded_end: int
    source_start: int
    source_end: int


class _OffsetMap:
    """Piecewise-identity map from folded positions back to source positions."""

    __slots__ = ("_segments", "_starts")

    def __init__(self, segments: list[_Segment]) -> None:
        self._segments = segments
        self._starts = [segment.folded_start for segment in segments]

    def start(self, position: int) -> int:
        index = bisect_right(self._starts, position) - 1
        if index < 0:
            return position
        segment = self._segments[index]
        if position < segment.folded_end:
            return segment.source_start
        return segment.source_end + position - segment.folded_end

    def end(self, position: int) -> int:
        # An end position belongs to the character before it.
        index = bisect_right(self._starts, position - 1) - 1
        if index < 0:
            return position
        segment = self._segments[index]
        if position <= segment.folded_end:
            return segment.source_end
        return segment.source_end + position - segment.folded_end


def _rewrite(
    text: str, pattern: re.Pattern[str], table: dict[int, str], *, join_spaced: bool = False
) -> tuple[str, _OffsetMap]:
    """Translate ``text`` 1:1 with ``table``, rewrite each match of ``pattern``, and record the
    rewritten stretches whose length changed."""
    pieces: list[str] = []
    segments: list[_Segment] = []
    source_cursor = 0
    folded_length = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        chunk = text[source_cursor:start].translate(table)
        pieces.append(chunk)
        folded_length += len(chunk)
        raw = match.group()
        if join_spaced:
            replacement = _SPACED_SEPARATORS.sub("", raw)
        elif raw.isspace():
            replacement = " "
        else:
            replacement = fold_cluster(raw)
        pieces.append(replacement)
        if len(replacement) != end - start:
            segments.append(_Segment(folded_length, folded_length + len(replacement), start, end))
        folded_length += len(replacement)
        source_cursor = end
    pieces.append(text[source_cursor:].translate(table))
    return "".join(pieces), _OffsetMap(segments)


def fold_cluster(cluster: str) -> str:
    """Fold a base letter with its combining marks as one unit, so NFKC can compose them."""
    if len(cluster) == 1:
        return fold_char(cluster)
    composed = unicodedata.normalize("NFKC", cluster)
    return "".join(fold_char(c) for c in composed)


def _table_and_irregular(text: str) -> tuple[dict[int, str], str]:
    """The 1:1 translate table for this text, and the characters whose folding is not 1:1."""
    if text.isascii():
        return _ASCII_TABLE, ""
    table = dict(_ASCII_TABLE)
    irregular: list[str] = []
    for char in set(text):
        if char.isascii() or char.isspace():
            continue
        folded = fold_char(char)
        if len(folded) == 1:
            if folded != char:
                table[ord(char)] = folded
        else:
            irregular.append(char)
    return table, "".join(sorted(irregular))


@dataclass(frozen=True)
class Folded:
    """Folded text plus the means to map a span of it back to the input."""

    source: str
    text: str
    _maps: tuple[_OffsetMap, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the folded text to the span of the input it came from."""
        for offset_map in reversed(self._maps):
            if start == end:
                start = end = offset_map.start(start)
            else:
                start, end = offset_map.start(start), offset_map.end(end)
        # A later fix, not a speed-up: never cut a character off from its marks (8️⃣).
        while start < end < len(self.source) and unicodedata.category(self.source[end]) in ("Mn", "Me"):
            end += 1
        return start, end


def fold(text: str) -> Folded:
    """Fold ``text`` for matching and keep the map back to it."""
    table, irregular = _table_and_irregular(text)
    alternatives = []
    if not text.isascii() and _COMBINING.search(text):
        alternatives.append(_COMBINING.pattern)
    alternatives.append(_WHITESPACE_RUN.pattern)
    if irregular:
        alternatives.append("[" + re.escape(irregular) + "]")
    pattern = _WHITESPACE_RUN if len(alternatives) == 1 else re.compile("|".join(alternatives))
    folded, first_map = _rewrite(text, pattern, table)
    if _SPACED_LETTERS.search(folded) is None:
        return Folded(text, folded, (first_map,))
    joined, second_map = _rewrite(folded, _SPACED_LETTERS, {}, join_spaced=True)
    return Folded(text, joined, (first_map, second_map))


def fold_text(text: str) -> str:
    """Only the folded text, for callers that need no offsets (the classifier)."""
    return fold(text).text


# ---- model.py: analyzer and the served arithmetic ----
import math
from collections import Counter

# EMSCAD masks contacts as #EMAIL_<hash>#; real ads carry real ones. Both are removed before
# the classifier sees the text, so neither the masks nor the contacts become signals.
_CONTACT_LIKE = re.compile(
    r"#(?:email|phone|url)_[0-9a-f]+#"
    r"|https?://\S+|www\.\S+|\S+@\S+\.[a-z]{2,}"
    r"|\+?\d[\d ().-]{6,}\d",
    re.IGNORECASE,
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
    cleaned = _CONTACT_LIKE.sub(" ", fold(text).text)
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




def vectorize(model, text: str) -> dict[int, float]:
    counts = Counter(model.vocabulary[t] for t in analyze(text) if t in model.vocabulary)
    idf = model.idf
    weights = {index: (1.0 + math.log(count)) * idf[index] for index, count in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    if norm == 0:
        return {}
    return {index: w / norm for index, w in weights.items()}


def predict(model, text: str, top: int = 8):
    """(probability, log_odds, terms_up, terms_down) as the served model computed them."""
    vector = vectorize(model, text)
    coef = model.coef
    contributions = [(index, value * coef[index]) for index, value in vector.items()]
    log_odds = model.intercept + sum(c for _, c in contributions)
    contributions.sort(key=lambda item: item[1])
    up = [(model.terms[i], c) for i, c in reversed(contributions[-top:]) if c > 0]
    down = [(model.terms[i], c) for i, c in contributions[:top] if c < 0]
    if log_odds >= 0:
        probability = 1.0 / (1.0 + math.exp(-log_odds))
    else:
        probability = math.exp(log_odds) / (1.0 + math.exp(log_odds))
    return probability, log_odds, up, down
