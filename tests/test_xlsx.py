"""`scamscreen batch` with Excel workbooks: .xlsx in (every sheet or --sheet, the CSV column
options) and .xlsx out (original columns untouched, result columns added, coloured bands,
autofilter, frozen header, titles in --lang, no truncation, no formulas, one row per input row,
error rows, atomic output)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from scamscreen.batch import run_batch
from scamscreen.catalogue import default_catalogue
from scamscreen.cli import app
from scamscreen.i18n import translator
from scamscreen.io import xlsx
from scamscreen.io.readers import open_input

runner = CliRunner()
BLATANT = ("Urgent! Customer service job in Sihanoukville, Cambodia. Salary 2000 USD, no "
           "experience needed, free flights. Send your passport photo. Telegram @hr_sunny88")
BAKERY = "Bakery in Leeds seeks a part-time baker. Apply in person at the shop."
INJECTIONS = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1)",
              "\t=1+1"]


def _workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f":  # as a text cell, the way Excel keeps '=...
                    cell.data_type = "s"
    book.save(path)
    return path


@pytest.fixture()
def leads(tmp_path: Path) -> Path:
    return _workbook(tmp_path / "leads.xlsx", {
        "Facebook": [["Lead", "Received", "Description", "Notes"],
                     [101, dt.datetime(2024, 3, 1), BLATANT, "from a caseworker"],
                     [102, dt.datetime(2024, 3, 2, 10, 30), BAKERY, 7.5],
                     [None, None, None, None],  # a blank row is not an advert
                     [103, None, None, "no text yet"]],
        "Summary": [["total", "3"]],
        "LINE": [["Lead", "Description"], [201, "急徵客服，柬埔寨西港，月薪3萬，包機票，私訊LINE"]],
    })


def _rows(path: Path) -> list[list[Any]]:
    sheet = load_workbook(path).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _by_heading(path: Path) -> list[dict[str, Any]]:
    header, *rows = _rows(path)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_every_sheet_is_read_with_a_sheet_column_and_unreadable_sheets_are_named(
        leads: Path) -> None:
    source = open_input(leads)
    records = list(source.records)
    assert source.format == "xlsx" and source.columns == ["sheet", "Lead", "Received",
                                                          "Description", "Notes"]
    assert [r.fields["sheet"] for r in records] == ["Facebook", "Facebook", "Facebook", "LINE"]
    assert [r.number for r in records] == [1, 2, 3, 4]
    assert records[0].text == BLATANT and records[0].fields["Received"] == "2024-03-01"
    assert records[1].fields["Received"] == "2024-03-02T10:30:00"
    assert records[1].fields["Notes"] == 7.5
    assert records[2].text == ""  # kept, so that the output reports it as an error row
    assert any("Summary" in note for note in source.notes)


def test_sheet_and_column_options_work_as_for_csv(leads: Path) -> None:
    source = open_input(leads, sheet="Facebook", text_columns=["notes"], id_column="Lead")
    records = list(source.records)
    assert "sheet" not in source.columns and [r.id for r in records] == ["101", "102", "103"]
    assert [r.text for r in records] == ["from a caseworker", "7.5", "no text yet"]


def test_cells_right_of_the_header_make_an_error_row(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "wide.xlsx", {"S": [["text"], ["an advert", None, "stray"]]})
    (record,) = open_input(path).records
    assert "right of the header" in record.error


@pytest.mark.parametrize(("args", "expected"), [
    (["--sheet", "Nope"], "no sheet 'Nope' (sheets: Facebook, Summary, LINE)"),
    (["--sheet", "Summary"], "sheet 'Summary': no text column found"),
    (["--text-column", "body"], "no sheet can be read"),
])
def test_bad_sheet_or_column_is_one_line_and_exit_2(leads: Path, args: list[str],
                                                    expected: str) -> None:
    result = runner.invoke(app, ["batch", str(leads), *args])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert expected in result.output and len(result.output.strip().splitlines()) == 1


def test_a_file_that_is_not_a_workbook_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for name, data in (("fake.xlsx", b"not a zip"), ("old.xlsx", b"\xd0\xcf\x11\xe0" * 64)):
        path = tmp_path / name
        path.write_bytes(data)
        result = runner.invoke(app, ["batch", str(path)])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert "not a readable .xlsx workbook" in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_sheet_without_a_workbook_and_xlsx_to_stdout_are_refused(leads: Path,
                                                                 tmp_path: Path) -> None:
    csv_path = tmp_path / "ads.csv"
    csv_path.write_text("text\nhello\n", encoding="utf-8")
    for args, expected in ((["batch", str(csv_path), "--sheet", "S"], "--sheet goes with"),
                           (["batch", str(leads), "-o", "-", "--format", "xlsx"],
                            "cannot go to standard output"),
                           (["batch", str(leads), "--engine", "dask", "-o", "x.csv"],
                            "use the local engine")):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and expected in result.output, result.output


def test_xlsx_output_keeps_every_row_and_column_and_adds_results(leads: Path,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "screened.xlsx"
    result = runner.invoke(app, ["batch", str(leads), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    rows = _by_heading(out)
    assert len(rows) == 4  # one per input row, the error row included, the blank row not
    assert list(rows[0]) == ["id", "sheet", "Lead", "Received", "Description", "Notes", "score",
                             "band", "flags", "flag_titles", "reason", "probability", "error"]
    assert [row["Lead"] for row in rows] == [101, 102, 103, 201]  # numbers stay numbers
    assert rows[0]["Description"] == BLATANT and rows[1]["Notes"] == 7.5
    assert rows[0]["band"] == "high risk" and rows[0]["score"] >= 80
    assert "SS-DOC-001" in rows[0]["flags"].split()
    assert default_catalogue().get("SS-DOC-001").title in rows[0]["flag_titles"].splitlines()
    assert rows[2]["error"] and rows[2]["score"] is None and rows[2]["band"] is None
    assert rows[3]["sheet"] == "LINE" and rows[3]["band"] == "high risk"


def test_xlsx_output_is_formatted_for_people(leads: Path, tmp_path: Path) -> None:
    out = tmp_path / "screened.xlsx"
    runner.invoke(app, ["batch", str(leads), "-o", str(out), "--lang", "en"])
    sheet = load_workbook(out).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:M{sheet.max_row}" and sheet.max_row == 5
    assert all(cell.font.bold for cell in sheet[1])
    band = {row[7].value: row[7] for row in sheet.iter_rows(min_row=2) if row[7].value}
    assert band["high risk"].fill.fgColor.rgb.endswith(xlsx.BAND_COLOURS["high"][0])
    assert band["low risk"].fill.fgColor.rgb.endswith(xlsx.BAND_COLOURS["low"][0])
    error = sheet.cell(row=4, column=13)
    assert error.value and error.fill.fgColor.rgb.endswith(xlsx.ERROR_COLOURS[0])
    text = sheet.cell(row=2, column=5)
    assert text.alignment.wrap_text and sheet.column_dimensions["E"].width >= xlsx.WIDE


def test_titles_bands_and_reasons_follow_lang(leads: Path, tmp_path: Path) -> None:
    out = tmp_path / "zh.xlsx"
    result = runner.invoke(app, ["batch", str(leads), "-o", str(out), "--lang", "zh-Hant"])
    assert result.exit_code == 0, result.output
    first = _by_heading(out)[0]
    t = translator("zh-Hant")
    assert first["band"] == "高風險"
    assert t.title(default_catalogue().get("SS-DOC-001")) in first["flag_titles"].splitlines()
    assert t.title(default_catalogue().get("SS-DOC-001")) in first["reason"]
    assert "SS-DOC-001" in first["flags"]  # ids stay as they are


def test_formula_injection_is_defused_and_the_text_kept(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["text", "note"]]
    rows += [[value, value] for value in INJECTIONS]
    path = _workbook(tmp_path / "hostile.xlsx", {"S": rows})
    for output in ("out.xlsx", "out.csv"):
        result = runner.invoke(app, ["batch", str(path), "-o", str(tmp_path / output)])
        assert result.exit_code == 0, result.output
    sheet = load_workbook(tmp_path / "out.xlsx").active
    for row, value in zip(sheet.iter_rows(min_row=2), INJECTIONS, strict=True):
        for cell in row[1:3]:
            assert cell.value == value and cell.data_type == "s" and cell.quotePrefix
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    assert "'=HYPERLINK" in (tmp_path / "out.csv").read_text(encoding="utf-8")


def test_long_text_is_not_truncated_and_excels_limit_is_said(tmp_path: Path) -> None:
    long_ad = ("Customer service job in Cambodia, free visa. " * 400).strip()
    path = _workbook(tmp_path / "long.xlsx", {"S": [["text"], [long_ad]]})
    out = tmp_path / "out.xlsx"
    assert runner.invoke(app, ["batch", str(path), "-o", str(out)]).exit_code == 0
    assert _rows(out)[1][1] == long_ad
    # A workbook cannot hold a longer cell or control characters, a CSV can.
    huge_ad = "x" * (xlsx.MAX_CELL_CHARS + 100)
    source = tmp_path / "odd.csv"
    source.write_text(f"text\n{huge_ad}\ncontrol\x01char\n", encoding="utf-8")
    out = tmp_path / "odd.xlsx"
    result = runner.invoke(app, ["batch", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    huge, control = (row[1] for row in _rows(out)[1:])
    assert len(huge) == xlsx.MAX_CELL_CHARS and huge.endswith(xlsx.CUT_NOTE)
    assert control == "control\ufffdchar"


def test_sort_and_link_write_xlsx_too(leads: Path, tmp_path: Path) -> None:
    out = tmp_path / "sorted.xlsx"
    assert runner.invoke(app, ["batch", str(leads), "-o", str(out), "--sort", "score"]
                         ).exit_code == 0
    scores = [row["score"] for row in _by_heading(out)]
    assert scores[:3] == sorted(scores[:3], reverse=True) and scores[-1] is None
    linked = tmp_path / "linked.xlsx"
    result = runner.invoke(app, ["batch", str(leads), "-o", str(linked), "--link", "-q"])
    assert result.exit_code == 0, result.output
    rows = _by_heading(linked)
    assert len(rows) == 4 and "cluster" in rows[0]


def test_a_failed_run_leaves_the_previous_workbook_and_no_partial_file(
        leads: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "screened.xlsx"
    out.write_bytes(b"the previous run")
    calls = [0]
    original = xlsx.XlsxFormatter.row

    def failing(self: xlsx.XlsxFormatter, record: Any, result: Any) -> str:
        calls[0] += 1
        if calls[0] == 3:
            raise RuntimeError("disk full")
        return original(self, record, result)

    monkeypatch.setattr(xlsx.XlsxFormatter, "row", failing)
    with pytest.raises(RuntimeError):
        run_batch(open_input(leads), out, fmt="xlsx")
    assert out.read_bytes() == b"the previous run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["leads.xlsx", "screened.xlsx"]


def test_a_workbook_on_standard_input_and_csv_output_from_xlsx(leads: Path,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["batch", "-", "-o", str(out), "-q"],
                           input=leads.read_bytes())
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,sheet,Lead,Received,Description,Notes,score")
    assert lines[1].startswith("1,Facebook,101,2024-03-01,")
