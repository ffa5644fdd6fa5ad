"""Run the catalogue over an advert: which flags fire, and on which text of the input."""

from __future__ import annotations

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
# at 641 patterns); sets of a few patterns stay small and fast (2 ms in all, ~50 MB).
_PATTERNS_PER_SET = 8
_SET_MEMORY = 2 << 20
# The sets of each catalogue, by id (a Catalogue holds dicts, so it is not hashable).
_PATTERN_SETS: dict[int, tuple[Catalogue, list[tuple[int, Any]]]] = {}


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
            pattern_set.Add(compiled.regex.pattern)  # the pattern as compiled (NFKC-folded)
        pattern_set.Compile()
        sets.append((first, pattern_set))
    _PATTERN_SETS[id(catalogue)] = (catalogue, sets)
    return sets


def _matching_patterns(catalogue: Catalogue, text: str) -> list[int]:
    """The indexes of the catalogue's patterns that match ``text``: what
    ``catalogue.pattern_set`` finds, found with several small sets instead of one large one."""
    encoded = text.encode("utf-8")  # once, rather than once per set
    found: list[int] = []
    for first, pattern_set in _pattern_sets(catalogue):
        found.extend(first + index for index in pattern_set.Match(encoded) or ())
    return sorted(found)


def match_patterns(catalogue: Catalogue, folded: Folded) -> list[Hit]:
    """Fire every pattern flag that matches the folded text, collecting its evidence."""
    matched_indexes = _matching_patterns(catalogue, folded.text)
    spans: dict[int, list[Evidence]] = defaultdict(list)
    seen: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for pattern_index in sorted(matched_indexes):
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
