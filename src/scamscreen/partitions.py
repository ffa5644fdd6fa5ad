"""Split a batch input into byte-range partitions, and score one partition: the pure function
that any engine (Dask here, Spark's ``mapInPandas`` in the README) runs on its workers.

Why our own cut rather than ``dask.dataframe.read_csv(blocksize=...)``: Dask cuts a CSV at
the first newline after each block boundary, and an advert almost always holds newlines, so a
cut lands inside a quoted field ("EOF inside string"). Here a CSV is cut only after a line at
which the count of quote characters so far is even (RFC 4180 doubles quotes inside fields, so
the parity is exact); a JSON Lines file is cut at any newline (JSON escapes newlines in
strings). The scan also counts the records before each cut, exactly as the reader numbers
them, so every partition knows the row number of its first record: ids are final on the worker.

A partition is read on the worker by the local engine's own reader (``io.readers``), behind the
file's own head: the CSV header row, or the JSON Lines line that decided the keys. So columns,
delimiter, encoding, ids and errors are those of a local run, row for row.
UTF-16 and UTF-32 files are not cut (a quote is two or four bytes there): one partition each.

Nothing here imports Dask.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from scamscreen import batch
from scamscreen.batch import BatchSummary, ScreenerSettings, screen_records
from scamscreen.errors import InputError
from scamscreen.io import readers
from scamscreen.io.readers import Record, open_input
from scamscreen.io.writers import RowFormatter
from scamscreen.screener import Screener

DEFAULT_BLOCKSIZE = 4 << 20  # 4 MiB: ~1,300 ads of 3 KB, a few seconds of work per core
SPLITTABLE_FORMATS = ("csv", "tsv", "jsonl")
_UNSPLITTABLE_ENCODINGS = ("utf-16", "utf-32", "utf_16", "utf_32")


@cache
def worker_screener(settings: ScreenerSettings) -> Screener:
    """The Screener of this process for ``settings``: model loaded (its checksum verified) and
    catalogue compiled on first use, then reused for every partition this process scores."""
    return settings.build()


def fingerprint(settings: ScreenerSettings) -> str:
    """Identifies the catalogue and model a process scores with: workers that disagree with the
    client (another scamscreen version, another model file) would score differently."""
    from scamscreen import __version__
    from scamscreen.scoring import catalogue_fingerprint

    screener = worker_screener(settings)
    model = screener.model.checksum if screener.model else "no-model"
    return f"{__version__}:{catalogue_fingerprint(screener.catalogue)[:16]}:{model[:16]}"


@dataclass(frozen=True)
class OutputSpec:
    """How rows are written: the format, the columns passed through (the first input's), and
    whether JSON Lines rows carry the full assessment (as the local engine's file output does)."""

    format: str
    columns: tuple[str, ...]
    details: bool = False


@dataclass(frozen=True)
class Partition:
    """Bytes ``[start, end)`` of ``path``: whole records, the first of them row ``first_row``
    (1-based, counted across all inputs in order), read behind ``head``."""

    index: int
    path: str
    format: str
    start: int
    end: int
    first_row: int
    rows: int
    encoding: str
    head: bytes = b""
    delimiter: str | None = None
    text_columns: tuple[str, ...] = ()
    id_column: str | None = None
    whole_file: bool = False  # read from the start by the reader itself (UTF-16, UTF-32)


@dataclass
class PartitionResult:
    """What a worker sends back: output lines (unless written to a part file), their sort keys
    for ``--sort score``, and the partition's summary."""

    index: int
    lines: list[str]
    sort_keys: list[tuple[Any, ...]]
    summary: BatchSummary
    fingerprint: str = ""
    part_file: str | None = None


# ---------------------------------------------------------------- the partition function


def score_records(records: Iterable[Record], screener: Screener, output: OutputSpec,
                  index: int = 0) -> PartitionResult:
    """The partition function: records in, output lines out, exactly as the local engine
    writes them (``batch.screen_records`` and ``io.writers.RowFormatter``), in order, one line per
    record; with the sort keys and the summary of the partition."""
    formatter = RowFormatter(output.format, output.columns)
    result = PartitionResult(index, [], [], BatchSummary())
    for row in screen_records(records, screener, output.details):
        result.lines.append(formatter.row(row.record, row))
        result.sort_keys.append(batch._sort_key(row))
        result.summary.add(row)
    return result


def score_partition(partition: Partition, settings: ScreenerSettings, output: OutputSpec,
                    part_dir: str | None = None) -> PartitionResult:
    """Read, score and (with ``part_dir``) write one partition: what a Dask task runs."""
    screener = worker_screener(settings)
    result = score_records(read_partition(partition), screener, output, partition.index)
    result.fingerprint = fingerprint(settings)
    if part_dir is not None:
        name = f"part-{partition.index:05d}.{output.format}"
        write_lines(Path(part_dir) / name, RowFormatter(output.format, output.columns).header(),
                    result.lines)
        result.part_file, result.lines, result.sort_keys = name, [], []
    return result


def write_lines(target: Path, header: str, lines: Iterable[str]) -> None:
    """A whole file written atomically: a killed worker never leaves a part that looks done."""
    from scamscreen.io.writers import atomic_output

    with atomic_output(target) as stream:
        stream.write(header)
        stream.writelines(lines)


# ---------------------------------------------------------------- reading a partition


def read_partition(partition: Partition) -> Iterator[Record]:
    """The records of one partition, read by the local reader, numbered as in the whole file."""
    if partition.whole_file:
        source = open_input(partition.path, input_format=partition.format,
                            encoding=partition.encoding or None, delimiter=partition.delimiter,
                            text_columns=partition.text_columns, id_column=partition.id_column)
        yield from _renumbered(source.records, partition, skip=0)
        return
    with open(partition.path, "rb") as stream:
        stream.seek(partition.start)
        body = io.BytesIO(stream.read(partition.end - partition.start))
    yield from _renumbered(_records_behind(partition, body), partition,
                           skip=1 if partition.format == "jsonl" and partition.head else 0)


def _records_behind(partition: Partition, body: BinaryIO) -> Iterator[Record]:
    columns, identifier = partition.text_columns, partition.id_column
    size = len(partition.head) + partition.end - partition.start
    if partition.format in ("csv", "tsv"):
        source = readers._csv_source(partition.path, body, partition.head, size, partition.format,
                                     partition.encoding, partition.delimiter, columns, identifier)
    else:
        source = readers._jsonl_source(partition.path, body, partition.head, size,
                                       partition.encoding, columns, identifier)
    return source.records


def _renumbered(records: Iterator[Record], partition: Partition, skip: int) -> Iterator[Record]:
    """Records numbered from ``partition.first_row``; ids that were row numbers follow."""
    identifier = partition.id_column
    for position, record in enumerate(records):
        if position < skip:  # the head line that stands in for the file's first object
            continue
        number = partition.first_row + position - skip
        value = record.fields.get(identifier) if identifier else None
        yield replace(record, number=number, id=readers._row_id(value, number))


# ---------------------------------------------------------------- cutting inputs


def _records_ends(stream: BinaryIO, quoted: bool, encoding: str
                  ) -> Iterator[tuple[int, bool]]:
    """(length in bytes, counts as a row) of each complete record from the stream's position,
    with the reader's rule for what is not a row (an empty CSV line, a blank JSON Lines line)."""
    length, quotes, lines = 0, 0, 0
    for line in stream:
        length += len(line)
        lines += 1
        if quoted:
            quotes += line.count(b'"')
            if quotes % 2:
                continue
            counts = lines > 1 or line not in (b"\n", b"\r\n", b"\r")
        else:
            counts = bool(line.decode(encoding, errors="replace").strip())
        yield length, counts
        length, quotes, lines = 0, 0, 0
    if length:
        yield length, True


def _head_of_jsonl(stream: BinaryIO, start: int, encoding: str) -> tuple[bytes, int]:
    """The line that decides a JSON Lines file's keys (as the reader's peek does), and where
    the lines after it start."""
    stream.seek(start)
    position = start
    for line in stream:
        position += len(line)
        text = line.decode(encoding, errors="replace")
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict | str):
            return line if line.endswith(b"\n") else line + b"\n", position
    return b"", position


def split_file(path: Path, input_format: str, *, first_row: int, first_index: int,
               blocksize: int, encoding: str | None = None, delimiter: str | None = None,
               text_columns: Sequence[str] = (), id_column: str | None = None
               ) -> list[Partition]:
    """Cut one CSV, TSV or JSON Lines file into partitions of about ``blocksize`` bytes at
    record ends. Opening it through the reader first raises any whole-input error (not text, an
    unknown column) before work starts, and settles the encoding, delimiter and columns."""
    source = open_input(path, input_format=input_format, encoding=encoding, delimiter=delimiter,
                        text_columns=text_columns, id_column=id_column)
    chosen_format = source.format
    name = source.encoding
    text_columns = tuple(source.text_columns) if source.columns else ()
    id_column = _resolved_id(source.columns, id_column)
    if source.format in ("csv", "tsv"):
        delimiter = delimiter or _delimiter_of(path, name, source.format)
    if codecs.lookup(name).name.startswith(_UNSPLITTABLE_ENCODINGS):
        rows = sum(1 for _ in source.records)
        return [Partition(first_index, str(path), chosen_format, 0, path.stat().st_size,
                          first_row, rows, name, b"", delimiter, text_columns, id_column,
                          whole_file=True)]
    with path.open("rb") as stream:
        start = 3 if stream.read(3) == codecs.BOM_UTF8 else 0
        stream.seek(start)
        if source.format in ("csv", "tsv"):  # the header: the first row that is not empty
            head_start, head_length = start, 0
            for length, counts in _records_ends(stream, True, name):
                if counts:
                    head_length = length
                    break
                head_start += length
            stream.seek(head_start)
            head = stream.read(head_length)
            start = head_start + head_length
        else:
            head, _ = _head_of_jsonl(stream, start, name)
        stream.seek(start)
        partitions: list[Partition] = []
        part_start, position, rows = start, start, 0

        def cut(end: int) -> None:
            nonlocal first_row, part_start, rows
            partitions.append(Partition(first_index + len(partitions), str(path), chosen_format,
                                        part_start, end, first_row, rows, name, head, delimiter,
                                        text_columns, id_column))
            first_row += rows
            part_start, rows = end, 0

        quoted = source.format in ("csv", "tsv")
        for length, counts in _records_ends(stream, quoted, name):
            position += length
            rows += counts
            if position - part_start >= blocksize:
                cut(position)
        if position > part_start or not partitions:
            cut(position)
    return partitions


def _resolved_id(columns: Sequence[str], id_column: str | None) -> str | None:
    if id_column is None or not columns:
        return id_column
    return readers._find_column(id_column, columns, "id", "")


def _delimiter_of(path: Path, encoding: str, input_format: str) -> str:
    with path.open("rb") as stream:
        prefix = stream.read(readers.SNIFF_BYTES)
    sample = codecs.getincrementaldecoder(encoding)(errors="replace").decode(prefix)
    return readers._delimiter(sample.lstrip("\ufeff"), None, input_format)


def input_files(spec: str) -> list[Path]:
    """A file, a folder's CSV/TSV/JSON Lines files, or a glob (``ads/*.jsonl``), in name order."""
    path = Path(spec)
    if path.is_dir():
        files = [p for p in path.iterdir() if p.is_file()
                 and readers.SUFFIX_FORMATS.get(p.suffix.lower()) in SPLITTABLE_FORMATS]
    elif any(char in spec for char in "*?["):
        files = [p for p in Path().glob(spec) if p.is_file()] if not path.is_absolute() else \
            [p for p in Path(path.anchor).glob(str(path.relative_to(path.anchor))) if p.is_file()]
    else:
        files = [path]
    if not files:
        raise InputError(f"{spec}: no CSV, TSV or JSON Lines files")
    return sorted(files)


def split_inputs(paths: Sequence[Path], *, input_format: str | None = None,
                 blocksize: int = DEFAULT_BLOCKSIZE, encoding: str | None = None,
                 delimiter: str | None = None, text_columns: Sequence[str] = (),
                 id_column: str | None = None) -> tuple[list[Partition], tuple[str, ...]]:
    """Partitions of every input file in order (row numbers continue from file to file), and
    the columns the output passes through: the first file's."""
    partitions: list[Partition] = []
    columns: tuple[str, ...] | None = None
    next_row = 1
    for path in paths:
        fmt = input_format or _format_of(path)
        if fmt not in SPLITTABLE_FORMATS:
            raise InputError(f"{path}: the dask engine reads CSV, TSV and JSON Lines files")
        cut = split_file(path, fmt, first_row=next_row, first_index=len(partitions),
                         blocksize=blocksize, encoding=encoding, delimiter=delimiter,
                         text_columns=text_columns, id_column=id_column)
        if columns is None:
            columns = _columns_of(path, fmt, encoding, delimiter, text_columns, id_column)
        partitions.extend(cut)
        next_row = cut[-1].first_row + cut[-1].rows
    return partitions, columns or ()


def _format_of(path: Path) -> str:
    try:
        with path.open("rb") as stream:
            return readers.detect_format(str(path), stream.read(readers.SNIFF_BYTES))
    except OSError:
        return readers.SUFFIX_FORMATS.get(path.suffix.lower(), "")  # open_input will say why


def _columns_of(path: Path, fmt: str, encoding: str | None, delimiter: str | None,
                text_columns: Sequence[str], id_column: str | None) -> tuple[str, ...]:
    source = open_input(path, input_format=fmt, encoding=encoding, delimiter=delimiter,
                        text_columns=text_columns, id_column=id_column)
    return tuple(source.columns)
