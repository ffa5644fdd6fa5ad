"""CSV cells from ad text cannot run as spreadsheet formulas (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest

from scamscreen.spreadsheet import safe_cell, safe_row


@pytest.mark.parametrize(
    "text",
    ["=HYPERLINK(\"http://x\",\"click\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)",
     "\t=1+1", "\r=1+1"],
)
def test_formula_like_text_is_neutralised(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Customer service job", "", "a=b", " =1", 42, -1.5, None])
def test_other_values_are_unchanged(value: object) -> None:
    assert safe_cell(value) == value


def test_a_row_round_trips_through_csv_with_the_quote_in_place() -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["id", "text", "score"])
    writer.writeheader()
    writer.writerow(safe_row({"id": "=1", "text": "@evil", "score": -3}))
    row = next(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert row == {"id": "'=1", "text": "'@evil", "score": "-3"}
