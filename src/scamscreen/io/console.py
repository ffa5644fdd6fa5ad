"""Terminal output for batch runs: the progress bar, the top rows and the closing summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from scamscreen.diagnostics import brief_line, translated_reason
from scamscreen.i18n import Translator, translator


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


def top_lines(results: Sequence[Any], title: str, width: int,
              translate: Translator | None = None) -> list[Text]:
    """The riskiest rows, one brief line each (``check --brief``'s form) behind their id."""
    translate = translate or translator()
    titles = localised_titles(translate)
    id_width = min(max((cell_len(r.id) for r in results), default=2), 24)
    lines = [Text(title, style="bold")]
    for result in results:
        shown_id = result.id if cell_len(result.id) <= id_width else result.id[:id_width - 1] + "…"
        reason = result.error or translated_reason(result.reason, titles, translate)
        lines.append(brief_line(translate, result.score, result.band, reason, width,
                                prefix=shown_id + " " * (id_width - cell_len(shown_id) + 1)))
    return lines


def localised_titles(translate: Translator) -> dict[str, str]:
    """English flag title -> the reader's, for reasons that batch rows store in English."""
    from scamscreen.catalogue import default_catalogue

    return {flag.title: translate.title(flag) for flag in default_catalogue()}


def summary_text(summary: Any, titles: dict[str, str], replaced_bytes: int = 0,
                 translate: Translator | None = None) -> Text:
    """Counts of the run and its most frequent flags (``titles``: flag id -> title)."""
    t = translate or translator()
    bands = ", ".join(f"{summary.bands.get(name, 0):,} {t.band(name)}"
                      for name in ("high", "medium", "low"))
    text = Text()
    text.append(t("batch.rows", read=f"{summary.read:,}", scored=f"{summary.scored:,}",
                  failed=f"{summary.failed:,}"), style="bold")
    text.append(f" ({bands})")
    for reason, count in summary.errors.most_common(3):
        text.append(f"\n  {t('batch.failed')}: {count:,} × {reason}")
    if summary.flags:
        text.append("\n" + t("batch.top_flags"))
        for flag_id, count in summary.flags.most_common(5):
            text.append(f"\n  {count:>7,}  {flag_id}  {titles.get(flag_id, '')}")
    if replaced_bytes:
        text.append("\n" + t("batch.replaced", count=f"{replaced_bytes:,}"), style="yellow")
    return text
