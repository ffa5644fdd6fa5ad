"""Hostile and messy adverts at the screen() level: evasion tricks still fire flags with offsets
into the original text, odd characters never crash, over-long input is cut with a warning.

Each bug found while fuzzing gets a regression test here and an input in tests/corpus/nasty/.
"""

from __future__ import annotations

import pytest

from scamscreen import InputError, screen
from scamscreen.scoring import Assessment


def _assert_offsets_point_at_their_text(text: str, assessment: Assessment) -> None:
    for result in assessment.flags:
        for evidence in result.evidence:
            assert 0 <= evidence.start < evidence.end <= len(text)
            assert text[evidence.start:evidence.end] == evidence.text
    for contact in assessment.contacts:
        assert 0 <= contact.start < contact.end <= len(text)
        assert text[contact.start:contact.end] == contact.text


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
    _assert_offsets_point_at_their_text(text, assessment)


@pytest.mark.parametrize("text", ["", "   ", "\n\t\u3000 ", "job\x00ad"])
def test_empty_blank_and_nul_input_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError):
        screen(text)
