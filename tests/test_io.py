"""Batch readers and writers: every format and encoding, the column options, atomic output."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from scamscreen.errors import InputError
from scamscreen.io.readers import open_input
from scamscreen.io.writers import atomic_output, result_names

AD = "客服 高薪 包吃包住, Telegram @hr_lucky_kh"


def _records(path: Path, **options: object) -> list:
    return list(open_input(path, **options).records)  # type: ignore[arg-type]


@pytest.mark.parametrize(("encoding", "data"), [
    pytest.param("utf-8", AD.encode("utf-8"), id="utf-8"),
    pytest.param("utf-8-bom", codecs.BOM_UTF8 + AD.encode("utf-8"), id="utf-8-bom"),
    pytest.param("utf-16", AD.encode("utf-16"), id="utf-16"),
    pytest.param("big5", AD.encode("big5", errors="ignore"), id="big5"),
    pytest.param("gb18030", AD.encode("gb18030"), id="gb18030"),
])
def test_csv_in_each_encoding_reads_back_the_text(tmp_path: Path, encoding: str,
                                                   data: bytes) -> None:
    text = data.decode("utf-16" if encoding == "utf-16" else encoding.replace("-bom", "-sig"))
    header = "id,text\r\n".encode(encoding.replace("-bom", "")) if encoding != "utf-16" else b""
    path = tmp_path / "ads.csv"
    if encoding == "utf-16":
        path.write_bytes(f'id,text\r\n7,"{text}"\r\n'.encode("utf-16"))
    elif encoding == "utf-8-bom":
        path.write_bytes(codecs.BOM_UTF8 + f'id,text\r\n7,"{text}"\r\n'.encode())
    else:
        path.write_bytes(header + b'7,"' + data + b'"\r\n')
    # Legacy encodings are guessed from more than one line; name them when a file is tiny.
    named = encoding if encoding in ("big5", "gb18030") else None
    [record] = _records(path, encoding=named, id_column="id")
    assert record.text == text and record.id == "7"


def test_legacy_encoding_is_detected_on_a_real_sized_file(tmp_path: Path) -> None:
    path = tmp_path / "ads.csv"
    advert = "誠徵客服人員，高薪，包吃包住，免經驗，請加賴聯絡我們"
    rows = "".join(f'{n},"{advert} {n}"\n' for n in range(200))
    path.write_bytes(("id,text\n" + rows).encode("big5"))
    records = _records(path)
    assert len(records) == 200 and "誠徵客服人員" in records[0].text


def test_csv_quoted_newlines_crlf_and_sniffed_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "ads.csv"
    path.write_bytes(b'ref;title;body\r\na;"One";"line one\r\nline two"\r\nb;"Two";"x; y"\r\n')
    source = open_input(path, id_column="ref")
    records = list(source.records)
    assert [r.id for r in records] == ["a", "b"]
    assert records[0].text == "line one\r\nline two" and records[1].text == "x; y"
    assert any("body" in note for note in source.notes)


def test_tsv_and_joined_text_columns(tmp_path: Path) -> None:
    path = tmp_path / "ads.tsv"
    path.write_text("title\tdescription\tsalary\nCS job\tFree visa\t2000\n", encoding="utf-8")
    [record] = _records(path, text_columns=["title", "description"])
    assert record.text == "CS job\n\nFree visa" and record.id == "1"
    assert record.fields == {"title": "CS job", "description": "Free visa", "salary": "2000"}


def test_jsonl_keys_bad_lines_and_strings(tmp_path: Path) -> None:
    path = tmp_path / "ads.jsonl"
    path.write_text('{"ad_id": 5, "body": "one", "x": [1]}\n\n{not json\n"just text"\n'
                    '{"ad_id": 6}\n', encoding="utf-8")
    records = _records(path, id_column="ad_id")
    assert [r.number for r in records] == [1, 2, 3, 4]
    assert records[0].id == "5" and records[0].text == "one" and records[0].fields["x"] == [1]
    assert records[1].error.startswith("not valid JSON") and records[1].text is None
    assert records[2].text == "just text"
    assert "no 'body' key" in records[3].error


def test_plain_text_separated_by_dashes_or_two_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "ads.txt"
    path.write_text("first ad\n\nstill first\n---\nsecond ad\n\n\nthird ad\n---\n---\n",
                    encoding="utf-8")
    assert [r.text for r in _records(path)] == ["first ad\n\nstill first", "second ad",
                                                "third ad"]


def test_folder_of_txt_files_uses_file_names_and_reports_bad_files(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("an advert", encoding="utf-8")
    (tmp_path / "a.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    records = _records(tmp_path)
    assert [r.id for r in records] == ["a.txt", "b.txt"]
    assert "binary" in records[0].error and records[1].text == "an advert"


@pytest.mark.parametrize(("options", "message"), [
    pytest.param({"text_columns": ["nope"]}, "no text column 'nope'", id="unknown-text-column"),
    pytest.param({"id_column": "nope"}, "no id column 'nope'", id="unknown-id-column"),
])
def test_unknown_columns_fail_before_reading(tmp_path: Path, options: dict,
                                             message: str) -> None:
    path = tmp_path / "ads.csv"
    path.write_text("id,text\n1,hello\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        open_input(path, **options)


def test_missing_and_binary_inputs_fail_before_reading(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        open_input(tmp_path / "missing.csv")
    (tmp_path / "x.csv").write_bytes(b"%PDF-1.4 binary")
    with pytest.raises(InputError, match="binary"):
        open_input(tmp_path / "x.csv")


def test_atomic_output_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("previous", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_output(target) as handle:
        handle.write("half")
        raise RuntimeError
    assert target.read_text(encoding="utf-8") == "previous"
    assert list(tmp_path.iterdir()) == [target]
    with atomic_output(target) as handle:
        handle.write("complete")
    assert target.read_text(encoding="utf-8") == "complete"


def test_result_columns_never_clash_with_input_columns() -> None:
    names = result_names(["id", "score", "title"])
    assert names["id"] == "scamscreen_id" and names["score"] == "scamscreen_score"
    assert names["band"] == "band"


def test_jsonl_reader_streams_without_reading_everything(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps({"text": f"ad {n}"}) + "\n" for n in range(20000)),
                    encoding="utf-8")
    source = open_input(path)
    first = next(source.records)
    assert first.text == "ad 0" and source.done() < path.stat().st_size
