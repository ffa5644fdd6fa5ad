"""Contact points in an advert, normalised so that one contact written two ways is one value.

Recruiters reuse the same Telegram handle or phone number across dozens of ads; a normalised
value lets caseworkers link those ads. Phone numbers are parsed with ``phonenumbers`` (Google's
libphonenumber metadata) rather than hand-written patterns: country codes, trunk prefixes and
number lengths differ per country and change over time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scamscreen.normalize import Folded, fold

# Hub and source countries worth naming when a number belongs to them.
COUNTRY_NAMES = {
    "KH": "Cambodia", "MM": "Myanmar", "LA": "Laos", "TH": "Thailand", "TW": "Taiwan",
    "VN": "Vietnam", "ID": "Indonesia", "PH": "Philippines", "MY": "Malaysia", "CN": "China",
    "HK": "Hong Kong", "SG": "Singapore",
}
HUB_COUNTRIES = frozenset({"KH", "MM", "LA"})

_HANDLE = r"@?([a-z0-9][a-z0-9_.\-]{2,31})"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("telegram", re.compile(r"(?:t\.me|telegram\.me)/([a-z0-9_]{3,32})")),
    ("telegram", re.compile(r"(?:telegram|tele|tg|飛機|飞机|电报|電報)\s?(?:id|:|：|號|号)?\s?:?\s?@([a-z0-9_]{4,32})")),
    ("whatsapp", re.compile(r"wa\.me/\+?(\d{7,15})")),
    ("line", re.compile(r"line\.me/(?:ti/p/|r/)?(?:~)?@?([a-z0-9_.\-]{3,32})")),
    ("line", re.compile(r"(?:line\s?id|line|加賴|賴|ไลน์|ไอดีไลน์)\s?[:：]?\s?" + _HANDLE)),
    ("wechat", re.compile(r"(?:wechat(?:\s?id)?|微信(?:号|號)?|vx|v信|威信|wx)\s?[:：]?\s?([a-z][a-z0-9_\-]{5,19})")),
    ("zalo", re.compile(r"zalo\s?[:：]?\s?(\+?\d[\d .]{7,14}\d)")),
    ("email", re.compile(r"([a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,})")),
    ("domain", re.compile(r"(?:https?://)?(?:www\.)?((?:[a-z0-9\-]+\.)+(?:com|net|org|info|biz|io|co|me|xyz|top|vip|cc|asia|tw|cn|kh|th|vn|id|my|ph|la|mm)(?:\.[a-z]{2})?)(?:/[^\s]*)?")),
)
_SKIP_DOMAINS = ("t.me", "telegram.me", "wa.me", "line.me")


@dataclass(frozen=True, slots=True)
class Contact:
    """One contact point: its kind, its normalised value, and where the input wrote it."""

    kind: str
    value: str
    text: str
    start: int
    end: int
    country: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "value": self.value, "text": self.text,
                "start": self.start, "end": self.end, "country": self.country}

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


def _phones(folded: Folded) -> list[Contact]:
    if not re.search(r"\+\s?\d", folded.text):
        return []
    import phonenumbers  # deferred: only ads with an international number pay for the import

    found = []
    for match in phonenumbers.PhoneNumberMatcher(folded.text, None):
        number = match.number
        value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        region = phonenumbers.region_code_for_number(number) or ""
        start, end = folded.source_span(match.start, match.end)
        found.append(Contact("phone", value, folded.source[start:end], start, end,
                             COUNTRY_NAMES.get(region, region)))
    return found


def find_contacts(text: str | Folded) -> tuple[Contact, ...]:
    """Every contact point in the advert, each normalised value listed once."""
    folded = text if isinstance(text, Folded) else fold(text)
    found: list[Contact] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(folded.text):
            value = match.group(1).strip(".-").replace(" ", "").replace(".", "") \
                if kind in ("whatsapp", "zalo") else match.group(1).strip(".-")
            if kind == "domain" and (value in _SKIP_DOMAINS or "@" in folded.text[max(match.start() - 1, 0):match.start()]):
                continue
            if kind == "whatsapp":
                value = "+" + value.lstrip("+")
            start, end = folded.source_span(*match.span())
            found.append(Contact(kind, value, folded.source[start:end], start, end))
    found.extend(_phones(folded))
    unique: dict[str, Contact] = {}
    for contact in sorted(found, key=lambda c: c.start):
        unique.setdefault(contact.key, contact)
    return tuple(unique.values())
