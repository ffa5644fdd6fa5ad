"""``scamscreen batch --link`` and ``--report``: what a caseworker's triage needs beyond rows.

Linking needs every row before any cluster is known, so this path holds the batch's results
(the full assessment of each row as JSON, a few KB each) instead of streaming them, links
them, and only then writes the output rows, each with its ``cluster`` column, and the report.
Without ``--link``/``--report`` the batch streams as before (``batch.run_batch``).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from scamscreen.batch import BatchResult, BatchSummary, ScreenerSettings, _sort_key, screen_batch
from scamscreen.errors import InputError
from scamscreen.io.readers import Source
from scamscreen.io.writers import CLASH_PREFIX, make_formatter, row_sink
from scamscreen.link import Linking, link_results
from scamscreen.report import write_report

CLUSTER_COLUMN = "cluster"


def _as_result(result: BatchResult) -> dict[str, Any] | InputError:
    if result.error or result.details is None:
        return InputError(result.error or "not screened")
    data: dict[str, Any] = json.loads(result.details)
    data["text"] = result.record.text or ""
    data["reason"] = result.reason
    return data


def screen_link_report(
    source: Source,
    output: Path | str | None,
    *,
    fmt: str = "csv",
    sort: bool = False,
    settings: ScreenerSettings | None = None,
    jobs: int = 1,
    link: bool = True,
    report: Path | None = None,
    language: str = "en",
) -> tuple[BatchSummary, Linking | None, list[BatchResult]]:
    """Screen every record, link the rows (if ``link``), write ``output`` with a cluster column
    and the HTML ``report`` (if given). Returns the summary, the linking and the results."""
    summary = BatchSummary()
    results: list[BatchResult] = []
    for result in screen_batch(source.records, settings=settings, jobs=jobs, details=True):
        summary.add(result)
        results.append(result)
    rows = [(result.id, _as_result(result)) for result in results]
    linking = link_results(rows) if link else None
    if output is not None:
        _write(source, output, fmt, sort, results, linking, language)
    if report is not None:
        write_report(report, rows, linking, language=language)
    return summary, linking, results


def _write(source: Source, output: Path | str, fmt: str, sort: bool,
           results: list[BatchResult], linking: Linking | None, language: str = "en") -> None:
    columns = list(source.columns)
    cluster_column = None
    if linking is not None:
        cluster_column = CLUSTER_COLUMN if CLUSTER_COLUMN not in columns \
            else CLASH_PREFIX + CLUSTER_COLUMN
        columns.append(cluster_column)
    formatter = make_formatter(fmt, columns, source.text_columns, language)
    ordered = sorted(results, key=_sort_key) if sort else results

    def lines() -> Any:
        yield formatter.header()
        for result in ordered:
            record = result.record
            if linking is not None and cluster_column is not None:
                record = replace(record, fields={
                    **record.fields, cluster_column: linking.cluster_of.get(record.id, "")})
            yield formatter.row(record, result)

    if str(output) == "-":
        sys.stdout.writelines(lines())
        sys.stdout.flush()
        return
    with row_sink(Path(output), formatter) as write:
        for line in lines():
            write(line)
