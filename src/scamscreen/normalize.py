"""Fold an advert into the form the catalogue matches against, keeping a map back to the input.

What folding undoes, because scam ads use it to slip past filters:
- compatibility forms: full-width letters and digits, mathematical "bold" letters, circled
  and keycap digits (NFKC, plus dropping emoji variation selectors and keycap marks);
- case (lowercase, 1:1 so that offsets stay cheap);
- look-alike Cyrillic and Greek letters inside Latin words;
- invisible characters: zero-width spaces and joiners, direction marks, soft hyphens;
- odd spacing: every whitespace run becomes one space, and letters spaced out
  ("T e l e g r a m", "t.e.l.e.g.r.a.m") are joined.

Text is processed in bulk (``str.lower``/``str.translate``, ``str.replace`` and a few regex
passes); only the rare segments whose length changes are recorded, so mapping a match back to
the input is a binary search. For most adverts those segments are found only when a span is
first asked for.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

import re2

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

_MARKS = frozenset({"Mn", "Me"})  # combining and enclosing marks, variation selectors
_WHITESPACE_RUN = re.compile(r"\s{2,}|[^\S ]")
# Four or more single letters joined by one separator each, as in "T e l e g r a m".
_SPACED_LETTERS = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][ .\-_*·]){3,}[^\W\d_](?![^\W\d_])")
_SPACED_SEPARATORS = re.compile(r"[ .\-_*·]")
_COMBINING = re.compile(
    r"[^\W\d_][\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)


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
_ASCII_TABLE.update(dict.fromkeys((9, 10, 11, 12, 13, 28, 29, 30, 31, 133), " "))


class _OffsetMap:
    """Piecewise-identity map from folded positions back to source positions.

    Each segment is a stretch of folded text whose length differs from the input it came from,
    held as four parallel lists (folded start and end, source start and end)."""

    __slots__ = ("_folded_ends", "_source_ends", "_source_starts", "_starts")

    def __init__(self, starts: list[int], folded_ends: list[int], source_starts: list[int],
                 source_ends: list[int]) -> None:
        self._starts = starts
        self._folded_ends = folded_ends
        self._source_starts = source_starts
        self._source_ends = source_ends

    def start(self, position: int) -> int:
        index = bisect_right(self._starts, position) - 1
        if index < 0:
            return position
        if position < self._folded_ends[index]:
            return self._source_starts[index]
        return self._source_ends[index] + position - self._folded_ends[index]

    def end(self, position: int) -> int:
        # An end position belongs to the character before it.
        index = bisect_right(self._starts, position - 1) - 1
        if index < 0:
            return position
        if position <= self._folded_ends[index]:
            return self._source_ends[index]
        return self._source_ends[index] + position - self._folded_ends[index]


def _rewrite(
    text: str, translated: str, pattern: re.Pattern[str], *, join_spaced: bool = False
) -> tuple[str, _OffsetMap]:
    """Rewrite each match of ``pattern`` in ``text``, take everything between matches from
    ``translated`` (``text`` folded 1:1 outside the matches), and record the rewritten stretches
    whose length changed."""
    pieces: list[str] = []
    starts: list[int] = []
    folded_ends: list[int] = []
    source_starts: list[int] = []
    source_ends: list[int] = []
    source_cursor = 0
    folded_length = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        pieces.append(translated[source_cursor:start])
        folded_length += start - source_cursor
        raw = match.group()
        if join_spaced:
            replacement = _SPACED_SEPARATORS.sub("", raw)
        elif raw.isspace():
            replacement = " "
        else:
            replacement = fold_cluster(raw)
        pieces.append(replacement)
        if len(replacement) != end - start:
            starts.append(folded_length)
            folded_ends.append(folded_length + len(replacement))
            source_starts.append(start)
            source_ends.append(end)
        folded_length += len(replacement)
        source_cursor = end
    pieces.append(translated[source_cursor:])
    return "".join(pieces), _OffsetMap(starts, folded_ends, source_starts, source_ends)


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


_COMBINING_MARKS = re.compile(_COMBINING.pattern[len("[^\\W\\d_]"):-1])
# "Lowering is folding" fails for so few characters of a text that the fast path below rewrites
# them like the irregular ones; past this many occurrences one translate pass is cheaper.
_MAX_SPECIAL_OCCURRENCES = 48
# An RE2 filter for _SPACED_LETTERS (RE2 scans a few KB in microseconds, where the backtracking
# pattern costs a tenth of a millisecond). It must pass every text that pattern matches, so its
# classes err on the wide side: any non-ASCII character but "·" may be a letter, and only an
# ASCII letter before the first one rules a run out.
_MAYBE_LETTER = "[a-zA-Z\\x{80}-\\x{b6}\\x{b8}-\\x{10ffff}]"
_SPACED_LETTERS_FILTER = re2.compile(
    "(?:^|[^a-zA-Z])" + "[ .\\-_*·]".join([_MAYBE_LETTER] * 4), options=re2.Options()
)
_ASCII_BYTES = bytes(range(128))
# Whitespace other than " " that ASCII can hold; the rest of what ``\s`` matches is non-ASCII.
_ASCII_WHITESPACE_NOT_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
# Once every whitespace character is a space, _WHITESPACE_RUN's runs are runs of spaces. Written
# as a literal two spaces and then any more, ``re`` skips ahead with a C loop to the next two
# spaces instead of trying each position (or each single space, as "  +" makes it do).
_SPACE_RUN = re.compile("   *")


@lru_cache(maxsize=65536)
def _lowering_folds(char: str) -> bool | None:
    """For a non-ASCII character: None if it is whitespace (the whitespace pattern handles it),
    True if ``str.lower`` folds it exactly as ``fold_char`` does, False otherwise."""
    if char.isspace():
        return None
    return char != "Σ" and char.lower() == fold_char(char)  # Σ lowers by context (final ς)


def _non_ascii(text: str) -> set[str]:
    """The non-ASCII characters of ``text``. Deleting the ASCII bytes from its UTF-8 is a C loop,
    several times faster than ``set(text)`` or a regex on an advert that is mostly ASCII."""
    rest = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
    return set(rest.decode("utf-8", "surrogatepass"))


def _translated_and_special(text: str, others: set[str]) -> tuple[str, str, bool, bool]:
    """``text`` folded 1:1 wherever that is possible, the characters the rewrite pattern must
    handle instead (folding not 1:1, or not what ``lower`` gives), whether it holds any
    combining mark, and whether the 1:1 fold is ``text.lower()``. ``others`` are the text's
    non-ASCII characters.

    Fast path: ``text.lower()`` (a C loop) agrees with the per-character fold on nearly every
    character of an advert; the few that disagree are rewritten as irregular characters, which
    yields the same text. Every character's lower case is one character, except "İ"."""
    if not others:
        return text.lower(), "", False, True
    marks = _COMBINING_MARKS.search("".join(others)) is not None
    special = [char for char in others if _lowering_folds(char) is False]
    if "İ" not in others and (
        not special or sum(text.count(char) for char in special) <= _MAX_SPECIAL_OCCURRENCES
    ):
        return text.lower(), "".join(sorted(special)), marks, True
    table, irregular = _table_and_irregular(text)
    return text.translate(table), irregular, marks, False


def _spaced(lowered: str, others: set[str]) -> str:
    """``lowered`` with every whitespace character a space. No other character folds to or from
    whitespace, so its runs stay where they were in the input."""
    for char in _ASCII_WHITESPACE_NOT_SPACE:
        if char in lowered:
            lowered = lowered.replace(char, " ")
    for char in others:
        if char.isspace():
            lowered = lowered.replace(char, " ")
    return lowered


def _edit(spaced: str, edits: list[tuple[int, int, str]]) -> tuple[str, _OffsetMap]:
    """Apply ``edits`` (ordered, disjoint (start, end, replacement)) and record those whose
    length changed."""
    pieces: list[str] = []
    starts: list[int] = []
    folded_ends: list[int] = []
    source_starts: list[int] = []
    source_ends: list[int] = []
    cursor = 0
    shrunk = 0  # how much shorter the folded text is than the input so far
    for start, end, replacement in edits:
        pieces.append(spaced[cursor:start])
        pieces.append(replacement)
        if len(replacement) != end - start:
            folded_start = start - shrunk
            starts.append(folded_start)
            folded_ends.append(folded_start + len(replacement))
            source_starts.append(start)
            source_ends.append(end)
            shrunk += end - start - len(replacement)
        cursor = end
    pieces.append(spaced[cursor:])
    return "".join(pieces), _OffsetMap(starts, folded_ends, source_starts, source_ends)


def _space_runs(spaced: str) -> list[tuple[int, int, str]]:
    return [(match.start(), match.end(), " ") for match in _SPACE_RUN.finditer(spaced)]


class _SpaceRunMap:
    """The offset map of collapsing ``spaced``'s runs of spaces, built on first use: most
    adverts raise no flag and name no contact, so nobody asks where their text came from."""

    __slots__ = ("_map", "_spaced")

    def __init__(self, spaced: str) -> None:
        self._spaced = spaced
        self._map: _OffsetMap | None = None

    def _built(self) -> _OffsetMap:
        if self._map is None:  # two threads may both build it; they build the same map
            self._map = _edit(self._spaced, _space_runs(self._spaced))[1]
        return self._map

    def start(self, position: int) -> int:
        return self._built().start(position)

    def end(self, position: int) -> int:
        return self._built().end(position)


def _fold_lowered(text: str, lowered: str, others: set[str], special: str) -> tuple[
        str, _OffsetMap | _SpaceRunMap]:
    """What ``_rewrite`` makes of a text with ``_WHITESPACE_RUN`` and ``special``, when its 1:1
    fold is ``lowered`` and it holds no combining mark, without a regex trying every position:
    runs of whitespace become one space, each occurrence of a special character (at most
    _MAX_SPECIAL_OCCURRENCES) its own fold."""
    spaced = _spaced(lowered, others)
    if not special:
        return _SPACE_RUN.sub(" ", spaced), _SpaceRunMap(spaced)
    edits = _space_runs(spaced)
    for char in special:
        replacement = fold_char(char)
        position = text.find(char)
        while position >= 0:
            edits.append((position, position + 1, replacement))
            position = text.find(char, position + 1)
    return _edit(spaced, sorted(edits))


@dataclass(frozen=True)
class Folded:
    """Folded text plus the means to map a span of it back to the input."""

    source: str
    text: str
    _maps: tuple[_OffsetMap | _SpaceRunMap, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the folded text to the span of the input it came from."""
        for offset_map in reversed(self._maps):
            if start == end:
                start = end = offset_map.start(start)
            else:
                start, end = offset_map.start(start), offset_map.end(end)
        # Never cut a character off from its marks: a keycap digit (8️⃣), a Thai vowel sign.
        while start < end < len(self.source) and unicodedata.category(self.source[end]) in _MARKS:
            end += 1
        return start, end


def fold(text: str) -> Folded:
    """Fold ``text`` for matching and keep the map back to it."""
    others = set() if text.isascii() else _non_ascii(text)
    translated, special, marks, lowered = _translated_and_special(text, others)
    first_map: _OffsetMap | _SpaceRunMap
    if lowered and not marks:
        folded, first_map = _fold_lowered(text, translated, others, special)
    else:
        alternatives = []
        if marks and _COMBINING.search(text):
            alternatives.append(_COMBINING.pattern)
        alternatives.append(_WHITESPACE_RUN.pattern)
        if special:
            alternatives.append("[" + re.escape(special) + "]")
        pattern = _WHITESPACE_RUN if len(alternatives) == 1 else _compiled("|".join(alternatives))
        folded, first_map = _rewrite(text, translated, pattern)
    # Handed UTF-8, RE2's wrapper need not map byte offsets back to characters.
    if (_SPACED_LETTERS_FILTER.search(folded.encode()) is None
            or _SPACED_LETTERS.search(folded) is None):
        return Folded(text, folded, (first_map,))
    joined, second_map = _rewrite(folded, folded, _SPACED_LETTERS, join_spaced=True)
    return Folded(text, joined, (first_map, second_map))


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def fold_text(text: str) -> str:
    """Only the folded text, for callers that need no offsets (the classifier)."""
    return fold(text).text
