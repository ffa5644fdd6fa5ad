"""Properties that hold for any text an advertiser can write, checked with hypothesis.

For any string: ``screen`` either raises ``InputError`` (exactly when the text is blank or holds
a NUL) or returns a score in 0-100 with its band, and every piece of evidence (flags and
contacts) is a slice of the input at the offsets it gives. Folding maps every span back into
the input, and the evasion tricks it undoes change nothing the catalogue sees. The CLI answers
any argument or file with a result (exit 0) or one line on stderr (exit 2), never a traceback.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from scamscreen import InputError, screen
from scamscreen.catalogue import default_catalogue
from scamscreen.cli import app
from scamscreen.normalize import fold
from scamscreen.rules import find_hits
from scamscreen.scoring import Assessment, band_for
from scamscreen.screener import MAX_CHARS
from tests.conftest import assert_offsets_point_at_their_text

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Characters scam ads use to hide words, and characters that break naive text handling.
TRICKS = [
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",  # zero-width, soft hyphen
    "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\u061c",  # direction marks
    "\u0301", "\u0302", "\u0323", "\u0345", "\u20dd", "\u0307",  # combining marks
    "\ufe0f", "\u20e3", "1\ufe0f\u20e3", "\U0001f600", "\U0001f1f0\U0001f1ed",  # emoji, keycap
    "Ｔ", "ｅ", "１", "＋", "＠", "．", "\u3000", "𝐓", "①", "½", "²", "ﬁ", "ﬀ", "㍱", "ﷺ",  # compat
    # look-alike letters
    "а", "е", "о", "р", "с", "у", "і", "ο", "ν", "ρ", "Α", "Ο", "İ", "ẞ", "ß", "Σ", "ς",
    "\x01", "\x07", "\x1b[31m", "\x1c", "\x7f", "\x85", "\u2028", "\u2029", "\r", "\t", "\v",
    "\ud800", "\udfff", "\udc80", "\udcff",  # lone surrogates (as Python hands over argv bytes)
    " ", "  ", "\n", ".", "-", "_", "*", "·", "@", "+", ":", "/", "：",
]
WORDS = [
    "telegram", "whatsapp", "wechat", "line", "zalo", "contact us via ", "apply on ", "t.me/",
    "wa.me/", "@hr_sunny88", "+855 12 345 678", "+66 81 234 5678", "hr@example.com",
    "sihanoukville", "cambodia", "customer service", "no experience", "free visa", "passport",
    "salary 2000 usd", "加賴", "飞机", "包吃包住", "高薪", "แอดไลน์", "liên hệ qua zalo ", "hubungi",
    "T e l e g r a m", "w.h.a.t.s.a.p.p",
]
hostile_text = st.lists(st.sampled_from(TRICKS + WORDS) | st.text(max_size=4),
                        max_size=40).map("".join)
any_text = st.text(alphabet=st.characters(categories=None, codec=None), max_size=300)
texts = any_text | hostile_text
# One very long line: a fragment repeated, past MAX_CHARS for some draws.
long_lines = st.builds(lambda fragment, times: fragment * times,
                       st.sampled_from(TRICKS + WORDS) | hostile_text.filter(bool),
                       st.integers(min_value=1_000, max_value=120_000))

catalogue_examples = [example for flag in default_catalogue() for example in flag.examples_match]


def is_unscreenable(text: str) -> bool:
    return not text.strip() or "\x00" in text


def assert_well_formed(text: str, assessment: Assessment) -> None:
    assert isinstance(assessment.score, int) and 0 <= assessment.score <= 100
    assert assessment.band == band_for(assessment.score)
    assert_offsets_point_at_their_text(text, assessment)
    assert bool(assessment.warnings) == (len(text) > MAX_CHARS)
    # A quote never ends between a character and its combining or enclosing marks.
    for end in [e.end for r in assessment.flags for e in r.evidence] + [
            c.end for c in assessment.contacts]:
        assert end == len(text) or unicodedata.category(text[end]) not in ("Mn", "Me")


@FAST
@given(texts)
def test_screen_answers_any_text_with_a_score_a_band_and_true_offsets(text: str) -> None:
    try:
        assessment = screen(text)
    except InputError:
        assert is_unscreenable(text)
        return
    assert not is_unscreenable(text)
    assert_well_formed(text, assessment)


@SLOW
@given(long_lines)
def test_very_long_single_lines_are_screened_with_true_offsets(text: str) -> None:
    assume(not is_unscreenable(text))
    assert_well_formed(text, screen(text))


@FAST
@given(texts, st.data())
def test_every_folded_span_maps_back_inside_the_input(text: str, data: st.DataObject) -> None:
    folded = fold(text)
    end = data.draw(st.integers(0, len(folded.text)))
    start = data.draw(st.integers(0, end))
    source_start, source_end = folded.source_span(start, end)
    assert 0 <= source_start <= source_end <= len(text)


def _insert(text: str, positions: list[int], chars: list[str]) -> str:
    pieces = list(text)
    for position, char in sorted(zip(positions, chars, strict=False), reverse=True):
        pieces.insert(position % (len(pieces) + 1), char)
    return "".join(pieces)


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u202e"]


@FAST
@given(st.sampled_from(catalogue_examples), st.lists(st.integers(0, 500), max_size=8),
       st.lists(st.sampled_from(INVISIBLE), min_size=8, max_size=8))
def test_invisible_characters_anywhere_change_nothing_the_catalogue_sees(
    example: str, positions: list[int], chars: list[str]
) -> None:
    hidden = _insert(example, positions, chars)
    assert fold(hidden).text == fold(example).text
    assert_well_formed(hidden, screen(hidden))


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@FAST
@given(st.sampled_from(catalogue_examples), st.sampled_from([_full_width, str.upper]))
def test_full_width_and_upper_case_fire_the_same_flags(example: str, disguise) -> None:  # type: ignore[no-untyped-def]
    catalogue = default_catalogue()
    disguised = disguise(example)
    assume(disguised.lower() == example.lower() or disguise is _full_width)
    expected = {hit.flag.id for hit in find_hits(catalogue, example)}
    assert {hit.flag.id for hit in find_hits(catalogue, disguised)} >= expected
    assert_well_formed(disguised, screen(disguised))


runner = CliRunner()


def _assert_cli_answer(result, source: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code in (0, 2), (source, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("scamscreen: error:"), result.stderr


@settings(max_examples=200, deadline=None)
@given(texts.filter(lambda t: not t.startswith("-")))
def test_cli_check_answers_any_argument_without_a_traceback(text: str) -> None:
    result = runner.invoke(app, ["check", "--json", "--", text])
    _assert_cli_answer(result, text)
    if is_unscreenable(text):
        assert result.exit_code == 2
    elif result.exit_code == 2:  # only undecodable argv bytes (escaped surrogates) may be refused
        assert any("\udc80" <= char <= "\udcff" for char in text), result.stderr


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600) | texts.map(lambda t: t.encode("utf-8", "surrogatepass"))
       | st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04",
                          b"\xfe\xff\x00", b"\xff\xfe\x00\x00"]))
def test_cli_check_answers_any_file_without_a_traceback(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path: Path = tmp_path_factory.mktemp("ad") / "ad.txt"
    path.write_bytes(data)
    _assert_cli_answer(runner.invoke(app, ["check", "--json", "--file", str(path)]), repr(data))
