"""The rules' fast paths change nothing: script gating, batches of adverts and byte offsets give
exactly the hits that searching every pattern in every text gives."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import re2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scamscreen.catalogue import Catalogue, default_catalogue
from scamscreen.contacts import find_contacts
from scamscreen.normalize import fold
from scamscreen.rules import (
    _DIRECT_SEARCHES,
    _PREFILTERS,
    _SCRIPTS,
    _candidate_patterns,
    _matching_patterns,
    _prefilter,
    _required_script,
    _spans,
    find_hits,
    find_hits_many,
)

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = default_catalogue()
CJK, THAI = (next(n for n, s in enumerate(_SCRIPTS) if s.name == name) for name in ("CJK", "Thai"))
SAMPLES = [json.loads(line)["text"] for name in ("ads.jsonl", "holdout.jsonl")
           for line in (ROOT / "data" / "samples" / name).read_text(encoding="utf-8").splitlines()
           if line.strip()]
EXAMPLES = [example for flag in CATALOGUE
            for example in flag.examples_match + flag.examples_no_match]
FOLDED_TEXTS = [fold(text).text for text in SAMPLES + EXAMPLES]
GATED = [(index, script) for index, compiled in enumerate(CATALOGUE.patterns)
         if (script := _required_script(compiled.regex.pattern)) is not None]
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _holds(text: str, script: int) -> bool:
    return any(_SCRIPTS[script].holds(ord(char), ord(char)) for char in text)


def _brute_force(text: str) -> list[int]:
    return [index for index, compiled in enumerate(CATALOGUE.patterns)
            if compiled.regex.search(text)]


@pytest.fixture(autouse=True)
def prefilter_built() -> None:
    """Search through the sets, as a batch worker does, not directly as a process's first ads."""
    _prefilter(CATALOGUE)


@pytest.mark.parametrize(("pattern", "script"), [
    ("招聘", CJK),
    ("[一-龥]+", CJK),
    ("高薪|月入", CJK),
    ("(?:海外|國外)[^。]{0,10}(?:客服|打字)", CJK),
    ("中{1,3}x", CJK),
    ("ไทย|งาน", THAI),
    (r"\p{Han}", CJK),
    (r"[\p{Thai}\p{Thai}]", THAI),
    ("a|中", None),  # one branch has no CJK
    ("(?:中)?x", None),  # optional
    ("中*x", None),
    ("[^a]", None),  # a negated class holds anything
    ("[中a]", None),
    (r"\\p{Han}", None),  # an escaped backslash, then letters
    (r"\p{Greek}", None),  # not a script of ours
    (r"\P{Han}", None),
    ("(?i)中", None),  # case folding: not analysed
    ("(?:line|賴|telegram)", None),
    ("(?:ไลน์|line)\\s?:\\s?@?[a-z0-9_]{3,}", None),
    ("x{,3}中", None),  # RE2 reads "{,3}" as literal text, Python as a repeat: not analysed
])
def test_required_script_is_read_from_the_pattern_syntax(pattern: str, script: int | None) -> None:
    assert _required_script(pattern) == script


def test_chinese_and_thai_patterns_are_gated() -> None:
    languages = {CATALOGUE.patterns[index].language for index, _ in GATED}
    assert languages <= {"zh-Hant", "zh-Hans", "th"}
    chinese_thai = sum(p.language in ("zh-Hant", "zh-Hans", "th") for p in CATALOGUE.patterns)
    assert len(GATED) >= 0.9 * chinese_thai  # the few left are mixed (say "line|賴")


@pytest.mark.parametrize("script", range(len(_SCRIPTS)), ids=[s.name for s in _SCRIPTS])
def test_each_script_property_lies_within_the_script(script: int) -> None:
    """``\\p{Han}`` may stand for a script only if RE2's class is inside the script's ranges."""
    everything = "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF)
    for name in _SCRIPTS[script].properties:
        members = re2.findall(rf"\p{{{name}}}", everything)
        assert members, name
        assert all(_holds(char, script) for char in members), name


@pytest.mark.parametrize("script", range(len(_SCRIPTS)), ids=[s.name for s in _SCRIPTS])
def test_the_text_check_finds_exactly_the_script_ranges(script: int) -> None:
    check = re2.compile(_SCRIPTS[script].character_class())
    for low, high in _SCRIPTS[script].ranges:
        for code in (low, high, (low + high) // 2):
            assert check.search(chr(code)), hex(code)
        for code in (low - 1, high + 1):
            if not 0xD800 <= code <= 0xDFFF:
                assert bool(check.search(chr(code))) == _holds(chr(code), script), hex(code)


def test_every_match_of_a_gated_pattern_holds_its_script() -> None:
    for index, script in GATED:
        regex = CATALOGUE.patterns[index].regex
        for text in FOLDED_TEXTS:
            for match in regex.finditer(text):
                assert _holds(match.group(), script), (regex.pattern, match.group())


def _without(text: str, script: int, replacement: str) -> str:
    return "".join(replacement if _holds(char, script) else char for char in text)


def test_gated_patterns_never_match_text_without_their_script() -> None:
    """Their own examples with the script's characters taken out or replaced, and long random
    text of every other kind of character, including the other scripts."""
    alphabet = [chr(code) for code in (*range(0x20, 0x250), *range(0x370, 0x530),
                                       *range(0x1E00, 0x2070), 0x3002, 0x0E01, 0xFF0C)]
    generator = random.Random(5)
    noise = ["".join(generator.choices(alphabet, k=4000)) for _ in range(3)]
    for index, script in GATED:
        regex = CATALOGUE.patterns[index].regex
        flag = CATALOGUE.flags[CATALOGUE.patterns[index].flag_index]
        stripped = [_without(fold(example).text, script, replacement)
                    for example in flag.examples_match for replacement in ("", " ", "x", "1")]
        for text in stripped + [_without(text, script, "") for text in noise]:
            assert regex.search(text) is None, (regex.pattern, text)


@pytest.mark.parametrize("number", range(0, len(FOLDED_TEXTS), 100))
def test_prefilter_finds_what_searching_every_pattern_finds(number: int) -> None:
    for text in FOLDED_TEXTS[number : number + 100]:
        assert _matching_patterns(CATALOGUE, text) == _brute_force(text), text
        assert set(_candidate_patterns(CATALOGUE, text)) >= set(_brute_force(text))


def _slices(text: str) -> st.SearchStrategy[str]:
    return st.tuples(st.integers(0, len(text)), st.integers(0, len(text))).map(
        lambda bounds: text[min(bounds) : max(bounds)])


# Pieces of the catalogue's examples (Chinese, Thai and the rest), ASCII and Latin filler.
mixed_text = st.lists(
    st.sampled_from(EXAMPLES + SAMPLES).flatmap(_slices)
    | st.sampled_from(["a", " ", "。", "中", "ไ", "line", "賴", "\n", "é", "ư", "123"])
    | st.text(max_size=4),
    max_size=12,
).map(" ".join)


@PROPERTY
@given(mixed_text)
def test_gated_prefilter_equals_searching_every_pattern(text: str) -> None:
    folded = fold(text).text
    assert _matching_patterns(CATALOGUE, folded) == _brute_force(folded)


def _character_spans(regex: Any, text: str) -> list[tuple[int, int]]:
    """What the re2 module reports for a str, empty matches left out."""
    return [m.span() for m in regex.finditer(text) if m.end() > m.start()]


@PROPERTY
@given(mixed_text)
def test_spans_in_bytes_are_the_spans_in_characters(text: str) -> None:
    folded = fold(text).text
    encoded = folded.encode("utf-8")
    for index in _candidate_patterns(CATALOGUE, folded):
        regex = CATALOGUE.patterns[index].regex
        assert list(_spans(regex, folded, encoded)) == _character_spans(regex, folded)


def test_spans_of_every_pattern_in_the_samples_are_the_spans_in_characters() -> None:
    for text in FOLDED_TEXTS[:: 3]:
        encoded = text.encode("utf-8")
        for index in _candidate_patterns(CATALOGUE, text):
            regex = CATALOGUE.patterns[index].regex
            assert list(_spans(regex, text, encoded)) == _character_spans(regex, text)


@pytest.mark.parametrize("pattern", [r"\b", "é*", r"\b\w*", "(?:中|x)?", "ไ*ท"])
def test_spans_skip_empty_matches_even_inside_a_character(pattern: str) -> None:
    regex = re2.compile(pattern)
    for text in ("aébé中文 xx ไทย", "中", "é", "ไทไท", "abc"):
        assert list(_spans(regex, text, text.encode("utf-8"))) == _character_spans(regex, text)


def _chunks_of_hits(texts: list[str], size: int) -> list[list[object]]:
    foldeds = [fold(text) for text in texts]
    contacts = [find_contacts(folded) for folded in foldeds]
    hits: list[list[object]] = []
    for start in range(0, len(texts), size):
        hits.extend(find_hits_many(CATALOGUE, foldeds[start : start + size],
                                   contacts[start : start + size]))
    return hits


@pytest.mark.parametrize("size", [1, 7, 128])
def test_find_hits_many_gives_what_find_hits_gives(size: int) -> None:
    texts = SAMPLES + EXAMPLES
    assert _chunks_of_hits(texts, size) == [find_hits(CATALOGUE, text) for text in texts]


def test_find_hits_many_on_emscad_gives_what_find_hits_gives(shared_data: Path) -> None:
    import csv
    import sys

    csv.field_size_limit(sys.maxsize)
    with shared_data.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    sample = random.Random(3).sample(texts, 300)
    assert _chunks_of_hits(sample, 256) == [find_hits(CATALOGUE, text) for text in sample]


def test_find_hits_many_takes_an_empty_chunk_and_refuses_unpaired_contacts() -> None:
    assert find_hits_many(CATALOGUE, [], []) == []
    with pytest.raises(ValueError):
        find_hits_many(CATALOGUE, [fold("a")], [])


def test_first_adverts_are_searched_directly_with_the_same_hits() -> None:
    """A process's first adverts skip building the sets (``check``'s start-up) and get the
    hits that the sets give."""
    fresh = Catalogue(CATALOGUE.flags, CATALOGUE.groups, CATALOGUE.patterns, CATALOGUE.lexicons,
                      CATALOGUE.currencies)
    _DIRECT_SEARCHES.pop(id(fresh), None)  # left by a catalogue of an earlier test, if any
    texts = SAMPLES[:20]
    direct = [find_hits(fresh, text) for text in texts]
    assert id(fresh) not in _PREFILTERS
    assert direct == [find_hits(CATALOGUE, text) for text in texts]
