"""Score a batch on a Dask cluster: an existing one (``scheduler``) or a ``LocalCluster`` of
``jobs`` worker processes that starts and stops with the run.

- The input is cut into byte-range partitions on the client (``partitions.split_inputs``); each
  partition is one Dask task, ``partitions.score_partition``, which reads its bytes on the
  worker (so the input must be readable at the same path by every worker: one machine or a
  shared filesystem), scores them and returns the rows.
- Each worker process builds its Screener once (``partitions.worker_screener`` is cached per
  process): the model loaded from the same verified file and the catalogue compiled once, then
  reused for every partition the worker runs. A worker whose catalogue or model differs from the
  client's (another scamscreen version) is refused: its partitions count as lost.
- Every row accounted for: a task that raises is retried ``retries`` times, a task whose worker
  dies is rescheduled by Dask on another one; a row that cannot be screened is an ``error`` row.
  A partition that still fails is *lost*: it is reported with its file and byte range, the
  output is not put in place (single file) or the manifest says ``"complete": false``
  (``--output-dir``), and the CLI exits 1.
- Output: one file written by the client in input order (at most ``window`` partitions are in
  flight, so memory stays bounded), or with ``output_dir`` one part file per partition written
  by the worker that scored it, and ``manifest.json`` written by the client last.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scamscreen.batch import BatchSummary, ScreenerSettings
from scamscreen.errors import ScamscreenError
from scamscreen.partitions import (
    DEFAULT_BLOCKSIZE,
    OutputSpec,
    Partition,
    PartitionResult,
    fingerprint,
    score_partition,
    split_inputs,
)

MISSING_EXTRA = "--engine dask needs Dask, an optional extra: pip install 'scamscreen[dask]'"
MANIFEST = "manifest.json"
DEFAULT_RETRIES = 2


class EngineUnavailable(ScamscreenError):
    """The engine's optional dependencies are not installed."""


def require_dask() -> None:
    """Raise ``EngineUnavailable`` with the one line to print when Dask is missing."""
    try:
        import dask  # noqa: F401
        import dask.distributed  # noqa: F401
    except ImportError:
        raise EngineUnavailable(MISSING_EXTRA) from None


@dataclass(frozen=True)
class LostPartition:
    index: int
    path: str
    start: int
    end: int
    rows: int
    error: str

    def describe(self) -> str:
        return (f"partition {self.index} ({self.path}, bytes {self.start:,}-{self.end:,}, "
                f"{self.rows:,} rows) lost: {self.error}")


@dataclass
class RunSummary:
    """The local engine's summary (rows read, scored, failed, bands, flags, errors) summed over
    the cluster, and what only a cluster has: partitions, workers, and the partitions lost."""

    rows: BatchSummary = field(default_factory=BatchSummary)
    partitions: int = 0
    expected_rows: int = 0
    workers: int = 0
    seconds: float = 0.0
    lost: list[LostPartition] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.lost and self.rows.read == self.expected_rows

    def add(self, part: BatchSummary) -> None:
        rows = self.rows
        rows.read += part.read
        rows.scored += part.scored
        rows.failed += part.failed
        rows.bands.update(part.bands)
        rows.flags.update(part.flags)
        rows.errors.update(part.errors)

    def to_dict(self) -> dict[str, Any]:
        return {**self.rows.to_dict(), "complete": self.complete,
                "expected_rows": self.expected_rows, "partitions": self.partitions,
                "workers": self.workers, "seconds": round(self.seconds, 2),
                "lost": [lost.describe() for lost in self.lost]}


def _client(scheduler: str | None, jobs: int, memory_limit: str | None) -> tuple[Any, Any]:
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="20s"), None
        except OSError as error:
            raise ScamscreenError(f"cannot reach the Dask scheduler at {scheduler}: {error}"
                                  ) from None
    cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                           dashboard_address=":0", memory_limit=memory_limit or "auto")
    return Client(cluster), cluster


def run(
    inputs: Sequence[Path],
    spec: ScreenerSettings,
    *,
    input_format: str | None = None,
    text_columns: Sequence[str] = (),
    id_column: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    output: Path | None = None,
    output_dir: Path | None = None,
    output_format: str = "csv",
    sort: bool = False,
    scheduler: str | None = None,
    client: Any = None,
    jobs: int = 2,
    blocksize: int = DEFAULT_BLOCKSIZE,
    retries: int = DEFAULT_RETRIES,
    memory_limit: str | None = None,
    on_lines: Callable[[list[str]], None] | None = None,
) -> RunSummary:
    """Score ``inputs`` on a cluster and write the rows; see the module docstring.

    ``client`` reuses a connected ``dask.distributed.Client`` (tests, notebooks); otherwise one
    is made for ``scheduler`` or for a LocalCluster of ``jobs`` workers, and closed at the end.
    ``on_lines`` receives each partition's output lines in input order.
    Raises ``ScamscreenError`` (before any work) for an input that cannot be read.
    """
    require_dask()
    if sort and output_dir is not None:
        raise ScamscreenError("--sort writes one file: it cannot be combined with --output-dir")
    started = time.perf_counter()
    partitions, columns = split_inputs(inputs, input_format=input_format, blocksize=blocksize,
                                       encoding=encoding, delimiter=delimiter,
                                       text_columns=text_columns, id_column=id_column)
    # as the local engine: JSON Lines written to a file carry each row's full assessment
    out = OutputSpec(output_format, columns,
                     details=output_format == "jsonl" and (output is not None or
                                                           output_dir is not None))
    summary = RunSummary(partitions=len(partitions),
                         expected_rows=sum(p.rows for p in partitions))
    expected = fingerprint(spec)
    own_client = client is None
    cluster = None
    if own_client:
        client, cluster = _client(scheduler, jobs, memory_limit)
    try:
        summary.workers = len(client.scheduler_info()["workers"])
        if output_dir is not None:
            output_dir.mkdir(parents=True, exist_ok=True)
            _run_parts(client, partitions, spec, out, output_dir, retries, expected, summary)
        else:
            _run_single(client, partitions, spec, out, output, retries, expected, summary, sort,
                        on_lines)
    finally:
        if own_client:
            client.close()
            if cluster is not None:
                cluster.close()
    summary.seconds = time.perf_counter() - started
    if output_dir is not None:
        _write_manifest(output_dir, partitions, summary, out, expected)
    return summary


def _results(client: Any, partitions: Sequence[Partition], retries: int, window: int,
             *arguments: Any, backlog: Callable[[], int] = lambda: 0) -> Any:
    """Yield (partition, result or exception) as tasks finish, with at most ``window`` in
    flight and at most ``window`` finished ones waiting in the caller (``backlog``) behind a
    slow one, so that neither the client nor the scheduler ever holds the whole input."""
    from dask.distributed import as_completed

    run_id = uuid.uuid4().hex[:8]
    pending = iter(partitions)
    by_key: dict[str, Partition] = {}

    def submit() -> Any:
        partition = next(pending, None)
        if partition is None:
            return None
        future = client.submit(score_partition, partition, *arguments, retries=retries,
                               key=f"scamscreen-{run_id}-{partition.index}")
        by_key[future.key] = partition
        return future

    futures = [f for f in (submit() for _ in range(window)) if f is not None]
    flow = as_completed(futures)
    for future in flow:
        partition = by_key.pop(future.key)
        try:
            yield partition, future.result()
        except Exception as error:  # noqa: BLE001 - any task failure is a lost partition
            yield partition, error
        future.release()
        # nothing in flight means nothing is waiting either: this never stalls
        while len(by_key) < window and (backlog() < window or not by_key):
            following = submit()
            if following is None:
                break
            flow.add(following)


def _window(client: Any) -> int:
    threads = sum(client.nthreads().values()) or 1
    return 2 * threads + 2


def _accept(partition: Partition, outcome: Any, expected: str, summary: RunSummary
            ) -> PartitionResult | None:
    if isinstance(outcome, PartitionResult) and outcome.fingerprint != expected:
        outcome = ScamscreenError(f"the worker scores with {outcome.fingerprint}, this machine "
                                  f"with {expected}: install the same scamscreen and model")
    if not isinstance(outcome, PartitionResult):
        summary.lost.append(LostPartition(partition.index, partition.path, partition.start,
                                          partition.end, partition.rows,
                                          f"{type(outcome).__name__}: {outcome}"))
        return None
    summary.add(outcome.summary)
    return outcome


class PartitionsLost(ScamscreenError):
    """Raised inside the output block so that no incomplete file is put in place."""


def _run_single(client: Any, partitions: Sequence[Partition], spec: ScreenerSettings,
                out: OutputSpec, output: Path | None, retries: int, expected: str,
                summary: RunSummary, sort: bool,
                on_lines: Callable[[list[str]], None] | None) -> None:
    from scamscreen.io.writers import RowFormatter, SortedSpool, atomic_output

    header = RowFormatter(out.format, out.columns).header()
    spool = SortedSpool() if sort else None
    try:
        with contextlib.ExitStack() as stack:
            stream = stack.enter_context(atomic_output(output)) if output else None
            if stream:
                stream.write(header)
            waiting: dict[int, PartitionResult | None] = {}
            next_index = 0
            for partition, outcome in _results(client, partitions, retries, _window(client), spec,
                                               out, backlog=lambda: len(waiting)):
                waiting[partition.index] = _accept(partition, outcome, expected, summary)
                while next_index in waiting:  # hand lines on in input order
                    accepted = waiting.pop(next_index)
                    next_index += 1
                    if accepted is None:
                        continue
                    if spool is not None:
                        for key, line in zip(accepted.sort_keys, accepted.lines, strict=True):
                            spool.add(key, line)
                        continue
                    if stream:
                        stream.writelines(accepted.lines)
                    if on_lines:
                        on_lines(accepted.lines)
            if summary.lost:
                raise PartitionsLost(f"{len(summary.lost)} partition(s) lost")
            if spool is not None:
                spool.drain_to(stream.write if stream else _each_line(on_lines))
    except PartitionsLost:  # reported by the summary; no output put in place
        pass


def _each_line(on_lines: Callable[[list[str]], None] | None) -> Callable[[str], None]:
    return lambda line: on_lines([line]) if on_lines else None


def _run_parts(client: Any, partitions: Sequence[Partition], spec: ScreenerSettings,
               out: OutputSpec, output_dir: Path, retries: int, expected: str,
               summary: RunSummary) -> None:
    (output_dir / MANIFEST).unlink(missing_ok=True)  # no manifest until this run is complete
    for partition, outcome in _results(client, partitions, retries, _window(client), spec, out,
                                       str(output_dir.resolve())):
        _accept(partition, outcome, expected, summary)


def _write_manifest(output_dir: Path, partitions: Sequence[Partition], summary: RunSummary,
                    out: OutputSpec, expected: str) -> None:
    lost = {lost.index for lost in summary.lost}
    manifest = {
        "complete": summary.complete,
        "format": out.format,
        "scored_with": expected,
        "summary": summary.to_dict(),
        "parts": [{"file": f"part-{p.index:05d}.{out.format}", "rows": p.rows,
                   "first_row": p.first_row, "source": p.path, "bytes": [p.start, p.end],
                   "lost": p.index in lost} for p in partitions],
    }
    temporary = output_dir / f".{MANIFEST}.tmp"
    temporary.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                         encoding="utf-8")
    temporary.replace(output_dir / MANIFEST)
