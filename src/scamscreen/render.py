"""Rich terminal output for the catalogue and linked clusters. Presentation only: no scoring
here. ``check``'s output is ``diagnostics.py``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from scamscreen.catalogue import Catalogue, Flag

if TYPE_CHECKING:
    from scamscreen.link import Linking


def catalogue_table(catalogue: Catalogue) -> Table:
    table = Table(title=f"Red-flag catalogue ({len(catalogue)} flags)", title_justify="left")
    table.add_column("ID", no_wrap=True)
    table.add_column("Title")
    table.add_column("Group")
    table.add_column("Points", justify="right")
    table.add_column("Languages")
    for flag in catalogue:
        if flag.kind == "combination":
            languages = "needs: " + " + ".join(flag.requires)
        else:
            languages = ", ".join(flag.languages)
        table.add_row(flag.id, flag.title, flag.group, f"{flag.points:g}", languages)
    return table


def render_flag(console: Console, flag: Flag, catalogue: Catalogue) -> None:
    group = catalogue.groups[flag.group]
    lines = Text()
    lines.append(f"{flag.id}  {flag.name}\n", style="bold")
    lines.append(f"{flag.title}\n\n")
    lines.append(f"points {flag.points:g} (group '{group.name}', cap {group.cap:g})   "
                 f"severity {flag.severity}   confidence {flag.confidence}\n")
    if flag.aliases:
        lines.append(f"aliases: {', '.join(flag.aliases)}\n")
    lines.append("\nWhy it matters\n", style="bold")
    lines.append(flag.rationale + "\n")
    lines.append("\nSources\n", style="bold")
    for source in flag.sources:
        lines.append(f"- {source.cite()}{'  ' + source.url if source.url else ''}\n")
    lines.append("\nWhat to check next\n", style="bold")
    lines.append(flag.advice + "\n")
    if flag.kind == "combination":
        lines.append("\nFires when all of these have fired\n", style="bold")
        lines.append(" + ".join(flag.requires) + "\n")
    else:
        if flag.concept_rules:
            lines.append("\nConcepts that must occur together (lexicons in "
                         "flags/lexicons/)\n", style="bold")
            for rule in flag.concept_rules:
                slots = " + ".join(slot[0] if len(slot) == 1 else "(" + " | ".join(slot) + ")"
                                   for slot in rule.slots)
                reach = "anywhere in the advert" if rule.window == 0 else \
                    f"within {rule.window} characters"
                unless = f", unless {', '.join(rule.unless)}" if rule.unless else ""
                lines.append(f"  {slots}  ", style="cyan")
                lines.append(f"{reach}{unless}\n")
            lines.append(f"  languages: {', '.join(flag.concept_languages)}\n")
        if any(flag.patterns.values()):
            lines.append("\nPatterns (RE2, on folded text)\n", style="bold")
        for language, patterns in flag.patterns.items():
            for pattern in patterns:
                lines.append(f"  [{language}] ", style="cyan")
                lines.append(pattern + "\n")
    lines.append("\nExamples that must match\n", style="bold")
    for example in flag.examples_match:
        lines.append(f"  ✓ {example}\n")
    lines.append("\nExamples that must not match\n", style="bold")
    for example in flag.examples_no_match:
        lines.append(f"  ✗ {example}\n")
    console.print(Panel(lines, title=flag.id))


def clusters_table(linking: Linking, limit: int = 20) -> Table:
    """The largest clusters of a linked batch: what links them and how risky they are."""
    shown = linking.clusters[:limit]
    more = len(linking.clusters) - len(shown)
    title = f"Linked ads: {len(linking.clusters)} clusters"
    if more:
        title += f" (largest {limit} shown)"
    table = Table(title=title, title_justify="left")
    for column, justify in (("Cluster", "left"), ("Ads", "right"), ("Max", "right"),
                            ("Median", "right"), ("Linked by", "left"), ("Ids", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for cluster in shown:
        ids = ", ".join(cluster.ids[:6]) + (" …" if cluster.size > 6 else "")
        how = ", ".join(cluster.contacts[:3]) or ""
        if cluster.near_duplicates:
            how = (how + "; " if how else "") + "near-duplicate text"
        table.add_row(cluster.id, str(cluster.size), str(cluster.max_score or "–"),
                      f"{cluster.median_score:g}" if cluster.median_score is not None else "–",
                      Text(how), Text(ids))
    return table
