"""A triage report for caseworkers: one self-contained HTML file to open in any browser.

Everything is inline (CSS, JavaScript, data; the page, style and script are
``assets/report.*``): it opens offline and fetches nothing. The data
travel as JSON in a ``<script type="application/json">`` block, with ``<``, ``>`` and ``&``
written as ``\\u003c``, ``\\u003e`` and ``\\u0026`` so that no ad text can close the block; the
page's script builds every element with ``textContent`` and ``createElement``, never
``innerHTML``, so an ad containing HTML or script shows as text and runs nothing. The table is
paginated (``PAGE_SIZE`` rows are in the page at a time), so 10,000 ads stay responsive.

Offsets: evidence and contacts carry offsets in code points (Python's); the script indexes the
text with ``Array.from`` (code points too), so emoji before a match do not shift highlights.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from scamscreen import __version__
from scamscreen.catalogue import default_catalogue
from scamscreen.diagnostics import translated_reason
from scamscreen.i18n import FLAG_FIELDS, UI, translator
from scamscreen.link import Linking
from scamscreen.scoring import BANDS, Assessment

PAGE_SIZE = 100
# The summary lists this many of the most frequent flags and of the largest clusters.
SUMMARY_TOP = 10

# A result is an Assessment, its ``to_dict(include_text=True)`` plus "reason" (what a batch
# keeps), or the error that stopped it.
Results = Sequence[tuple[str, "Assessment | dict[str, Any] | BaseException"]]


def as_dict(result: Assessment | dict[str, Any]) -> dict[str, Any]:
    if isinstance(result, Assessment):
        return {**result.to_dict(include_text=True), "reason": result.reason()}
    return result


@cache
def _asset(name: str) -> str:
    return (resources.files("scamscreen") / "assets" / name).read_text(encoding="utf-8")


def report_data(results: Results, linking: Linking | None = None,
                title: str | None = None, language: str = "en") -> dict[str, Any]:
    """What the page shows, as plain data (also handy for tests), its human text in
    ``language``."""
    translate = translator(language)
    catalogue = {flag.id: flag for flag in default_catalogue()}
    titles = {flag.title: translate.title(flag) for flag in catalogue.values()}
    title = title or translate("report.title")
    cluster_of = linking.cluster_of if linking else {}
    flags: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for row_id, result in results:
        if not isinstance(result, Assessment | dict):
            rows.append({"id": row_id, "score": None, "band": "error", "error": str(result),
                         "text": "", "flags": [], "contacts": [], "cluster": ""})
            continue
        data = as_dict(result)
        row_flags = []
        for flag in data["flags"]:
            if flag["id"] not in flags:
                flags[flag["id"]] = {
                    key: flag[key] for key in ("title", "kind", "rationale", "advice",
                                               "severity", "confidence")}
                known = catalogue.get(flag["id"])
                if known is not None:  # the reader's language; English when untranslated
                    flags[flag["id"]].update(
                        {name: translate.flag_text(known, name) for name in FLAG_FIELDS})
                flags[flag["id"]]["sources"] = [
                    ", ".join(part for part in (s["title"], s.get("section", "")) if part)
                    + (f" ({s['url']})" if s.get("url") else "") for s in flag["sources"]]
            row_flags.append({"id": flag["id"], "points": round(flag["points"], 2),
                              "spans": [[e["start"], e["end"]] for e in flag["evidence"]],
                              "because": flag.get("because", []), "note": flag.get("note", "")})
        classifier = data.get("classifier")
        rows.append({
            "id": row_id, "score": data["score"], "band": data["band"], "error": "",
            "text": data["text"], "flags": row_flags,
            "reason": translated_reason(data.get("reason", ""), titles, translate),
            "contacts": [{key: c.get(key, "") for key in ("kind", "value", "text", "start",
                                                          "end", "country")}
                         for c in data["contacts"]],
            "cluster": cluster_of.get(row_id, ""),
            "classifier": round(classifier["probability"], 3) if classifier else None,
        })
    band_counts = Counter(row["band"] for row in rows)
    flag_counts = Counter(flag["id"] for row in rows for flag in row["flags"])
    return {
        "title": title,
        "lang": language,
        "ui": {key: translate(key) for key in UI if key.startswith(("report.", "band."))},
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
        "page_size": PAGE_SIZE,
        "bands": [{"name": name, "from": threshold, "count": band_counts.get(name, 0)}
                  for name, threshold in BANDS],
        "errors": band_counts.get("error", 0),
        "top_flags": [{"id": flag_id, "count": count, "title": flags[flag_id]["title"]}
                      for flag_id, count in flag_counts.most_common(SUMMARY_TOP)],
        "flags": flags,
        "clusters": [cluster.to_dict() for cluster in linking.clusters] if linking else [],
        "linked": linking is not None,
        "rows": rows,
    }


def embed_json(data: Any) -> str:
    """JSON that is safe inside a <script> block: no "<", ">" or "&" appears literally."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_report(results: Results, linking: Linking | None = None,
                  title: str | None = None, language: str = "en") -> str:
    """The report as one HTML document."""
    data = embed_json(report_data(results, linking, title, language))
    page, style, script = (_asset(name) for name in ("report.html", "report.css", "report.js"))
    # The data go in last, so no ad text is ever searched for a placeholder.
    return page.replace("__STYLE__", style).replace("__SCRIPT__", script).replace("__DATA__", data)


def write_report(path: Path, results: Results, linking: Linking | None = None,
                 title: str | None = None, language: str = "en") -> None:
    html = render_report(results, linking, title, language)
    # A lone surrogate (undecodable input) becomes a "\\udcXX" escape inside its JSON string.
    path.write_bytes(html.encode("utf-8", "backslashreplace"))
