"""Every input under tests/corpus/nasty/ through `check --file` and through screen().

A file named ``screen-*`` must be screened (exit 0, evidence offsets true); ``refuse-*`` must be
refused with one line on stderr and exit 2. Add a file whenever a bug is found (see README.md
there).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scamscreen import InputError, screen
from scamscreen.cli import app
from scamscreen.scoring import band_for
from scamscreen.screener import MAX_CHARS
from scamscreen.textio import read_text_file
from tests.conftest import assert_offsets_point_at_their_text

NASTY = Path(__file__).parent / "corpus" / "nasty"
INPUTS = sorted(p for p in NASTY.iterdir() if p.name.startswith(("screen-", "refuse-")))
runner = CliRunner()


def test_the_corpus_is_there_and_every_file_says_what_it_expects() -> None:
    assert len(INPUTS) >= 40
    assert {p.name for p in NASTY.iterdir()} - {p.name for p in INPUTS} == {"README.md"}


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_check_file(path: Path) -> None:
    result = runner.invoke(app, ["check", "--json", "--file", str(path)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if path.name.startswith("refuse-"):
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("scamscreen: error: "), result.stderr
    else:
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert 0 <= data["score"] <= 100 and data["band"] == band_for(data["score"])


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_screen(path: Path) -> None:
    try:
        text = read_text_file(path)
        assessment = screen(text)
    except InputError as error:
        assert path.name.startswith("refuse-"), error
        assert "\n" not in str(error)
        return
    assert path.name.startswith("screen-")
    assert 0 <= assessment.score <= 100 and assessment.band == band_for(assessment.score)
    assert bool(assessment.warnings) == (len(text) > MAX_CHARS)
    assert_offsets_point_at_their_text(text, assessment)
