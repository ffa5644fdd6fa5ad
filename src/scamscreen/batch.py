"""Screen many adverts: an iterable of texts or records in, one result per item out, in order.

    >>> from scamscreen.batch import screen_batch
    >>> for result in screen_batch(["ad one ...", "ad two ..."], jobs=2):
    ...     print(result.id, result.score, result.band, result.flags, result.error)

Nothing is dropped: an item that cannot be screened (empty, binary, oversized, unreadable)
yields a result with ``error`` set and no score. Adverts are screened a chunk at a time
(``Screener.screen_chunk``: each stage over the whole chunk, same results as one by one). With
``jobs > 1`` the chunks go to worker processes, each of which loads the catalogue and model
once and sends back compact results (numbers and ids; the full assessment as JSON text only
when ``details`` is asked for). At most two chunks per worker are in flight, so memory does
not grow with the input.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from scamscreen.errors import InputError, ScamscreenError
from scamscreen.io.readers import Record
from scamscreen.scoring import Assessment
from scamscreen.screener import MAX_CHARS, PRIOR_RANGE_MESSAGE, Screener

# Adverts per chunk: screened a stage at a time (Screener.screen_chunk), so larger chunks keep
# each stage's tables in cache longer, and hold more text at once. 20,000 EMSCAD ads, --jobs
# 2: 128 took 7.8 s; 256, 6.5 s with workers of ~130 MB; 512, 6.2-6.6 s but ~155 MB each.
CHUNK_SIZE = 256
# Chunks in flight per worker: one being screened, one waiting, so a worker never idles while
# the main process writes; more only holds more adverts in memory (3 cost the main ~25 MB).
CHUNKS_IN_FLIGHT = 2
# Fewer adverts than this are screened in this process: starting workers would cost more.
MIN_ITEMS_FOR_WORKERS = 2 * CHUNK_SIZE
# A row whose text has more than this share of control or replacement characters is binary.
MAX_BINARY_SHARE = 0.1
_CONTROL = re.compile("[" + "".join(re.escape(chr(c)) for c in range(32) if chr(c) not in
                                     "\t\n\r\f\v") + "\x7f\ufffd]")

# What a worker sends back for one advert: (score, band, flag ids, reason, probability, error,
# details JSON). Plain tuples pickle several times faster than dataclasses.
Outcome = tuple[int | None, str | None, tuple[str, ...], str, float | None, str, str | None]


@dataclass(frozen=True)
class ScreenerSettings:
    """How to build a Screener, picklable so that worker processes can build their own."""

    prior: float | None = None
    model_path: Path | None = None
    trust_model: bool = False
    use_model: bool = True

    def validate(self) -> None:
        """Raise what ``build`` would raise for a bad prior or model file, without keeping a
        screener here: a batch's main process only reads and writes, and a loaded model is
        ~30 MB that it would hold for nothing while its workers each load their own."""
        from scamscreen.model import load_model, verify_model_file

        if self.prior is not None and not 0 < self.prior < 1:
            raise InputError(PRIOR_RANGE_MESSAGE)
        if not self.use_model:
            return
        if self.model_path is None:
            verify_model_file()  # the shipped model: its checksum vouches for the contents
        else:
            load_model(self.model_path, trust=self.trust_model)  # a user's file: parse it now

    def build(self) -> Screener:
        from scamscreen.model import load_model

        model = None
        if self.model_path is not None and self.use_model:
            model = load_model(self.model_path, trust=self.trust_model)
        return Screener(model=model, use_model=self.use_model, prior=self.prior)


@dataclass(frozen=True, slots=True)
class BatchResult:
    """One input row and what screening it gave."""

    record: Record
    score: int | None
    band: str | None
    flags: tuple[str, ...]
    reason: str
    probability: float | None
    error: str
    details: str | None = None  # Assessment.to_dict() as JSON text, when asked for

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass
class BatchSummary:
    """Counts over a run: rows read, scored, failed, per band, and the flags that fired most."""

    read: int = 0
    scored: int = 0
    failed: int = 0
    bands: Counter[str] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, result: BatchResult) -> None:
        self.read += 1
        if result.error:
            self.failed += 1
            self.errors[result.error.split(":")[0][:60]] += 1
            return
        self.scored += 1
        self.bands[result.band or ""] += 1
        self.flags.update(result.flags)

    def to_dict(self) -> dict[str, Any]:
        return {"read": self.read, "scored": self.scored, "failed": self.failed,
                "bands": dict(self.bands), "top_flags": dict(self.flags.most_common(10)),
                "errors": dict(self.errors.most_common(10))}


def row_problem(text: object) -> str:
    """Why a row cannot be screened, or "" if it can."""
    if not isinstance(text, str):
        return "the row has no text"
    if len(text) > MAX_CHARS:
        return f"the text has {len(text):,} characters, over {MAX_CHARS:,}: not an advert"
    if not text.strip():
        return "the text is empty"
    if "\x00" in text:
        return "the text contains NUL bytes: binary data, not an advert"
    # One scan in C finds most rows clean; counting is for the few that are not.
    odd = len(_CONTROL.findall(text)) if _CONTROL.search(text) else 0
    if odd > MAX_BINARY_SHARE * len(text):
        return "the text is mostly control or undecodable characters: binary data, not an advert"
    return ""


def screen_text(screener: Screener, text: str | None, details: bool = False) -> Outcome:
    """Screen one advert into a compact outcome; never raises for a bad row."""
    return screen_texts(screener, [text], details)[0]


def screen_texts(screener: Screener, texts: Sequence[str | None], details: bool = False
                 ) -> list[Outcome]:
    """Screen adverts into compact outcomes, in order, a chunk at a time
    (``Screener.screen_chunk``); never raises for a bad row."""
    outcomes: list[Outcome | None] = [None] * len(texts)
    positions: list[int] = []
    screenable: list[str] = []
    for position, text in enumerate(texts):
        problem = row_problem(text)
        if problem or text is None:
            outcomes[position] = (None, None, (), "", None, problem, None)
        else:
            positions.append(position)
            screenable.append(text)
    assessments: list[Assessment | Exception]
    try:
        assessments = list(screener.screen_chunk(screenable, term_explanations=details))
    except Exception:  # noqa: BLE001 - find the row that failed; the others are screened
        assessments = [_screen_alone(screener, text) for text in screenable]
    for position, assessment in zip(positions, assessments, strict=True):
        outcomes[position] = _outcome(assessment, details)
    return outcomes  # type: ignore[return-value]  # every position is filled above


def _screen_alone(screener: Screener, text: str) -> Assessment | Exception:
    try:
        return screener.screen(text)
    except Exception as error:  # noqa: BLE001 - one bad row must not end a run of thousands
        return error


def _outcome(assessment: Assessment | Exception, details: bool) -> Outcome:
    if isinstance(assessment, InputError):
        return (None, None, (), "", None, str(assessment), None)
    if isinstance(assessment, Exception):
        return (None, None, (), "", None,
                f"internal error: {type(assessment).__name__}: {assessment}", None)
    classifier = assessment.classifier
    probability = round(classifier.probability, 4) if classifier else None
    payload = json.dumps(assessment.to_dict(), ensure_ascii=False) if details else None
    return (assessment.score, assessment.band, assessment.flag_ids, assessment.reason(),
            probability, "", payload)


_worker_screener: Screener | None = None


_worker_error: ScamscreenError | None = None


def _start_worker(settings: ScreenerSettings) -> None:
    global _worker_screener, _worker_error
    try:
        _worker_screener = settings.build()
    except ScamscreenError as error:
        # Raised from an initializer it would be a traceback on the user's terminal and a
        # broken pool; kept, it reaches the caller with the first chunk, as one message.
        _worker_error = error
        return
    _worker_screener.prepare_for_chunks()


def _ready() -> None:
    """A task that does nothing: submitting one per worker makes the pool start them all."""


class WorkerPool:
    """Worker processes for ``screen_batch``, started before the input is even opened.

    Each worker spends ~0.7 s starting (imports, model, catalogue, rule prefilter); started
    first, that overlaps the main process's own start (checking the model, detecting the
    encoding and columns) instead of following it. ``close`` when done, or on any error."""

    def __init__(self, settings: ScreenerSettings, jobs: int) -> None:
        self.jobs = jobs
        # "spawn": workers start clean, whatever threads (a progress bar) this process runs.
        self.executor = ProcessPoolExecutor(jobs, mp_context=get_context("spawn"),
                                            initializer=_start_worker, initargs=(settings,))
        for _ in range(jobs):
            self.executor.submit(_ready)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _screen_chunk(texts: list[str | None], details: bool) -> list[Outcome]:
    if _worker_error is not None:
        raise _worker_error
    assert _worker_screener is not None
    return screen_texts(_worker_screener, texts, details)


def _as_record(item: str | Record, number: int) -> Record:
    if isinstance(item, Record):
        return item
    if isinstance(item, str):
        return Record(number, str(number), item)
    return Record(number, str(number), None, {}, f"not text: {type(item).__name__}")


def _result(record: Record, outcome: Outcome) -> BatchResult:
    if record.error:  # the reader could not make sense of the row
        return BatchResult(record, None, None, (), "", None, record.error)
    return BatchResult(record, *outcome)


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


def screen_batch(
    items: Iterable[str | Record],
    *,
    settings: ScreenerSettings | None = None,
    screener: Screener | None = None,
    jobs: int = 1,
    details: bool = False,
    chunk_size: int = CHUNK_SIZE,
    pool: WorkerPool | None = None,
) -> Iterator[BatchResult]:
    """Screen each item (a text, or a :class:`Record` from ``scamscreen.io.readers``) and yield
    one :class:`BatchResult` per item, in input order.

    ``jobs`` > 1 screens in that many worker processes, built from ``settings`` (a
    ``screener`` object cannot be sent to them), or in ``pool``'s workers when one is given
    (its owner closes it); small inputs are screened here regardless. ``details`` adds each
    assessment's full JSON (``check --json``)."""
    settings = settings or ScreenerSettings()
    records = (_as_record(item, number) for number, item in enumerate(items, 1))
    head = list(islice(records, MIN_ITEMS_FOR_WORKERS))
    if pool is not None and len(head) >= MIN_ITEMS_FOR_WORKERS:
        yield from _screen_in_workers(_chain(head, records), pool, details, chunk_size)
        return
    if jobs <= 1 or len(head) < MIN_ITEMS_FOR_WORKERS:
        yield from screen_records(_chain(head, records), screener or settings.build(), details,
                                  chunk_size)
        return
    with WorkerPool(settings, jobs) as own_pool:
        yield from _screen_in_workers(_chain(head, records), own_pool, details, chunk_size)


def screen_records(records: Iterable[Record], screener: Screener, details: bool = False,
                   chunk_size: int = CHUNK_SIZE) -> Iterator[BatchResult]:
    """Screen records in this process, a chunk at a time, one result each, in order."""
    iterator = iter(records)
    while chunk := list(islice(iterator, chunk_size)):
        outcomes = screen_texts(screener, _texts_of(chunk), details)
        yield from map(_result, chunk, outcomes)


def _texts_of(chunk: list[Record]) -> list[str | None]:
    # A row the reader could not make sense of is not screened: its error is its result.
    return [None if record.error else record.text for record in chunk]


def _chain(head: list[Record], rest: Iterator[Record]) -> Iterator[Record]:
    yield from head
    yield from rest


def _screen_in_workers(records: Iterator[Record], pool: WorkerPool, details: bool,
                       chunk_size: int) -> Iterator[BatchResult]:
    pending: deque[tuple[list[Record], Future[list[Outcome]]]] = deque()
    executor = pool.executor
    try:
        while True:
            while len(pending) < pool.jobs * CHUNKS_IN_FLIGHT:
                chunk = list(islice(records, chunk_size))
                if not chunk:
                    break
                pending.append((chunk, executor.submit(_screen_chunk, _texts_of(chunk),
                                                       details)))
            if not pending:
                return
            chunk, future = pending.popleft()
            for record, outcome in zip(chunk, future.result(), strict=True):
                yield _result(record, outcome)
    finally:
        for _, future in pending:
            future.cancel()


def _sort_key(result: BatchResult) -> tuple[Any, ...]:
    # Highest score first; rows without a score last; input order among equals.
    return (result.score is None, -(result.score or 0), result.record.number)


def run_batch(
    source: Any,
    output: Path | str | None,
    *,
    fmt: str = "csv",
    sort: bool = False,
    settings: ScreenerSettings | None = None,
    jobs: int = 1,
    keep_top: int = 0,
    on_result: Any = None,
    pool: WorkerPool | None = None,
    language: str = "en",
) -> tuple[BatchSummary, list[BatchResult]]:
    """Screen every record of ``source`` (``io.readers.open_input``) and write one row per
    record to ``output`` ("-" for standard output, None for no file). Returns the summary and
    the ``keep_top`` highest-scoring results. The file appears only once complete. ``language``
    is that of an .xlsx output's band names, flag titles and reasons."""
    import heapq
    import sys

    from scamscreen.io.writers import SortedSpool, make_formatter, row_sink

    formatter = make_formatter(fmt, source.columns, source.text_columns, language)
    summary = BatchSummary()
    top: list[tuple[tuple[Any, ...], int, BatchResult]] = []
    results = screen_batch(source.records, settings=settings, jobs=jobs,
                           details=fmt == "jsonl" and output is not None, pool=pool)

    def consume(write: Any) -> None:
        spool = SortedSpool() if sort else None
        for result in results:
            summary.add(result)
            if keep_top and result.score is not None:
                entry = ((result.score, -result.record.number), result.record.number, result)
                if len(top) < keep_top:
                    heapq.heappush(top, entry)
                elif entry[0] > top[0][0]:
                    heapq.heapreplace(top, entry)
            if write is not None:
                line = formatter.row(result.record, result)
                if spool is not None:
                    spool.add(_sort_key(result), line)
                else:
                    write(line)
            if on_result is not None:
                on_result(result)
        if spool is not None and write is not None:
            spool.drain_to(write)

    if output is None:
        consume(None)
    elif str(output) == "-":
        sys.stdout.write(formatter.header())
        consume(sys.stdout.write)
        sys.stdout.flush()
    else:
        with row_sink(Path(output), formatter) as write:
            write(formatter.header())
            consume(write)
    best = [result for _, _, result in sorted(top, key=lambda e: e[0], reverse=True)]
    return summary, best
