"""Translations: every shipped language has every interface string and, for each flag in the
catalogue as it stands, every field its file declares complete (``complete = [...]``; title at
least). A flag added on main shows here, by id, until its translations are added to
``src/scamscreen/i18n/<lang>.toml`` (a data edit: ``[flags.<ID>]`` with ``title = ...``)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from scamscreen.catalogue import default_catalogue
from scamscreen.cli import app
from scamscreen.i18n import (
    FLAG_FIELDS,
    SHIPPED,
    UI,
    UnknownLanguage,
    choose_language,
    language_from_locale,
    load_translation,
    normalise_language,
    translator,
)

runner = CliRunner()
BLATANT = ("Urgent! Customer service job in Sihanoukville, Cambodia. Salary 2000 USD, no "
           "experience needed, free flights. Send your passport photo. Telegram @hr_sunny88")


@pytest.mark.parametrize("language", SHIPPED)
def test_a_shipped_language_misses_no_string(language: str) -> None:
    data = load_translation(language)
    complete = data.get("complete", [])
    assert "title" in complete, f"{language}.toml: declare complete = [\"title\", ...]"
    assert set(complete) <= set(FLAG_FIELDS), f"{language}.toml: unknown fields in complete"
    missing = [f"[ui] {key}" for key in UI if not data.get("ui", {}).get(key)]
    for flag in default_catalogue():
        entry = data.get("flags", {}).get(flag.id, {})
        missing += [f"[flags.{flag.id}] {name}" for name in complete if not entry.get(name)]
    assert not missing, (f"src/scamscreen/i18n/{language}.toml lacks {len(missing)} strings "
                         "(English is shown meanwhile):\n  " + "\n  ".join(missing))


@pytest.mark.parametrize("language", SHIPPED)
def test_a_translation_has_no_stray_keys_or_broken_placeholders(language: str) -> None:
    data = load_translation(language)
    ids = {flag.id for flag in default_catalogue()}
    assert set(data.get("ui", {})) <= set(UI), set(data["ui"]) - set(UI)
    # A flag id not in the catalogue is a typo, or a flag retired on main: say which.
    assert set(data.get("flags", {})) <= ids, sorted(set(data["flags"]) - ids)
    t = translator(language)
    import string

    for key, english in UI.items():
        wanted = {name for _, name, _, _ in string.Formatter().parse(english) if name}
        got = {name for _, name, _, _ in string.Formatter().parse(t(key)) if name}
        assert got == wanted, (language, key, t(key))


def test_english_is_the_fallback_for_anything_untranslated() -> None:
    flag = default_catalogue().flags[0]
    t = translator("zh-Hant")
    assert t.title(flag) != flag.title
    from dataclasses import replace

    new = replace(flag, id="SS-NEW-999", title="A flag added on main")
    assert t.title(new) == "A flag added on main"


@pytest.mark.parametrize(("tag", "language"), [
    ("zh_TW.UTF-8", "zh-Hant"), ("zh-HK", "zh-Hant"), ("zh_CN.UTF-8", "zh-Hans"),
    ("th_TH.UTF-8", "th"), ("vi_VN", "vi"),
    ("ja_JP.UTF-8", "ja"), ("id_ID.UTF-8", "id"), ("fil_PH.UTF-8", "tl"), ("tl_PH", "tl"),
    ("ko_KR.UTF-8", "ko"), ("C.UTF-8", "en"),
    ("POSIX", "en"), ("en_GB.UTF-8", "en"), ("zh-Hant", "zh-Hant"), ("de_DE", None)])
def test_locale_names_map_to_shipped_languages(tag: str, language: str | None) -> None:
    assert normalise_language(tag) == language


def test_locale_order_and_unknown_locales() -> None:
    assert language_from_locale({"LANG": "th_TH.UTF-8", "LC_MESSAGES": "vi_VN"}) == "vi"
    assert language_from_locale({"LC_ALL": "zh_CN", "LANG": "th_TH"}) == "zh-Hans"
    assert language_from_locale({"LANG": "de_DE.UTF-8"}) == "en"
    assert language_from_locale({}) == "en"
    assert choose_language(None, machine=True, environ={"LANG": "th_TH"}) == "en"
    with pytest.raises(UnknownLanguage):
        choose_language("klingon")


def test_check_speaks_the_chosen_language() -> None:
    result = runner.invoke(app, ["check", "--lang", "zh-Hant", BLATANT], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "高風險" in result.stdout and "請查證" in result.stdout
    assert "海外客服、聊天或行政職缺" in result.stdout
    # Only ids, the advert's own words, brand names and numbers stay as they were.
    assert "check:" not in result.stdout and "HIGH" not in result.stdout


def test_locale_is_used_for_people_but_never_for_json() -> None:
    human = runner.invoke(app, ["check", BLATANT], env={"LANG": "zh_TW.UTF-8", "COLUMNS": "100"})
    assert "高風險" in human.stdout
    machine = runner.invoke(app, ["check", "--json", BLATANT], env={"LANG": "zh_TW.UTF-8"})
    data = json.loads(machine.stdout)
    assert data["band"] == "high" and data["band_label"] == "high risk"
    assert data["flags"][0]["title"] == default_catalogue().get(data["flags"][0]["id"]).title


def test_json_with_lang_translates_human_text_and_keeps_keys() -> None:
    english = json.loads(runner.invoke(app, ["check", "--json", BLATANT]).stdout)
    chinese = json.loads(runner.invoke(app, ["check", "--json", "--lang", "zh-Hant",
                                             BLATANT]).stdout)
    assert chinese.keys() == english.keys() and list(chinese)[:3] == ["score", "band",
                                                                      "band_label"]
    assert chinese["band"] == "high" and chinese["band_label"] == "高風險"
    assert [f["id"] for f in chinese["flags"]] == [f["id"] for f in english["flags"]]
    assert chinese["flags"][0]["title"] != english["flags"][0]["title"]


def test_an_unknown_language_is_one_line_and_exit_2() -> None:
    result = runner.invoke(app, ["check", "--lang", "xx", BLATANT])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "zh-Hant" in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("language", SHIPPED)
def test_every_language_renders_at_80_columns(language: str) -> None:
    result = runner.invoke(app, ["check", "--explain", "--lang", language, BLATANT],
                           env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    from rich.cells import cell_len

    assert all(cell_len(line) <= 80 for line in result.stdout.splitlines())
    assert translator(language).band("high").upper() in result.stdout
