"""Rich terminal output for assessments and the catalogue. Presentation only: no scoring here."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from scamscreen.catalogue import Catalogue, Flag
from scamscreen.scoring import Assessment

if TYPE_CHECKING:
    from scamscreen.link import Linking

BAND_STYLES = {
    "high": "bold white on red",
    "medium": "bold black on yellow",
    "low": "bold white on green",
}
HIGHLIGHT = "bold black on yellow"
# Show at most this much of a long ad; the flags table still lists every match.
MAX_SHOWN_CHARS = 6000


def _signed(value: float) -> str:
    return f"{value:+.2f}"


def highlighted_text(assessment: Assessment) -> Text:
    shown = assessment.text[:MAX_SHOWN_CHARS]
    text = Text(shown)
    for result in assessment.flags:
        for evidence in result.evidence:
            if evidence.start < len(shown):
                text.stylize(HIGHLIGHT, evidence.start, min(evidence.end, len(shown)))
    if len(assessment.text) > MAX_SHOWN_CHARS:
        text.append(f"\n… ({len(assessment.text) - MAX_SHOWN_CHARS:,} more characters not shown)",
                    style="dim")
    return text


def arithmetic(assessment: Assessment) -> Text:
    """The score's arithmetic, so a user can recompute it."""
    classifier = assessment.classifier.points if assessment.classifier else 0.0
    line = Text()
    line.append(f"base {_signed(assessment.base)} (prior {assessment.prior:.0%})")
    line.append(f"  + flags {_signed(assessment.rule_points)}")
    line.append(f"  + classifier {_signed(classifier)}")
    line.append(f"  = {assessment.total:+.2f}")
    line.append(f"  →  score = 100 / (1 + e^{-assessment.total:.2f}) = ")
    line.append(f"{100 / (1 + math.exp(-assessment.total)):.1f}", style="bold")
    line.append(f" ≈ {assessment.score}", style="bold")
    return line


def flags_table(assessment: Assessment) -> Table:
    table = Table(title="Red flags", show_lines=True, expand=True, title_justify="left")
    table.add_column("Points", justify="right", no_wrap=True)
    table.add_column("Flag", ratio=2)
    table.add_column("Matched text", ratio=2)
    table.add_column("Why it matters", ratio=4)
    table.add_column("Source", ratio=2)
    table.add_column("Check next", ratio=3)
    for result in assessment.flags:
        flag = result.flag
        flag_cell = Text(f"{flag.id}\n", style="bold")
        flag_cell.append(flag.title)
        if result.note:
            flag_cell.append(f"\n({result.note})", style="dim")
        if flag.kind == "combination":
            matched = Text("together: " + ", ".join(result.because), style="italic")
        else:
            matched = Text("\n".join(f"“{e.text}”" for e in result.evidence))
        sources = "\n".join(dict.fromkeys(s.short_cite() for s in flag.sources))
        table.add_row(
            _signed(result.points), flag_cell, matched, flag.rationale, sources, flag.advice
        )
    classifier = assessment.classifier
    if classifier is not None:
        prediction = classifier.prediction
        up = ", ".join(t.term for t in prediction.terms_up[:6]) if prediction else ""
        down = ", ".join(t.term for t in prediction.terms_down[:6]) if prediction else ""
        cell = Text("classifier\n", style="bold")
        cell.append(f"TF-IDF model: {classifier.probability:.0%} like known scam ads")
        table.add_row(
            _signed(classifier.points), cell,
            Text(f"up: {up or '—'}\ndown: {down or '—'}"),
            "Wording learnt from labelled scam and legitimate ads catches what the rules miss.",
            "EMSCAD (Vidros et al. 2017) and scamscreen's own samples; see models/MODEL_CARD.md",
            "Treat as a hint: read the flagged terms in context.",
        )
    return table


def render_assessment(console: Console, assessment: Assessment) -> None:
    style = BAND_STYLES[assessment.band]
    header = Text()
    header.append(f" {assessment.score}/100 ", style="bold")
    header.append(f" {assessment.band.upper()} ", style=style)
    header.append(f"  {assessment.reason()}")
    parts: list[object] = [header, arithmetic(assessment)]
    for warning in assessment.warnings:
        parts.append(Text(f"warning: {warning}", style="yellow"))
    console.print(Panel(Group(*parts), title="scamscreen", expand=True))  # type: ignore[arg-type]
    console.print(Panel(highlighted_text(assessment), title="The advert (matches highlighted)"))
    if assessment.flags or assessment.classifier:
        console.print(flags_table(assessment))
    if assessment.contacts:
        contacts = Table(title="Contacts found", title_justify="left")
        contacts.add_column("Kind")
        contacts.add_column("Value")
        contacts.add_column("As written")
        for contact in assessment.contacts:
            value = f"{contact.value} ({contact.country})" if contact.country else contact.value
            contacts.add_row(contact.kind, value, contact.text)
        console.print(contacts)


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
