"""`scamscreen report` as a caseworker runs it: a file of ads in, one HTML report out."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from scamscreen.cli import app

runner = CliRunner()


def _data(path: Path) -> dict:
    html = path.read_text(encoding="utf-8")
    match = re.search(r'id="report-data">(.*?)</script>', html, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_report_from_jsonl_links_and_keeps_unreadable_rows(tmp_path: Path) -> None:
    source = tmp_path / "ads.jsonl"
    source.write_text("\n".join([
        json.dumps({"id": "a", "text": "Typing job abroad, apply wa.me/85512345678"}),
        json.dumps({"id": "b", "text": "Good salary, call +855 12 345 678"}),
        "not json",
        json.dumps({"id": "c", "body": "no text column"}),
    ]) + "\n", encoding="utf-8")
    output = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(source), "-o", str(output), "--no-model"])
    assert result.exit_code == 0, result.output
    data = _data(output)
    assert [row["id"] for row in data["rows"]] == ["a", "b", "ads:3", "c"]
    assert [row["cluster"] for row in data["rows"]] == ["C1", "C1", "", ""]
    assert data["errors"] == 2
    assert "C1" in result.output and "4 ads" in result.output


def test_report_from_csv_without_linking(tmp_path: Path) -> None:
    source = tmp_path / "ads.csv"
    source.write_text("ref,ad\n1,Customer service job in Sihanoukville\n2,\"=HYPERLINK()\"\n",
                      encoding="utf-8")
    output = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(source), "-o", str(output), "--no-link",
                                 "--text-column", "ad", "--id-column", "ref", "--no-model"])
    assert result.exit_code == 0, result.output
    data = _data(output)
    assert [row["id"] for row in data["rows"]] == ["1", "2"]
    assert data["linked"] is False and data["clusters"] == []


def test_report_of_a_missing_file_is_one_line_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path / "nope.jsonl"), "-o",
                                 str(tmp_path / "r.html"), "--no-model"])
    assert result.exit_code == 2 and "Traceback" not in result.output
