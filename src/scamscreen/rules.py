"""Run the catalogue over an advert: which flags fire, and on which text of the input."""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
import warnings
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import re2

from scamscreen.catalogue import MITIGATION_GROUP, Catalogue, ConceptRule, ContactRule, Flag
from scamscreen.concepts import (
    HYPOTHETICAL,
    WARNING,
    ConceptIndex,
    Occurrence,
    nearest_group,
)
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


# The prefilter: re2.Sets of relaxed patterns (``_relaxed``) find the few patterns that may match
# an advert, and each of those is confirmed with its exact pattern. A set costs a pass over the
# text (~2 ns a byte at best) and its automaton grows with the word gaps its patterns hold open
# at once; past its memory RE2 thrashes (a set of 32 Vietnamese gapped patterns: 2 ms an ad).
# So: patterns with no gap (no unbounded repeat of a class or ".") in sets of up to 250, which
# stay small; gapped ones in sets of up to 20, sorted by language, so that on text in one
# language most sets stay near the floor. Per warm 2.7 KB EMSCAD advert, in chunks of 256 ads:
# 12 sets, ~130 µs; automata after EMSCAD and 200 dense English scam ads: +30 MB (32 a set was
# as fast, +59 MB; catalogue order +69 MB). Patterns that need a CJK or Thai character run only
# on text that holds one (``_SCRIPTS``). The 239 plain patterns that every text meets go in
# two sets, not one: RE2 builds each set's automaton lazily, on the first few thousand ads, and
# one large set took longest to build; over a fresh worker's first 5,120 EMSCAD ads rules took
# 1.23-1.32 s with one, 1.10-1.13 s with two (steady state 116-135 µs an ad either way).
_PLAIN_PER_SET = 150
_GAPPED_PER_SET = 20
_SET_MEMORY = 32 << 20
# A bounded repeat allowing at least this many more repetitions than its minimum is relaxed.
_RELAXED_SPAN = 12
_QUANTIFIER = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")
# Building the sets takes ~0.25 s, half of `check`'s start-up; trying every exact pattern
# directly takes ~4 ms an advert. So a process's first few adverts are searched directly and
# the sets are built only once it has screened more (batch workers, long-lived callers).
_DIRECT_SEARCH_LIMIT = 32
_DIRECT_SEARCHES: dict[int, int] = {}


@dataclass(frozen=True, slots=True)
class _Script:
    """Characters that a pattern may need in the text: when every match of a pattern holds one,
    the pattern cannot match a text without any, and is not searched there."""

    name: str
    ranges: tuple[tuple[int, int], ...]  # code points, inclusive
    properties: tuple[str, ...]  # RE2 classes (\p{Han}) whose characters all lie in ``ranges``
    # Without spaces between words a gap stays open far longer, and a set's automaton grows
    # much faster: on dense 2.7k-character Chinese ads, 26 gapped patterns a set took 1.1-1.8 ms
    # each; 6 a set, all 13 sets 0.3 ms and +31 MB (8 a set: as fast, +44 MB).
    gapped_per_set: int

    def holds(self, low: int, high: int) -> bool:
        return any(first <= low and high <= last for first, last in self.ranges)

    def character_class(self) -> str:
        return "[" + "".join(f"\\x{{{low:x}}}-\\x{{{high:x}}}" for low, high in self.ranges) + "]"


# Chinese and Thai patterns, 386 of 841, need these; an English advert holds neither and skips
# them. CJK is taken broadly (Han, kana, Hangul, CJK punctuation and full-width forms): any
# ranges are exact, as long as the text is checked against the same ones.
_SCRIPTS = (
    _Script("CJK", ((0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x2FF0, 0x9FFF), (0xA960, 0xA97F),
                    (0xAC00, 0xD7FF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
                    (0x16FE0, 0x16FFF), (0x1AFF0, 0x1B16F), (0x1F200, 0x1F2FF),
                    (0x20000, 0x3FFFF)),
            ("Han", "Hiragana", "Katakana", "Hangul"), gapped_per_set=6),
    _Script("Thai", ((0x0E00, 0x0E7F),), ("Thai",), gapped_per_set=6),
)
_LOWEST_SCRIPT_CHARACTER = chr(min(low for script in _SCRIPTS for low, _ in script.ranges))
# \p{Han} and the like become one private-use character (Plane 15, which no pattern uses) per
# script before Python's parser reads the pattern, which it could not otherwise.
_PROPERTY_STAND_IN = 0xF0000
_PROPERTY_CLASS = re.compile(r"\\(?:\\|p\{(\w+)\})")
# Syntax that Python's parser reads differently from RE2, or that RE2 rejects: case folding,
# "{,n}" (a literal in RE2), POSIX classes, \u, \U and \N escapes, and the stand-ins
# themselves. A pattern with any is not analysed (it is searched in every text).
_NOT_ANALYSED = re.compile(
    r"\(\?[a-zA-Z-]*i|\{,|\[:\^?[a-z]+:\]|\\[uUN]|[\U000F0000-\U000FFFFF]")
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT)
# A word gap in a relaxed pattern: an unbounded repeat of a negated class, ".", \S, \W or \D.
_WORD_GAP = re.compile(r"(?:\[\^(?:\\.|[^]\\])*\]|\.|\\[SWD])\*")


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
        if relaxed != pattern:  # the pattern itself compiled with the catalogue
            re2.compile(relaxed)
    except (ValueError, IndexError, re2.error):
        return pattern
    return relaxed


def _stand_in(match: re.Match[str]) -> str:
    """An escape ``\\p{Han}`` as its script's stand-in character; anything else as written."""
    for number, script in enumerate(_SCRIPTS):
        if match.group(1) in script.properties:
            return chr(_PROPERTY_STAND_IN + number)
    return match.group()


def _inside(low: int, high: int, number: int) -> bool:
    """Whether code points ``low`` to ``high`` all belong to script ``number``."""
    return low == high == _PROPERTY_STAND_IN + number or _SCRIPTS[number].holds(low, high)


def _always_holds(items: Any, number: int) -> bool:
    """Whether every string that the parsed sequence ``items`` matches holds a character of
    script ``number``: one of its items always does. A part not understood never counts."""
    for operator, argument in items:
        if operator is sre.LITERAL:
            holds = _inside(argument, argument, number)
        elif operator is sre.IN:  # a class; negated ones and \d, \w, \s never count
            holds = bool(argument) and all(
                (kind is sre.LITERAL and _inside(value, value, number))
                or (kind is sre.RANGE and _inside(value[0], value[1], number))
                for kind, value in argument)
        elif operator is sre.SUBPATTERN:
            holds = _always_holds(argument[-1], number)
        elif operator is sre.BRANCH:
            holds = all(_always_holds(branch, number) for branch in argument[1])
        elif operator in _REPEATS:
            holds = argument[0] > 0 and _always_holds(argument[2], number)
        else:  # anchors, which match no character; nothing else is RE2 syntax
            holds = False
        if holds:
            return True
    return False


def _required_script(pattern: str) -> int | None:
    """The index in ``_SCRIPTS`` of a script that every match of ``pattern`` holds a character
    of, or None where the pattern's syntax does not show one.

    Read by Python's own regex parser, which takes the RE2 syntax the catalogue uses; what it
    rejects, or might read differently (``_NOT_ANALYSED``), is not analysed. The answer errs
    one way only: None for a pattern that does need a script costs time, never a match."""
    if max(pattern, default="\0") < _LOWEST_SCRIPT_CHARACTER and "\\p{" not in pattern:
        return None
    if _NOT_ANALYSED.search(pattern):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "possible nested set" and the like: not analysed
            parsed = sre_parse.parse(_PROPERTY_CLASS.sub(_stand_in, pattern))
    except (re.error, Warning, RecursionError, OverflowError):
        return None
    for number in range(len(_SCRIPTS)):
        if _always_holds(parsed, number):
            return number
    return None


@dataclass(frozen=True, slots=True)
class _PrefilterSet:
    """An re2.Set of relaxed patterns, and what each of its members stands for."""

    matcher: Any  # re2.Set
    members: tuple[int, ...]  # a pattern's index in the catalogue, or ~n: the text holds script n
    script: int | None  # searched only in texts that hold this script; None: in every text


# The prefilter of each catalogue, by id (a Catalogue holds dicts, so it is not hashable).
_PREFILTERS: dict[int, tuple[Catalogue, tuple[_PrefilterSet, ...]]] = {}


def _spread(items: list[int], most: int) -> list[list[int]]:
    """``items`` cut into as few runs of at most ``most`` as can be, of even length."""
    if not items:
        return []
    size = -(-len(items) // -(-len(items) // most))
    return [items[start : start + size] for start in range(0, len(items), size)]


def _build_prefilter(catalogue: Catalogue) -> tuple[_PrefilterSet, ...]:
    """The sets, those searched in every text first: they also tell which scripts a text holds
    (one member per script, at no extra pass), which the others need."""
    patterns = catalogue.patterns
    relaxed = [_prefilter_pattern(compiled.regex.pattern) for compiled in patterns]
    required = [_required_script(compiled.regex.pattern) for compiled in patterns]
    built = []
    for script in (None, *range(len(_SCRIPTS))):
        # Patterns of one language together: their sets' automata come out smaller.
        indexes = sorted((index for index, needed in enumerate(required) if needed == script),
                         key=lambda index: (patterns[index].language, index))
        gapped = [index for index in indexes if _WORD_GAP.search(relaxed[index])]
        plain = [index for index in indexes if not _WORD_GAP.search(relaxed[index])]
        if script is None:
            plain = [~number for number in range(len(_SCRIPTS))] + plain
        gapped_per_set = _GAPPED_PER_SET if script is None else _SCRIPTS[script].gapped_per_set
        options = re2.Options()
        options.max_mem = _SET_MEMORY
        for group, most in ((plain, _PLAIN_PER_SET), (gapped, gapped_per_set)):
            for members in _spread(group, most):
                matcher = re2.Set.SearchSet(options)
                for member in members:
                    matcher.Add(relaxed[member] if member >= 0
                                else _SCRIPTS[~member].character_class())
                matcher.Compile()
                built.append(_PrefilterSet(matcher, tuple(members), script))
    return tuple(built)


def _prefilter(catalogue: Catalogue) -> tuple[_PrefilterSet, ...]:
    entry = _PREFILTERS.get(id(catalogue))
    if entry is not None and entry[0] is catalogue:
        return entry[1]
    built = _build_prefilter(catalogue)
    _PREFILTERS[id(catalogue)] = (catalogue, built)
    return built


def prepare_prefilter(catalogue: Catalogue) -> None:
    """Build the catalogue's prefilter sets now (~0.25 s) instead of on the first chunk of
    adverts: for a batch worker, whose first adverts are not worth searching directly. The
    lexicons' set of keys too."""
    _prefilter(catalogue)
    catalogue.concept_finder.prepare()


def _candidates_many(catalogue: Catalogue, encoded: Sequence[bytes]) -> list[list[int]]:
    """For each UTF-8 text, the indexes of the catalogue's patterns that may match it, in order:
    every one that matches, plus the few whose relaxed form matches but whose exact form does
    not."""
    searched = _DIRECT_SEARCHES.get(id(catalogue), 0)
    if searched + len(encoded) <= _DIRECT_SEARCH_LIMIT and id(catalogue) not in _PREFILTERS:
        _DIRECT_SEARCHES[id(catalogue)] = searched + len(encoded)
        return [[index for index, compiled in enumerate(catalogue.patterns)
                 if compiled.regex.search(text)] for text in encoded]
    every_text = range(len(encoded))
    holding: list[list[int]] = [[] for _ in _SCRIPTS]  # per script, the texts that hold it
    found: list[list[int]] = [[] for _ in encoded]
    # A set at a time over all texts rather than a text at a time: the set's automaton stays in
    # the CPU's caches.
    for prefilter in _prefilter(catalogue):
        match, members = prefilter.matcher.Match, prefilter.members
        for number in every_text if prefilter.script is None else holding[prefilter.script]:
            for position in match(encoded[number]) or ():
                member = members[position]
                if member >= 0:
                    found[number].append(member)
                else:
                    holding[~member].append(number)
    for candidates in found:
        candidates.sort()
    return found


def _candidate_patterns(catalogue: Catalogue, text: str) -> list[int]:
    """The indexes of the catalogue's patterns that may match ``text``, in order."""
    return _candidates_many(catalogue, (text.encode("utf-8"),))[0]


def _matching_patterns(catalogue: Catalogue, text: str) -> list[int]:
    """The indexes of the catalogue's patterns that match ``text``, in order."""
    return [index for index in _candidate_patterns(catalogue, text)
            if catalogue.patterns[index].regex.search(text)]


def _spans(regex: Any, text: str, encoded: bytes) -> Iterator[tuple[int, int]]:
    """The spans of ``regex``'s non-empty matches in ``text``, in characters, searched in its
    UTF-8 form: given a str, the re2 module would encode it again and count characters from
    the start. (After an empty match the search goes on a byte later, maybe inside a
    character, where no non-empty match can start.)"""
    ascii_only = len(encoded) == len(text)  # then a byte is a character
    byte_offset = character_offset = 0
    for match in regex.finditer(encoded):
        byte_start, byte_end = match.start(), match.end()
        if byte_start == byte_end:
            continue
        if ascii_only:
            yield byte_start, byte_end
            continue
        start = character_offset + len(encoded[byte_offset:byte_start].decode("utf-8"))
        end = start + len(encoded[byte_start:byte_end].decode("utf-8"))
        byte_offset, character_offset = byte_end, end
        yield start, end


# A pattern's match inside a warning ("beware of ads promising ...") or a hypothetical ("if
# anyone asks you to pay a fee") is not the advert's own claim. Negation is left to the
# patterns, which were written with their own negation guards.
_PATTERN_SCOPES = WARNING | HYPOTHETICAL


def _confirmed_hits(catalogue: Catalogue, folded: Folded, encoded: bytes,
                    candidates: list[int], index: ConceptIndex | None = None) -> list[Hit]:
    """Fire each flag whose candidate patterns match the folded text (``encoded`` is its UTF-8
    form), collecting evidence. With the text's concepts (``index``), a match inside a warning's
    or hypothetical's scope is not evidence, except for mitigation flags: it is the warning."""
    if not candidates:
        return []
    scopes = index if index is not None and index.triggers else None
    spans: dict[int, list[Evidence]] = defaultdict(list)
    seen: dict[int, set[tuple[int, int]]] = defaultdict(set)
    # A candidate that does not match yields no span: finditer confirms and finds spans at once.
    for pattern_index in candidates:
        compiled = catalogue.patterns[pattern_index]
        flag_spans = spans[compiled.flag_index]
        checked = scopes if catalogue.flags[compiled.flag_index].group != MITIGATION_GROUP \
            else None
        for match_start, match_end in _spans(compiled.regex, folded.text, encoded):
            if len(flag_spans) >= MAX_EVIDENCE_PER_FLAG:
                break
            if checked is not None and checked.modifiers_of(match_start, match_end,
                                                            _PATTERN_SCOPES):
                continue
            start, end = folded.source_span(match_start, match_end)
            if (start, end) in seen[compiled.flag_index]:
                continue
            seen[compiled.flag_index].add((start, end))
            flag_spans.append(Evidence(folded.source[start:end], start, end, compiled.language))
    return [
        Hit(catalogue.flags[index], tuple(sorted(evidence, key=lambda e: (e.start, e.end))))
        for index, evidence in sorted(spans.items())
        if evidence
    ]


def concept_hits(catalogue: Catalogue, folded: Folded,
                 index: ConceptIndex | None = None) -> list[Hit]:
    """Fire every flag one of whose ``[[concept]]`` rules holds in the folded text; its evidence
    is each concept occurrence that satisfied the rule."""
    flags = _concept_flag_indexes(catalogue)
    if not flags:
        return []
    if index is None:
        index = catalogue.concept_finder.find(folded)
    present = index.present()
    if not present:
        return []
    hits = []
    for flag_index in flags:
        flag = catalogue.flags[flag_index]
        for rule in flag.concept_rules:
            # Most rules miss a whole slot: a set test before any list is built.
            if not all(any(name.lstrip("!") in present for name in slot) for slot in rule.slots):
                continue
            if any(index.plain(name) for name in rule.unless):
                continue
            slots = [tuple(sorted((o for name in slot for o in _slot_occurrences(index, name)),
                                  key=lambda o: o.start)) for slot in rule.slots]
            group = nearest_group(slots, rule.window)
            if group is None or _vetoed_near(index, rule, group):
                continue
            evidence = []
            for occurrence in group[:MAX_EVIDENCE_PER_FLAG]:
                start, end = folded.source_span(occurrence.start, occurrence.end)
                evidence.append(Evidence(folded.source[start:end], start, end,
                                         occurrence.language))
            hits.append(Hit(flag, tuple(evidence)))
            break
    return hits


def _vetoed_near(index: ConceptIndex, rule: ConceptRule, group: tuple[Occurrence, ...]) -> bool:
    if not rule.unless_near:
        return False
    reach = rule.window or 60
    low, high = group[0].start - reach, max(o.end for o in group) + reach
    # A word of the match itself ("paga" is a payment and a wage) does not veto it.
    own = [(o.start, o.end) for o in group]
    return any(low <= o.start and o.end <= high
               and not any(o.start < end and start < o.end for start, end in own)
               for name in rule.unless_near for o in index.plain(name))


def _slot_occurrences(index: ConceptIndex, name: str) -> tuple[Occurrence, ...]:
    """A slot's plain occurrences of a concept, or with "!concept" its negated ones only
    ("no need to go through POEA", "without exit clearance")."""
    if name.startswith("!"):
        return index.negated_itself(name[1:])
    return index.plain(name)


_CONCEPT_FLAGS: dict[int, tuple[Catalogue, tuple[int, ...]]] = {}


def _concept_flag_indexes(catalogue: Catalogue) -> tuple[int, ...]:
    entry = _CONCEPT_FLAGS.get(id(catalogue))
    if entry is None or entry[0] is not catalogue:
        entry = (catalogue, tuple(i for i, flag in enumerate(catalogue.flags)
                                  if flag.concept_rules))
        _CONCEPT_FLAGS[id(catalogue)] = entry
    return entry[1]


def _merged(catalogue: Catalogue, pattern_hits: list[Hit], by_concepts: list[Hit]) -> list[Hit]:
    """Pattern and concept hits of one advert, one hit per flag, in catalogue order, evidence
    by position without repeats."""
    if not by_concepts:
        return pattern_hits
    by_id = {hit.flag.id: hit for hit in pattern_hits}
    for hit in by_concepts:
        previous = by_id.get(hit.flag.id)
        if previous is None:
            by_id[hit.flag.id] = hit
            continue
        spans = {(e.start, e.end) for e in previous.evidence}
        evidence = [*previous.evidence, *(e for e in hit.evidence
                                          if (e.start, e.end) not in spans)]
        by_id[hit.flag.id] = Hit(hit.flag, tuple(sorted(evidence, key=lambda e: (e.start, e.end))
                                                 [:MAX_EVIDENCE_PER_FLAG]))
    order = {flag.id: index for index, flag in enumerate(catalogue.flags)}
    return sorted(by_id.values(), key=lambda hit: order[hit.flag.id])


def match_patterns(catalogue: Catalogue, folded: Folded) -> list[Hit]:
    """Fire every pattern flag that matches the folded text, collecting its evidence."""
    return match_patterns_many(catalogue, (folded,))[0]


def match_patterns_many(catalogue: Catalogue, foldeds: Sequence[Folded]) -> list[list[Hit]]:
    """``match_patterns`` for each folded text, its prefilter run a set at a time over all;
    flags written as concept rules fire here too."""
    return [hits for hits, _ in analyse_patterns_many(catalogue, foldeds)]


def analyse_patterns_many(catalogue: Catalogue, foldeds: Sequence[Folded]
                          ) -> list[tuple[list[Hit], ConceptIndex]]:
    """``match_patterns_many``, each text's hits with the concepts found in it."""
    encoded = [folded.text.encode("utf-8") for folded in foldeds]  # once, not once per set
    candidates = _candidates_many(catalogue, encoded)
    results = []
    finder = catalogue.concept_finder
    for folded, text, found in zip(foldeds, encoded, candidates, strict=True):
        index = finder.find(folded)
        pattern_hits = _confirmed_hits(catalogue, folded, text, found, index)
        hits = _merged(catalogue, pattern_hits, concept_hits(catalogue, folded, index))
        results.append((hits, index))
    return results


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
    if not hits:  # most adverts: only a combination that requires nothing could fire
        return [Hit(flag, ()) for flag in catalogue.combination_flags if not flag.requires]
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


def _with_contacts_and_combinations(catalogue: Catalogue, pattern_hits: list[Hit],
                                   contacts: tuple[Contact, ...]) -> list[Hit]:
    hits = match_contacts(catalogue, contacts, pattern_hits)
    return hits + match_combinations(catalogue, hits)


def find_hits(catalogue: Catalogue, text: str | Folded,
              contacts: tuple[Contact, ...] | None = None) -> list[Hit]:
    """All flags that fire on ``text``: pattern and contact flags first, then combinations.
    ``contacts`` are the ad's (``find_contacts``), passed when the caller already has them."""
    folded = text if isinstance(text, Folded) else fold(text)
    if contacts is None:
        contacts = find_contacts(folded) if catalogue.contact_flags else ()
    return _with_contacts_and_combinations(catalogue, match_patterns(catalogue, folded), contacts)


def find_hits_many(catalogue: Catalogue, foldeds: Sequence[Folded],
                   contacts: Sequence[tuple[Contact, ...]]) -> list[list[Hit]]:
    """``find_hits`` for each folded advert and its contacts, in order: the same hits, with the
    prefilter run a set at a time over all adverts, which keeps each set's automaton in the
    CPU's caches (pass chunks of a few hundred adverts)."""
    return [hits for hits, _ in analyse_many(catalogue, foldeds, contacts)]


def analyse_many(catalogue: Catalogue, foldeds: Sequence[Folded],
                 contacts: Sequence[tuple[Contact, ...]]) -> list[tuple[list[Hit], ConceptIndex]]:
    """``find_hits_many``, each advert's hits with the concepts found in it (which also tell
    its language, ``language.detect``)."""
    if len(foldeds) != len(contacts):
        raise ValueError(f"{len(foldeds)} adverts but {len(contacts)} tuples of contacts")
    return [(_with_contacts_and_combinations(catalogue, hits, found), index)
            for (hits, index), found in zip(analyse_patterns_many(catalogue, foldeds), contacts,
                                            strict=True)]
