"""No catalogue pattern can make matching super-linear: checked by counting, not by timing.

What is counted, and what that proves:
- Every pattern is compiled by RE2 (the catalogue refuses anything else). RE2 has no
  backtracking: it simulates an automaton, so matching costs at most O(m · n) for a program of
  m instructions on n bytes. That guarantee is RE2's, not measured here.
- m itself is counted: RE2 reports each compiled program's size (forward and reverse), and a
  ceiling on it keeps the constant of that linear bound small.
- No pattern matches the empty string: an empty match would make the Python loop in
  ``rules.match_patterns`` step through the input one position at a time.
- On 1 MB of repeated near-matches, the Python side of matching is instrumented: the number of
  matches it pulls from RE2 is counted and must stay within the evidence cap per pattern,
  whatever the input size. So the only input-sized work is RE2's own linear scan.
Wall-clock time is never asserted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import re2

from scamscreen.catalogue import Catalogue, CompiledPattern, default_catalogue
from scamscreen.normalize import fold, fold_text
from scamscreen.rules import MAX_EVIDENCE_PER_FLAG, match_patterns

CATALOGUE = default_catalogue()
# RE2 instructions per compiled pattern. The largest today are ~2,000 (bounded gaps such as
# [^.\n]{0,40} unroll); a pattern over this is probably an accident worth a second look.
MAX_PROGRAM_SIZE = 10_000
HOSTILE_BYTES = 1 << 20


def _pattern_cases() -> list[Any]:
    return [pytest.param(p, id=f"{CATALOGUE.flags[p.flag_index].id}-{p.language}-{i}")
            for i, p in enumerate(CATALOGUE.patterns)]


@pytest.mark.parametrize("pattern", _pattern_cases())
def test_pattern_is_re2_with_a_bounded_program(pattern: CompiledPattern) -> None:
    assert isinstance(pattern.regex, re2._Regexp)
    assert pattern.regex.programsize <= MAX_PROGRAM_SIZE, pattern.source
    assert pattern.regex.reverseprogramsize <= MAX_PROGRAM_SIZE, pattern.source


@pytest.mark.parametrize("pattern", _pattern_cases())
def test_pattern_never_matches_the_empty_string(pattern: CompiledPattern) -> None:
    assert pattern.regex.search("") is None, pattern.source
    assert pattern.regex.search(" ") is None, pattern.source


class CountingRegex:
    """Wraps a compiled RE2 pattern and counts every match the caller pulls from it."""

    def __init__(self, regex: Any) -> None:
        self.regex = regex
        self.pulled = 0

    @property
    def pattern(self) -> str:
        return str(self.regex.pattern)

    def search(self, text: Any) -> Any:
        # A yes/no test (rules' direct path for a process's first adverts) pulls no spans.
        return self.regex.search(text)

    def finditer(self, text: str) -> Iterator[Any]:
        for match in self.regex.finditer(text):
            self.pulled += 1
            yield match


def _near_matches() -> str:
    """Every match example with its last character cut, plus every example whole (so RE2 has
    real matches to report too), repeated to 1 MB: the input most likely to provoke work."""
    pieces = []
    for flag in CATALOGUE:
        for example in flag.examples_match:
            folded = fold_text(example)
            pieces += [folded[:-1], folded[: len(folded) // 2]]
        pieces += list(flag.examples_no_match)
    unit = " ".join(pieces) or "a"
    return (unit * (HOSTILE_BYTES // len(unit.encode()) + 1))[:HOSTILE_BYTES]


def test_matching_a_megabyte_of_near_matches_pulls_a_bounded_number_of_matches() -> None:
    hostile = _near_matches()
    counters = [CountingRegex(p.regex) for p in CATALOGUE.patterns]
    instrumented = Catalogue(
        CATALOGUE.flags, CATALOGUE.groups,
        tuple(replace(p, regex=c) for p, c in zip(CATALOGUE.patterns, counters, strict=True)),
    )
    hits = match_patterns(instrumented, fold(hostile))
    assert hits, "the hostile input should contain real matches"
    for pattern, counter in zip(CATALOGUE.patterns, counters, strict=True):
        # One more than the cap: the loop looks at the next match before it stops. Duplicate
        # spans across a flag's patterns may add a few; an input-sized count would not fit.
        assert counter.pulled <= 2 * MAX_EVIDENCE_PER_FLAG + 1, pattern.source
    assert all(len(hit.evidence) <= MAX_EVIDENCE_PER_FLAG for hit in hits)

