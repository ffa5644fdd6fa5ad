"""``check``'s human output, laid out like compiler diagnostics (rustc, ruff, miette).

A verdict line; then each flag that fired as a short block (id, points, title, the line of the
advert it matched with the span marked, one line of what to check); the contacts; the score's
arithmetic in one line. Presentation only: every number comes from the ``Assessment``.

Everything is built as ``rich.text.Text`` (never markup: advert text is written by strangers),
wrapped here with hanging indents, so the layout is the same with or without colour and at any
width: nothing is cut off, ids are never shortened, long advert lines are windowed around the
match instead of wrapping.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from scamscreen.i18n import Translator, first_sentence, translator
from scamscreen.rules import Evidence
from scamscreen.scoring import Assessment, FlagResult

BAND_STYLES = {
    "high": "bold white on red",
    "medium": "bold black on yellow",
    "low": "bold white on green",
}
GUTTER = "blue"
LABEL = "bold cyan"
# At most this many advert lines quoted per flag; the rest are counted.
MAX_SNIPPETS = 2
# A wrapped title aligns under its first word unless that leaves less than this.
MIN_TEXT_WIDTH = 40
INDENT = "   "
ELLIPSIS = "…"


def _signed(value: float) -> str:
    return f"{value:+.2f}"


def _points_style(points: float) -> str:
    return "bold red" if points > 0 else "bold green" if points < 0 else ""


def wrap(console: Console, first: Text, body: Text, width: int,
         indent: int | None = None) -> list[Text]:
    """``first`` then ``body`` wrapped into ``width`` cells, continuation lines indented to
    where ``body`` starts (or by ``indent``, or less when that would leave too narrow a
    column)."""
    lead = cell_len(first.plain)
    if indent is None:
        indent = lead if width - lead >= MIN_TEXT_WIDTH else len(INDENT)
    lines: list[Text] = []
    if width - lead < MIN_TEXT_WIDTH // 2:  # no room beside the lead: the body starts below
        lines.append(first)
        first, lead = Text(" " * indent), indent
    wrapped: list[Text] = list(body.wrap(console, max(width - lead, 10), overflow="fold"))
    if len(wrapped) > 1 and indent != lead:
        # What did not fit on the first line is wrapped again at the continuation width
        # (rich's lines concatenate back to the body, so the first line's length is its cut).
        rest = body[len(wrapped[0].plain):]
        rest = rest[len(rest.plain) - len(rest.plain.lstrip(" ")):]
        wrapped = [wrapped[0], *rest.wrap(console, max(width - indent, 10), overflow="fold")]
    for number, line in enumerate(wrapped):
        line.rstrip()
        lines.append(Text.assemble(first if number == 0 else Text(" " * indent), line))
    return lines or [first]


def _take_head(text: str, cells: int) -> str:
    taken = 0
    for index, char in enumerate(text):
        taken += cell_len(char)
        if taken > cells:
            return text[:index]
    return text


def _take_tail(text: str, cells: int) -> str:
    taken = 0
    for index in range(len(text) - 1, -1, -1):
        taken += cell_len(text[index])
        if taken > cells:
            return text[index + 1:]
    return text


@dataclass(frozen=True)
class Snippet:
    """One advert line, windowed to fit, with the matched spans' positions in it."""

    number: int
    shown: str
    marks: tuple[tuple[int, int], ...]  # (first cell, cells) of each match within ``shown``


def snippet(text: str, spans: Sequence[tuple[int, int]], width: int) -> Snippet:
    """The line of ``text`` holding ``spans`` (offsets into ``text``, all on that line), cut
    to ``width`` cells around them with ``…`` where cut."""
    start = min(s for s, _ in spans)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    # One character per cell position: tabs and stray controls would shift the carets.
    line = "".join(" " if c == "\t" or (ord(c) < 32) else c for c in text[line_start:line_end])
    local = [(max(s - line_start, 0), min(e - line_start, len(line))) for s, e in spans]
    lo, hi = min(s for s, _ in local), max(e for _, e in local)
    shown, offset = line, 0
    if cell_len(line) > width:
        middle = line[lo:hi]
        if cell_len(middle) + 2 >= width:
            shown, offset = _take_head(middle, width - 1) + ELLIPSIS, lo
        else:
            room = width - cell_len(middle) - 2
            before = _take_tail(line[:lo], room // 2 if cell_len(line[hi:]) > room // 2
                                else room - cell_len(line[hi:]))
            after = _take_head(line[hi:], room - cell_len(before))
            offset = lo - len(before)
            shown = ((ELLIPSIS if offset > 0 else "") + before + middle + after
                     + (ELLIPSIS if hi + len(after) < len(line) else ""))
            if offset > 0:
                offset -= 1  # the leading ellipsis stands where one character was
    marks = []
    for s, e in local:
        s, e = max(s - offset, 0), max(min(e - offset, len(shown)), 0)
        if e > s:
            marks.append((cell_len(shown[:s]), max(cell_len(shown[s:e]), 1)))
    line_number = text.count("\n", 0, line_start) + 1
    return Snippet(line_number, shown, tuple(marks))


def _snippets(text: str, evidence: Iterable[Evidence], width: int) -> tuple[list[Snippet], int]:
    """Snippets for a flag's distinct matches, grouped by line; and how many were left out."""
    by_line: dict[int, list[tuple[int, int]]] = {}
    seen: list[tuple[int, int]] = []
    for item in sorted(evidence, key=lambda e: (e.start, -e.end)):
        if item.end > len(text) or any(s <= item.start and item.end <= e for s, e in seen):
            continue  # a match inside one already shown adds nothing to read
        seen.append((item.start, item.end))
        by_line.setdefault(text.count("\n", 0, item.start), []).append((item.start, item.end))
    shown: list[Snippet] = []
    left = 0
    for spans in by_line.values():
        if len(shown) == MAX_SNIPPETS:
            left += len(spans)
            continue
        first = snippet(text, spans, width)
        if len(first.marks) < len(spans) and cell_len(first.shown) >= width:
            # Too far apart to show on one line: the first one, the others counted.
            first = snippet(text, spans[:1], width)
            left += len(spans) - 1
        shown.append(first)
    return shown, left


class Diagnostics:
    """Renders assessments for people, in one language, at the console's width."""

    def __init__(self, console: Console, translate: Translator | None = None) -> None:
        self.console = console
        self.t = translate or translator()

    @property
    def width(self) -> int:
        return self.console.width

    def _print(self, lines: Iterable[Text]) -> None:
        for line in lines:
            self.console.print(line, soft_wrap=True, highlight=False, markup=False)

    def verdict(self, assessment: Assessment) -> list[Text]:
        badge = Text(f" {self.t.band(assessment.band).upper()} ",
                     style=BAND_STYLES[assessment.band])
        first = Text.assemble(badge, " ", (f"{assessment.score}/100", "bold"), "  ")
        return wrap(self.console, first, Text(self._reason(assessment)), self.width)

    def _reason(self, assessment: Assessment) -> str:
        return assessment.reason(title=self.t.title, resembles=self.t("verdict.classifier"),
                                 nothing=self.t("verdict.no_flags"))

    def brief(self, assessment: Assessment, prefix: str = "") -> Text:
        """One line: [prefix] score, band, top reasons; cut to the width with an ellipsis."""
        return brief_line(self.t, assessment.score, assessment.band, self._reason(assessment),
                          self.width, prefix)

    def _advice_lines(self, label: str, text: str, indent: int | None = None) -> list[Text]:
        first = Text.assemble(INDENT, ("= ", GUTTER), (f"{label}: ", LABEL))
        return wrap(self.console, first, Text(text), self.width, indent)

    def flag_block(self, assessment: Assessment, result: FlagResult, explain: bool) -> list[Text]:
        flag = result.flag
        first = Text.assemble((flag.id, "bold"), " ",
                              (_signed(result.points), _points_style(result.points)), "  ")
        lines = wrap(self.console, first, Text(self.t.title(flag)), self.width)
        if flag.kind == "combination":
            joined = Text(" + ".join(result.because), style="bold")
            lines += wrap(self.console,
                          Text.assemble(INDENT, ("= ", GUTTER), (f"{self.t('flag.joins')}: ",
                                                                   LABEL)), joined, self.width)
        else:
            lines += self._quoted(assessment.text, result)
        if result.note:
            lines += wrap(self.console, Text.assemble(INDENT, ("= ", GUTTER)),
                          Text(self.t("flag.capped", cap=assessment_cap(result.note)),
                               style="dim"), self.width)
        advice = self.t.advice(flag)
        if explain:
            # Paragraphs, not a column: long labels would leave the text a narrow strip.
            deep = len(INDENT) + 2
            lines += self._advice_lines(self.t("explain.check"), advice, deep)
            lines += self._advice_lines(self.t("explain.why"), self.t.rationale(flag), deep)
            lines.append(Text.assemble(INDENT, ("= ", GUTTER),
                                       (f"{self.t('explain.sources')}:", LABEL)))
            for source in dict.fromkeys(s.cite() for s in flag.sources):
                lines += wrap(self.console, Text(" " * deep + "- "), Text(source), self.width)
        else:
            lines += self._advice_lines(self.t("flag.check"), first_sentence(advice))
        return lines

    def _quoted(self, text: str, result: FlagResult) -> list[Text]:
        numbers_width = len(str(text.count("\n") + 1))
        gutter = numbers_width + 3  # " 12 │ "
        available = max(self.width - gutter - 1, 20)
        snippets, left = _snippets(text, result.evidence, available)
        if not snippets:
            return []
        caret = "bold green" if result.points < 0 else "bold red"
        lines = []
        for item in snippets:
            lines.append(Text.assemble((f" {item.number:>{numbers_width}} │ ", GUTTER),
                                       item.shown))
            marks = Text(" " * (numbers_width + 1)).append(" │ ", style=GUTTER)
            position = 0
            for first_cell, cells in item.marks:
                if first_cell < position:
                    continue
                marks.append(" " * (first_cell - position))
                marks.append("^" * cells, style=caret)
                position = first_cell + cells
            lines.append(marks)
        if left:
            lines.append(Text(" " * (numbers_width + 2) + "│ " +
                              self.t("flag.more_matches", count=left), style="dim"))
        return lines

    def classifier_block(self, assessment: Assessment) -> list[Text]:
        classifier = assessment.classifier
        if classifier is None:
            return []
        first = Text.assemble(("model", "bold"), " ",
                              (_signed(classifier.points), _points_style(classifier.points)), "  ")
        title = self.t("classifier.title", percent=f"{classifier.probability:.0%}")
        lines = wrap(self.console, first, Text(title), self.width)
        prediction = classifier.prediction
        if prediction is not None:
            for key, terms in (("classifier.up", prediction.terms_up),
                               ("classifier.down", prediction.terms_down)):
                if terms:
                    lines += self._advice_lines(self.t(key),
                                                ", ".join(t.term for t in terms[:8]))
        lines += self._advice_lines(self.t("flag.check"), self.t("classifier.advice"))
        return lines

    def contacts(self, assessment: Assessment) -> list[Text]:
        if not assessment.contacts:
            return []
        lines = [Text(self.t("contacts.heading"), style="bold")]
        kinds = [self._contact_kind(c.kind) for c in assessment.contacts]
        kind_width = max(cell_len(k) for k in kinds)
        for kind, contact in zip(kinds, assessment.contacts, strict=True):
            value = Text(contact.value, style="bold")
            if contact.country:
                value.append(f" ({contact.country})")
            first = Text(INDENT + kind + " " * (kind_width - cell_len(kind) + 2))
            lines += wrap(self.console, first, value, self.width)
        return lines

    def _contact_kind(self, kind: str) -> str:
        # Chat apps are brand names, the same in every language; the rest are words.
        if kind in _BRANDS:
            return _BRANDS[kind]
        return self.t(f"contact.{kind}") if f"contact.{kind}" in _CONTACT_KEYS else kind

    def arithmetic(self, assessment: Assessment) -> list[Text]:
        """The score's arithmetic in one line, so a reader can recompute it."""
        t = self.t
        classifier = assessment.classifier.points if assessment.classifier else 0.0
        body = Text(
            f"{t('score.base')} {_signed(assessment.base)} ({t('score.prior')} "
            f"{assessment.prior:.0%}) + {t('score.flags')} {_signed(assessment.rule_points)} "
            f"+ {t('score.classifier')} {_signed(classifier)} = {assessment.total:+.2f} → "
            f"100/(1+e^{-assessment.total:.2f}) = "
            f"{100 / (1 + math.exp(-assessment.total)):.1f} ≈ ")
        body.append(str(assessment.score), style="bold")
        lines = wrap(self.console, Text(f"{t('score.heading')}: ", style="bold"), body,
                     self.width, indent=len(INDENT))
        language = assessment.language
        if language is not None and language.shares:
            # The detected language, and any other the advert mixes in (Taglish, Chinglish).
            shown = ", ".join(f"{lang} {share:.0%}" for lang, share in language.shares.items()
                              if share >= 0.05)
            lines.append(Text(f"{t('score.language')}: ", style="bold") + Text(shown))
        return lines

    def assessment(self, assessment: Assessment, explain: bool = False) -> None:
        """The whole diagnostic for one advert."""
        out = self.verdict(assessment)
        for warning in assessment.warnings:
            out += wrap(self.console, Text(f"{self.t('warning')}: ", style="bold yellow"),
                        Text(warning), self.width)
        ordered = sorted(assessment.flags, key=lambda r: (-r.points, r.flag.id))
        # Flags whose group cap was already spent add nothing: one line names them, unless
        # the reader asked for everything.
        spent = [r for r in ordered if r.points == 0 and r.note and not explain]
        for result in ordered:
            if result not in spent:
                out.append(Text())
                out += self.flag_block(assessment, result, explain)
        if spent:
            out.append(Text())
            names = Text("; ").join(Text.assemble((r.flag.id, "bold"), " ",
                                                  self.t.title(r.flag)) for r in spent)
            out += wrap(self.console, Text(f"{self.t('flag.spent')}: ", style="dim"), names,
                        self.width, indent=len(INDENT))
        classifier = self.classifier_block(assessment)
        if classifier:
            out.append(Text())
            out += classifier
        contacts = self.contacts(assessment)
        if contacts:
            out.append(Text())
            out += contacts
        out.append(Text())
        out += self.arithmetic(assessment)
        if not explain and assessment.flags:
            out.append(Text(self.t("explain.hint"), style="dim"))
        self._print(out)


_CONTACT_KEYS = frozenset(("contact.phone", "contact.email", "contact.domain", "contact.handle"))
_BRANDS = {"telegram": "Telegram", "whatsapp": "WhatsApp", "line": "LINE", "wechat": "WeChat",
           "zalo": "Zalo", "viber": "Viber", "signal": "Signal", "skype": "Skype",
           "kakaotalk": "KakaoTalk", "facebook": "Facebook", "messenger": "Messenger"}


def assessment_cap(note: str) -> str:
    """The cap figure out of a FlagResult's English note ("... counts at most 1.2")."""
    return note.rsplit(" ", 1)[-1]


def brief_line(translate: Translator, score: int | None, band: str | None, reason: str,
               width: int, prefix: str = "") -> Text:
    """``[prefix] 87 HIGH RISK  reason; reason; reason`` in at most ``width`` cells."""
    line = Text(prefix)
    if score is None or band is None:
        line.append(translate("report.error"), style="bold red")
        line.append(f"  {reason}")
    else:
        line.append(f"{score:>3} ", style="bold")
        line.append(f" {translate.band(band).upper()} ", style=BAND_STYLES.get(band, ""))
        line.append(f"  {reason}")
    if cell_len(line.plain) > width:
        line.truncate(max(width - 1, 1))
        while cell_len(line.plain) > width - 1 and line.plain:
            line.right_crop(1)
        line.append(ELLIPSIS)
    return line


def translated_reason(reason: str, titles: dict[str, str], translate: Translator) -> str:
    """A batch row's stored (English) reason in the reader's language, part by part."""
    if translate.language == "en":
        return reason
    fixed = {"wording resembles known scam ads": translate("verdict.classifier"),
             "no red flags found": translate("verdict.no_flags")}
    return "; ".join(fixed.get(part) or titles.get(part, part) for part in reason.split("; "))


def console_for(no_color: bool = False, stderr: bool = False) -> Console:
    """A console whose colour follows the terminal: none when ``--no-color``, when NO_COLOR
    is set (rich reads it) or when the output is not a terminal; the layout is the same."""
    if no_color or os.environ.get("NO_COLOR"):
        return Console(stderr=stderr, color_system=None, highlight=False)
    return Console(stderr=stderr, highlight=False)
