"""Every flag's own examples, run as tests, plus the catalogue's structural promises."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

from scamscreen.catalogue import LANGUAGES, Flag, default_catalogue
from scamscreen.rules import find_hits

CATALOGUE = default_catalogue()


def _example_cases(kind: str) -> list[pytest.param]:
    cases = []
    for flag in CATALOGUE:
        examples = flag.examples_match if kind == "match" else flag.examples_no_match
        for number, text in enumerate(examples, 1):
            cases.append(pytest.param(flag, text, id=f"{flag.id}-{kind}-{number}"))
    return cases


def _fired_ids(text: str) -> set[str]:
    return {hit.flag.id for hit in find_hits(CATALOGUE, text)}


@pytest.mark.parametrize(("flag", "text"), _example_cases("match"))
def test_flag_fires_on_its_match_examples(flag: Flag, text: str) -> None:
    assert flag.id in _fired_ids(text), f"{flag.id} should fire on: {text!r}"


@pytest.mark.parametrize(("flag", "text"), _example_cases("no_match"))
def test_flag_stays_quiet_on_its_no_match_examples(flag: Flag, text: str) -> None:
    assert flag.id not in _fired_ids(text), f"{flag.id} should not fire on: {text!r}"


def test_every_flag_has_sources_rationale_and_advice() -> None:
    for flag in CATALOGUE:
        assert flag.sources and flag.rationale and flag.advice, flag.id


def test_ids_follow_the_scheme_and_match_file_names() -> None:
    names = {p.name for p in (resources.files("scamscreen") / "flags").iterdir()}
    for flag in CATALOGUE:
        assert flag.id.startswith("SS-") and f"{flag.id}.toml" in names, flag.id
        assert flag.name.split(".")[0] in CATALOGUE.groups, flag.name


def test_pattern_languages_are_known() -> None:
    for flag in CATALOGUE:
        assert set(flag.patterns) <= set(LANGUAGES), flag.id


def test_parsed_cache_matches_the_flag_files() -> None:
    """The JSON cache that spares start-up the TOML parsing must be current: after editing a
    flag, run scripts/write-catalogue-cache.py (a stale cache is ignored, never used)."""
    from scamscreen.catalogue import PARSED_CACHE, _digest, _source_files

    directory = Path(str(resources.files("scamscreen") / "flags"))
    cached = json.loads((directory / PARSED_CACHE).read_text(encoding="utf-8"))
    assert cached["digest"] == _digest(directory, _source_files(directory))


def test_a_stale_cache_is_ignored(tmp_path: Path) -> None:
    from scamscreen.catalogue import PARSED_CACHE, load_directory

    source = Path(str(resources.files("scamscreen") / "flags"))
    shutil.copytree(source, tmp_path, dirs_exist_ok=True)
    flag_file = tmp_path / "SS-CONTACT-001.toml"
    flag_file.write_text(flag_file.read_text(encoding="utf-8").replace(
        "points = 0.6", "points = 0.7", 1), encoding="utf-8")
    assert (tmp_path / PARSED_CACHE).exists()
    assert load_directory(tmp_path).get("SS-CONTACT-001").points == 0.7
