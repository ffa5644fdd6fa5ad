"""The red-flag catalogue: one TOML file per flag under ``flags/``, loaded and checked once.

A flag is data. Its file says what it matches (RE2 patterns per language, applied to folded
text, see ``normalize``), how much it weighs, why it matters, where that is documented, and
what to check next. Its examples are test cases. ``flags/README.md`` documents the format.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import re2

from scamscreen.concepts import (
    ConceptFinder,
    Lexicon,
    PackedTable,
    TermGroups,
    TermTable,
    load_lexicons,
    read_currencies,
    term_groups,
    term_table,
)
from scamscreen.errors import CatalogueError

_FINDERS: dict[int, tuple[Catalogue, ConceptFinder]] = {}

LANGUAGES = ("en", "zh-Hant", "zh-Hans", "th", "vi", "id", "tl", "ja", "ko", "my", "km", "lo",
             "hi", "bn", "ne", "si", "ta", "ur", "sw", "am", "pt", "es", "ru", "ar", "any")
LEVELS = ("low", "medium", "high")
FLAG_KINDS = ("pattern", "combination", "contact")
# The one group whose flags lower the score: evidence that an ad is a warning or a real employer.
MITIGATION_GROUP = "mitigation"


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    section: str = ""
    url: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "section": self.section, "url": self.url}

    def cite(self) -> str:
        return f"{self.title}, {self.section}" if self.section else self.title

    def short_cite(self) -> str:
        """Author or body and section number ("Sheila Devi Michael §7"), for narrow tables."""
        who = self.title.split(",")[0]
        number = re.match(r"\d+(?:\.\d+)*", self.section)
        return f"{who} §{number.group()}" if number else who


@dataclass(frozen=True, slots=True)
class Group:
    """Flags that say the same kind of thing; together they earn at most ``cap`` points."""

    name: str
    title: str
    cap: float


@dataclass(frozen=True, slots=True)
class ContactRule:
    """When a contact found in the ad is itself evidence for a flag (``[contact]`` in its file):
    a contact of one of ``kinds`` (any kind if empty) whose number is in one of ``regions``
    (any if empty), in an ad with no contact of a kind listed in ``unless``."""

    kinds: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConceptRule:
    """A flag's ``[[concept]]`` rule: one occurrence of each slot (any of its concepts), all
    within ``window`` characters of each other (0: anywhere in the advert), none negated,
    hypothetical or in a warning. ``unless``: concepts whose plain occurrence anywhere in the
    advert stops the rule (a licensed agency's "no fees" for a fee rule, say)."""

    slots: tuple[tuple[str, ...], ...]
    window: int = 60
    unless: tuple[str, ...] = ()
    # concepts whose plain occurrence within ``window`` of the matched words stops the rule
    # ("payment via GCash" is a fee paid to a wallet, "salary payment via GCash" is not)
    unless_near: tuple[str, ...] = ()

    def concepts(self) -> set[str]:
        """Every concept named ("!fee", a negated fee, names "fee")."""
        return ({name.lstrip("!") for slot in self.slots for name in slot} | set(self.unless)
                | set(self.unless_near))


@dataclass(frozen=True)
class Flag:
    id: str
    name: str
    title: str
    kind: str
    group: str
    points: float
    severity: str
    confidence: str
    rationale: str
    advice: str
    sources: tuple[Source, ...]
    patterns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    requires: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()  # combinations: groups or flags whose firing vetoes this one
    examples_match: tuple[str, ...] = ()
    examples_no_match: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    contact: ContactRule | None = None
    concept_rules: tuple[ConceptRule, ...] = ()
    # Languages whose lexicons can satisfy a concept rule (set by ``build``).
    concept_languages: tuple[str, ...] = ()

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang in LANGUAGES
                     if self.patterns.get(lang) or lang in self.concept_languages)


@dataclass(frozen=True)
class CompiledPattern:
    flag_index: int
    language: str
    source: str
    regex: Any  # re2._Regexp


@dataclass(frozen=True)
class Catalogue:
    flags: tuple[Flag, ...]
    groups: Mapping[str, Group]
    patterns: tuple[CompiledPattern, ...]
    lexicons: tuple[Lexicon, ...] = ()
    currencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    term_table: TermTable | None = None  # the lexicons' automaton keys, from the cache
    term_groups: TermGroups | None = None  # their rows by script and use, from the cache

    @property
    def concept_finder(self) -> ConceptFinder:
        """The automaton of every lexicon's terms, built on first use and kept."""
        finder = _FINDERS.get(id(self))
        if finder is None or finder[0] is not self:
            finder = (self, ConceptFinder(self.lexicons, self.currencies, self.term_table,
                                          self.term_groups))
            _FINDERS[id(self)] = finder
        return finder[1]

    @property
    def concept_flags(self) -> tuple[Flag, ...]:
        return tuple(flag for flag in self.flags if flag.concept_rules)

    def __iter__(self) -> Iterator[Flag]:
        return iter(self.flags)

    def __len__(self) -> int:
        return len(self.flags)

    def get(self, key: str) -> Flag | None:
        """Find a flag by id, dotted name or alias, case-insensitively."""
        wanted = key.strip().lower()
        for flag in self.flags:
            if wanted in (flag.id.lower(), flag.name.lower(), *(a.lower() for a in flag.aliases)):
                return flag
        return None

    @property
    def pattern_flags(self) -> tuple[Flag, ...]:
        return tuple(flag for flag in self.flags if flag.kind == "pattern")

    @property
    def contact_flags(self) -> tuple[Flag, ...]:
        """Flags a contact can fire: ``kind = "contact"`` and any with a ``[contact]`` table."""
        return tuple(flag for flag in self.flags if flag.contact is not None)

    @property
    def combination_flags(self) -> tuple[Flag, ...]:
        return tuple(flag for flag in self.flags if flag.kind == "combination")


def _require(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in data:
        raise CatalogueError(f"{where}: missing required field '{key}'")
    value = data[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind):
        raise CatalogueError(f"{where}: field '{key}' must be {kind.__name__}")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"{where}: expected a list of strings")
    return tuple(value)


def parse_flag(data: dict[str, Any], where: str) -> Flag:
    """Build a Flag from one parsed TOML file, rejecting anything malformed."""
    kind = data.get("kind", "pattern")
    if kind not in FLAG_KINDS:
        raise CatalogueError(f"{where}: kind must be one of {', '.join(FLAG_KINDS)}")
    sources_raw = _require(data, "sources", list, where)
    if not sources_raw:
        raise CatalogueError(f"{where}: at least one source is required")
    sources = tuple(
        Source(
            title=_require(s, "title", str, where),
            section=s.get("section", ""),
            url=s.get("url", ""),
        )
        for s in sources_raw
    )
    patterns_raw = data.get("patterns", {})
    unknown = set(patterns_raw) - set(LANGUAGES)
    if unknown:
        raise CatalogueError(f"{where}: unknown pattern language(s) {sorted(unknown)}")
    patterns = {
        lang: _strings(value, f"{where} patterns.{lang}") for lang, value in patterns_raw.items()
    }
    examples = data.get("examples", {})
    contact = _parse_contact_rule(data.get("contact"), where)
    concept_rules = tuple(_parse_concept_rule(rule, f"{where} concept[{number}]")
                          for number, rule in enumerate(data.get("concept", [])))
    flag = Flag(
        id=_require(data, "id", str, where),
        name=_require(data, "name", str, where),
        title=_require(data, "title", str, where),
        kind=kind,
        group=_require(data, "group", str, where),
        points=_require(data, "points", float, where),
        severity=data.get("severity", "medium"),
        confidence=data.get("confidence", "medium"),
        rationale=_require(data, "rationale", str, where).strip(),
        advice=_require(data, "advice", str, where).strip(),
        sources=sources,
        patterns=patterns,
        requires=_strings(data.get("requires", []), f"{where} requires"),
        unless=_strings(data.get("unless", []), f"{where} unless"),
        examples_match=_strings(examples.get("match", []), f"{where} examples.match"),
        examples_no_match=_strings(examples.get("no_match", []), f"{where} examples.no_match"),
        aliases=_strings(data.get("aliases", []), f"{where} aliases"),
        contact=contact,
        concept_rules=concept_rules,
    )
    if flag.severity not in LEVELS or flag.confidence not in LEVELS:
        raise CatalogueError(f"{where}: severity and confidence must be one of {LEVELS}")
    if kind == "pattern" and not any(patterns.values()) and not concept_rules:
        raise CatalogueError(f"{where}: a pattern flag needs a pattern or a [[concept]] rule")
    if kind == "contact" and contact is None:
        raise CatalogueError(f"{where}: a contact flag needs a [contact] table")
    if kind == "combination" and len(flag.requires) < 2:
        raise CatalogueError(f"{where}: a combination flag requires at least two groups or flags")
    if not flag.examples_match or not flag.examples_no_match:
        raise CatalogueError(f"{where}: needs examples that match and examples that do not")
    if flag.group == MITIGATION_GROUP:
        if not -5 <= flag.points < 0:
            raise CatalogueError(f"{where}: a mitigation flag's points must be in [-5, 0)")
    elif not 0 < flag.points <= 5:
        raise CatalogueError(f"{where}: points must be in (0, 5]")
    return flag


def _parse_contact_rule(data: Any, where: str) -> ContactRule | None:
    if data is None:
        return None
    from scamscreen.contacts import CONTACT_KINDS

    if not isinstance(data, dict) or set(data) - {"kinds", "regions", "unless"}:
        raise CatalogueError(f"{where}: [contact] takes only kinds, regions and unless")
    rule = ContactRule(*(_strings(data.get(key, []), f"{where} contact.{key}")
                         for key in ("kinds", "regions", "unless")))
    unknown = set(rule.kinds + rule.unless) - set(CONTACT_KINDS)
    if unknown:
        raise CatalogueError(f"{where}: unknown contact kind(s) {sorted(unknown)}; "
                             f"known: {', '.join(CONTACT_KINDS)}")
    if not rule.kinds and not rule.regions:
        raise CatalogueError(f"{where}: [contact] needs kinds or regions")
    return rule


def _parse_concept_rule(data: Any, where: str) -> ConceptRule:
    if not isinstance(data, dict) or set(data) - {"all", "window", "unless", "unless_near"}:
        raise CatalogueError(f"{where}: a [[concept]] rule takes only all, window, unless and "
                             "unless_near")
    raw_slots = data.get("all")
    if not isinstance(raw_slots, list) or not raw_slots:
        raise CatalogueError(f"{where}: 'all' must list at least one concept (or list of them)")
    slots = tuple(_strings(slot, f"{where} all") for slot in raw_slots)
    window = data.get("window", 60)
    if not isinstance(window, int) or window < 0:
        raise CatalogueError(f"{where}: window must be a whole number of characters (0: any)")
    return ConceptRule(slots, window, _strings(data.get("unless", []), f"{where} unless"),
                       _strings(data.get("unless_near", []), f"{where} unless_near"))


def _regex_options() -> Any:
    options = re2.Options()
    options.max_mem = 64 << 20
    return options


def compile_pattern(pattern: str, where: str) -> Any:
    try:
        return re2.compile(pattern, options=_regex_options())
    except re2.error as error:
        raise CatalogueError(f"{where}: pattern {pattern!r} is not valid RE2: {error}") from None


def _concept_languages(rule: ConceptRule, lexicons: tuple[Lexicon, ...],
                       everywhere: set[str]) -> set[str]:
    """The languages in which every slot of ``rule`` has terms, or a source that holds in
    every language (``everywhere``: the money recogniser, the gazetteer)."""
    languages = set()
    for lexicon in lexicons:
        if lexicon.language == "any":
            continue
        if all(any(name.lstrip("!") in everywhere or lexicon.concepts.get(name.lstrip("!"))
                   for name in slot)
               for slot in rule.slots):
            languages.add(lexicon.language)
    return languages


def build(flags: list[Flag], groups: Mapping[str, Group], lexicons: tuple[Lexicon, ...] = (),
          currencies: Mapping[str, tuple[str, ...]] | None = None,
          table: TermTable | None = None, table_groups: TermGroups | None = None
          ) -> Catalogue:
    """Validate cross-references and compile every pattern once."""
    from scamscreen.concepts import BUILT_IN

    known_concepts = set(BUILT_IN).union(*(lexicon.concepts for lexicon in lexicons))
    everywhere = set(BUILT_IN).union(*(lexicon.concepts for lexicon in lexicons
                                       if lexicon.language == "any"))
    for index, flag in enumerate(flags):
        if not flag.concept_rules:
            continue
        languages: set[str] = set()
        for rule in flag.concept_rules:
            unknown = rule.concepts() - known_concepts
            if unknown:
                raise CatalogueError(f"{flag.id}: no lexicon defines concept(s) {sorted(unknown)}")
            languages |= _concept_languages(rule, lexicons, everywhere)
        flags[index] = replace(flag, concept_languages=tuple(sorted(languages)))
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    for flag in flags:
        if flag.id in seen_ids or flag.name in seen_names:
            raise CatalogueError(f"duplicate flag id or name: {flag.id} / {flag.name}")
        seen_ids.add(flag.id)
        seen_names.add(flag.name)
        if flag.group not in groups:
            raise CatalogueError(f"{flag.id}: unknown group '{flag.group}'")
    for flag in flags:
        for requirement in (*flag.requires, *flag.unless):
            if requirement not in groups and requirement not in seen_ids:
                raise CatalogueError(f"{flag.id}: names unknown group or flag '{requirement}'")
    compiled: list[CompiledPattern] = []
    for index, flag in enumerate(flags):
        for language, sources in flag.patterns.items():
            for source in sources:
                # Text is NFKC-folded before matching, so patterns must be too (Thai ำ splits).
                folded_source = unicodedata.normalize("NFKC", source)
                regex = compile_pattern(folded_source, f"{flag.id} patterns.{language}")
                compiled.append(CompiledPattern(index, language, source, regex))
    return Catalogue(tuple(flags), dict(groups), tuple(compiled), tuple(lexicons),
                     {code: tuple(words) for code, words in (currencies or {}).items()}, table,
                     table_groups if table is not None else None)


def _parse_groups(data: dict[str, Any]) -> dict[str, Group]:
    groups = {}
    for name, spec in data.get("groups", {}).items():
        where = f"groups.toml [{name}]"
        title = _require(spec, "title", str, where)
        groups[name] = Group(name, title, _require(spec, "cap", float, where))
    return groups


# tomllib is pure Python and parsing ~80 flag files was a tenth of `check`'s start-up, so the
# parsed files are also kept as one JSON file, used only while it matches the TOML byte for byte
# (its digest); edit the TOML, and the loader reads the TOML until the cache is rewritten
# (``write_parsed_cache``; a test fails while it is stale).
PARSED_CACHE = "parsed.json"


LEXICONS = "lexicons"


def _source_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.toml")) + sorted((directory / LEXICONS).glob("*.toml"))


def _key(directory: Path, path: Path) -> str:
    """A file's name in the cache: "SS-LURE-001.toml", "lexicons/en.toml"."""
    return path.relative_to(directory).as_posix()


def _digest(directory: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(_key(directory, path).encode() + b"\0" + path.read_bytes() + b"\0")
    currencies = directory / LEXICONS / "currencies.json"
    if currencies.exists():
        digest.update(b"currencies.json\0" + currencies.read_bytes())
    return digest.hexdigest()


def _parsed_sources(directory: Path
                    ) -> tuple[dict[str, Any], TermTable | None, TermGroups | None]:
    """Every TOML file of the catalogue, parsed: {file name: data}, and the lexicons' term
    table, from the cache if current (else the table is None: built when first needed)."""
    files = _source_files(directory)
    digest = _digest(directory, files)
    cache_file = directory / PARSED_CACHE
    if cache_file.exists():
        cached = json.loads(cache_file.read_text(encoding="utf-8"))
        if cached.get("digest") == digest:
            terms = cached.get("terms")
            return (dict(cached["files"]), PackedTable(terms) if terms else None,
                    cached.get("term_groups"))
    return {_key(directory, path): tomllib.loads(path.read_text(encoding="utf-8"))
            for path in files}, None, None


def write_parsed_cache(directory: Path) -> Path:
    """Rewrite the JSON cache of the parsed TOML files (run after editing a flag)."""
    files = _source_files(directory)
    parsed = {_key(directory, path): tomllib.loads(path.read_text(encoding="utf-8"))
              for path in files}
    target = directory / PARSED_CACHE
    # Through JSON with sorted keys, as the loader will read them, so that the table comes out
    # in the order a catalogue loaded from the cache would build it.
    as_loaded = json.loads(json.dumps(parsed, ensure_ascii=False, sort_keys=True))
    lexicons = load_lexicons({name: data for name, data in as_loaded.items()
                              if name.startswith(LEXICONS + "/")})
    table = term_table(lexicons, read_currencies(directory / LEXICONS))
    payload = {"digest": _digest(directory, files), "files": parsed,
               "terms": PackedTable.pack(table), "term_groups": term_groups(table)}
    target.write_text(json.dumps(payload, ensure_ascii=False, indent=0, sort_keys=True) + "\n",
                      encoding="utf-8")
    return target


def load_directory(directory: Path) -> Catalogue:
    """Load a catalogue from a directory of flag files plus its ``groups.toml``."""
    try:
        sources, table, groups = _parsed_sources(directory)
        flag_groups = _parse_groups(sources.get("groups.toml", {}))
        lexicons = load_lexicons({name: data for name, data in sources.items()
                                  if name.startswith(LEXICONS + "/")})
        flags = [parse_flag(data, name) for name, data in sources.items()
                 if name != "groups.toml" and not name.startswith(LEXICONS + "/")]
        currencies = read_currencies(directory / LEXICONS)
    except (OSError, ValueError, tomllib.TOMLDecodeError) as error:
        raise CatalogueError(f"cannot read catalogue in {directory}: {error}") from None
    flags.sort(key=lambda flag: flag.id)
    return build(flags, flag_groups, tuple(lexicons),
                 {code: tuple(words) for code, words in currencies.items()}, table, groups)


@cache
def default_catalogue() -> Catalogue:
    """The catalogue that ships with the package, loaded once per process."""
    with resources.as_file(resources.files("scamscreen") / "flags") as directory:
        return load_directory(Path(directory))
