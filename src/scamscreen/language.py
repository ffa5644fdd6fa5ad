"""The advert's language: from its scripts, then from the lexicons' words where a script is
shared by several languages (Latin, Devanagari, Arabic, Han).

Why not a general detector (lingua, fastText): they need tens to hundreds of megabytes and a
second or more to load, which ``check`` cannot afford, and on the short, code-mixed posts this
tool reads they are often wrong; the concept lexicons have already been run over the text, so
their words vote at no cost. ``bench/bench_language.py`` measures this against the labelled
sets (and against lingua, where it is installed).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from scamscreen.concepts import ConceptIndex, range_name

# Code point ranges of the scripts that tell a language (or a family of them) apart.
_SCRIPT_RANGES = sorted([
    (0x0400, 0x04FF, "Cyrillic"), (0x0600, 0x06FF, "Arabic"), (0x0750, 0x077F, "Arabic"),
    (0x0900, 0x097F, "Devanagari"), (0x0980, 0x09FF, "Bengali"), (0x0B80, 0x0BFF, "Tamil"),
    (0x0D80, 0x0DFF, "Sinhala"), (0x0E00, 0x0E7F, "Thai"), (0x0E80, 0x0EFF, "Lao"),
    (0x1000, 0x109F, "Myanmar"), (0x1100, 0x11FF, "Hangul"), (0x1200, 0x139F, "Ethiopic"),
    (0x1780, 0x17FF, "Khmer"), (0x3041, 0x3096, "Kana"), (0x30A1, 0x30FA, "Kana"),
    (0x3400, 0x4DBF, "Han"),
    (0x4E00, 0x9FFF, "Han"), (0xAA60, 0xAA7F, "Myanmar"), (0xAC00, 0xD7AF, "Hangul"),
    (0xF900, 0xFAFF, "Han"), (0xFB50, 0xFDFF, "Arabic"), (0xFE70, 0xFEFF, "Arabic"),
    (0x20000, 0x2FFFF, "Han"),
])
_STARTS = [low for low, _, _ in _SCRIPT_RANGES]
# A script that only one catalogue language writes.
_SCRIPT_LANGUAGE = {
    "Thai": "th", "Lao": "lo", "Khmer": "km", "Myanmar": "my", "Hangul": "ko", "Kana": "ja",
    "Bengali": "bn", "Tamil": "ta", "Sinhala": "si", "Ethiopic": "am", "Cyrillic": "ru",
}
# Scripts several catalogue languages share, and the language to assume without other votes.
_SHARED_SCRIPT = {"Devanagari": ("hi", ("hi", "ne")), "Arabic": ("ar", ("ar", "ur")),
                  "Han": ("zh-Hant", ("zh-Hant", "zh-Hans")),
                  # romanised Hindi, Urdu and Nepali (Hinglish, Roman Urdu) too
                  "Latin": ("en", ("en", "id", "tl", "vi", "pt", "es", "sw", "hi", "ur", "ne"))}
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_LATIN_LETTERS = re.compile(r"[a-z]{2,}")
# Letters only Urdu (not Arabic) uses; letters only Vietnamese uses among Latin languages.
_URDU = frozenset("ٹڈڑںےۓھگکپچژ")
_VIETNAMESE = frozenset("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
# Common characters written differently in the two Chinese scripts (Traditional, Simplified).
# Common characters written differently in the two Chinese scripts, pair by pair.
_HANT = frozenset("這個們來時會說對國學發經過還點開問門電當動現體實關應麼員機變號費資務請聯繫與幫處"
                  "達專職護證簽線優歡區業語網輕鬆賺錢辦為沒無幾後們從見讓給進買賣單長間頭條總報場廠"
                  "塊萬億歲飛華東車園緬寮邊籤陸區護個嗎紹補貸債額獎勵團隊項傳帳號碼")
_HANS = frozenset("这个们来时会说对国学发经过还点开问门电当动现体实关应么员机变号费资务请联系与帮处"
                  "达专职护证签线优欢区业语网轻松赚钱办为没无几后们从见让给进买卖单长间头条总报场厂"
                  "块万亿岁飞华东车园缅挝边签陆区护个吗绍补贷债额奖励团队项传账号码")


_URDU_SEARCH = re.compile("[" + "".join(sorted(_URDU)) + "]")
_VIETNAMESE_SEARCH = re.compile("[" + "".join(sorted(_VIETNAMESE)) + "]")
_HANT_SEARCH = re.compile("[" + "".join(sorted(_HANT)) + "]")
_HANS_SEARCH = re.compile("[" + "".join(sorted(_HANS)) + "]")


@dataclass(frozen=True)
class LanguageGuess:
    """The advert's language and the share of its evidence each language holds."""

    language: str  # a catalogue language code, or "und" where the text says too little
    shares: Mapping[str, float]

    def to_dict(self) -> dict[str, object]:
        return {"lang": self.language,
                "langs": {lang: round(share, 3) for lang, share in self.shares.items()}}


UNDETERMINED = LanguageGuess("und", {})


def _script(char: str) -> str | None:
    return range_name(_SCRIPT_RANGES, _STARTS, char)


def script_counts(text: str) -> Counter[str]:
    """Letters per script; Latin counted by words (ASCII letters), the rest by characters."""
    counts: Counter[str] = Counter()
    runs = () if text.isascii() else _NON_ASCII_RUN.findall(text)
    ascii_letters = len(text) - sum(map(len, runs))
    if ascii_letters and _LATIN_LETTERS.search(text):
        # An ASCII character (letters, spaces, digits) of Latin text weighs about as much as
        # a character of an unspaced script: a word and its space are ~6 characters.
        counts["Latin"] = ascii_letters
    # A run of non-ASCII letters is in one script nearly always: classify its first letter.
    for run in runs:
        name = _script(run[0])
        if name is not None:
            counts[name] += len(run)
        elif run[0].isalpha():  # accented Latin: é, ñ, ơ
            counts["Latin"] += 1
    return counts


def detect(text: str, index: ConceptIndex | None = None) -> LanguageGuess:
    """The language of ``text`` (folded or not), using the lexicon words in ``index``."""
    counts = script_counts(text)
    if not counts:
        return UNDETERMINED
    votes: Counter[str] = Counter()
    if index is not None:
        votes.update({lang: count * 3 for lang, count in index.votes.items()})
        for occurrences in index.raw().values():
            for occurrence in occurrences:
                if occurrence.language not in ("any", ""):
                    votes[occurrence.language] += occurrence.end - occurrence.start
    shares: Counter[str] = Counter()
    for script, count in counts.items():
        if script in _SCRIPT_LANGUAGE:
            shares[_SCRIPT_LANGUAGE[script]] += count
            continue
        default, candidates = _SHARED_SCRIPT.get(script, ("und", ()))
        shares[_shared(script, text, votes, default, candidates)] += count
    # Kanji in a Japanese text are Japanese; a few kana in Chinese (の in a shop name) are not.
    chinese = shares.get("zh-Hant", 0) + shares.get("zh-Hans", 0)
    if shares.get("ja", 0) >= max(3, chinese // 10):
        shares["ja"] += shares.pop("zh-Hant", 0) + shares.pop("zh-Hans", 0)
    elif "ja" in shares and chinese:
        shares[max(("zh-Hant", "zh-Hans"), key=lambda lang: shares.get(lang, 0))] += \
            shares.pop("ja")
    total = sum(shares.values())
    ranked = dict(sorted(((lang, count / total) for lang, count in shares.items()),
                         key=lambda item: -item[1]))
    return LanguageGuess(next(iter(ranked)), ranked)


def _shared(script: str, text: str, votes: Counter[str], default: str,
            candidates: tuple[str, ...]) -> str:
    if script == "Han":
        traditional = len(_HANT_SEARCH.findall(text))
        simplified = len(_HANS_SEARCH.findall(text))
        if traditional != simplified:
            return "zh-Hant" if traditional > simplified else "zh-Hans"
    if script == "Arabic" and _URDU_SEARCH.search(text):
        return "ur"
    if script == "Latin" and _VIETNAMESE_SEARCH.search(text):
        return "vi"
    best = max(candidates, key=lambda lang: (votes.get(lang, 0), lang == default))
    return best if votes.get(best, 0) else default
