"""Folding undoes evasion tricks, and every folded span maps back to the text it came from."""

from __future__ import annotations

import re

import pytest

from scamscreen.normalize import fold


def _find(source: str, needle: str) -> str:
    folded = fold(source)
    match = re.search(re.escape(needle), folded.text)
    assert match is not None, f"{needle!r} not found in folded {folded.text!r}"
    start, end = folded.source_span(*match.span())
    return source[start:end]


@pytest.mark.parametrize(
    ("source", "needle", "expected_original"),
    [
        pytest.param("Add Tele\u200bgram now", "telegram", "Tele\u200bgram", id="zero-width-space"),
        pytest.param("Ｔｅｌｅｇｒａｍ ＠hr", "telegram", "Ｔｅｌｅｇｒａｍ", id="full-width"),
        pytest.param("T e l e g r a m please", "telegram", "T e l e g r a m", id="spaced-letters"),
        pytest.param("w.h.a.t.s.a.p.p us", "whatsapp", "w.h.a.t.s.a.p.p", id="dotted-letters"),
        pytest.param("tеlеgrаm", "telegram", "tеlеgrаm", id="cyrillic-lookalikes"),
        pytest.param("𝐓𝐞𝐥𝐞𝐠𝐫𝐚𝐦", "telegram", "𝐓𝐞𝐥𝐞𝐠𝐫𝐚𝐦", id="math-bold"),
        pytest.param("call ８５５ now", "855", "８５５", id="full-width-digits"),
        pytest.param("包吃包住　高薪", "包吃包住 高薪", "包吃包住　高薪", id="ideographic-space"),
        pytest.param(
            "Vie\u0302\u0323c nhe\u0323",
            "việc nhẹ",
            "Vie\u0302\u0323c nhe\u0323",
            id="decomposed-vietnamese",
        ),
        pytest.param("free\n\n   visa", "free visa", "free\n\n   visa", id="whitespace-run"),
        pytest.param("Digital MARKETING", "digital marketing", "Digital MARKETING", id="case"),
        pytest.param("İstanbul office", "istanbul", "İstanbul", id="dotted-capital-i"),
    ],
)
def test_evasion_is_folded_and_maps_back(source: str, needle: str, expected_original: str) -> None:
    assert _find(source, needle) == expected_original


def test_emoji_keycap_digits_fold_to_digits() -> None:
    assert "123" in fold("call 1️⃣2️⃣3️⃣").text


def test_plain_words_are_not_joined() -> None:
    # Ordinary words of one letter ("a", "I") must not be glued into nonsense.
    assert fold("I am a big fan").text == "i am a big fan"


def test_offsets_of_unchanged_text_are_identity() -> None:
    text = "Customer service job, no fees."
    folded = fold(text)
    assert folded.source_span(9, 16) == (9, 16)
    assert text[9:16] == "service"
