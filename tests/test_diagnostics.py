"""`scamscreen check`'s human output: layout pinned by snapshots, and its parts by rules.

The snapshots in ``tests/snapshots/`` are the exact text a user sees at 80 and 120 columns
(plain, as without a terminal) for an English, a Chinese and a Thai advert. Scores and flags
move when the catalogue or the model changes; then review the diff and regenerate them with

    SCAMSCREEN_UPDATE_SNAPSHOTS=1 pytest tests/test_diagnostics.py

and commit the new files, so that the layout change is a visible diff in review.
"""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from scamscreen.cli import app
from scamscreen.diagnostics import Diagnostics, brief_line, snippet
from scamscreen.i18n import translator
from scamscreen.screener import Screener

SNAPSHOTS = Path(__file__).parent / "snapshots"
ADVERTS = SNAPSHOTS / "adverts"
UPDATE = os.environ.get("SCAMSCREEN_UPDATE_SNAPSHOTS") == "1"
runner = CliRunner()


def _check(advert: Path, width: int, *options: str) -> str:
    result = runner.invoke(app, ["check", "--no-color", "--lang", "en", *options,
                                 "--file", str(advert)], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.stdout


def _compare(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path.name}: run with SCAMSCREEN_UPDATE_SNAPSHOTS=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"check's output for {name} changed; if the change is intended (layout, catalogue or "
        f"model), regenerate with SCAMSCREEN_UPDATE_SNAPSHOTS=1 and review the diff")


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("language", ["en", "zh-Hant", "th"])
def test_check_output_matches_its_snapshot(language: str, width: int) -> None:
    _compare(f"check-{language}-{width}.txt", _check(ADVERTS / f"{language}.txt", width))


@pytest.mark.parametrize("width", [80, 120])
def test_explain_output_matches_its_snapshot(width: int) -> None:
    _compare(f"check-explain-en-{width}.txt", _check(ADVERTS / "en.txt", width, "--explain"))


@pytest.mark.parametrize("width", [60, 80, 120, 200])
@pytest.mark.parametrize("language", ["en", "zh-Hant", "th"])
def test_no_line_is_wider_than_the_terminal(language: str, width: int) -> None:
    for options in ((), ("--explain",), ("--brief",)):
        for line in _check(ADVERTS / f"{language}.txt", width, *options).splitlines():
            assert cell_len(line) <= width, (options, line)


def test_ids_are_never_shortened_and_flags_come_heaviest_first() -> None:
    assessment = Screener().screen((ADVERTS / "en.txt").read_text(encoding="utf-8"))
    out = _check(ADVERTS / "en.txt", 80)
    for result in assessment.flags:
        assert result.flag.id in out
    shown = [r for r in assessment.flags if r.points != 0]
    positions = [out.index(f"{r.flag.id} {r.points:+.2f}") for r in shown]
    points = [r.points for r in sorted(shown, key=lambda r: positions[shown.index(r)])]
    assert points == sorted(points, reverse=True)


def test_a_combination_names_the_flags_it_joined() -> None:
    assessment = Screener().screen((ADVERTS / "en.txt").read_text(encoding="utf-8"))
    combination = next(r for r in assessment.flags if r.flag.kind == "combination")
    out = _check(ADVERTS / "en.txt", 200)
    assert "joins: " + " + ".join(combination.because) in out


def test_the_match_is_marked_under_its_line() -> None:
    text = "first line\nWe need customer service staff in Sihanoukville now\nlast"
    start = text.index("Sihanoukville")
    item = snippet(text, [(start, start + len("Sihanoukville"))], 80)
    assert item.number == 2 and item.shown == text.splitlines()[1]
    first, cells = item.marks[0]
    assert item.shown[first:first + cells] == "Sihanoukville"


def test_a_long_line_is_windowed_around_the_match() -> None:
    text = "x" * 300 + " Telegram @abc " + "y" * 300
    start = text.index("Telegram")
    item = snippet(text, [(start, start + 8)], 60)
    assert cell_len(item.shown) <= 60 and item.shown.startswith("…") and item.shown.endswith("…")
    first, cells = item.marks[0]
    assert item.shown[first:first + cells] == "Telegram"


def test_wide_characters_are_marked_by_cells() -> None:
    text = "工作地點：西港（柬埔寨）"
    start = text.index("西港")
    item = snippet(text, [(start, start + 2)], 80)
    assert item.marks == ((cell_len("工作地點："), 4),)


def test_brief_is_one_line_within_the_width() -> None:
    for width in (40, 80, 120):
        out = _check(ADVERTS / "en.txt", width, "--brief")
        assert out.count("\n") == 1 and cell_len(out.rstrip("\n")) <= width
        assert "HIGH RISK" in out
    line = brief_line(translator(), 12, "low", "no red flags found", 80)
    assert line.plain == " 12  LOW RISK   no red flags found"


def test_colour_follows_the_terminal() -> None:
    assessment = Screener().screen("Customer service in Sihanoukville, Telegram @hr88")
    coloured = StringIO()
    Diagnostics(Console(file=coloured, width=80, force_terminal=True)).assessment(assessment)
    plain = StringIO()
    Diagnostics(Console(file=plain, width=80, force_terminal=True, color_system=None)
                ).assessment(assessment)
    assert "\x1b[" in coloured.getvalue() and "\x1b[" not in plain.getvalue()
    # The same layout, with and without colour.
    from rich.text import Text

    assert Text.from_ansi(coloured.getvalue()).plain == plain.getvalue()
    for env in ({"NO_COLOR": "1"}, {}):  # CliRunner is not a terminal: plain either way
        out = runner.invoke(app, ["check", "Customer service in Sihanoukville"], env=env).stdout
        assert "\x1b[" not in out


def test_json_brief_and_explain_do_not_mix() -> None:
    result = runner.invoke(app, ["check", "--json", "--brief", "hello"])
    assert result.exit_code == 2 and "Traceback" not in result.output
