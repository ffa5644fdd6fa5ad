"""Write batch results as CSV, JSON Lines or an .xlsx workbook (``io/xlsx.py``): one row per
input row, the original columns passed through, then the screening columns.

Output goes to a temporary file beside the target, renamed over it only once the last row is
written (:func:`atomic_output`): an interrupted or failed run leaves the previous file, or none,
never a truncated file that looks complete. ``--sort score`` spools rows to a temporary file and
writes them out in order at the end, so memory stays small for any input.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from scamscreen.io.readers import Record
from scamscreen.spreadsheet import safe_cell

OUTPUT_FORMATS = ("csv", "jsonl", "xlsx")
# The screening columns, after the id and the original columns.
RESULT_COLUMNS = ("score", "band", "flags", "reason", "probability", "error")
ID_COLUMN = "id"
# A result column whose name an input column already has gets this prefix.
CLASH_PREFIX = "scamscreen_"
# In JSON Lines, the full assessment (every flag's evidence, as `check --json`) is under this key.
DETAILS_KEY = "assessment"


def output_format(path: str | None, explicit: str | None) -> str:
    if explicit:
        return explicit
    suffix = Path(path).suffix.lower() if path else ""
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    return "csv"


def make_formatter(fmt: str, columns: Sequence[str], text_columns: Sequence[str] = (),
                   language: str = "en") -> Any:
    """The formatter for ``fmt``: a :class:`RowFormatter`, or for .xlsx an ``XlsxFormatter``
    whose band, flag titles and reasons are in ``language``."""
    if fmt == "xlsx":
        from scamscreen.i18n import translator
        from scamscreen.io.xlsx import XlsxFormatter

        return XlsxFormatter(columns, text_columns, translator(language))
    return RowFormatter(fmt, columns)


@contextlib.contextmanager
def row_sink(path: Path, formatter: Any) -> Iterator[Callable[[str], Any]]:
    """``write(row)`` for ``formatter``'s rows into a file that appears at ``path`` only when
    the block completes: a text file, or a workbook for .xlsx."""
    if formatter.format == "xlsx":
        from scamscreen.io.xlsx import xlsx_output

        with xlsx_output(path, formatter) as write:
            yield write
        return
    with atomic_output(path) as handle:
        yield handle.write


def result_names(columns: Sequence[str]) -> dict[str, str]:
    """Our column names, each prefixed when the input already has a column of that name."""
    taken = set(columns)
    return {name: CLASH_PREFIX + name if name in taken else name
            for name in (ID_COLUMN, *RESULT_COLUMNS)}


class RowFormatter:
    """Turns a record and its result into one line of output text."""

    def __init__(self, fmt: str, columns: Sequence[str]) -> None:
        self.format = fmt
        self.columns = list(columns)
        self.names = result_names(self.columns)

    def header(self) -> str:
        if self.format != "csv":
            return ""
        names = self.names
        return self._line([names[ID_COLUMN], *self.columns, *(names[c] for c in RESULT_COLUMNS)])

    def _line(self, values: Sequence[Any]) -> str:
        # Ad text and input columns are strangers' text: no cell may start a formula.
        return csv_line([safe_cell(value) for value in values])

    def row(self, record: Record, result: Any) -> str:
        probability = "" if result.probability is None else f"{result.probability:.4f}"
        if self.format == "csv":
            fields = record.fields
            passed = [_cell(fields.get(column, "")) for column in self.columns]
            score = "" if result.score is None else result.score
            return self._line([record.id, *passed, score, result.band or "",
                               " ".join(result.flags), result.reason, probability, result.error])
        names = self.names
        head: dict[str, Any] = {names[ID_COLUMN]: record.id, **record.fields}
        head[names["score"]] = result.score
        head[names["band"]] = result.band
        head[names["flags"]] = list(result.flags)
        head[names["reason"]] = result.reason
        head[names["probability"]] = None if result.probability is None else round(
            result.probability, 4)
        head[names["error"]] = result.error
        line = json.dumps(head, ensure_ascii=False)
        details = result.details or "null"
        return f'{line[:-1]}, "{CLASH_PREFIX if DETAILS_KEY in head else ""}{DETAILS_KEY}": ' \
               f"{details}}}\n"


def csv_line(values: Sequence[Any]) -> str:
    """One CSV record as ``csv.writer`` (excel dialect, CRLF) writes it, several times faster:
    the writer copies a 3 KB advert character by character, here ``str.replace`` does."""
    if len(values) == 1 and values[0] in ("", None):
        return '""\r\n'  # the writer quotes a lone empty field, or the line would be blank
    return ",".join(map(_csv_field, values)) + "\r\n"


def _csv_field(value: Any) -> str:
    text = "" if value is None else value if isinstance(value, str) else str(value)
    # The writer quotes a field holding the delimiter, the quote character or a line break.
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return "" if value is None else value
    return json.dumps(value, ensure_ascii=False)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed over it only when the block completes; on any
    error or interruption the temporary file is removed and ``path`` is left as it was."""
    directory = path.parent if str(path.parent) else Path(".")
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed at once, renamed on success
        "wb", dir=directory, prefix=f".{path.name}.", suffix=".partial", delete=False)
    handle.close()
    try:
        yield Path(handle.name)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(handle.name, 0o666 & ~mask)  # as a plain open() would create it
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[IO[str]]:
    """A text file that appears at ``path`` only when the block completes (``atomic_path``)."""
    with atomic_path(path) as partial, partial.open("w", encoding="utf-8", newline="") as handle:
        yield handle


class SortedSpool:
    """Rows kept on disk with their sort keys, written out in key order at the end."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile("w+b")
        self._index: list[tuple[tuple[Any, ...], int, int]] = []

    def add(self, key: tuple[Any, ...], text: str) -> None:
        data = text.encode("utf-8")
        self._index.append((key, self._file.tell(), len(data)))
        self._file.write(data)

    def drain_to(self, write: Callable[[str], Any]) -> None:
        self._index.sort(key=lambda item: item[0])
        for _, offset, length in self._index:
            self._file.seek(offset)
            write(self._file.read(length).decode("utf-8"))
        self._file.close()
