"""The batch library: one result per item, in order, bad rows reported, same scores as screen()."""

from __future__ import annotations

import json
from pathlib import Path

from scamscreen import screen
from scamscreen.batch import (
    MIN_ITEMS_FOR_WORKERS,
    BatchSummary,
    ScreenerSettings,
    WorkerPool,
    row_problem,
    screen_batch,
)
from scamscreen.io.readers import Record
from scamscreen.screener import MAX_CHARS

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [json.loads(line)["text"] for line in
           (ROOT / "data" / "samples" / "ads.jsonl").read_text(encoding="utf-8").splitlines()]


def test_results_match_screen_one_by_one() -> None:
    texts = SAMPLES[:40]
    for text, result in zip(texts, screen_batch(texts), strict=True):
        expected = screen(text)
        assert (result.score, result.band, result.flags) == (
            expected.score, expected.band, expected.flag_ids)
        assert result.probability == round(expected.classifier.probability, 4)
        assert result.reason == expected.reason() and result.error == ""


def test_bad_rows_are_reported_and_counted_without_stopping() -> None:
    items = ["", "   \n", "a\x00b", "x" * (MAX_CHARS + 1), "\x01\x02\x03 ok", SAMPLES[0],
             Record(7, "r7", None, {}, "not valid JSON")]
    results = list(screen_batch(items))
    assert len(results) == len(items)
    assert [bool(r.error) for r in results] == [True, True, True, True, True, False, True]
    assert all(r.score is None for r in results if r.error)
    assert results[-1].error == "not valid JSON" and results[-1].id == "r7"
    summary = BatchSummary()
    for result in results:
        summary.add(result)
    assert (summary.read, summary.scored, summary.failed) == (7, 1, 6)


def test_row_problem_accepts_ordinary_text() -> None:
    assert row_problem("Customer service job, free visa") == ""
    assert "empty" in row_problem(" ")


def test_details_carry_the_full_assessment() -> None:
    [result] = screen_batch([SAMPLES[0]], details=True)
    assert result.details is not None
    details = json.loads(result.details)
    assert details == json.loads(json.dumps(screen(SAMPLES[0]).to_dict()))


def test_worker_processes_give_the_same_results_in_order() -> None:
    texts = (SAMPLES * (MIN_ITEMS_FOR_WORKERS // len(SAMPLES) + 2))[: MIN_ITEMS_FOR_WORKERS + 50]
    texts[10] = ""
    alone = list(screen_batch(texts, jobs=1))
    pooled = list(screen_batch(texts, jobs=2, chunk_size=32))
    assert [r.id for r in pooled] == [str(n) for n in range(1, len(texts) + 1)]
    assert [(r.score, r.flags, r.probability, r.error) for r in pooled] == [
        (r.score, r.flags, r.probability, r.error) for r in alone]


def test_a_pool_started_ahead_screens_like_one_process() -> None:
    texts = (SAMPLES * (MIN_ITEMS_FOR_WORKERS // len(SAMPLES) + 2))[: MIN_ITEMS_FOR_WORKERS + 7]
    alone = [(r.score, r.flags, r.probability) for r in screen_batch(texts, jobs=1)]
    with WorkerPool(ScreenerSettings(), 2) as pool:
        pooled = [(r.score, r.flags, r.probability) for r in screen_batch(texts, pool=pool)]
        few = list(screen_batch(texts[:3], pool=pool))  # too few for workers: screened here
    assert pooled == alone
    assert [r.score for r in few] == [score for score, _, _ in alone[:3]]
