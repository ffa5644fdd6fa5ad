"""Hostile and messy adverts at the screen() level: evasion tricks still fire flags with offsets
into the original text, odd characters never crash, over-long input is cut with a warning.

Each bug found while fuzzing gets a regression test here and an input in tests/corpus/nasty/.
"""

from __future__ import annotations

import pytest

from scamscreen import InputError, screen
from scamscreen.scoring import Assessment
from tests.conftest import assert_offsets_point_at_their_text


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("contact us via telegram \ud800", id="lone-high-surrogate"),
        pytest.param("\udcff\udcfe apply on whatsapp", id="surrogate-escaped-argv-bytes"),
        pytest.param("Tele\udc80gram @hr_sunny88 contact us via telegram",
                     id="surrogate-inside-word"),
    ],
)
def test_lone_surrogates_are_screened_not_crashed_on(text: str) -> None:
    # Python hands undecodable argv bytes over as lone surrogates; RE2 cannot encode them.
    assessment = screen(text)
    assert 0 <= assessment.score <= 100
    assert_offsets_point_at_their_text(text, assessment)


@pytest.mark.parametrize("text", ["", "   ", "\n\t\u3000 ", "job\x00ad"])
def test_empty_blank_and_nul_input_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError):
        screen(text)


def _flag_evidence(assessment: Assessment, flag_id: str) -> list[str]:
    return [e.text for r in assessment.flags if r.flag.id == flag_id for e in r.evidence]


@pytest.mark.parametrize(
    ("text", "chat_app_as_written"),
    [
        pytest.param("Contact us via Tele\u200bgram", "Tele\u200bgram", id="zero-width-space"),
        pytest.param("Contact us via Tele\u200d\u200cgram", "Tele\u200d\u200cgram", id="zwj-zwnj"),
        pytest.param("Contact us via Whats\u00adApp", "Whats\u00adApp", id="soft-hyphen"),
        pytest.param("Contact us via \u202eWhatsApp\u202c", "WhatsApp", id="rtl-override"),
        pytest.param("Contact us via Ｔｅｌｅｇｒａｍ", "Ｔｅｌｅｇｒａｍ", id="full-width"),
        pytest.param("Ｃｏｎｔａｃｔ ｕｓ ｖｉａ Ｔｅｌｅｇｒａｍ", "Ｔｅｌｅｇｒａｍ",
                     id="all-full-width"),
        pytest.param("Contact us via T e l e g r a m", "T e l e g r a m", id="spaced-letters"),
        pytest.param("Contact us via T.e.l.e.g.r.a.m", "T.e.l.e.g.r.a.m", id="dotted-letters"),
        pytest.param("Contact us via w-h-a-t-s-a-p-p", "w-h-a-t-s-a-p-p", id="hyphenated-letters"),
        pytest.param("Contact us via T \u200be l e g r a m", "T \u200be l e g r a m",
                     id="spaced-and-zwsp"),
        pytest.param("Contact us via Tеlеgrаm", "Tеlеgrаm", id="cyrillic-lookalikes"),
        pytest.param("Contact us via Τelegram", "Τelegram", id="greek-capital-tau"),
        pytest.param("Contact us vіa telegram", "telegram", id="cyrillic-i-in-via"),
        pytest.param("Contact us via 𝐓𝐞𝐥𝐞𝐠𝐫𝐚𝐦", "𝐓𝐞𝐥𝐞𝐠𝐫𝐚𝐦", id="math-bold"),
        pytest.param("Contact us via ⓣⓔⓛⓔⓖⓡⓐⓜ", "ⓣⓔⓛⓔⓖⓡⓐⓜ", id="circled-letters"),
        pytest.param("CONTACT US VIA TELEGRAM", "TELEGRAM", id="upper-case"),
        pytest.param("Contact\u00a0us\u00a0via\u2003telegram", "telegram", id="odd-spaces"),
        pytest.param("Contact us\n\n\t via   telegram", "telegram", id="whitespace-runs"),
    ],
)
def test_evasion_still_fires_the_chat_app_flag_with_true_offsets(
    text: str, chat_app_as_written: str
) -> None:
    assessment = screen(text)
    evidence = _flag_evidence(assessment, "SS-CONTACT-001")
    assert evidence, f"SS-CONTACT-001 did not fire on {text!r}"
    assert any(e.endswith(chat_app_as_written) for e in evidence), evidence
    assert_offsets_point_at_their_text(text, assessment)


@pytest.mark.parametrize(
    ("text", "kind", "value", "as_written"),
    [
        pytest.param("Telegram: @hr\u200b_sunny88", "telegram", "hr_sunny88", "@hr\u200b_sunny88",
                     id="zwsp-in-handle"),
        pytest.param("Telegram ＠ｈｒ＿ｓｕｎｎｙ８８", "telegram", "hr_sunny88",
                     "＠ｈｒ＿ｓｕｎｎｙ８８",
                     id="full-width-handle"),
        pytest.param("ｔ．ｍｅ／hr_sunny88", "telegram", "hr_sunny88", "ｔ．ｍｅ／hr_sunny88",
                     id="full-width-link"),
        pytest.param("call +855\u200b12\u200b345\u200b678", "phone", "+85512345678",
                     "+855\u200b12\u200b345\u200b678", id="zwsp-in-phone"),
        pytest.param("call ＋８５５ １２ ３４５ ６７８ now", "phone", "+85512345678",
                     "＋８５５ １２ ３４５ ６７８", id="full-width-phone"),
        pytest.param("wa.me/８５５１２３４５６７８", "whatsapp", "+85512345678",
                     "wa.me/８５５１２３４５６７８",
                     id="full-width-whatsapp-link"),
        pytest.param("hr@ｅｘａｍｐｌｅ．ｃｏｍ", "email", "hr@example.com",
                     "hr@ｅｘａｍｐｌｅ．ｃｏｍ",
                     id="full-width-email"),
    ],
)
def test_evasion_still_yields_the_normalised_contact_with_true_offsets(
    text: str, kind: str, value: str, as_written: str
) -> None:
    assessment = screen(text)
    found = {(c.kind, c.value): c.text for c in assessment.contacts}
    assert found.get((kind, value)) == as_written, assessment.contacts
    assert_offsets_point_at_their_text(text, assessment)


def test_over_long_input_is_screened_on_its_prefix_with_a_warning() -> None:
    from scamscreen.screener import MAX_CHARS

    lead = "Contact us via Telegram @hr_sunny88. "
    filler = "x" * (MAX_CHARS - len(lead) - 10)
    tail = " Send your passport photo. Free visa. " * 20_000  # ~800,000 characters past the limit
    text = lead + filler + tail
    assessment = screen(text)
    assert assessment.screened_length == MAX_CHARS
    assert len(assessment.warnings) == 1 and f"{MAX_CHARS:,}" in assessment.warnings[0]
    assert "SS-CONTACT-001" in assessment.flag_ids  # in the prefix
    assert all(e.end <= MAX_CHARS for r in assessment.flags for e in r.evidence)
    assert all(c.end <= MAX_CHARS for c in assessment.contacts)
    assert_offsets_point_at_their_text(text, assessment)


def test_input_of_exactly_max_chars_has_no_warning() -> None:
    from scamscreen.screener import MAX_CHARS

    assert screen("a" * MAX_CHARS).warnings == ()
    assert screen("a" * (MAX_CHARS + 1)).warnings != ()


# Runs that once took quadratic or cubic time in a backtracking regex or a pairwise check; each
# is screened at MAX_CHARS. Linear work takes under a second; the budget leaves room for a
# loaded CI machine, while each regression took from 15 seconds to hours.
ADVERSARIAL_UNITS = [
    pytest.param("tele @", id="thousands-of-handles"),
    pytest.param("@", id="at-signs"),
    pytest.param("@a.", id="at-letter-dot"),
    pytest.param("a@a.", id="e-mail-like"),
    pytest.param("a", id="one-long-word"),
    pytest.param("1", id="one-long-number"),
]
SCREEN_BUDGET_SECONDS = 5.0


@pytest.mark.parametrize("unit", ADVERSARIAL_UNITS)
def test_adversarial_runs_are_screened_in_linear_time(unit: str) -> None:
    import time

    from scamscreen.screener import MAX_CHARS

    text = (unit * (MAX_CHARS // len(unit) + 1))[:MAX_CHARS]
    started = time.perf_counter()
    assessment = screen(text)
    assert time.perf_counter() - started < SCREEN_BUDGET_SECONDS
    assert_offsets_point_at_their_text(text, assessment)


def test_a_keycap_phone_number_is_quoted_with_its_last_keycap() -> None:
    text = "WhatsApp +8\ufe0f\u20e35\ufe0f\u20e35\ufe0f\u20e3 1\ufe0f\u20e32\ufe0f\u20e3 " \
           "3\ufe0f\u20e34\ufe0f\u20e35\ufe0f\u20e3 6\ufe0f\u20e37\ufe0f\u20e38\ufe0f\u20e3 now"
    assessment = screen(text)
    [contact] = [c for c in assessment.contacts if c.value == "+85512345678"]
    assert contact.text.endswith("8\ufe0f\u20e3")  # not "8" cut off from its keycap
    assert_offsets_point_at_their_text(text, assessment)
