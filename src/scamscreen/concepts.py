"""Concepts: what an advert talks about, found from lexicons rather than one regex per wording.

A concept is a named idea ("fee", "no_experience", "hub", "tourist_visa") with terms in each
language, kept as data in ``flags/lexicons/<lang>.toml``; a flag's ``[[concept]]`` rule says
which concepts must occur together, within how many characters (``catalogue.ConceptRule``).
Adding a synonym or a language is an edit to a lexicon, not to a flag or to code.

Three recognisers serve every flag:
- terms of every lexicon, found in the folded text with every overlapping match, linear in the
  text: Aho-Corasick automatons (pyahocorasick), one per script group and built only for the
  scripts an advert holds, for a process's first adverts; then one RE2 set of all keys, which
  says which keys occur, and ``str.find`` says where (batch workers);
- money: an amount next to a currency symbol, code or name (``currencies.json``, written from
  Babel's CLDR data by ``scripts/write-currencies.py``) or a local unit (``money_unit`` terms);
- places: the gazetteer ``places.toml``, a lexicon whose terms hold in every language.

Each occurrence carries the modifiers of medspaCy's ConText / NegEx: a trigger term
(``[modifiers]`` of a lexicon) opens a scope that runs forward (``pre``) or backward (``post``)
until a terminator, and a concept inside it is negated ("no fees", "不收任何費用"), hypothetical
("if anyone asks you to pay") or part of a warning ("beware of ads promising ..."). Rules count
only plain occurrences, unless they ask otherwise.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick
import re2

from scamscreen.errors import CatalogueError
from scamscreen.normalize import Folded, fold_text

NEGATED = 1
HYPOTHETICAL = 2
WARNING = 4
MODIFIERS = {"negation": NEGATED, "hypothetical": HYPOTHETICAL, "warning": WARNING}
# Concepts that code recognises; lexicons may add terms to them but need not define them.
BUILT_IN = ("money", "currency")
# Each lexicon's commonest words: they vote for the advert's language and no rule uses them.
FUNCTION_WORDS = "function_words"
_VOTING_SAMPLE = 400
# A process walks the automaton for its first adverts (``check``: no set to build), then
# builds the RE2 set (``ConceptFinder.prepare``).
_AUTOMATON_ADVERTS = 32
_SET_MEMORY = 64 << 20
# How far a trigger reaches, in characters: a few words in spaced scripts, a short phrase in
# unspaced ones; warnings and hypotheticals reach to the end of the sentence.
_SCOPE_CHARS = {NEGATED: 32, HYPOTHETICAL: 120, WARNING: 160}
_SCOPE_CHARS_UNSPACED = {NEGATED: 8, HYPOTHETICAL: 40, WARNING: 60}
# A negation ends at any punctuation (a list of bullet points is a list of separate claims);
# a warning or a hypothetical ends only where a sentence does.
# Sentence ends of the catalogue's scripts: the danda (Hindi, Nepali, Bengali), Urdu's and
# Arabic's full stop and question mark, Amharic's, Burmese's, Khmer's and Lao's.
_SENTENCE_END = frozenset(".!?;。！？；\n|•●▪◆■★☆✅✔✓❌➡👉📌🔥💰💵।॥۔؟።၊။។៕")
# Scripts written without spaces between words: their terms match on characters, and a space
# there separates phrases, which ends a negation's scope.
_UNSPACED = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x2E80, 0x9FFF),
             (0xAC00, 0xD7FF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF))


def is_unspaced(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _UNSPACED)


def _classify(char: str) -> tuple[bool, bool]:
    """(a letter, digit or mark of a spaced script; of those, not a digit). Devanagari's vowel
    signs (Mc) belong to the word they are written in, as do combining accents (Mn)."""
    if char.isalnum():
        word = not is_unspaced(char)
    else:
        word = unicodedata.category(char) in ("Mn", "Mc") and not is_unspaced(char)
    return word, word and not char.isdigit()


# Every boundary test asks about one character: ASCII answered up front, the rest as met.
_CLASSES: dict[str, tuple[bool, bool]] = {chr(code): _classify(chr(code)) for code in range(128)}


def _word_char(char: str) -> bool:
    found = _CLASSES.get(char)
    if found is None:
        found = _CLASSES[char] = _classify(char)
    return found[0]


def _letter(char: str) -> bool:
    found = _CLASSES.get(char)
    if found is None:
        found = _CLASSES[char] = _classify(char)
    return found[1]


def strip_accents(text: str) -> str:
    """Vietnamese and others typed without diacritics: "tuyển dụng" -> "tuyen dung"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(
        c for c in decomposed if unicodedata.category(c) != "Mn"))


@dataclass(frozen=True, slots=True)
class Term:
    """What one automaton key stands for."""

    concept: str  # a concept name, or "~negation.pre" and the like for a modifier trigger
    language: str
    prefix: bool  # "recruit*": a word that starts so, any ending
    spaced: bool  # starts with a letter of a spaced script: must start on a word boundary
    ends_spaced: bool  # ends so: must end on a word boundary (unless ``prefix``)


@dataclass(frozen=True, slots=True)
class Occurrence:
    concept: str
    start: int  # in the folded text
    end: int
    language: str
    modifiers: int = 0


@dataclass(frozen=True)
class Lexicon:
    """One language's concept terms and modifier triggers, as read from its file."""

    language: str
    concepts: Mapping[str, tuple[str, ...]]
    triggers: Mapping[str, tuple[str, ...]]  # "negation.pre" -> terms, ...
    examples: Mapping[str, tuple[str, ...]]  # concept -> texts that must hold it
    unaccented: bool = False
    # flag id -> (texts that must fire it, texts that must not), in this language
    flag_examples: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict)


def parse_lexicon(data: Mapping[str, Any], where: str) -> Lexicon:
    language = data.get("language")
    if not isinstance(language, str):
        raise CatalogueError(f"{where}: a lexicon needs 'language'")
    concepts: dict[str, tuple[str, ...]] = {}
    examples: dict[str, tuple[str, ...]] = {}
    for name, spec in data.get("concepts", {}).items():
        terms = spec.get("terms") if isinstance(spec, dict) else spec
        if not isinstance(terms, list) or not all(isinstance(t, str) and t for t in terms):
            raise CatalogueError(f"{where}: concepts.{name}.terms must be a list of strings")
        concepts[name] = tuple(terms)
        if isinstance(spec, dict) and spec.get("examples"):
            examples[name] = tuple(spec["examples"])
    triggers: dict[str, tuple[str, ...]] = {}
    for modifier, spec in data.get("modifiers", {}).items():
        if modifier not in MODIFIERS:
            raise CatalogueError(f"{where}: unknown modifier '{modifier}'; known: "
                                 f"{', '.join(MODIFIERS)}")
        for direction in ("pre", "post"):
            if spec.get(direction):
                triggers[f"{modifier}.{direction}"] = tuple(spec[direction])
    flag_examples: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for flag_id, spec in data.get("flag_examples", {}).items():
        texts = [spec.get(key, []) if isinstance(spec, dict) else None
                 for key in ("match", "no_match")]
        if not all(isinstance(t, list) and all(isinstance(x, str) for x in t) for t in texts):
            raise CatalogueError(f"{where}: flag_examples.{flag_id} takes lists match and no_match")
        flag_examples[flag_id] = (tuple(texts[0] or ()), tuple(texts[1] or ()))
    return Lexicon(language, concepts, triggers, examples, bool(data.get("unaccented", False)),
                   flag_examples)


class ConceptIndex:
    """Where each concept occurs in one folded text, and the text's modifier triggers. An
    occurrence's modifiers are worked out when its concept is first asked for: most concepts
    of an advert belong to no rule that can fire."""

    __slots__ = ("_raw", "_resolved", "text", "triggers", "folded", "votes")

    def __init__(self, raw: Mapping[str, list[Occurrence]], text: str = "",
                 triggers: tuple[tuple[int, int, int, bool], ...] = (),
                 folded: Folded | None = None, votes: Mapping[str, int] | None = None) -> None:
        self._raw = raw
        self._resolved: dict[str, tuple[Occurrence, ...]] = {}
        self.text = text
        self.triggers = triggers  # start, end, modifier bit, forward; sorted
        self.folded = folded  # for the input's line breaks, which folding made spaces
        self.votes = votes or {}  # function words per language

    def present(self) -> Iterable[str]:
        """The concepts that occur at all, with or without modifiers."""
        return self._raw.keys()

    def raw(self) -> Mapping[str, list[Occurrence]]:
        """Occurrences before their modifiers are worked out (positions and languages)."""
        return self._raw

    @property
    def occurrences(self) -> Mapping[str, tuple[Occurrence, ...]]:
        return {concept: self.get(concept) for concept in self._raw}

    def get(self, concept: str) -> tuple[Occurrence, ...]:
        found = self._resolved.get(concept)
        if found is None:
            raw = self._raw.get(concept, ())
            if self.triggers and raw:
                triggers = list(self.triggers)
                found = tuple(_with_modifiers(o, self.text, triggers, self.folded) for o in raw)
            else:
                found = tuple(raw)
            self._resolved[concept] = found
        return found

    def plain(self, concept: str) -> tuple[Occurrence, ...]:
        return tuple(o for o in self.get(concept) if not o.modifiers)

    def negated_itself(self, concept: str) -> tuple[Occurrence, ...]:
        """Occurrences negated by a trigger with no other concept between the two: "no need
        to go through POEA" negates POEA; in "بدون رسوم وبترخيص من وزارة العمل" (no fees,
        licensed by the ministry) the negation is the fees'."""
        negated = [o for o in self.get(concept) if o.modifiers == NEGATED]
        if not negated:
            return ()
        others = sorted((o.start, o.end) for occurrences in self._raw.values()
                        for o in occurrences if o.concept != concept)
        kept = []
        for occurrence in negated:
            for start, end, modifier, forward in self.triggers:
                if modifier != NEGATED:
                    continue
                low, high = (end, occurrence.start) if forward else (occurrence.end, start)
                if low > high or high - low > _SCOPE_CHARS[NEGATED]:
                    continue
                if not any(low <= other_start and other_end <= high
                           for other_start, other_end in others):
                    kept.append(occurrence)
                    break
        return tuple(kept)

    def modifiers_of(self, start: int, end: int, wanted: int) -> int:
        """The modifiers among ``wanted`` whose scope covers folded ``text[start:end]``: for
        evidence found by other means than concepts (a pattern's match)."""
        if not self.triggers:
            return 0
        triggers = [t for t in self.triggers if t[2] & wanted]
        return _with_modifiers(Occurrence("", start, end, ""), self.text, triggers,
                               self.folded).modifiers


_EMPTY = ConceptIndex({})


# An automaton's keys and what each stands for, as plain data: (key, ((concept, language,
# prefix, spaced, ends_spaced), ...)). Folding thousands of terms takes ~0.2 s, so the table
# is kept beside the parsed catalogue (``catalogue.write_parsed_cache``) and loaded as JSON.
TermTable = Sequence[tuple[str, tuple[tuple[str, str, bool, bool, bool], ...]]]


class PackedTable(Sequence[tuple[str, tuple[tuple[str, str, bool, bool, bool], ...]]]):
    """A term table as the cache keeps it: all keys in one string, each row's terms in one
    short code ("concept.language.flags,..."), decoded when the row is first matched. JSON then
    decodes a handful of strings instead of ~300,000 nested values (~0.1 s of `check`)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.keys: list[str] = data["keys"].split("\n")
        self._codes: list[str] = data["codes"].split("\n")
        self._concepts: list[str] = list(data["concepts"])
        self._languages: list[str] = list(data["languages"])
        self._rows: dict[int, tuple[str, tuple[tuple[str, str, bool, bool, bool], ...]]] = {}

    @staticmethod
    def pack(table: TermTable) -> dict[str, Any]:
        concepts = sorted({term[0] for _, terms in table for term in terms})
        languages = sorted({term[1] for _, terms in table for term in terms})
        concept_at = {name: i for i, name in enumerate(concepts)}
        language_at = {name: i for i, name in enumerate(languages)}
        codes = [",".join(f"{concept_at[c]}.{language_at[lang]}.{p | s << 1 | e << 2}"
                          for c, lang, p, s, e in terms) for _, terms in table]
        return {"keys": "\n".join(key for key, _ in table), "codes": "\n".join(codes),
                "concepts": concepts, "languages": languages}

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, row: Any) -> Any:  # only ints are asked for: rows of a match
        found = self._rows.get(row)
        if found is None:
            terms = []
            for code in self._codes[row].split(","):
                concept, language, flags = (int(part) for part in code.split("."))
                terms.append((self._concepts[concept], self._languages[language],
                              bool(flags & 1), bool(flags & 2), bool(flags & 4)))
            found = self._rows[row] = (self.keys[row], tuple(terms))
        return found


def term_table(lexicons: Iterable[Lexicon], currencies: Mapping[str, Iterable[str]]
               ) -> TermTable:
    """Every automaton key (a folded term) with the terms it stands for."""
    keys: dict[str, list[Term]] = {}
    currency_words = tuple(word for words in currencies.values() for word in words)
    sources: list[tuple[str, bool, list[tuple[str, tuple[str, ...]]]]] = [
        ("any", False, [("currency", currency_words)])]
    for lexicon in lexicons:
        entries = [(name, terms) for name, terms in lexicon.concepts.items()]
        entries += [(f"~{name}", terms) for name, terms in lexicon.triggers.items()]
        sources.append((lexicon.language, lexicon.unaccented, entries))
    for language, unaccented, entries in sources:
        for name, terms in entries:
            for raw in terms:
                for variant in _variants(raw, unaccented):
                    prefix = variant.endswith("*")
                    key = fold_text(variant.rstrip("*")).strip()
                    if not key or (name == FUNCTION_WORDS and _is_short(key)):
                        continue  # "in", "di", "sa": found in every text, telling little
                    term = Term(name, language, prefix, _word_char(key[0]), _word_char(key[-1]))
                    keys.setdefault(key, []).append(term)
    return [(key, tuple((t.concept, t.language, t.prefix, t.spaced, t.ends_spaced)
                        for t in dict.fromkeys(terms))) for key, terms in keys.items()]


def _is_short(key: str) -> bool:
    return len(key) <= 2 and key.isascii() and key.isalnum()


def _short_regexes(short: Mapping[str, int]) -> tuple[Any, ...]:
    """RE2 searches for the short keys: two-letter ones standing alone (not inside a longer
    ASCII word; digits beside them allowed: "rm3000"), one-letter ones only beside a digit
    ("3800p", "5k", "r 500"): alone, a letter is a word's initial, not a currency."""
    def alternation(keys: list[str]) -> str:
        return "|".join(sorted(keys, key=lambda key: (-len(key), key)))

    pairs = [key for key in short if len(key) == 2]
    letters = [key for key in short if len(key) == 1]
    searches = []
    if pairs:
        searches.append(re2.compile(f"(?:^|[^a-z])({alternation(pairs)})(?:[^a-z]|$)"))
    if letters:
        searches.append(re2.compile(f"[0-9] ?({alternation(letters)})(?:[^a-z]|$)"))
        searches.append(re2.compile(f"(?:^|[^a-z])({alternation(letters)}) ?[0-9]"))
    return tuple(searches)


def _variants(term: str, unaccented: bool) -> tuple[str, ...]:
    """The term, and typed without diacritics where that stays unambiguous: one Vietnamese
    syllable without its marks is many words ("ty" is tỷ and công ty), two or more are not."""
    if not unaccented or " " not in term.strip():
        return (term,)
    return tuple(dict.fromkeys((term, strip_accents(term))))


# Keys are grouped by the script of their first character, and a group's automaton is built
# only when an advert in that script comes: `check` on an English advert builds the Latin one.
_SCRIPT_GROUPS = (
    (0x0400, 0x052F, "cyrillic"), (0x0590, 0x06FF, "arabic"), (0x0750, 0x08FF, "arabic"),
    (0x0900, 0x0DFF, "indic"), (0x0E00, 0x0EFF, "thai-lao"), (0x1000, 0x109F, "myanmar"),
    (0x1100, 0x11FF, "cjk"), (0x1200, 0x139F, "ethiopic"), (0x1780, 0x17FF, "khmer"),
    (0x2E80, 0x9FFF, "cjk"), (0xAA60, 0xAA7F, "myanmar"), (0xAC00, 0xD7FF, "cjk"),
    (0xF900, 0xFAFF, "cjk"), (0xFB50, 0xFEFF, "arabic"), (0xFF00, 0xFFEF, "cjk"),
    (0x20000, 0x3FFFF, "cjk"),
)
_GROUP_STARTS = [low for low, _, _ in _SCRIPT_GROUPS]
# What a group's rows are for: the main pass, the short-key searches, the language vote.
TermGroups = dict[str, dict[str, list[int]]]


def _latin(char: str) -> bool:
    code = ord(char)
    return code < 0x250 or 0x1E00 <= code <= 0x1EFF


def range_name(ranges: Sequence[tuple[int, int, str]], starts: Sequence[int], char: str
               ) -> str | None:
    """The name of the range (sorted ``(low, high, name)``, ``starts`` their lows) that holds
    ``char``'s code point, or None."""
    code = ord(char)
    position = bisect_left(starts, code + 1) - 1
    if position >= 0:
        low, high, name = ranges[position]
        if low <= code <= high:
            return name
    return None


def script_group(char: str) -> str:
    if _latin(char):
        return "latin"
    return range_name(_SCRIPT_GROUPS, _GROUP_STARTS, char) or "other"


def term_groups(table: TermTable) -> TermGroups:
    """Each table row's group and use: ``{group: {"long"|"short"|"voters": [rows]}}``."""
    groups: TermGroups = {}
    for number, (key, terms) in enumerate(table):
        if all(term[0] == FUNCTION_WORDS for term in terms):
            use = "voters"
        elif _is_short(key):
            use = "short"
        else:
            use = "long"
        groups.setdefault(script_group(key[0]), {}).setdefault(use, []).append(number)
    return groups


def _groups_of(text: str) -> set[str]:
    """The script groups whose keys can occur in ``text``."""
    found = {script_group(char) for char in set(text) if ord(char) >= 0x250}
    if not text.isascii() or any(char.isalpha() for char in text[:2000]):
        found.add("latin")
    return found


class ConceptFinder:
    """Every lexicon's terms, found by script-group automatons (a process's first adverts) or
    one RE2 set (after that), plus the money recogniser."""

    def __init__(self, lexicons: Iterable[Lexicon], currencies: Mapping[str, Iterable[str]],
                 table: TermTable | None = None, groups: TermGroups | None = None):
        self.lexicons = tuple(lexicons)
        self.concepts = frozenset(BUILT_IN).union(
            *(lexicon.concepts for lexicon in self.lexicons))
        if table is None:
            table = term_table(self.lexicons, currencies)
            groups = None
        self._table = table
        self._groups = groups if groups is not None else term_groups(table)
        self._automatons: dict[str, Any] = {}
        self._voters: dict[str, Any] = {}
        short_rows = [row for group in self._groups.values() for row in group.get("short", ())]
        keys = table.keys if isinstance(table, PackedTable) else [key for key, _ in table]
        self._short = {keys[row]: row for row in short_rows}
        self._short_searches = _short_regexes(self._short)
        self._long_rows = [row for group in self._groups.values()
                           for row in group.get("long", ())]
        self._long_keys = [keys[row] for row in self._long_rows]
        self._keys = keys
        self._set: Any = None
        self._searched = 0

    def _automaton(self, group: str, use: str, built: dict[str, Any]) -> Any:
        """The automaton of one group's rows of one use, built on first need (~ms per
        thousand keys)."""
        automaton = built.get(group)
        if automaton is None:
            rows = self._groups.get(group, {}).get(use, ())
            automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for row in rows:
                automaton.add_word(self._keys[row], row)
            if rows:
                automaton.make_automaton()
            built[group] = automaton if rows else False
        return automaton or None

    def _matches(self, text: str) -> Iterator[tuple[int, int]]:
        """(end index, table row) of every key found in ``text``: long keys from the automatons
        or the set, one- and two-letter Latin keys ("rm", "tg", "k") from RE2 searches,
        because as automaton keys they would match inside nearly every word."""
        if self._set is not None:
            yield from self._set_matches(text)
        else:
            self._searched += 1
            if self._searched > _AUTOMATON_ADVERTS:
                self.prepare()
                yield from self._set_matches(text)
            else:
                for group in _groups_of(text):
                    automaton = self._automaton(group, "long", self._automatons)
                    if automaton is not None:
                        yield from automaton.iter(text)
        if self._short_searches:
            short = self._short
            for search in self._short_searches:
                for match in search.finditer(text):
                    yield match.end(1) - 1, short[match.group(1)]

    def prepare(self) -> None:
        """Build the RE2 set of every long key (~0.2 s, ~20 MB): ~25 us an advert against
        ~600 us for the automaton's walk in Python's wrapper. Done after a process's first
        ``_AUTOMATON_ADVERTS`` adverts, or at once for a batch worker."""
        if self._set is not None or not self._long_keys:
            return
        options = re2.Options()
        options.max_mem = _SET_MEMORY
        matcher = re2.Set.SearchSet(options)
        for key in self._long_keys:
            matcher.Add(re2.escape(key))
        matcher.Compile()
        self._set = matcher

    def _set_matches(self, text: str) -> Iterator[tuple[int, int]]:
        """The set says which keys occur; ``str.find`` says where (overlaps included)."""
        assert self._set is not None
        keys, rows = self._long_keys, self._long_rows
        for member in self._set.Match(text.encode("utf-8")) or ():
            key = keys[member]
            last = len(key) - 1
            position = text.find(key)
            while position >= 0:
                yield position + last, rows[member]
                position = text.find(key, position + 1)

    def _votes(self, text: str) -> dict[str, int]:
        """Function words per language in the opening of ``text``, whole words only."""
        votes: dict[str, int] = {}
        sample = text[:_VOTING_SAMPLE]
        length = len(sample)
        for group in _groups_of(sample):
            voters = self._automaton(group, "voters", self._voters)
            if voters is None:
                continue
            for end_index, number in voters.iter(sample):
                key, terms = self._table[number]
                end = end_index + 1
                start = end - len(key)
                if (start > 0 and _word_char(sample[start - 1])) or \
                        (end < length and _word_char(sample[end])):
                    if terms[0][3]:  # a spaced script's word, inside a longer word
                        continue
                for term in terms:
                    votes[term[1]] = votes.get(term[1], 0) + 1
        return votes

    def find(self, folded: Folded | str) -> ConceptIndex:
        text = folded.text if isinstance(folded, Folded) else folded
        if not self._table:
            return _EMPTY
        found: list[Occurrence] = []
        triggers: list[tuple[int, int, int, bool]] = []  # start, end, modifier bit, forward
        trigger_languages: list[str] = []
        length = len(text)
        table = self._table
        for end_index, number in self._matches(text):
            key, terms = table[number]
            end = end_index + 1
            start = end - len(key)
            for concept, language, prefix, spaced, ends_spaced in terms:
                if spaced or ends_spaced:
                    boundary = _letter if concept in _NUMERIC_NEIGHBOURS else _word_char
                    if spaced and start > 0 and boundary(text[start - 1]):
                        continue
                    if ends_spaced and not prefix and end < length and boundary(text[end]):
                        continue
                match_end = end
                if prefix:
                    while match_end < length and _word_char(text[match_end]):
                        match_end += 1
                if concept == FUNCTION_WORDS:  # a key that is also another concept's term
                    continue
                if concept[0] == "~":
                    modifier, direction = concept[1:].split(".")
                    triggers.append((start, match_end, MODIFIERS[modifier], direction == "pre"))
                    trigger_languages.append(language)
                else:
                    found.append(Occurrence(concept, start, match_end, language))
        votes = self._votes(text)
        found = _in_the_advert_languages(found, text, votes)
        triggers = _triggers_of_the_advert(triggers, trigger_languages, found, text, votes)
        triggers = _outside_terms(triggers, found)
        found.extend(_money(text, found))
        if not found and not triggers and not votes:
            return _EMPTY
        source = folded if isinstance(folded, Folded) else None
        triggers.sort()
        grouped: dict[str, list[Occurrence]] = {}
        last: dict[str, tuple[int, int]] = {}
        for occurrence in sorted(found, key=lambda o: (o.start, -o.end)):
            span = (occurrence.start, occurrence.end)
            if last.get(occurrence.concept) == span:
                continue  # the same words in two lexicons ("費用" in both Chinese ones)
            last[occurrence.concept] = span
            grouped.setdefault(occurrence.concept, []).append(occurrence)
        return ConceptIndex(grouped, text, tuple(triggers), source, votes)


# Function words it takes before other Latin-script lexicons are set aside ("via", "can" and
# "ban" are words in several languages; a line or two of text shows too few).
_DECISIVE_VOTES = 4
# Lexicons whose words are everywhere: English is mixed into posts in every language.
_ALWAYS = frozenset({"en", "any"})


def _in_the_advert_languages(found: list[Occurrence], text: str, votes: Mapping[str, int]
                             ) -> list[Occurrence]:
    """Latin-script words of a lexicon whose language the advert's function words do not show
    are dropped: Swahili "ada" (a fee) is Indonesian "ada" (there is). Without votes (a line
    or two), every lexicon counts; in other scripts the script itself tells the language."""
    top = max(votes.values(), default=0)
    if top < _DECISIVE_VOTES:
        return found
    allowed = _ALWAYS | {lang for lang, count in votes.items() if count * 4 >= top}
    return [o for o in found if o.language in allowed or not _latin(text[o.start])]


def _triggers_of_the_advert(triggers: list[tuple[int, int, int, bool]], languages: list[str],
                            found: list[Occurrence], text: str, votes: Mapping[str, int]
                            ) -> list[tuple[int, int, int, bool]]:
    """Latin-script triggers of the languages the advert is written in only: English "no" is
    Portuguese "in the", Vietnamese "ko" is Tagalog "my". The advert's languages are those its
    function words show or, in a line or two, those whose terms it holds."""
    if not triggers:
        return triggers
    top = max(votes.values(), default=0)
    if top >= _DECISIVE_VOTES:
        allowed = {lang for lang, count in votes.items() if count * 4 >= top}
    else:
        allowed = {o.language for o in found} | set(votes)
    allowed.add("any")
    return [trigger for trigger, language in zip(triggers, languages, strict=True)
            if language in allowed or not _latin(text[trigger[0]])]


def _outside_terms(triggers: list[tuple[int, int, int, bool]], found: list[Occurrence]
                   ) -> list[tuple[int, int, int, bool]]:
    """Triggers that are not part of a longer term: the "no" of "no experience" is a word of
    that phrase, not a negation of what follows ("no experience high salary")."""
    if not triggers or not found:
        return triggers
    spans = sorted((o.start, o.end) for o in found)
    starts = [start for start, _ in spans]
    kept = []
    for trigger in triggers:
        start, end = trigger[0], trigger[1]
        position = bisect_left(starts, start + 1)
        inside = any(low <= start and end <= high and high - low > end - start
                     for low, high in spans[max(0, position - 8):position])
        if not inside:
            kept.append(trigger)
    return kept


def _crosses_line(folded: Folded | None, start: int, end: int) -> bool:
    """Whether the input had a line break within folded ``[start, end)``, which folding made a
    space: a line of a post is a claim of its own ("No fees" above "High salary")."""
    if folded is None or start >= end or " " not in folded.text[start:end]:
        return False
    low, high = folded.source_span(start, end)
    return "\n" in folded.source[low:high]


def _reaches(text: str, start: int, end: int, modifier: int, unspaced: bool, forward: bool,
             folded: Folded | None) -> bool:
    """Whether a trigger's scope reaches over ``text[start:end]``, the stretch between it and
    an occurrence (after the trigger when ``forward``, before it otherwise)."""
    limit = (_SCOPE_CHARS_UNSPACED if unspaced else _SCOPE_CHARS)[modifier]
    if end - start > limit:
        return False
    between = text[start:end]
    if modifier == NEGATED:
        # In unspaced scripts a space separates phrases; one right beside the trigger does not.
        if unspaced and " " in (between.lstrip() if forward else between.rstrip()):
            return False
        if not all(c.isalnum() or c in _LIST_MARKS or unicodedata.category(c) in ("Mn", "Mc")
                   for c in between):
            return False
    # A full stop ends a sentence; in "1.000 USD" it only groups digits.
    elif any(c in _SENTENCE_END and (c != "." or not between[i + 1 : i + 2].isdigit())
             for i, c in enumerate(between)):
        return False
    return not _crosses_line(folded, start, end)


# What a negation reaches across: words, and the marks of a list or a quotation ("no fees,
# deposits or bonds" is broken by the comma, "不收押金、保證金" is not).
_LIST_MARKS = frozenset(" -'’/&、“”「」『』\"")
# No scope reaches further than this, so only triggers this near an occurrence are tried.
_LONGEST_SCOPE = max(*_SCOPE_CHARS.values(), *_SCOPE_CHARS_UNSPACED.values())


def _with_modifiers(occurrence: Occurrence, text: str,
                    triggers: list[tuple[int, int, int, bool]],
                    folded: Folded | None = None) -> Occurrence:
    """``occurrence`` with the modifiers whose scope covers it (``triggers`` sorted)."""
    bits = 0
    low = bisect_left(triggers, (occurrence.start - _LONGEST_SCOPE - 64,))
    nearby = triggers[low:]
    # A concept whose own words hold a trigger ("no experience", "不用經驗") carries its
    # negation inside it: a trigger before it cannot negate it again.
    inside = 0
    for start, _, modifier, _ in nearby:
        if start > occurrence.end:
            break
        if occurrence.start <= start < occurrence.end:
            inside |= modifier
    for start, end, modifier, forward in nearby:
        if start > occurrence.end + _LONGEST_SCOPE:
            break
        if bits & modifier or inside & modifier:
            continue
        if forward:
            if end > occurrence.start:
                continue
            gap = (end, occurrence.start)
            unspaced = is_unspaced(text[end - 1])
        else:
            if start < occurrence.end:
                continue
            gap = (occurrence.end, start)
            unspaced = is_unspaced(text[start])
        if _reaches(text, gap[0], gap[1], modifier, unspaced, forward, folded):
            bits |= modifier
    if not bits:
        return occurrence
    return Occurrence(occurrence.concept, occurrence.start, occurrence.end, occurrence.language,
                      bits)


# An amount: digits with thousands separators or decimals ("1,500", "3.000.000", "1.5").
_DIGIT = "[0-9\u0660-\u0669\u06F0-\u06F9\u0966-\u096F\u09E6-\u09EF\u0BE6-\u0BEF" \
         "\u0DE6-\u0DEF\u0E50-\u0E59\u0ED0-\u0ED9\u1040-\u1049\u17E0-\u17E9]"
# Thai, Lao, Khmer, Burmese, Devanagari, Bengali, Tamil, Sinhala and Arabic digits count too.
_AMOUNT = re.compile(f"{_DIGIT}(?:(?:{_DIGIT}|[,.]){{0,15}}{_DIGIT})?")
# How far from a currency or multiplier word an amount is looked for.
_AMOUNT_REACH = 24
# Concepts that sit against digits ("3800p", "5k", "RM3000"): a digit is a boundary for them.
_NUMERIC_NEIGHBOURS = frozenset({"currency", "money_multiplier"})


def _money(text: str, found: list[Occurrence]) -> list[Occurrence]:
    """Amounts with a currency right before or after them (a space between at most), with a
    multiplier word in between when there is one ("5k php", "3 triệu đồng", "2萬元")."""
    currencies = [o for o in found if o.concept == "currency"]
    if not currencies:
        return []
    multipliers = {o.start: o.end for o in found if o.concept == "money_multiplier"}
    ends: dict[int, int] = {}  # the longest currency word ending at each position: "nt$"
    starts: dict[int, int] = {}
    for o in currencies:
        ends[o.end] = min(o.start, ends.get(o.end, o.start))
        starts[o.start] = max(o.end, starts.get(o.start, o.end))
    money = []
    # Amounts are looked for only around the currency and multiplier words, not in the whole
    # advert: job ads are full of numbers (dates, phone numbers, street numbers).
    spans: list[tuple[int, int]] = []
    anchors = sorted((*currencies, *(o for o in found if o.concept == "money_multiplier")),
                     key=lambda o: o.start)
    for o in anchors:
        low, high = max(0, o.start - _AMOUNT_REACH), o.end + _AMOUNT_REACH
        if spans and low <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(high, spans[-1][1]))
        else:
            spans.append((low, high))
    amounts = sorted({match.span() for low, high in spans
                      for match in _AMOUNT.finditer(text, low, high)})
    for start, end in amounts:
        before = ends.get(start, ends.get(start - 1) if text[start - 1 : start] == " " else None)
        if before is not None and start - before == 1 and text[before].isalpha():
            before = None  # a lone letter before a number is a code ("P3T"), not a currency
        tail = end
        for _ in range(2):  # "5 k", "3 triệu"
            if tail in multipliers:
                tail = multipliers[tail]
            elif text[tail : tail + 1] == " " and tail + 1 in multipliers:
                tail = multipliers[tail + 1]
        after = starts.get(tail, starts.get(tail + 1) if text[tail : tail + 1] == " " else None)
        if before is not None:
            money.append(Occurrence("money", before, tail, "any"))
        elif after is not None:
            money.append(Occurrence("money", start, after, "any"))
        elif tail > end and text[end:end + 1] != " ":  # "500k/ngày", "1萬起": local money
            money.append(Occurrence("money", start, tail, "any"))
    return money


def load_lexicons(parsed: Mapping[str, Any]) -> list[Lexicon]:
    """Lexicons from parsed TOML files (``{"lexicons/en.toml": data, ...}``)."""
    return [parse_lexicon(data, name) for name, data in sorted(parsed.items())]


def read_currencies(directory: Path) -> dict[str, list[str]]:
    path = directory / "currencies.json"
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8"))["currencies"])


def nearest_group(slots: list[tuple[Occurrence, ...]], window: int
                  ) -> tuple[Occurrence, ...] | None:
    """One occurrence per slot, all within ``window`` characters of each other (0: anywhere),
    anchored on the slot with fewest occurrences; None when no such group exists."""
    if any(not slot for slot in slots):
        return None
    anchor_index = min(range(len(slots)), key=lambda i: len(slots[i]))
    for anchor in slots[anchor_index]:
        chosen = [anchor]
        for index, slot in enumerate(slots):
            if index == anchor_index:
                continue
            # Each slot needs words of its own: "top up" is a payment and a task level, but
            # one mention cannot be both halves of a rule.
            free = [o for o in slot if not any(o.start < c.end and c.start < o.end
                                               for c in chosen)]
            if not free:
                break
            starts = [o.start for o in free]
            position = bisect_left(starts, anchor.start)
            near = [free[i] for i in (position - 1, position) if 0 <= i < len(free)]
            chosen.append(min(near, key=lambda o: abs(o.start - anchor.start)))
        if len(chosen) < len(slots):
            continue
        low = min(o.start for o in chosen)
        high = max(o.end for o in chosen)
        if window == 0 or high - low <= window:
            return tuple(sorted(set(chosen), key=lambda o: o.start))
    return None
