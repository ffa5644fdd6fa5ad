"""Run the catalogue over an advert: which flags fire, and on which text of the input."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import re2

from scamscreen.catalogue import Catalogue, ContactRule, Flag
from scamscreen.contacts import Contact, find_contacts
from scamscreen.normalize import Folded, fold

# Evidence beyond this many spans per flag adds nothing a reader can use.
MAX_EVIDENCE_PER_FLAG = 8


@dataclass(frozen=True, slots=True)
class Evidence:
    """Text of the input that a flag matched, with offsets into the input as given."""

    text: str
    start: int
    end: int
    language: str

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "start": self.start, "end": self.end, "lang": self.language}


@dataclass(frozen=True, slots=True)
class Hit:
    """One flag that fired on an advert."""

    flag: Flag
    evidence: tuple[Evidence, ...]
    because: tuple[str, ...] = ()  # for combinations: the flag ids that satisfied it


# Patterns per re2.Set, and the DFA memory each set may use. One set over hundreds of word-gap
# patterns outgrows any sane DFA budget and RE2 falls back to a slow search (25 ms per advert
# at 641 patterns). The sets run relaxed patterns (``_relaxed``), whose automata are a fraction
# of the size. Per 3 KB advert, once RE2 has built the states it meets (the first ~1,000 ads):
# 0.29 ms in sets of 32 (+44 MB), 0.24 ms in sets of 64 (+69 MB, and a slower first 1,000);
# the exact patterns in sets of 8 took 2 ms.
_PATTERNS_PER_SET = 32
_SET_MEMORY = 32 << 20
# A bounded repeat allowing at least this many more repetitions than its minimum is relaxed.
_RELAXED_SPAN = 12
_QUANTIFIER = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")
# The sets of each catalogue, by id (a Catalogue holds dicts, so it is not hashable).
_PATTERN_SETS: dict[int, tuple[Catalogue, list[tuple[int, Any]]]] = {}
# Building the sets takes ~0.2 s, a third of `check`'s start-up; trying every exact pattern
# directly takes ~4 ms an advert. So a process's first few adverts are searched directly and
# the sets are built only once it has screened more (batch workers, long-lived callers).
_DIRECT_SEARCH_LIMIT = 32
_DIRECT_SEARCHES: dict[int, int] = {}


def _relaxed(pattern: str) -> str:
    """``pattern`` with each wide bounded repeat (``[^.]{0,60}``) made unbounded (``[^.]*``).

    X{m,n} matches a subset of what X* matches, so the relaxed pattern matches wherever the
    exact one does: a set of relaxed patterns finds every pattern that can match, and a few more
    to confirm. Counting repeats is what makes the exact patterns' automata large."""
    out: list[str] = []
    position, length = 0, len(pattern)
    while position < length:
        char = pattern[position]
        if char == "\\":  # an escape, with its braces if it is \p{...}, \P{...} or \x{...}
            end = position + 2
            if pattern[position + 1 : position + 2] in ("p", "P", "x") and \
                    pattern[end : end + 1] == "{":
                end = pattern.index("}", end) + 1
        elif char == "[":  # a character class: braces in it are literal
            end = position + 1
            end += pattern[end : end + 1] == "^"
            end += pattern[end : end + 1] == "]"
            while pattern[end] != "]":
                if pattern[end] == "\\":
                    end += 2
                elif pattern.startswith("[:", end):
                    end = pattern.index(":]", end) + 2
                else:
                    end += 1
            end += 1
        elif (quantifier := _QUANTIFIER.match(pattern, position)) is not None:
            low, comma, high = quantifier.groups()
            unbounded = comma and not high
            if unbounded or int(high or low) - int(low) >= _RELAXED_SPAN:
                out.append("*")
                position = quantifier.end()
                continue
            end = quantifier.end()
        else:
            end = position + 1
        out.append(pattern[position:end])
        position = end
    return "".join(out)


def _prefilter_pattern(pattern: str) -> str:
    """The relaxed pattern, or the pattern itself where relaxing is not plainly safe."""
    if "\\Q" in pattern:  # braces in a quoted literal are not a repeat
        return pattern
    try:
        relaxed = _relaxed(pattern)
        re2.compile(relaxed)
    except (ValueError, IndexError, re2.error):
        return pattern
    return relaxed


def _pattern_sets(catalogue: Catalogue) -> list[tuple[int, Any]]:
    entry = _PATTERN_SETS.get(id(catalogue))
    if entry is not None and entry[0] is catalogue:
        return entry[1]
    options = re2.Options()
    options.max_mem = _SET_MEMORY
    sets = []
    for first in range(0, len(catalogue.patterns), _PATTERNS_PER_SET):
        pattern_set = re2.Set.SearchSet(options)
        for compiled in catalogue.patterns[first : first + _PATTERNS_PER_SET]:
            # The pattern as compiled (NFKC-folded), relaxed.
            pattern_set.Add(_prefilter_pattern(compiled.regex.pattern))
        pattern_set.Compile()
        sets.append((first, pattern_set))
    _PATTERN_SETS[id(catalogue)] = (catalogue, sets)
    return sets


def _candidate_patterns(catalogue: Catalogue, text: str) -> list[int]:
    """The indexes of the catalogue's patterns that may match ``text``, in order: every one
    that matches, plus the few whose relaxed form matches but whose exact form does not."""
    encoded = text.encode("utf-8")  # once, rather than once per set
    searched = _DIRECT_SEARCHES.get(id(catalogue), 0)
    if searched < _DIRECT_SEARCH_LIMIT and id(catalogue) not in _PATTERN_SETS:
        _DIRECT_SEARCHES[id(catalogue)] = searched + 1
        return [index for index, compiled in enumerate(catalogue.patterns)
                if compiled.regex.search(encoded)]
    found: list[int] = []
    for first, pattern_set in _pattern_sets(catalogue):
        found.extend(first + index for index in pattern_set.Match(encoded) or ())
    return sorted(found)


def _matching_patterns(catalogue: Catalogue, text: str) -> list[int]:
    """The indexes of the catalogue's patterns that match ``text``, in order."""
    return [index for index in _candidate_patterns(catalogue, text)
            if catalogue.patterns[index].regex.search(text)]


def match_patterns(catalogue: Catalogue, folded: Folded) -> list[Hit]:
    """Fire every pattern flag that matches the folded text, collecting its evidence."""
    spans: dict[int, list[Evidence]] = defaultdict(list)
    seen: dict[int, set[tuple[int, int]]] = defaultdict(set)
    # A candidate that does not match yields no span: finditer confirms and finds spans at once.
    for pattern_index in _candidate_patterns(catalogue, folded.text):
        compiled = catalogue.patterns[pattern_index]
        flag_spans = spans[compiled.flag_index]
        for match in compiled.regex.finditer(folded.text):
            if len(flag_spans) >= MAX_EVIDENCE_PER_FLAG:
                break
            if match.end() == match.start():
                continue
            start, end = folded.source_span(match.start(), match.end())
            if (start, end) in seen[compiled.flag_index]:
                continue
            seen[compiled.flag_index].add((start, end))
            flag_spans.append(Evidence(folded.source[start:end], start, end, compiled.language))
    return [
        Hit(catalogue.flags[index], tuple(sorted(evidence, key=lambda e: (e.start, e.end))))
        for index, evidence in sorted(spans.items())
        if evidence
    ]


def _contact_fires(rule: ContactRule, contact: Contact, kinds_present: set[str]) -> bool:
    return ((not rule.kinds or contact.kind in rule.kinds)
            and (not rule.regions or contact.region in rule.regions)
            and not kinds_present & set(rule.unless))


def match_contacts(catalogue: Catalogue, contacts: tuple[Contact, ...],
                   hits: list[Hit]) -> list[Hit]:
    """Add the flags that the ad's contacts are evidence for (a flag file's ``[contact]`` table):
    the contact as written is the evidence, so the explanation points at it like a pattern's."""
    if not contacts:
        return hits
    kinds_present = {contact.kind for contact in contacts}
    by_id = {hit.flag.id: hit for hit in hits}
    for flag in catalogue.contact_flags:
        assert flag.contact is not None
        evidence = [Evidence(c.text, c.start, c.end, "contact") for c in contacts
                    if _contact_fires(flag.contact, c, kinds_present)][:MAX_EVIDENCE_PER_FLAG]
        if not evidence:
            continue
        previous = by_id.get(flag.id)
        if previous is not None:
            spans = {(e.start, e.end) for e in previous.evidence}
            evidence = [*previous.evidence, *(e for e in evidence if (e.start, e.end) not in spans)]
        by_id[flag.id] = Hit(flag, tuple(sorted(evidence, key=lambda e: (e.start, e.end))))
    order = {flag.id: index for index, flag in enumerate(catalogue.flags)}
    return sorted(by_id.values(), key=lambda hit: order[hit.flag.id])


def match_combinations(catalogue: Catalogue, hits: list[Hit]) -> list[Hit]:
    """Fire each combination flag whose required groups or flags have all fired and whose
    ``unless`` entries have not (a text describing victims quotes the bait without offering it)."""
    fired_ids = {hit.flag.id for hit in hits}
    by_group: dict[str, list[str]] = defaultdict(list)
    for hit in hits:
        by_group[hit.flag.group].append(hit.flag.id)
    combined = []
    for flag in catalogue.combination_flags:
        if any(veto in fired_ids or veto in by_group for veto in flag.unless):
            continue
        because: list[str] = []
        for requirement in flag.requires:
            if requirement in fired_ids:
                because.append(requirement)
            elif by_group.get(requirement):
                because.extend(by_group[requirement])
            else:
                break
        else:
            combined.append(Hit(flag, (), tuple(dict.fromkeys(because))))
    return combined


def find_hits(catalogue: Catalogue, text: str | Folded,
              contacts: tuple[Contact, ...] | None = None) -> list[Hit]:
    """All flags that fire on ``text``: pattern and contact flags first, then combinations.
    ``contacts`` are the ad's (``find_contacts``), passed when the caller already has them."""
    folded = text if isinstance(text, Folded) else fold(text)
    if contacts is None:
        contacts = find_contacts(folded) if catalogue.contact_flags else ()
    hits = match_contacts(catalogue, contacts, match_patterns(catalogue, folded))
    return hits + match_combinations(catalogue, hits)
