"""`scamscreen batch --link --report`: a cluster column, a cluster summary, an HTML report,
and CSV cells that cannot run as spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from scamscreen.cli import app

runner = CliRunner()
ADS = [
    ("a1", "=HYPERLINK(\"http://x\") Typing job abroad, apply wa.me/85512345678"),
    ("a2", "+855 12 345 678 call now for a good salary"),
    ("a3", "Bakery assistant, four days a week, apply in person at 12 Main Road."),
    ("a4", ""),
]


def _input(tmp_path: Path) -> Path:
    path = tmp_path / "ads.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["ref", "text"])
    writer.writerows(ADS)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_batch_link_adds_a_cluster_column_and_prints_clusters(tmp_path: Path) -> None:
    output = tmp_path / "out.csv"
    report = tmp_path / "report.html"
    result = runner.invoke(app, ["batch", str(_input(tmp_path)), "--id-column", "ref",
                                 "--link", "--report", str(report), "-o", str(output),
                                 "--no-model", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(output.read_text(encoding="utf-8").splitlines()))
    assert [row["cluster"] for row in rows] == ["C1", "C1", "", ""]
    assert rows[0]["text"].startswith("'=HYPERLINK")  # neutralised for spreadsheets
    assert rows[1]["text"].startswith("'+855")
    assert rows[3]["error"]
    assert "phone:+85512345678" in result.output
    html = report.read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', html, re.S).group(1))
    assert [row["cluster"] for row in data["rows"]] == ["C1", "C1", "", ""]
    assert data["errors"] == 1 and data["rows"][1]["contacts"][0]["country"] == "Cambodia"


def test_batch_report_without_link_streams_no_cluster_column(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    report = tmp_path / "report.html"
    result = runner.invoke(app, ["batch", str(_input(tmp_path)), "--report", str(report),
                                 "-o", str(output), "--no-model", "-q"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 4 and "cluster" not in lines[0]
    assert report.exists() and '"linked":false' in report.read_text(encoding="utf-8")
