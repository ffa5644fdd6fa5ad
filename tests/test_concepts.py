"""Concepts: lexicon terms, money, places, the NegEx-style scopes and concept rules."""

from __future__ import annotations

import pytest

from scamscreen.catalogue import (
    ConceptRule,
    default_catalogue,
    parse_flag,
)
from scamscreen.concepts import (
    HYPOTHETICAL,
    NEGATED,
    WARNING,
    ConceptFinder,
    Occurrence,
    nearest_group,
    parse_lexicon,
    strip_accents,
    term_table,
)
from scamscreen.errors import CatalogueError
from scamscreen.normalize import fold
from scamscreen.rules import find_hits
from scamscreen.screener import Screener

CATALOGUE = default_catalogue()
FINDER = CATALOGUE.concept_finder


def _found(text: str) -> dict[str, list[tuple[str, int]]]:
    """concept -> [(text as written, modifiers)]"""
    folded = fold(text)
    index = FINDER.find(folded)
    result: dict[str, list[tuple[str, int]]] = {}
    for concept, occurrences in index.occurrences.items():
        for occurrence in occurrences:
            start, end = folded.source_span(occurrence.start, occurrence.end)
            result.setdefault(concept, []).append((text[start:end], occurrence.modifiers))
    return result


def _concept_examples() -> list[object]:
    cases = []
    for lexicon in CATALOGUE.lexicons:
        for concept, texts in lexicon.examples.items():
            for number, text in enumerate(texts):
                cases.append(pytest.param(concept, text,
                                          id=f"{lexicon.language}-{concept}-{number}"))
    return cases


@pytest.mark.parametrize(("concept", "text"), _concept_examples())
def test_each_lexicon_example_holds_its_concept(concept: str, text: str) -> None:
    assert concept in _found(text), f"{concept!r} not found in {text!r}"


def _flag_examples(kind: int) -> list[object]:
    cases = []
    for lexicon in CATALOGUE.lexicons:
        for flag_id, examples in lexicon.flag_examples.items():
            for number, text in enumerate(examples[kind]):
                cases.append(pytest.param(flag_id, text,
                                          id=f"{lexicon.language}-{flag_id}-{number}"))
    return cases


@pytest.mark.parametrize(("flag_id", "text"), _flag_examples(0))
def test_a_lexicons_flag_examples_fire(flag_id: str, text: str) -> None:
    assert CATALOGUE.get(flag_id) is not None, f"no flag {flag_id}"
    assert flag_id in {hit.flag.id for hit in find_hits(CATALOGUE, text)}, text


@pytest.mark.parametrize(("flag_id", "text"), _flag_examples(1))
def test_a_lexicons_no_match_flag_examples_stay_quiet(flag_id: str, text: str) -> None:
    assert CATALOGUE.get(flag_id) is not None, f"no flag {flag_id}"
    assert flag_id not in {hit.flag.id for hit in find_hits(CATALOGUE, text)}, text


def test_every_concept_a_flag_names_is_defined_somewhere() -> None:
    defined = FINDER.concepts
    for flag in CATALOGUE.concept_flags:
        for rule in flag.concept_rules:
            assert rule.concepts() <= defined, flag.id


# (language, text, concept, the modifier it must carry): each scope, shown in each language.
SCOPES = [
    ("en", "No fees are charged to applicants.", "fee", NEGATED),
    ("en", "We never ask for a deposit", "fee", NEGATED),
    ("en", "You cannot work on a tourist visa.", "tourist_visa", NEGATED),
    ("en", "Beware of ads promising high salary abroad.", "high_pay", WARNING),
    ("en", "If anyone asks you to pay a placement fee, report them.", "fee", HYPOTHETICAL),
    ("en", "You do not need a POEA clearance", "labour_agency", NEGATED),
]


@pytest.mark.parametrize(("language", "text", "concept", "modifier"), SCOPES,
                         ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in SCOPES])
def test_scopes_mark_concepts(language: str, text: str, concept: str, modifier: int) -> None:
    occurrences = _found(text).get(concept, [])
    assert occurrences, f"{concept!r} not found in {text!r}"
    assert any(bits & modifier for _, bits in occurrences), (text, occurrences)


def test_a_scope_ends_at_punctuation_and_a_new_line() -> None:
    plain = _found("No experience needed. High salary, work abroad")
    assert ("High salary", 0) in plain["high_pay"]
    assert all(bits == 0 for _, bits in _found("No fees\nHigh salary")["high_pay"])
    # a warning reaches to the end of its sentence, not beyond
    found = _found("Beware of scammers. We pay a high salary.")
    assert ("high salary", 0) in found["high_pay"]


@pytest.mark.parametrize(("text", "amount"), [
    ("Salary USD 1,500 a month", "USD 1,500"),
    ("earn 3800P/day", "3800P"),
    ("RM3k per month", "RM3k"),
    ("₱25,000 monthly", "₱25,000"),
    ("月薪 NT$50,000", "NT$50,000"),
    ("pay 200 USDT", "200 USDT"),
    ("Rs. 25000 per month", "Rs. 25000"),
    ("KSh 70,000 deposit", "KSh 70,000"),
])
def test_money_is_an_amount_beside_a_currency(text: str, amount: str) -> None:
    assert amount in [found for found, _ in _found(text).get("money", [])]


def test_a_number_without_a_currency_is_not_money() -> None:
    assert "money" not in _found("Call 0917 123 4567 before 5 pm, room 12")


def test_spaced_terms_need_word_boundaries_and_star_takes_any_ending() -> None:
    lexicon = parse_lexicon({"language": "en", "concepts": {
        "fee": ["fee"], "recruit": ["recruit*"], "hub": ["西港"]}}, "test")
    finder = ConceptFinder([lexicon], {})
    index = finder.find(fold("Feedback welcome. Recruiters and recruitment; 去西港工作 fee"))
    assert [o.start for o in index.get("fee")] != [0]  # not inside "feedback"
    assert len(index.get("fee")) == 1
    assert len(index.get("recruit")) == 2
    assert len(index.get("hub")) == 1  # an unspaced script matches on characters


def test_unaccented_variants_only_for_phrases() -> None:
    assert strip_accents("tuyển dụng") == "tuyen dung"
    lexicon = parse_lexicon({"language": "vi", "unaccented": True,
                             "concepts": {"x": ["tuyển dụng", "tỷ"]}}, "test")
    keys = {key for key, _ in term_table([lexicon], {})}
    assert {"tuyển dụng", "tuyen dung", "tỷ"} <= keys
    assert "ty" not in keys  # one syllable without its marks is too many words


def _occ(start: int, end: int) -> Occurrence:
    return Occurrence("x", start, end, "en")


def test_nearest_group_needs_every_slot_within_the_window_and_distinct_words() -> None:
    assert nearest_group([(_occ(0, 3),), (_occ(10, 12),)], 20) is not None
    assert nearest_group([(_occ(0, 3),), (_occ(50, 52),)], 20) is None
    assert nearest_group([(_occ(0, 3),), (_occ(500, 502),)], 0) is not None
    assert nearest_group([(_occ(0, 3),), (_occ(0, 3),)], 20) is None
    assert nearest_group([(_occ(0, 3),), ()], 0) is None


def test_a_negated_slot_takes_only_negated_occurrences() -> None:
    text = "No need to go through POEA, we fly you out"
    fired = {hit.flag.id for hit in find_hits(CATALOGUE, text)}
    assert "SS-ROUTE-001" in fired
    fired = {hit.flag.id for hit in find_hits(CATALOGUE, "All hiring goes through POEA")}
    assert "SS-ROUTE-001" not in fired


def test_pattern_evidence_inside_a_warning_does_not_count() -> None:
    warned = "Beware of agents who ask you to pay a placement fee of $500 before deployment."
    offered = "You must pay a placement fee of $500 before deployment."
    assert "SS-MONEY-001" in {hit.flag.id for hit in find_hits(CATALOGUE, offered)}
    assert "SS-MONEY-001" not in {hit.flag.id for hit in find_hits(CATALOGUE, warned)}


def test_evidence_points_at_the_words_of_each_concept() -> None:
    text = "Walang experience? Ok lang! Malaking sahod sa Cambodia"
    [hit] = [h for h in find_hits(CATALOGUE, text) if h.flag.id == "SS-BAIT-001"]
    assert [e.text for e in hit.evidence] == ["Walang experience", "Malaking sahod", "Cambodia"]
    assert all(text[e.start:e.end] == e.text for e in hit.evidence)


@pytest.mark.parametrize("text", [
    "No experience, high pay, work abroad! PM me",
    "Drowning in debt? Loan sharks calling? Work abroad and clear it in 3 months, big money",
])
def test_short_bait_reaches_high_on_rules_alone(text: str) -> None:
    assessment = Screener(use_model=False).screen(text)
    assert assessment.band == "high", (assessment.score, assessment.flag_ids)


def test_the_same_bait_quoted_in_a_warning_stays_low() -> None:
    text = "Beware of posts promising no experience, high pay and work abroad."
    assert Screener(use_model=False).screen(text).band == "low"


def _flag_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "SS-TEST-001", "name": "test.flag", "title": "t", "group": "money", "points": 1.0,
        "rationale": "r", "advice": "a", "sources": [{"title": "s"}],
        "examples": {"match": ["x"], "no_match": ["y"]},
        "concept": [{"all": ["fee", ["money", "pay_verb"]], "window": 40}],
    }
    data.update(changes)
    return data


def test_a_concept_rule_parses() -> None:
    flag = parse_flag(_flag_data(), "test")
    assert flag.concept_rules == (ConceptRule((("fee",), ("money", "pay_verb")), 40),)


@pytest.mark.parametrize("rule", [
    {"all": []}, {"all": ["fee"], "window": -1}, {"all": ["fee"], "near": 3}, "fee",
])
def test_a_malformed_concept_rule_is_refused(rule: object) -> None:
    with pytest.raises(CatalogueError):
        parse_flag(_flag_data(concept=[rule]), "test")


def test_a_rule_naming_an_unknown_concept_is_refused() -> None:
    from scamscreen.catalogue import build

    flag = parse_flag(_flag_data(concept=[{"all": ["no_such_concept"]}]), "test")
    with pytest.raises(CatalogueError, match="no_such_concept"):
        build([flag], CATALOGUE.groups, CATALOGUE.lexicons)


def test_an_unknown_modifier_is_refused() -> None:
    with pytest.raises(CatalogueError):
        parse_lexicon({"language": "en", "modifiers": {"sarcasm": {"pre": ["yeah right"]}}}, "t")


def test_the_cached_term_table_is_the_one_the_lexicons_give() -> None:
    assert CATALOGUE.term_table is not None
    fresh = term_table(CATALOGUE.lexicons, CATALOGUE.currencies)
    cached = [CATALOGUE.term_table[row] for row in range(len(CATALOGUE.term_table))]
    assert cached == list(fresh)
