"""Read adverts for batch screening from CSV/TSV, JSON Lines, plain text, a folder of .txt files
or standard input, one :class:`Record` per advert, streaming: memory does not grow with the file.

Everything that can be wrong with the input as a whole (no such file, not text, an unknown
column) raises :class:`InputError` from :func:`open_input`, before any advert is read. Whatever
is wrong with one row (invalid JSON, a missing key) becomes that record's ``error``: the row
is still reported, so that the output has exactly one row per input row.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

from scamscreen.errors import InputError
from scamscreen.textio import decode, detect_encoding, open_binary

INPUT_FORMATS = ("csv", "tsv", "jsonl", "xlsx", "text", "dir")
# Column or key names that hold an advert's text, tried in this order (case-insensitively).
TEXT_COLUMN_CANDIDATES = ("text", "description", "ad", "advert", "ad_text", "body", "content",
                          "message", "post", "job_description")
# Joined text columns are separated like paragraphs.
COLUMN_JOINER = "\n\n"
# Enough of the input to tell its encoding and CSV dialect.
SNIFF_BYTES = 1 << 16
# One CSV field may be this large; a larger one is not an advert, and the csv module needs a
# bound to keep a stray quote from swallowing the whole file into memory.
MAX_FIELD_CHARS = 1 << 24
# Files in an input folder larger than this are reported as oversized, without reading them.
MAX_FILE_BYTES = 1 << 22
SUFFIX_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl",
                  ".ndjson": "jsonl", ".json": "jsonl", ".txt": "text", ".text": "text",
                  ".xlsx": "xlsx", ".xlsm": "xlsx"}
# A zip archive: of the formats read here, only an .xlsx workbook is one.
ZIP_MAGIC = b"PK\x03\x04"
# Undecodable bytes after the part the encoding was detected on become U+FFFD; counted here.
_REPLACED = "scamscreen-count-replaced"
_replaced_bytes = [0]


def _count_and_replace(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    _replaced_bytes[0] += error.end - error.start
    return "\ufffd", error.end


codecs.register_error(_REPLACED, _count_and_replace)


@dataclass(frozen=True, slots=True)
class Record:
    """One advert as read: its position, id, text, and the original columns to pass through."""

    number: int
    id: str
    text: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    error: str = ""


@dataclass
class Source:
    """An opened input: its records (an iterator, read as it is consumed) and what was chosen."""

    records: Iterator[Record]
    format: str
    columns: list[str]
    text_columns: list[str]
    notes: list[str]
    # Progress: how much has been read, out of how much (bytes, or files for a folder).
    done: Callable[[], int] = lambda: 0
    total: int | None = None
    encoding: str = ""

    @property
    def replaced_bytes(self) -> int:
        return _replaced_bytes[0]


class _CountingReader(io.RawIOBase):
    """Serves ``prefix`` and then the rest of ``stream``, counting the bytes handed out."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = prefix
        self._stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._prefix:
            size = min(len(view), len(self._prefix))
            view[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
        else:
            data = self._stream.read(len(view))
            size = len(data)
            view[:size] = data
        self.count += size
        return size


def _open_bytes(path: str) -> tuple[BinaryIO, int | None]:
    if path == "-":
        return sys.stdin.buffer, None
    handle = open_binary(Path(path))
    try:
        return handle, Path(path).stat().st_size
    except OSError as error:
        handle.close()
        raise InputError(f"cannot read {path}: {error.strerror}") from None


def _read_prefix(stream: BinaryIO, path: str) -> bytes:
    try:
        return stream.read(SNIFF_BYTES)
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None


def _text_stream(prefix: bytes, stream: BinaryIO, encoding: str | None,
                 newline: str | None) -> tuple[io.TextIOWrapper, _CountingReader, str]:
    """A decoding text stream over the whole input, with the encoding named or detected from
    its first bytes; the decoder is incremental, so the input is never held whole."""
    complete = len(prefix) < SNIFF_BYTES
    name = encoding or detect_encoding(prefix, complete=complete)
    try:
        codecs.lookup(name)
    except LookupError:
        raise InputError(f"unknown encoding '{name}'") from None
    try:  # the detected part must decode as it is; later damage is replaced and counted
        codecs.getincrementaldecoder(name)().decode(prefix, final=complete)
    except UnicodeDecodeError as error:
        raise InputError(f"the input is not valid {name} (byte {error.start}); "
                         "name the encoding with --encoding") from None
    if name in ("utf-8", "utf8"):
        name = "utf-8-sig"  # a BOM, if any, is not text
    reader = _CountingReader(prefix, stream)
    text = io.TextIOWrapper(io.BufferedReader(reader, 1 << 16), encoding=name, errors=_REPLACED,
                            newline=newline)
    return text, reader, name


def _find_column(wanted: str, columns: Sequence[str], what: str, where: str) -> str:
    if wanted in columns:
        return wanted
    folded = {column.strip().lower(): column for column in columns}
    if wanted.strip().lower() in folded:
        return folded[wanted.strip().lower()]
    shown = ", ".join(columns[:20]) + (" …" if len(columns) > 20 else "")
    raise InputError(f"{where}: no {what} column '{wanted}' (columns: {shown or 'none'})")


def _choose_columns(columns: Sequence[str], text_columns: Sequence[str], id_column: str | None,
                    where: str) -> tuple[list[str], str | None, list[str]]:
    notes: list[str] = []
    if text_columns:
        chosen = [_find_column(c, columns, "text", where) for c in text_columns]
    else:
        folded = {column.strip().lower(): column for column in columns}
        found = next((folded[c] for c in TEXT_COLUMN_CANDIDATES if c in folded), None)
        if found is None:
            shown = ", ".join(columns[:20])
            raise InputError(f"{where}: no text column found among {shown or 'no columns'}; "
                             "name it with --text-column")
        chosen = [found]
        notes.append(f"text column: '{found}' (found by name; choose with --text-column)")
    identifier = _find_column(id_column, columns, "id", where) if id_column else None
    return chosen, identifier, notes


def _joined(values: Sequence[Any]) -> str:
    parts = []
    for value in values:
        if value is None:
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        if text.strip():
            parts.append(text)
    return COLUMN_JOINER.join(parts)


def _row_id(value: Any, number: int) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return str(number)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _delimiter(sample: str, explicit: str | None, input_format: str) -> str:
    if explicit:
        return "\t" if explicit in ("\\t", "tab", "TAB") else explicit
    if input_format == "tsv":
        return "\t"
    header = sample.split("\n", 1)[0]
    try:
        sniffed = csv.Sniffer().sniff(sample[: sample.rfind("\n") + 1] or sample, ",\t;|").delimiter
        if sniffed in header:
            return sniffed
    except csv.Error:
        pass
    counts = {candidate: header.count(candidate) for candidate in ",\t;|"}
    best = max(counts, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def _csv_source(path: str, stream: BinaryIO, prefix: bytes, size: int | None, input_format: str,
                encoding: str | None, delimiter: str | None, text_columns: Sequence[str],
                id_column: str | None) -> Source:
    text, counter, name = _text_stream(prefix, stream, encoding, newline="")
    sample = codecs.getincrementaldecoder(name)(errors="replace").decode(prefix)
    separator = _delimiter(sample.lstrip("\ufeff"), delimiter, input_format)
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(text, delimiter=separator)
    try:
        header = next((row for row in reader if row), None)
    except csv.Error as error:
        raise InputError(f"{path}: cannot read the CSV header: {error}") from None
    if header is None:
        raise InputError(f"{path}: the file is empty (no header row)")
    chosen, identifier, notes = _choose_columns(header, text_columns, id_column, path)
    text_positions = [header.index(c) for c in chosen]
    id_position = header.index(identifier) if identifier else None
    width = len(header)

    def records() -> Iterator[Record]:
        number = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:  # a field past MAX_FIELD_CHARS: the file is not CSV
                raise InputError(f"{path}: CSV row {number + 1} cannot be read: {error}") from None
            if not row:
                continue
            number += 1
            fields = dict(zip(header, row + [""] * (width - len(row)), strict=False))
            row_id = _row_id(row[id_position] if id_position is not None and id_position < len(row)
                             else None, number)
            problem = ""
            if len(row) > width:
                problem = f"the row has {len(row)} fields, the header {width}"
            texts = [row[p] if p < len(row) else "" for p in text_positions]
            yield Record(number, row_id, _joined(texts), fields, problem)

    label = "tab" if separator == "\t" else repr(separator)
    if delimiter is None and input_format != "tsv":
        notes.append(f"delimiter: {label}")
    return Source(records(), "tsv" if separator == "\t" else "csv", list(header), chosen, notes,
                  lambda: counter.count, size, name)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(value: Any) -> Any:
    """JSON may escape a lone surrogate ("\\ud800"), which no output can encode: make it U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    return value


def _jsonl_source(path: str, stream: BinaryIO, prefix: bytes, size: int | None,
                  encoding: str | None, text_columns: Sequence[str],
                  id_column: str | None) -> Source:
    text, counter, name = _text_stream(prefix, stream, encoding, newline=None)
    lines = iter(text)
    peeked: list[str] = []
    first: dict[str, Any] | None = None
    for line in lines:
        peeked.append(line)
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            first = value
            break
        if isinstance(value, str):
            break
    columns = list(first) if first is not None else []
    if first is not None:
        chosen, identifier, notes = _choose_columns(columns, text_columns, id_column, path)
    else:  # JSON strings, each one an advert
        chosen, identifier, notes = [], None, []
        if text_columns or id_column:
            raise InputError(f"{path}: the lines are not JSON objects, so they have no keys")

    def records() -> Iterator[Record]:
        number = 0
        for line in chain(peeked, lines):
            if not line.strip():
                continue
            number += 1
            try:
                value = _without_surrogates(json.loads(line))
            except json.JSONDecodeError as error:
                yield Record(number, str(number), None, {}, f"not valid JSON ({error.msg}, "
                             f"column {error.colno})")
                continue
            if isinstance(value, str):
                yield Record(number, str(number), value)
            elif not isinstance(value, dict):
                yield Record(number, str(number), None, {}, "not a JSON object or string")
            elif not chosen:
                yield Record(number, str(number), None, value, "no text key in this line")
            else:
                missing = [key for key in chosen if key not in value]
                row_id = _row_id(value.get(identifier) if identifier else None, number)
                if len(missing) == len(chosen):
                    yield Record(number, row_id, None, value, f"no '{missing[0]}' key in this line")
                else:
                    yield Record(number, row_id, _joined([value.get(key) for key in chosen]), value)

    return Source(records(), "jsonl", columns, chosen, notes, lambda: counter.count, size, name)


def _is_separator(line: str) -> bool:
    return line.strip() == "---"


def _text_source(path: str, stream: BinaryIO, prefix: bytes, size: int | None,
                 encoding: str | None) -> Source:
    text, counter, name = _text_stream(prefix, stream, encoding, newline=None)

    def records() -> Iterator[Record]:
        number = 0
        lines: list[str] = []
        blank_run = 0

        def flush() -> Record | None:
            nonlocal number
            advert = "".join(lines).strip("\n")
            lines.clear()
            if not advert.strip():
                return None
            number += 1
            return Record(number, str(number), advert)

        for line in text:
            if _is_separator(line) or (not line.strip() and blank_run >= 1):
                blank_run = 0
                record = flush()
                if record is not None:
                    yield record
                continue
            blank_run = blank_run + 1 if not line.strip() else 0
            lines.append(line)
        record = flush()
        if record is not None:
            yield record

    return Source(records(), "text", [], [], [], lambda: counter.count, size, name)


def _directory_source(path: Path, encoding: str | None) -> Source:
    try:
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".txt" and p.is_file())
    except OSError as error:
        raise InputError(f"cannot read the folder {path}: {error.strerror}") from None
    if not files:
        raise InputError(f"{path}: no .txt files in this folder")
    done = [0]

    def records() -> Iterator[Record]:
        for number, file in enumerate(files, 1):
            done[0] = number
            fields = {"file": file.name}
            try:
                if file.stat().st_size > MAX_FILE_BYTES:
                    yield Record(number, file.name, None, fields,
                                 f"the file has more than {MAX_FILE_BYTES:,} bytes: not an advert")
                    continue
                yield Record(number, file.name, decode(file.read_bytes(), encoding), fields)
            except InputError as error:
                yield Record(number, file.name, None, fields, str(error))
            except OSError as error:
                yield Record(number, file.name, None, fields, f"cannot read: {error.strerror}")

    return Source(records(), "dir", ["file"], [], [], lambda: done[0], len(files), encoding or "")


def detect_format(path: str, prefix: bytes) -> str:
    """The input format from the file name, else from its first bytes."""
    suffix = Path(path).suffix.lower() if path != "-" else ""
    if suffix in SUFFIX_FORMATS:
        return SUFFIX_FORMATS[suffix]
    if prefix.startswith(ZIP_MAGIC):
        return "xlsx"
    start = prefix.lstrip(codecs.BOM_UTF8).lstrip()
    if start.startswith(b"{") or start.startswith(b'"'):
        return "jsonl"
    first_line = start.split(b"\n", 1)[0].lower()
    names = [name.encode() for name in TEXT_COLUMN_CANDIDATES]
    for separator in (b",", b"\t", b";", b"|"):
        cells = [cell.strip().strip(b'"') for cell in first_line.split(separator)]
        if len(cells) > 1 and any(cell in names for cell in cells):
            return "tsv" if separator == b"\t" else "csv"
    return "text"


def open_input(path: str | Path, *, input_format: str | None = None, encoding: str | None = None,
               delimiter: str | None = None, text_columns: Sequence[str] = (),
               id_column: str | None = None, sheet: str | None = None) -> Source:
    """Open ``path`` ("-" for standard input) and check it can be read, ready to stream its
    records. ``sheet`` chooses one sheet of an .xlsx workbook (default: every sheet). Raises
    :class:`InputError` for anything that stops the whole input."""
    path = str(path)
    if input_format is not None and input_format not in INPUT_FORMATS:
        raise InputError(f"unknown input format '{input_format}' "
                         f"(one of {', '.join(INPUT_FORMATS)})")
    if path != "-" and Path(path).is_dir():
        if sheet is not None:
            raise InputError("--sheet goes with an .xlsx workbook, not a folder")
        if text_columns or id_column:
            raise InputError("a folder of .txt files has no columns: "
                             "drop --text-column and --id-column")
        return _directory_source(Path(path), encoding)
    stream, size = _open_bytes(path)
    prefix = _read_prefix(stream, path)
    chosen = input_format or detect_format(path, prefix)
    _replaced_bytes[0] = 0
    if sheet is not None and chosen != "xlsx":
        raise InputError(f"--sheet goes with an .xlsx workbook; {path} is read as {chosen}")
    if chosen == "xlsx":
        from scamscreen.io.xlsx import xlsx_source

        data = prefix + stream.read() if path == "-" else None
        if path != "-":
            stream.close()
        return xlsx_source(path, data=data, sheet=sheet, text_columns=text_columns,
                           id_column=id_column)
    if chosen in ("csv", "tsv"):
        return _csv_source(path, stream, prefix, size, chosen, encoding, delimiter, text_columns,
                           id_column)
    if chosen == "jsonl":
        return _jsonl_source(path, stream, prefix, size, encoding, text_columns, id_column)
    if text_columns or id_column:
        raise InputError(f"{path} is read as plain text, which has no columns; "
                         "for CSV or JSON Lines name the format with --input-format")
    return _text_source(path, stream, prefix, size, encoding)
