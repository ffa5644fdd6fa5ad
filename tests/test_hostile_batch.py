"""`scamscreen batch` on hostile input: every unreadable row becomes an `error` row, input and
output row counts are equal, and an interrupted run never leaves an output that looks complete."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples" / "ads.jsonl"


def run_batch(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "scamscreen", "batch", "-q", "-j", "1", *args],
                          capture_output=True, text=True, env=env, timeout=timeout, check=False)


HOSTILE_JSONL = [
    '{"id": "ok", "text": "Customer service job abroad, contact us via Telegram @hr_sunny88"}',
    '{"id": "truncated", "text": ',
    '\udcff\udcfe not json at all',
    '{"id": "empty", "text": ""}',
    '{"id": "blank", "text": " \\n\\t\\u3000"}',
    '{"id": "nul", "text": "job\\u0000ad"}',
    '{"id": "surrogate", "text": "free visa \\ud800 contact us via whatsapp"}',
    '[1, 2, 3]',
    '{"id": "no-text-key", "body_": "x"}',
    '{"id": "controls", "text": "\\u0007\\u0008\\u001b[31m contact us via telegram \\u202e"}',
    '{"id": "last", "text": "Registered NGO seeks a programme officer; apply on our website"}',
]


def test_hostile_jsonl_rows_become_error_rows_one_out_per_row_in(tmp_path: Path) -> None:
    source = tmp_path / "ads.jsonl"
    source.write_bytes("\n".join(HOSTILE_JSONL).encode("utf-8", "surrogateescape") + b"\n")
    output = tmp_path / "out.jsonl"
    result = run_batch(str(source), "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(HOSTILE_JSONL)
    errors = [row["error"] for row in rows]  # in input order
    assert errors[0] == errors[6] == errors[-1] == "", errors  # ok, surrogate, last
    for bad in (1, 2, 3, 4, 5, 7):  # truncated, not JSON, empty, blank, NUL, not an object
        assert errors[bad], (bad, errors)


def test_hostile_csv_rows_become_error_rows_one_out_per_row_in(tmp_path: Path) -> None:
    source = tmp_path / "ads.csv"
    rows_in = [
        ("1", "Customer service job in Sihanoukville, contact us via Telegram"),
        ("2", ""),
        ("3", "   \t  "),
        ("4", "job\x00with NUL"),
        ("5", "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f"),
        ("6", "Ｃｏｎｔａｃｔ ｕｓ ｖｉａ Ｔｅｌｅ\u200bｇｒａｍ"),
        ("7", "x" * 120_000),
        ("8", "Registered NGO seeks a programme officer"),
    ]
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows(rows_in)
    output = tmp_path / "out.csv"
    result = run_batch(str(source), "-o", str(output))
    assert result.returncode == 0, result.stderr
    with output.open(encoding="utf-8", newline="") as handle:
        rows_out = list(csv.DictReader(handle))
    assert [row["id"] for row in rows_out] == [row_id for row_id, _ in rows_in]
    errors = {row["id"]: row["error"] for row in rows_out}
    assert errors["1"] == "" and errors["6"] == "" and errors["8"] == ""
    assert errors["2"] and errors["3"] and errors["4"]


def _long_input(path: Path, rows: int) -> None:
    ads = [json.loads(line)["text"] for line in SAMPLES.read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as handle:
        for index in range(rows):
            handle.write(json.dumps({"id": str(index), "text": ads[index % len(ads)]}) + "\n")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_an_interrupted_batch_leaves_no_complete_looking_output_and_reruns(
    tmp_path: Path, sig: signal.Signals
) -> None:
    rows = 1500
    source = tmp_path / "ads.jsonl"
    _long_input(source, rows)
    output = tmp_path / "out.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "scamscreen", "batch", "-q", "-j", "1", str(source), "-o",
         str(output)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        # Wait until the run is writing (its partial file exists), then interrupt it.
        while not list(tmp_path.glob(".out.csv.*")) and time.monotonic() < deadline:
            assert process.poll() is None, "batch ended before it could be interrupted"
            time.sleep(0.05)
        time.sleep(0.5)
        assert process.poll() is None, "batch ended before it could be interrupted"
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0
    assert b"Traceback" not in stderr
    assert not output.exists(), "an interrupted run left an output that looks complete"
    # Anything left behind says what it is.
    assert all(p.name.endswith(".partial") for p in tmp_path.iterdir() if p != source)

    result = run_batch(str(source), "-o", str(output))
    assert result.returncode == 0, result.stderr
    with output.open(encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == rows
