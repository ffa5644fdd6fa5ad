"""`scamscreen batch` end to end: row-count invariant, sorting, formats and exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scamscreen.batch import MIN_ITEMS_FOR_WORKERS
from scamscreen.cli import app

runner = CliRunner()
ROWS = [("a1", "Customer service in Cambodia, free visa, Telegram @hr_lucky_kh"),
        ("a2", ""),
        ("a3", "Accountant for our Taipei office, apply on our website"),
        ("a4", "bad\x00row")]


@pytest.fixture()
def ads_csv(tmp_path: Path) -> Path:
    path = tmp_path / "ads.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ref", "note", "text"])
        for ref, text in ROWS:
            writer.writerow([ref, "keep, me\nplease", text])
    return path


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_output_has_one_row_per_input_row_in_order(ads_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["batch", str(ads_csv), "-o", str(out), "--id-column", "ref",
                                 "-j", "1"])
    assert result.exit_code == 0, result.output
    rows = _read_csv(out)
    assert [r["id"] for r in rows] == ["a1", "a2", "a3", "a4"]
    assert all(r["note"] == "keep, me\nplease" for r in rows)
    assert rows[1]["error"] and rows[1]["score"] == "" and rows[3]["error"]
    assert rows[0]["band"] in ("medium", "high") and "SS-" in rows[0]["flags"]
    assert float(rows[0]["probability"]) > 0
    assert "4 rows read, 2 scored, 2 failed" in result.output


def test_sort_score_puts_highest_first_and_failures_last(ads_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["batch", str(ads_csv), "-o", str(out), "--sort", "score", "-q"])
    assert result.exit_code == 0, result.output
    rows = _read_csv(out)
    scores = [int(r["score"]) for r in rows if r["score"]]
    assert scores == sorted(scores, reverse=True) and len(rows) == 4
    assert [r["error"] != "" for r in rows] == [False, False, True, True]


def test_jsonl_output_carries_evidence(ads_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["batch", str(ads_csv), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 4 and lines[0]["ref"] == "a1"
    assert lines[0]["assessment"]["flags"][0]["evidence"]
    assert lines[1]["assessment"] is None and lines[1]["error"]


def test_plain_text_from_stdin_and_table_without_output() -> None:
    result = runner.invoke(app, ["batch", "-"], input="Free visa, Telegram @hr_kh\n---\nHello\n")
    assert result.exit_code == 0, result.output
    assert "Top 2" in result.output and "2 rows read" in result.output


@pytest.mark.parametrize("arguments", [
    pytest.param(["missing.csv"], id="missing-input"),
    pytest.param(["{csv}", "--text-column", "nope"], id="unknown-text-column"),
    pytest.param(["{csv}", "--id-column", "nope"], id="unknown-id-column"),
    pytest.param(["{csv}", "--sort", "name"], id="bad-sort"),
    pytest.param(["{csv}", "--format", "xml"], id="bad-format"),
    pytest.param(["{binary}"], id="binary-input"),
])
def test_bad_invocations_exit_2_with_one_line_and_write_nothing(
        arguments: list[str], ads_csv: Path, tmp_path: Path) -> None:
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    out = tmp_path / "never.csv"
    filled = [a.format(csv=ads_csv, binary=binary) for a in arguments]
    result = runner.invoke(app, ["batch", *filled, "-o", str(out)])
    assert result.exit_code == 2
    assert "error" in result.output and len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def _big_csv(path: Path, rows: int) -> Path:
    """Over 1 MiB, so that the command starts its workers before opening the file."""
    filler = " ".join(["Customer service role, free visa, message on Telegram."] * 40)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ref", "text"])
        for number in range(rows):
            writer.writerow([f"r{number}", f"{number} {filler}" if number != 5 else ""])
    assert path.stat().st_size > 1 << 20
    return path


def test_a_big_file_is_screened_by_workers_started_ahead(tmp_path: Path) -> None:
    source = _big_csv(tmp_path / "big.csv", MIN_ITEMS_FOR_WORKERS + 100)
    out, alone = tmp_path / "out.csv", tmp_path / "alone.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(out), "-q", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    runner.invoke(app, ["batch", str(source), "-o", str(alone), "-q", "--jobs", "1"])
    assert out.read_bytes() == alone.read_bytes()
    rows = _read_csv(out)
    assert len(rows) == MIN_ITEMS_FOR_WORKERS + 100
    assert rows[5]["error"] and not rows[6]["error"]


def test_a_big_file_with_an_unknown_column_still_exits_2(tmp_path: Path) -> None:
    source = _big_csv(tmp_path / "big.csv", 600)
    out = tmp_path / "never.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(out), "--jobs", "2",
                                 "--text-column", "nope"])
    assert result.exit_code == 2
    assert "error" in result.output and len(result.output.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize("trust", [False, True])
def test_a_tampered_model_stops_a_big_batch_before_any_work(tmp_path: Path, trust: bool) -> None:
    from scamscreen.model import shipped_model_path

    source = _big_csv(tmp_path / "big.csv", 500)
    model = tmp_path / "model.json"
    model.write_bytes(shipped_model_path().read_bytes().replace(b'"intercept"', b'"x"', 1))
    out = tmp_path / "never.csv"
    arguments = ["batch", str(source), "-o", str(out), "--jobs", "2", "--model", str(model)]
    result = runner.invoke(app, arguments + (["--trust-model"] if trust else []))
    assert result.exit_code == 2
    assert ("malformed" if trust else "not the model this release ships") in result.output
    assert len(result.output.strip().splitlines()) == 1 and not out.exists()


def test_the_shipped_model_is_checked_without_loading_it() -> None:
    from scamscreen.batch import ScreenerSettings

    ScreenerSettings().validate()  # the release's own model passes
    with pytest.raises(Exception, match="strictly between"):
        ScreenerSettings(prior=1.5).validate()


def test_a_worker_that_cannot_start_is_one_line_and_no_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scamscreen.batch import ScreenerSettings

    source = _big_csv(tmp_path / "big.csv", MIN_ITEMS_FOR_WORKERS + 10)
    # The check in this process passes; the workers, which load the file themselves, fail.
    monkeypatch.setattr(ScreenerSettings, "validate", lambda self: None)
    out = tmp_path / "never.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(out), "--jobs", "2", "-q",
                                 "--model", str(tmp_path / "missing.json")])
    assert result.exit_code == 2
    assert "model file not found" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not out.exists()


def test_a_killed_worker_is_one_line_and_no_output(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures.process import BrokenProcessPool

    from scamscreen import batch

    def broken(*_: object, **__: object) -> object:
        raise BrokenProcessPool("a process terminated abruptly")

    monkeypatch.setattr(batch, "run_batch", broken)
    source = tmp_path / "ads.csv"
    source.write_text("text\nCustomer service in Cambodia, free visa\n", encoding="utf-8")
    out = tmp_path / "never.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(out), "-q", "--jobs", "1"])
    assert result.exit_code == 1
    assert "worker process stopped" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not out.exists()
