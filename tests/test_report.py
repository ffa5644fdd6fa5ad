"""The HTML report as data and markup: escaping, self-containment, summary figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scamscreen.errors import InputError
from scamscreen.link import link_results
from scamscreen.report import embed_json, render_report, report_data, write_report
from scamscreen.screener import Screener

HOSTILE = ("Customer service in Sihanoukville </script><script>window.__pwned=1</script> "
           "<img src=x onerror=alert(1)> & more, Telegram @hr_lucky_kh")


@pytest.fixture(scope="module")
def results() -> list:
    screener = Screener(use_model=False)
    return [("hostile", screener.screen(HOSTILE)),
            ("repost", screener.screen("Typing job abroad, contact t.me/hr_lucky_kh")),
            ("plain", screener.screen("Bakery assistant, four days a week, apply in person.")),
            ("broken", InputError("the advert is empty"))]


def _embedded(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="report-data">(.*?)</script>',
                      html, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_embedded_json_never_contains_markup_characters() -> None:
    text = embed_json({"t": "</script><!-- & -->"})
    assert not set("<>&") & set(text)
    assert json.loads(text) == {"t": "</script><!-- & -->"}


def test_ad_text_cannot_leave_the_data_block(results: list) -> None:
    html = render_report(results, link_results(results))
    assert html.count("<script") == 2  # the data block and the page's own script
    assert "<img" not in html
    assert _embedded(html)["rows"][0]["text"] == HOSTILE


def test_the_page_fetches_nothing(results: list) -> None:
    html = render_report(results)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "default-src 'none'" in html


def test_summary_counts_bands_flags_and_clusters(results: list) -> None:
    data = report_data(results, link_results(results))
    assert len(data["rows"]) == 4 and data["errors"] == 1
    assert sum(band["count"] for band in data["bands"]) == 3
    assert data["clusters"][0]["ids"] == ["hostile", "repost"]
    assert {row["id"]: row["cluster"] for row in data["rows"]}["hostile"] == "C1"
    for flag in data["top_flags"]:
        assert flag["id"] in data["flags"] and flag["count"] >= 1
    hostile = data["rows"][0]
    for flag in hostile["flags"]:
        assert data["flags"][flag["id"]]["rationale"] and data["flags"][flag["id"]]["advice"]
        for start, end in flag["spans"]:
            assert 0 <= start < end <= len(HOSTILE)
    assert hostile["contacts"][0]["value"] == "hr_lucky_kh"


def test_write_report_survives_lone_surrogates(tmp_path: Path) -> None:
    screener = Screener(use_model=False)
    path = tmp_path / "report.html"
    write_report(path, [("odd", screener.screen("job \udc80 on telegram @abc_hr"))])
    data = _embedded(path.read_text(encoding="utf-8"))
    assert data["rows"][0]["text"].startswith("job ")
