"""Excel workbooks for batch screening: caseworkers keep their leads in .xlsx, not CSV.

Reading: every sheet of a workbook (or the one ``--sheet`` names) is a table whose first
non-empty row is the header, with the same column choice as CSV (``--text-column``,
``--id-column``, else a column named like ``text`` or ``description``). Cells are read as
values, not formulas (the values Excel last computed). With more than one sheet read, a
``sheet`` column says where each row came from.

Writing: one sheet, one row per input row in the same order, the original columns as they
were, then the result columns, with the band as a coloured cell in the reader's language,
the flags' titles in that language beside their ids, wrapped text, an autofilter and a frozen
header. The file appears only when complete (``writers.atomic_path``). Text that a
spreadsheet would run as a formula keeps its characters and is stored as text with Excel's
quote prefix (``spreadsheet.looks_like_formula``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from scamscreen.errors import InputError
from scamscreen.i18n import Translator, translator
from scamscreen.io.readers import Record, Source, _choose_columns, _joined, _row_id
from scamscreen.io.writers import CLASH_PREFIX, ID_COLUMN, _cell, atomic_path, result_names
from scamscreen.spreadsheet import looks_like_formula

SUFFIXES = (".xlsx", ".xlsm")
# Beside the input's columns when several sheets are read.
SHEET_COLUMN = "sheet"
# In .xlsx output only: the flags' titles in the reader's language, one per line.
TITLES_COLUMN = "flag_titles"
OUTPUT_SHEET = "scamscreen"
# Excel refuses a cell longer than this (LibreOffice too, since 7.x); a longer value is cut
# with a note in the cell saying so, and the CSV or JSON Lines output keeps it whole.
MAX_CELL_CHARS = 32_767
CUT_NOTE = " … [cut by scamscreen: an Excel cell holds at most 32,767 characters; " \
           "CSV or JSON Lines output keeps the whole text]"
# Excel's own "Bad", "Neutral" and "Good" cell styles: fill colour, font colour.
BAND_COLOURS = {"high": ("FFC7CE", "9C0006"), "medium": ("FFEB9C", "9C5700"),
                "low": ("C6EFCE", "006100")}
ERROR_COLOURS = ("D9D9D9", "3F3F3F")
# Column widths in characters: wide and wrapped for prose, narrow for numbers.
WIDE, MEDIUM, NARROW = 60, 24, 10


def _value(value: Any) -> Any:
    """A cell as batch passes it on: text and numbers as they are, dates as ISO text."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return value


def _load(path: str, data: bytes | None) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data) if data is not None else path, read_only=True,
                             data_only=True)
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
    except Exception as error:  # zipfile, XML and openpyxl errors: the file is not a workbook
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"{path}: not a readable .xlsx workbook ({reason}); an old .xls or a "
                         "password-protected workbook must be saved as .xlsx first") from None


def _header(row: Sequence[Any]) -> list[str]:
    from openpyxl.utils import get_column_letter

    cells = list(row)
    while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
        cells.pop()
    return [str(_value(cell)).strip() if cell is not None and str(cell).strip() else
            get_column_letter(position) for position, cell in enumerate(cells, 1)]


def xlsx_source(path: str, *, data: bytes | None = None, sheet: str | None = None,
                text_columns: Sequence[str] = (), id_column: str | None = None) -> Source:
    """Open a workbook (from ``data`` when given: standard input) and check its sheets and
    columns, ready to stream its rows as records. Raises :class:`InputError` for anything that
    stops the whole input."""
    book = _load(path, data)
    names = list(book.sheetnames)
    if sheet is not None and sheet not in names:
        book.close()
        raise InputError(f"{path}: no sheet '{sheet}' (sheets: {', '.join(names)})")
    wanted = [sheet] if sheet is not None else names
    plans: list[tuple[str, list[str], list[str], str | None]] = []
    notes: list[str] = []
    problems: list[str] = []
    for name in wanted:
        first = next((row for row in book[name].iter_rows(values_only=True)
                      if any(cell is not None and str(cell).strip() for cell in row)), None)
        if first is None:
            problems.append(f"sheet '{name}': it is empty")
            continue
        header = _header(first)
        where = f"sheet '{name}'"
        try:
            chosen, identifier, found = _choose_columns(header, text_columns, id_column, where)
        except InputError as error:
            problems.append(str(error))
            continue
        plans.append((name, header, chosen, identifier))
        notes += [note for note in found if note not in notes]
    if not plans:
        book.close()
        raise InputError(f"{path}, " + problems[0] if len(problems) == 1 else
                         f"{path}: no sheet can be read: " + "; ".join(problems))
    notes += [f"skipped {problem}" for problem in problems]
    several = len(plans) > 1
    headers = {column for _, header, _, _ in plans for column in header}
    sheet_column = SHEET_COLUMN if SHEET_COLUMN not in headers else CLASH_PREFIX + SHEET_COLUMN
    columns: list[str] = [sheet_column] if several else []
    for _, header, _, _ in plans:
        columns += [column for column in header if column not in columns]
    text_union: list[str] = []
    for _, _, chosen, _ in plans:
        text_union += [column for column in chosen if column not in text_union]
    totals = [book[name].max_row for name, *_ in plans]
    total = sum(totals) if all(isinstance(count, int) for count in totals) else None
    done = [0]

    def records() -> Iterator[Record]:
        number = 0
        try:
            for name, header, chosen, identifier in plans:
                width = len(header)
                positions = [header.index(column) for column in chosen]
                id_position = header.index(identifier) if identifier else None
                rows = book[name].iter_rows(values_only=True)
                for row in rows:  # up to and including the header
                    done[0] += 1
                    if any(cell is not None and str(cell).strip() for cell in row):
                        break
                for raw in rows:
                    done[0] += 1
                    row = [_value(cell) for cell in raw]
                    if not any(cell is not None and str(cell).strip() for cell in row):
                        continue
                    number += 1
                    cells = row[:width] + [None] * (width - len(row))
                    fields: dict[str, Any] = {sheet_column: name} if several else {}
                    fields.update((column, "" if value is None else value)
                                  for column, value in zip(header, cells, strict=True))
                    extra = [cell for cell in row[width:] if cell is not None and str(cell)]
                    problem = (f"the row has {len(extra)} filled cell(s) right of the header's "
                               f"{width} columns" if extra else "")
                    row_id = _row_id(cells[id_position] if id_position is not None else None,
                                     number)
                    yield Record(number, row_id, _joined([cells[p] for p in positions]), fields,
                                 problem)
        except InputError:
            raise
        except Exception as error:  # a damaged part of the workbook, found while streaming
            raise InputError(f"{path}: cannot read row {number + 1} of the workbook: "
                             f"{error}") from None
        finally:
            book.close()

    return Source(records(), "xlsx", columns, text_union, notes, lambda: done[0], total)


class XlsxFormatter:
    """One output row as JSON text (so that ``--sort`` spools it like a CSV line): its band
    and its cells, turned into styled cells by :func:`xlsx_output`."""

    format = "xlsx"

    def __init__(self, columns: Sequence[str], text_columns: Sequence[str] = (),
                 translate: Translator | None = None) -> None:
        from scamscreen.io.console import localised_titles

        self.columns = list(columns)
        self.translate = translate or translator()
        self.names = result_names(self.columns)
        titles_name = TITLES_COLUMN if TITLES_COLUMN not in self.columns else \
            CLASH_PREFIX + TITLES_COLUMN
        names = self.names
        self.headings = [names[ID_COLUMN], *self.columns, names["score"], names["band"],
                         names["flags"], titles_name, names["reason"], names["probability"],
                         names["error"]]
        wide = {*text_columns, titles_name, names["reason"]}
        narrow = {names["score"], names["probability"]}
        self.widths = [WIDE if h in wide else NARROW if h in narrow else MEDIUM
                       for h in self.headings]
        self.band_position = self.headings.index(names["band"])
        self.error_position = len(self.headings) - 1
        from scamscreen.catalogue import default_catalogue

        self._by_id = {flag.id: self.translate.title(flag) for flag in default_catalogue()}
        self._by_title = localised_titles(self.translate)

    def header(self) -> str:
        return ""

    def row(self, record: Record, result: Any) -> str:
        from scamscreen.diagnostics import translated_reason

        t = self.translate
        fields = record.fields
        values = [record.id, *(_cell(fields.get(column, "")) for column in self.columns),
                  result.score, t.band(result.band) if result.band else "",
                  " ".join(result.flags),
                  "\n".join(self._by_id.get(flag, flag) for flag in result.flags),
                  translated_reason(result.reason, self._by_title, t) if result.reason else "",
                  result.probability, result.error]
        return json.dumps([result.band or "", values], ensure_ascii=False) + "\n"


def _text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Control characters have no place in the XML of a workbook: shown as U+FFFD.
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if len(value) > MAX_CELL_CHARS:
        value = value[: MAX_CELL_CHARS - len(CUT_NOTE)] + CUT_NOTE
    return value


@contextlib.contextmanager
def xlsx_output(path: Path, formatter: XlsxFormatter) -> Iterator[Callable[[str], None]]:
    """A ``write(row)`` for ``formatter``'s rows, saved as a workbook that appears at ``path``
    only when the block completes."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(OUTPUT_SHEET)
    for position, width in enumerate(formatter.widths, 1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    top = Alignment(vertical="top", wrap_text=True)
    bold = Font(bold=True)
    fills = {band: (PatternFill("solid", fgColor=fill), Font(color=font, bold=True))
             for band, (fill, font) in {**BAND_COLOURS, "error": ERROR_COLOURS}.items()}

    def cell(value: Any) -> Any:
        if isinstance(value, str):
            value = _text(value)
        made = WriteOnlyCell(sheet, value=value)
        if looks_like_formula(value):
            made.data_type = "s"  # text, never a formula
            made.quotePrefix = True
        made.alignment = top
        return made

    header = []
    for heading in formatter.headings:
        made = cell(heading)
        made.font = bold
        header.append(made)
    sheet.append(header)
    rows = [0]

    def write(line: str) -> None:
        if not line:
            return
        band, values = json.loads(line)
        cells = [cell(value) for value in values]
        if band in fills:
            target = cells[formatter.band_position]
            target.fill, target.font = fills[band]
        if values[formatter.error_position]:
            target = cells[formatter.error_position]
            target.fill, target.font = fills["error"]
        sheet.append(cells)
        rows[0] += 1

    with atomic_path(path) as partial:
        try:
            yield write
        except BaseException:
            # Finish and remove openpyxl's own spool of the sheet now, not at interpreter exit.
            with contextlib.suppress(Exception):
                sheet.close()
                sheet._writer.cleanup()
            raise
        last = get_column_letter(len(formatter.headings))
        sheet.auto_filter.ref = f"A1:{last}{rows[0] + 1}"
        book.save(partial)
