"""Terminal output for batch runs: the progress bar, the top rows and the closing summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from scamscreen.render import BAND_STYLES


def progress_bar(console: Console, unit: str) -> Progress:
    """Rows done and their rate on the left; the share of the input read and time left."""
    return Progress(
        TextColumn("[bold]screening[/]"),
        BarColumn(),
        MofNCompleteColumn() if unit == "files" else TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[rows]:,} rows · {task.fields[rate]:,.0f} rows/s"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def top_table(results: Sequence[Any], title: str) -> Table:
    table = Table(title=title, title_justify="left", expand=True)
    table.add_column("id", no_wrap=True, max_width=24)
    table.add_column("score", justify="right")
    table.add_column("band")
    table.add_column("flags", ratio=2)
    table.add_column("reason", ratio=3)
    for result in results:
        band = result.band or ""
        table.add_row(result.id, str(result.score), f"[{BAND_STYLES.get(band, '')}] {band} [/]",
                      " ".join(result.flags) or "—", result.reason)
    return table


def summary_text(summary: Any, titles: dict[str, str], replaced_bytes: int = 0) -> str:
    bands = ", ".join(f"{summary.bands.get(name, 0):,} {name}"
                      for name in ("high", "medium", "low"))
    lines = [f"[bold]{summary.read:,} rows read[/], {summary.scored:,} scored, "
             f"{summary.failed:,} failed ({bands})"]
    for reason, count in summary.errors.most_common(3):
        lines.append(f"  failed: {count:,} × {reason}")
    if summary.flags:
        lines.append("most frequent flags:")
        for flag_id, count in summary.flags.most_common(5):
            lines.append(f"  {count:>7,}  {flag_id}  {titles.get(flag_id, '')}")
    if replaced_bytes:
        lines.append(f"[yellow]{replaced_bytes:,} undecodable bytes were read as U+FFFD; "
                     "name the encoding with --encoding if that is wrong[/]")
    return "\n".join(lines)
