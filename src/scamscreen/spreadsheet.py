"""Cells that a spreadsheet cannot run: CSV and .xlsx output is opened in Excel or LibreOffice.

OWASP's CSV-injection guidance: a cell beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return, which some spreadsheets skip before reading such a character) is read as a
formula, and ad text is written by strangers. Such a cell gets a single quote in front, which
spreadsheets show as text and do not display. Numbers the program wrote itself (a score, a
negative point value) are passed through as numbers, not as strings, and are left alone.
An .xlsx cell keeps its text as it is, typed as text and marked with Excel's own quote prefix
(``io/xlsx.py``), which is what the leading quote becomes when Excel saves such a cell.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    """Whether ``value`` is text a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def safe_cell(value: object) -> object:
    """``value`` unchanged unless it is text a spreadsheet would read as a formula."""
    if looks_like_formula(value):
        return "'" + str(value)
    return value


def safe_row(row: dict[str, object]) -> dict[str, object]:
    """A CSV row (column -> value) with every text cell made safe."""
    return {column: safe_cell(value) for column, value in row.items()}
