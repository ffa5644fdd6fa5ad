"""The words scamscreen writes for people, in the reader's language.

Two kinds of text are translated, both as data a translator edits without touching code:

- interface strings (band names, headings, the score's arithmetic, batch summaries), whose
  English originals are ``UI`` below and whose translations are ``[ui]`` in ``<lang>.toml``;
- each flag's ``title``, ``advice`` and ``rationale``, whose English originals live in the
  flag's own file and whose translations are ``[flags.<ID>]`` in ``<lang>.toml``.

Anything missing falls back to English, so a new flag on main renders (in English) before its
translations land; ``tests/test_i18n.py`` names every string a shipped language still lacks.
Machine output (``--json``) stays English unless ``--lang`` is given, whatever the locale, so
that scripts do not change behaviour with the user's environment.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from scamscreen.catalogue import Flag
from scamscreen.errors import ScamscreenError

ENGLISH = "en"
# Every language with a translation file; ``en`` is the source and needs none.
SHIPPED = ("zh-Hant", "zh-Hans", "th", "vi", "id", "tl", "ja", "ko")
LANGUAGES = (ENGLISH, *SHIPPED)
FLAG_FIELDS = ("title", "advice", "rationale")

# Other spellings people and locales use for the shipped languages (lower case, "-" for "_").
_ALIASES = {
    "english": "en", "zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant",
    "zh-hant": "zh-Hant", "zh-hant-tw": "zh-Hant", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans",
    "zh-hans": "zh-Hans", "zh-hans-cn": "zh-Hans", "zh": "zh-Hans", "ms": "id", "in": "id",
    "fil": "tl", "jp": "ja", "kr": "ko",
}

# The English originals of every interface string. Placeholders are str.format fields.
UI: Mapping[str, str] = {
    "band.high": "high risk",
    "band.medium": "medium risk",
    "band.low": "low risk",
    "verdict.no_flags": "no red flags found",
    "verdict.classifier": "wording resembles known scam ads",
    "flag.line": "line {line}",
    "flag.more_matches": "+{count} more matches",
    "flag.joins": "joins",
    "flag.capped": "capped: this kind of flag counts at most {cap}",
    "flag.check": "check",
    "flag.spent": "also found, no extra points (their kind's cap was reached)",
    "classifier.title": "Wording model: {percent} like known scam ads",
    "classifier.up": "raised by",
    "classifier.down": "lowered by",
    "classifier.advice": "a hint, not proof: read those words in the advert",
    "contacts.heading": "Contacts",
    "contacts.none": "no contacts found",
    "contact.phone": "phone",
    "contact.email": "e-mail",
    "contact.domain": "website",
    "contact.handle": "handle",
    "score.heading": "score",
    "score.language": "language",
    "score.base": "base",
    "score.prior": "prior",
    "score.flags": "flags",
    "score.classifier": "model",
    "warning": "warning",
    "explain.why": "Why it matters",
    "explain.sources": "Sources",
    "explain.check": "What to check next",
    "explain.hint": "run with --explain for why each flag matters and its sources",
    "batch.rows": "{read} rows read, {scored} scored, {failed} failed",
    "batch.failed": "failed",
    "batch.top_flags": "most frequent flags:",
    "batch.top_title": "Top {shown} of {scored} scored rows",
    "batch.wrote": "wrote {path}",
    "batch.replaced": "{count} undecodable bytes were read as U+FFFD; name the encoding "
                      "with --encoding if that is wrong",
    "report.title": "scamscreen triage report",
    "report.summary": "Summary",
    "report.rows": "Rows",
    "report.scored": "scored",
    "report.failed": "failed",
    "report.bands": "Bands",
    "report.top_flags": "Most frequent flags",
    "report.clusters": "Largest clusters",
    "report.advert": "The advert (matches highlighted)",
    "report.flags": "Red flags",
    "report.contacts": "Contacts",
    "report.score": "Score",
    "report.band": "Band",
    "report.reasons": "Reasons",
    "report.cluster": "Cluster",
    "report.all": "all",
    "report.search": "Search",
    "report.error": "error",
}


class UnknownLanguage(ScamscreenError):
    """A ``--lang`` that scamscreen has no translation for."""


def normalise_language(tag: str) -> str | None:
    """The shipped language a tag or locale name means (``zh_TW.UTF-8`` -> ``zh-Hant``)."""
    cleaned = tag.split(".")[0].split("@")[0].replace("_", "-").strip().lower()
    if not cleaned or cleaned in ("c", "posix"):
        return ENGLISH
    for candidate in (cleaned, cleaned.split("-")[0]):
        if candidate in _ALIASES:
            return _ALIASES[candidate]
        for language in LANGUAGES:
            if candidate == language.lower():
                return language
    # zh-Hant-HK, zh-Hans-SG and the like: script subtag decides.
    if cleaned.startswith("zh-"):
        return "zh-Hant" if "hant" in cleaned else "zh-Hans"
    return None


def language_from_locale(environ: Mapping[str, str] | None = None) -> str:
    """The reader's language from POSIX locale variables (LC_ALL, LC_MESSAGES, LANG), else
    English. Used for human output only; ``--json`` ignores the locale."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return normalise_language(value) or ENGLISH
    return ENGLISH


def choose_language(explicit: str | None, *, machine: bool = False,
                    environ: Mapping[str, str] | None = None) -> str:
    """``--lang`` if given (refused with the list if unknown), else English for machine output
    and the locale's language for people."""
    if explicit is not None:
        language = normalise_language(explicit)
        if language is None:
            raise UnknownLanguage(f"no translation for '{explicit}'; --lang takes one of "
                                  f"{', '.join(LANGUAGES)}")
        return language
    return ENGLISH if machine else language_from_locale(environ)


@cache
def load_translation(language: str) -> dict[str, Any]:
    """The parsed ``<language>.toml`` (``{}`` for English)."""
    if language == ENGLISH:
        return {}
    data = resources.files(__package__).joinpath(f"{language}.toml").read_bytes()
    return tomllib.loads(data.decode("utf-8"))


@dataclass(frozen=True)
class Translator:
    """Looks up interface strings and flag texts in one language, English when missing."""

    language: str = ENGLISH
    ui: Mapping[str, str] = field(default_factory=dict)
    flags: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __call__(self, key: str, **values: object) -> str:
        template = self.ui.get(key) or UI[key]
        return template.format(**values) if values else template

    def flag_text(self, flag: Flag, name: str) -> str:
        translated = self.flags.get(flag.id, {}).get(name)
        return translated or str(getattr(flag, name))

    def title(self, flag: Flag) -> str:
        return self.flag_text(flag, "title")

    def advice(self, flag: Flag) -> str:
        return self.flag_text(flag, "advice")

    def rationale(self, flag: Flag) -> str:
        return self.flag_text(flag, "rationale")

    def band(self, band: str) -> str:
        return self(f"band.{band}")


@cache
def translator(language: str = ENGLISH) -> Translator:
    data = load_translation(language)
    return Translator(language, data.get("ui", {}), data.get("flags", {}))


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])|(?<=[。！？])")


def first_sentence(text: str) -> str:
    """The first sentence of an advice text: the one line the default output shows."""
    parts = _SENTENCE_END.split(text.strip(), maxsplit=1)
    return parts[0].strip() if parts else text


def localised_dict(data: dict[str, Any], flags: Mapping[str, Flag],
                   translate: Translator) -> dict[str, Any]:
    """``Assessment.to_dict()`` with its human text in ``translate``'s language and a
    ``band_label`` beside the unchanged ``band``; keys and ids stay as they are."""
    ordered: dict[str, Any] = {}
    for key, value in data.items():
        ordered[key] = value
        if key == "band":
            ordered["band_label"] = translate.band(value)
    data = ordered
    localised = []
    for item in data.get("flags", []):
        flag = flags.get(item["id"])
        if flag is not None:
            item = {**item, **{name: translate.flag_text(flag, name) for name in FLAG_FIELDS}}
        localised.append(item)
    data["flags"] = localised
    return data
