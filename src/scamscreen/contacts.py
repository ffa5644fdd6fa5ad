"""Contact points in an advert, normalised so that one contact written two ways is one value.

Recruiters reuse the same Telegram handle or phone number across dozens of ads; a normalised
value lets caseworkers link those ads (``link.py``) and lets the catalogue treat a contact as
evidence (a number in a scam-hub country, a chat app as the only way to apply; see the
``[contact]`` table in ``flags/README.md``).

Normal forms:
- phone numbers, including WhatsApp, Zalo, Telegram or LINE numbers and ``wa.me`` links:
  E.164 (``+85512345678``), parsed with ``phonenumbers`` (Google's libphonenumber metadata)
  rather than hand-written patterns, because country codes, trunk prefixes and lengths differ
  per country and change over time. A number written without its country code stays as its
  digits (``0812345678``), except on Zalo, which is Vietnamese;
- Telegram, LINE and WeChat IDs, ``t.me``/``line.me`` links and bare ``@names``: the ID in
  lower case without the ``@`` (Telegram and LINE IDs are case-insensitive);
- e-mail addresses and web domains: lower case, domains without ``www.``.

Everything is found on the folded text (``normalize.fold``), so full-width digits, look-alike
letters and "T e l e g r a m" are already undone; offsets map back to the input as written.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import re2

from scamscreen.normalize import Folded, fold

# Countries worth naming when a number belongs to them: compound hubs and where recruits come from.
COUNTRY_NAMES = {
    "KH": "Cambodia", "MM": "Myanmar", "LA": "Laos", "TH": "Thailand", "TW": "Taiwan",
    "VN": "Vietnam", "ID": "Indonesia", "PH": "Philippines", "MY": "Malaysia", "CN": "China",
    "HK": "Hong Kong", "SG": "Singapore", "KR": "South Korea", "JP": "Japan", "IN": "India",
    "LK": "Sri Lanka", "NP": "Nepal", "BD": "Bangladesh", "PK": "Pakistan", "KE": "Kenya",
    "NG": "Nigeria", "GH": "Ghana", "UG": "Uganda", "AE": "United Arab Emirates",
    "US": "United States", "GB": "United Kingdom",
}
MESSAGING_KINDS = ("telegram", "whatsapp", "line", "wechat", "zalo", "viber")
CONTACT_KINDS = (*MESSAGING_KINDS, "handle", "phone", "email", "domain")
# A number written without a country code is read in the country whose app it is on.
_APP_REGION = {"zalo": "VN"}

# App names as ads write them (folded: lower case). Latin names need word boundaries ("online"
# is not LINE, "telephone" is not Telegram); Chinese and Thai ones are often glued to the ID.
_APP_LATIN = {
    "telegram": "telegram|telegramm|tele|tg",
    "whatsapp": "whatsapp|whats app|whatapp|watsap|wassap|wsap|wsp|wa",
    "line": "line|line id",
    "wechat": "wechat|we chat|weixin|vx|wx",
    "zalo": "zalo",
    "viber": "viber",
}
_APP_OTHER = {
    "telegram": "飛機|飞机|紙飛機|纸飞机|電報|电报|เทเลแกรม",
    "whatsapp": "วอทส์แอป|วอทแอป",
    "line": "加賴|加赖|加line|賴|ไอดีไลน์|ไลน์",
    "wechat": "微信號|微信号|微信|威信|薇信|v信|加v",
    "zalo": "",
    "viber": "",
}
_APP_GROUP = {kind: f"app_{kind}" for kind in _APP_LATIN}
# RE2 (as the catalogue uses): one pass over the ad, several times faster than ``re`` here.
_APP = re2.compile(
    "|".join(
        f"(?P<{_APP_GROUP[kind]}>\\b(?:{_APP_LATIN[kind]})\\b"
        + (f"|{_APP_OTHER[kind]}" if _APP_OTHER[kind] else "") + ")"
        for kind in _APP_LATIN
    )
)
# What may stand between an app's name and the ID: "ID", "號", a colon, an arrow, an emoji.
_LABEL = re.compile(
    r"\s?(?P<word>id|username|number|no\.?|號|号|帳號|账号|หมายเลข)?\s?"
    r"(?P<sep>[:：=]|->|→|👉|➡️?|⬅️?)?\s?(?P<sep2>[:：]|👉)?\s?"
)
_AT_HANDLE = re.compile(r"@(?P<id>[a-z0-9_][a-z0-9_.\-]{2,31})")
_BARE_ID = re.compile(r"(?P<id>[a-z0-9_][a-z0-9_.\-]{2,31})")
_ID_LIKE = re.compile(r"[\d_]")
_NUMBER = re.compile(r"\+?\d[\d \-.()]{5,18}\d")
# Where a number in international form may start; without one, libphonenumber is not asked.
_INTERNATIONAL_START = re.compile(r"\+\s?\(?\d")
# A bare "@name" takes the app named most recently before it on the same line, this close.
_BARE_HANDLE_LOOKBACK = 60

_LINKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("telegram",
     re.compile(r"(?<![a-z0-9.\-])(?:t|telegram)\.me/(?:s/)?@?(?P<id>[a-z0-9_]{4,32})")),
    ("whatsapp", re.compile(r"(?<![a-z0-9.\-])wa\.me/\+?(?P<number>\d{7,15})")),
    ("whatsapp", re.compile(r"whatsapp\.com/send/?\?phone=\+?(?P<number>\d{7,15})")),
    ("line", re.compile(
        r"(?<![a-z0-9.\-])line\.me/(?:r/)?(?:ti/p/)?(?:~|@|%40)?(?P<id>[a-z0-9_.\-]{3,32})")),
    ("zalo", re.compile(r"(?<![a-z0-9.\-])zalo\.me/(?P<number>\+?\d{8,15})")),
)
_LINK_HOSTS = frozenset({"t.me", "telegram.me", "wa.me", "api.whatsapp.com", "whatsapp.com",
                         "line.me", "zalo.me"})
_LINK_PATHS_NOT_IDS = frozenset({"joinchat", "ti", "r", "send", "s"})

_EMAIL = re.compile(r"(?<![a-z0-9._%+\-])(?P<local>[a-z0-9][a-z0-9._%+\-]{0,63})"
                    r"@(?P<host>[a-z0-9][a-z0-9.\-]{1,253})")
_URL = re.compile(r"(?:https?://|www\.)(?P<host>[a-z0-9][a-z0-9.\-]{1,253})")
# Without a scheme or "www.", only these endings count, so "work.salary" is not a domain.
_BARE_TLDS = (
    "com|net|org|info|biz|io|co|me|xyz|top|vip|cc|asia|app|site|online|shop|club|live|pro|"
    "tw|cn|kh|th|vn|id|my|ph|la|mm|hk|sg|jp|kr|uk|us|in"
)
_BARE_DOMAIN = re.compile(
    rf"(?<![a-z0-9.\-@/])(?P<host>(?:[a-z0-9\-]{{1,63}}\.){{1,4}}(?:{_BARE_TLDS}))(?![a-z0-9\-])"
)
_HOST_TLD = re.compile(r"\.[a-z]{2,24}$")
# Where a bare domain's ending can be: ``re`` skips from one "." to the next looking for it, where
# _BARE_DOMAIN, whose lookbehind comes first, tries every position (60 µs on a 3 KB advert).
_BARE_DOMAIN_ENDING = re.compile(rf"\.(?:{_BARE_TLDS})(?![a-z0-9\-])")
# A bare domain's last dot is at most four labels of 63 characters and their dots after its start.
_BARE_DOMAIN_REACH = 4 * 64


@dataclass(frozen=True, slots=True)
class Contact:
    """One contact point: its kind, its normalised value, and where the input wrote it.

    ``region`` is the ISO 3166 code of a phone number's country (``KH``), ``country`` its name.
    """

    kind: str
    value: str
    text: str
    start: int
    end: int
    country: str = ""
    region: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "value": self.value, "text": self.text,
                "start": self.start, "end": self.end, "country": self.country,
                "region": self.region, "key": self.key}

    @property
    def is_number(self) -> bool:
        return self.value.startswith("+")

    @property
    def key(self) -> str:
        """The contact's identity: a number is one contact whichever app it is written for."""
        return f"phone:{self.value}" if self.is_number else f"{self.kind}:{self.value}"


@dataclass(frozen=True, slots=True)
class _Found:
    kind: str
    value: str
    start: int  # folded offsets
    end: int
    region: str = ""


def _normalise_number(written: str, region: str | None = None) -> tuple[str, str]:
    """E.164 and ISO region for a number as written, or its bare digits and "" if unparseable."""
    import phonenumbers  # deferred: importing its metadata costs time that most ads never need

    digits = re.sub(r"\D", "", written)
    # (text to parse, region hint, whether the ad wrote the "+" itself)
    candidates: list[tuple[str, str | None, bool]] = []
    if written.lstrip().startswith("+"):
        candidates.append(("+" + digits, None, True))
    else:
        if region:
            candidates.append((digits, region, False))
        if not digits.startswith("0"):
            candidates.append(("+" + digits, None, False))
    for candidate, hint, as_written in candidates:
        try:
            number = phonenumbers.parse(candidate, hint)
        except phonenumbers.NumberParseException:
            continue
        # A number written with its "+" only has to be possible; a guessed one must be valid.
        if (phonenumbers.is_possible_number(number) if as_written
                else phonenumbers.is_valid_number(number)):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), \
                _region(number)
    return digits, ""


def _region(number: Any) -> str:
    """ISO code of a parsed number's country ("" when libphonenumber cannot tell)."""
    import phonenumbers

    code = (phonenumbers.region_code_for_number(number)
            or phonenumbers.region_code_for_country_code(number.country_code or 0) or "")
    return "" if code == "ZZ" else code


def _phones(text: str) -> list[_Found]:
    """Numbers written in international form (with "+"), anywhere in the text."""
    if not _INTERNATIONAL_START.search(text):
        return []
    import phonenumbers

    found = []
    possible = phonenumbers.Leniency.POSSIBLE  # as written, even if no carrier has it yet
    for match in phonenumbers.PhoneNumberMatcher(text, None, leniency=possible):
        value = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        found.append(_Found("phone", value, match.start, match.end, _region(match.number)))
    return found


def _app_kind(match: Any) -> str:
    return next(kind for kind, group in _APP_GROUP.items() if match.group(group) is not None)


def _app_names(text: str) -> Iterable[Any]:
    """_APP's matches in ``text``. RE2 reads UTF-8, and its wrapper maps the offsets of a ``str``
    back to characters, doubling the cost of a scan: ASCII text goes as bytes (its offsets are
    the characters'), and other text only once a scan of its bytes finds an app's name."""
    encoded = text.encode()  # folded text holds no lone surrogates
    if len(encoded) == len(text):
        return _APP.finditer(encoded)
    return () if _APP.search(encoded) is None else _APP.finditer(text)


def _labelled(text: str, phones: list[_Found]) -> list[_Found]:
    """IDs and numbers written right after an app's name: "Telegram: @hr88", "加賴 abc123",
    "WhatsApp +855 97 000 2263", "Zalo 0901 234 567"."""
    phone_at = {phone.start: phone for phone in phones}
    found = []
    for app in _app_names(text):
        kind = _app_kind(app)
        label = _LABEL.match(text, app.end())
        position = label.end() if label else app.end()
        marked = bool(label and (label.group("word") or label.group("sep") or label.group("sep2")))
        glued = not app.group().isascii()  # "加賴abc", "微信abc": Chinese names need no colon
        if position in phone_at:
            phone = phone_at[position]
            found.append(_Found(kind, phone.value, phone.start, phone.end, phone.region))
            continue
        number = _NUMBER.match(text, position)
        if number and (marked or glued or kind in ("whatsapp", "zalo", "viber")):
            value, region = _normalise_number(number.group(), _APP_REGION.get(kind))
            if len(re.sub(r"\D", "", value)) >= 7:
                found.append(_Found(kind, value, number.start(), number.end(), region))
                continue
        handle = _AT_HANDLE.match(text, position)
        if handle is None and (marked or glued):
            handle = _BARE_ID.match(text, position)
            # "Product line: electronics" names no account: an ID without "@" needs a digit or
            # "_" in it, or an "ID" label before it ("LINE ID: jobthai").
            labelled_id = bool(label and label.group("word"))
            if handle and not labelled_id and not _ID_LIKE.search(handle.group()):
                handle = None
        if handle is not None:
            value = handle.group("id").rstrip("._-")
            if len(value) >= 3 and not value.isdigit() and not _looks_like_domain(text, handle):
                end = handle.start() + _span_of(handle, value)
                found.append(_Found(kind, value, handle.start(), end))
    return found


def _span_of(handle: re.Match[str], value: str) -> int:
    """Length of the written handle up to the end of its value (trailing dots dropped)."""
    return handle.group().index(value) + len(value)


def _looks_like_domain(text: str, handle: re.Match[str]) -> bool:
    return _BARE_DOMAIN.fullmatch(handle.group("id")) is not None


def _links(text: str) -> list[_Found]:
    if ".me/" not in text and "whatsapp.com/" not in text:
        return []
    found = []
    for kind, pattern in _LINKS:
        for match in pattern.finditer(text):
            if "number" in pattern.groupindex:
                value, region = _normalise_number("+" + match.group("number").lstrip("+")
                                                  if kind != "zalo" else match.group("number"),
                                                  _APP_REGION.get(kind))
                found.append(_Found(kind, value, match.start(), match.end(), region))
            else:
                value = match.group("id").rstrip("._-")
                if value not in _LINK_PATHS_NOT_IDS:
                    found.append(_Found(kind, value, match.start(), match.end()))
    return found


class _Claimed:
    """Spans of the text that contacts already claim. ``covers`` is a binary search, so that an
    advert of thousands of handles is not checked in quadratic time."""

    def __init__(self, found: list[_Found]) -> None:
        ordered = sorted((item.start, item.end) for item in found)
        self._starts = [start for start, _ in ordered]
        self._reach = list(accumulate((end for _, end in ordered), max))

    def covers(self, position: int) -> bool:
        index = bisect_right(self._starts, position) - 1
        return index >= 0 and self._reach[index] > position


def _bare_handles(text: str, claimed: list[_Found]) -> list[_Found]:
    """"@name" not written right after an app's name: it takes the app named shortly before it
    on the same line ("DM me on Telegram, I am @hr88"), or stays a handle of no known app."""
    if "@" not in text:
        return []
    taken = _Claimed(claimed)
    found = []
    for match in _AT_HANDLE.finditer(text):
        if match.start() > 0 and re.match(r"[a-z0-9._%+\-]", text[match.start() - 1]):
            continue  # the "@" of an e-mail address
        if taken.covers(match.start()):
            continue
        value = match.group("id").rstrip("._-")
        if _looks_like_domain(text, match) or value.isdigit():
            continue
        window_start = max(0, match.start() - _BARE_HANDLE_LOOKBACK)
        window = text[window_start:match.start()]
        window = window[window.rfind("\n") + 1:]
        apps = list(_APP.finditer(window))
        kind = _app_kind(apps[-1]) if apps else "handle"
        found.append(_Found(kind, value, match.start(), match.start() + _span_of(match, value)))
    return found


def _emails(text: str) -> list[_Found]:
    if "@" not in text:
        return []
    found = []
    for match in _EMAIL.finditer(text):
        host = match.group("host").rstrip(".-")
        if "." not in host or not _HOST_TLD.search(host):
            continue
        end = match.start("host") + len(host)
        found.append(_Found("email", f"{match.group('local')}@{host}", match.start(), end))
    return found


def _domain_matches(text: str) -> list[re.Match[str]]:
    """Matches of _URL, then of _BARE_DOMAIN; each scan runs only where it can find something."""
    matches = list(_URL.finditer(text)) if "://" in text or "www." in text else []
    ending = _BARE_DOMAIN_ENDING.search(text)
    if ending is not None:  # no bare domain starts before this reach from the first ending
        matches += _BARE_DOMAIN.finditer(text, max(0, ending.start() - _BARE_DOMAIN_REACH))
    return matches


def _domains(text: str, claimed: list[_Found]) -> list[_Found]:
    matches = _domain_matches(text)
    if not matches:
        return []
    taken = _Claimed(claimed)
    found = []
    seen_starts = set()
    for match in matches:
        host = match.group("host").rstrip(".-")
        start = match.start("host")
        if start in seen_starts or taken.covers(start):
            continue
        if "." not in host or not _HOST_TLD.search(host):
            continue
        host = host.removeprefix("www.")
        if host in _LINK_HOSTS:
            continue
        seen_starts.add(start)
        end = match.start("host") + len(match.group("host").rstrip(".-"))
        found.append(_Found("domain", host, match.start(), end))
    return found


def find_contacts(text: str | Folded) -> tuple[Contact, ...]:
    """Every contact point in the advert, in the order written, each identity (``key``) once."""
    folded = text if isinstance(text, Folded) else fold(text)
    body = folded.text
    phones = _phones(body)
    found = _links(body) + _labelled(body, phones)
    emails = _emails(body)
    found += _bare_handles(body, found)
    found += emails
    found += _domains(body, found)
    if phones:
        claimed = _Claimed(found)
        # A plain number that an app already claimed ("WhatsApp +855 ...") is not listed twice.
        found += [p for p in phones if not claimed.covers(p.start)]
    if not found:
        return ()
    contacts: dict[str, Contact] = {}
    for item in sorted(found, key=lambda f: (f.start, f.kind == "phone")):
        start, end = folded.source_span(item.start, item.end)
        contact = Contact(item.kind, item.value, folded.source[start:end], start, end,
                          COUNTRY_NAMES.get(item.region, item.region), item.region)
        existing = contacts.get(contact.key)
        # The same number as a plain phone and on an app: keep the app, it says more.
        if existing is None or (existing.kind == "phone" and contact.kind != "phone"):
            contacts[contact.key] = contact
    return tuple(sorted(contacts.values(), key=lambda c: c.start))
