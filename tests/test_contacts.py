"""Contact points: found however an ad writes them, one value per contact, offsets into the
input, and contacts as evidence for the catalogue's contact flags."""

from __future__ import annotations

import time

import pytest

from scamscreen.catalogue import Catalogue, build, default_catalogue, parse_flag
from scamscreen.contacts import Contact, find_contacts
from scamscreen.errors import CatalogueError
from scamscreen.rules import find_hits

CATALOGUE = default_catalogue()


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(c.kind, c.value) for c in find_contacts(text)]


def _keys(text: str) -> set[str]:
    return {c.key for c in find_contacts(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Telegram 👉 @hr_lucky_kh", ("telegram", "hr_lucky_kh"), id="telegram-arrow"),
        pytest.param("TG: @myw_recruit_jay", ("telegram", "myw_recruit_jay"), id="tg-colon"),
        pytest.param("t.me/HR_Lucky", ("telegram", "hr_lucky"), id="t.me-link"),
        pytest.param("DM me on Telegram, I am @hr_sunny", ("telegram", "hr_sunny"), id="bare"),
        pytest.param("WhatsApp +855 97 000 2263", ("whatsapp", "+855970002263"), id="whatsapp"),
        pytest.param("wa.me/85512345678", ("whatsapp", "+85512345678"), id="wa.me"),
        pytest.param("Line ID: abc123", ("line", "abc123"), id="line-id"),
        pytest.param("有興趣請加賴abc123", ("line", "abc123"), id="jia-lai-glued"),
        pytest.param("line.me/ti/p/~jobtw88", ("line", "jobtw88"), id="line.me"),
        pytest.param("微信：wxid_abc123", ("wechat", "wxid_abc123"), id="weixin"),
        pytest.param("vx: recruit_2024", ("wechat", "recruit_2024"), id="vx"),
        pytest.param("V信 kefu8888", ("wechat", "kefu8888"), id="v-xin"),
        pytest.param("Liên hệ qua Zalo 0901 234 567", ("zalo", "+84901234567"), id="zalo-local"),
        pytest.param("CV to Careers@Acme.com.", ("email", "careers@acme.com"), id="email"),
        pytest.param("see https://www.acme-jobs.com/apply", ("domain", "acme-jobs.com"), id="url"),
        pytest.param("see jobs.acme.co.th today", ("domain", "jobs.acme.co.th"), id="bare-domain"),
        pytest.param("＋８５５ １２ ３４５ ６７８", ("phone", "+85512345678"), id="full-width"),
    ],
)
def test_each_kind_is_found_and_normalised(text: str, expected: tuple[str, str]) -> None:
    assert expected in _pairs(text)


@pytest.mark.parametrize(
    ("number", "region", "country"),
    [
        ("+855 12 345 678", "KH", "Cambodia"),
        ("+95 9 123 456 789", "MM", "Myanmar"),
        ("+856 20 5555 1234", "LA", "Laos"),
        ("+66 81 234 5678", "TH", "Thailand"),
        ("+886 912 345 678", "TW", "Taiwan"),
        ("+84 901 234 567", "VN", "Vietnam"),
        ("+62 812 3456 7890", "ID", "Indonesia"),
        ("+63 917 123 4567", "PH", "Philippines"),
    ],
)
def test_international_numbers_carry_their_country(number: str, region: str, country: str) -> None:
    (contact,) = find_contacts(f"Call {number} today")
    assert (contact.kind, contact.region, contact.country) == ("phone", region, country)
    assert contact.value == "+" + "".join(ch for ch in number if ch.isdigit())


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("t.me/abc_hr", "Telegram: @abc_hr", id="t.me==@handle"),
        pytest.param("t.me/ABC_HR", "tg @abc_hr", id="case"),
        pytest.param("wa.me/85512345678", "+855 12 345 678", id="wa.me==number"),
        pytest.param("WhatsApp +855 12 345 678", "call +855-12-345-678", id="app-number==plain"),
        pytest.param("line.me/ti/p/~jobtw88", "加賴 jobtw88", id="line.me==jia-lai"),
        pytest.param("zalo.me/84901234567", "Zalo: 0901 234 567", id="zalo-link==local"),
        pytest.param("https://www.acme.com", "acme.com", id="www"),
    ],
)
def test_one_contact_written_two_ways_is_one_value(first: str, second: str) -> None:
    assert _keys(first) == _keys(second) and len(_keys(first)) == 1
    assert len(find_contacts(f"{first} or {second}")) == 1


def test_an_app_number_is_listed_once_as_the_app() -> None:
    (contact,) = find_contacts("WhatsApp +855 97 000 2263 ask for Kevin")
    assert contact.kind == "whatsapp" and contact.key == "phone:+855970002263"


@pytest.mark.parametrize(
    "text",
    [
        "We sell online. Our product line is great.",
        "Telephone interviews only. Please wait for our call.",
        "Telegram group for jobs in the city",
        "Salary 855 USD per month, 95 percent paid on time",
        "e.g. work.Salary is good",
    ],
)
def test_ordinary_words_are_not_contacts(text: str) -> None:
    assert find_contacts(text) == ()


def test_offsets_point_at_the_text_as_written() -> None:
    text = ("Ｔｅｌｅｇｒａｍ：＠ｈｒ＿ｊａｙ\u200b or W h a t s A p p +855 97 000 2263, "
            "mail HR@acme.com")
    contacts = find_contacts(text)
    assert {c.kind for c in contacts} == {"telegram", "whatsapp", "email"}
    for contact in contacts:
        assert text[contact.start:contact.end] == contact.text
    assert ("telegram", "hr_jay") in _pairs(text)


def test_to_dict_has_the_key_and_country() -> None:
    data = find_contacts("WhatsApp +855 97 000 2263")[0].to_dict()
    assert data["key"] == "phone:+855970002263" and data["region"] == "KH"
    assert data["country"] == "Cambodia"


def test_hostile_input_stays_fast() -> None:
    texts = ["a." * 50_000, "@" * 100_000, "+8" * 50_000, "x@" * 50_000, "telegram: " * 10_000]
    started = time.perf_counter()
    for text in texts:
        find_contacts(text)
    assert time.perf_counter() - started < 10


def _evidence(flag_id: str, text: str) -> list[str]:
    for hit in find_hits(CATALOGUE, text):
        if hit.flag.id == flag_id:
            return [e.text for e in hit.evidence]
    return []


@pytest.mark.parametrize("number", ["+855 12 345 678", "+95 9 123 456 789", "+856 20 5555 1234"])
def test_a_hub_country_number_fires_the_hub_flag_with_the_number_as_evidence(number: str) -> None:
    assert _evidence("SS-CONTACT-010", f"Good job. WhatsApp {number}") == [number]


@pytest.mark.parametrize("number", ["+66 81 234 5678", "+886 912 345 678", "+84 901 234 567"])
def test_other_countries_do_not_fire_the_hub_flag(number: str) -> None:
    assert _evidence("SS-CONTACT-010", f"Good job. Call {number}") == []


def _chat_only_catalogue() -> Catalogue:
    flag = parse_flag({
        "id": "SS-TEST-001", "name": "contact.chat_only", "title": "t", "group": "contact",
        "kind": "contact", "points": 0.5, "rationale": "r", "advice": "a",
        "sources": [{"title": "s"}],
        "contact": {"kinds": ["telegram", "whatsapp"], "unless": ["email", "domain"]},
        "examples": {"match": ["x"], "no_match": ["y"]},
    }, "test")
    return build([flag], CATALOGUE.groups)


def test_a_contact_table_fires_on_a_chat_app_alone_but_not_beside_an_email() -> None:
    catalogue = _chat_only_catalogue()

    def fired(text: str) -> list[str]:
        return [e.text for hit in find_hits(catalogue, text) for e in hit.evidence]

    assert fired("Apply: t.me/hr_lucky_kh") == ["t.me/hr_lucky_kh"]
    assert fired("Apply: t.me/hr_lucky_kh or jobs@acme.com") == []
    assert fired("LINE: @abc_hr") == []


def test_a_contact_table_is_validated() -> None:
    data = {"id": "SS-TEST-002", "name": "contact.x", "title": "t", "group": "contact",
            "kind": "contact", "points": 0.5, "rationale": "r", "advice": "a",
            "sources": [{"title": "s"}], "examples": {"match": ["x"], "no_match": ["y"]}}
    with pytest.raises(CatalogueError, match="needs a \\[contact\\] table"):
        parse_flag(data, "test")
    with pytest.raises(CatalogueError, match="unknown contact kind"):
        parse_flag({**data, "contact": {"kinds": ["myspace"]}}, "test")


def test_screen_reports_contacts_and_their_flag_evidence() -> None:
    from scamscreen import Screener

    result = Screener(use_model=False).screen("Typing job. Salary 1500 USD. wa.me/85512345678")
    assert [c.key for c in result.contacts] == ["phone:+85512345678"]
    fired = {f.flag.id: f for f in result.flags}
    assert "SS-CONTACT-010" in fired
    (evidence,) = fired["SS-CONTACT-010"].evidence
    assert (evidence.text, evidence.language) == ("wa.me/85512345678", "contact")
    assert isinstance(result.contacts[0], Contact)


@pytest.mark.parametrize("text", ["Product line: electronics", "加賴 詳談", "微信 salary details"])
def test_a_word_after_an_app_name_is_not_an_id(text: str) -> None:
    assert find_contacts(text) == ()
