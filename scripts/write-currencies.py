"""Write flags/lexicons/currencies.json: the currency words the money recogniser knows.

Symbols and names come from Babel (CLDR), for the currencies of the countries whose people
are recruited or whose money appears in the adverts. Babel is needed only to run this script,
not at run time: the JSON ships in the package, so `check` does not pay for loading CLDR.

    pip install babel && python scripts/write-currencies.py
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from babel import Locale, numbers

# Where victims come from, where they are taken, and where the money is reckoned in.
TERRITORIES = (
    "TW CN HK MO TH VN ID MY SG PH KH MM LA JP KR IN BD NP LK PK KE UG TZ ET NG GH ZA BR MX CO "
    "PE AR CL RU KZ UZ KG TJ EG AE SA QA KW OM JO US GB DE AU CA"
).split()
# The languages the catalogue reads (CLDR locale ids), for local symbols and names.
LOCALES = (
    "en en_PH en_IN en_KE en_NG en_ZA en_SG zh_Hant_TW zh_Hant_HK zh_Hans_CN zh_Hans_SG th vi id "
    "ms fil ja ko km lo my hi bn ne si ta ur sw am pt_BR es_MX ru ar"
).split()
# Not in CLDR: the crypto units scam pay is quoted in.
CRYPTO = {"USDT": ["usdt", "tether", "u"], "USDC": ["usdc"], "BTC": ["btc", "bitcoin"],
          "ETH": ["eth"]}
TARGET = Path(__file__).resolve().parent.parent / "src/scamscreen/flags/lexicons/currencies.json"


def folded(word: str) -> str:
    return unicodedata.normalize("NFKC", word).lower().strip()


def main() -> None:
    codes = sorted({code for territory in TERRITORIES
                    for code in numbers.get_territory_currencies(territory)})
    table: dict[str, list[str]] = {}
    for code in codes:
        words = {code.lower()}
        for locale_id in LOCALES:
            locale = Locale.parse(locale_id)
            symbol = numbers.get_currency_symbol(code, locale)
            if symbol and symbol != code:
                words.add(folded(symbol))
            for count in (1, 2):
                name = numbers.get_currency_name(code, count=count, locale=locale)
                if name and name != code:
                    words.add(folded(name))
                    if locale_id == "en" and len(name.split()) == 2:  # "Thai baht" -> "baht"
                        words.add(folded(name.split()[-1]))
        table[code] = sorted(words)
    for code, words in CRYPTO.items():
        table[code] = words
    TARGET.write_text(json.dumps({"source": "Babel/CLDR via scripts/write-currencies.py",
                                  "currencies": table}, ensure_ascii=False, indent=0,
                                 sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}: {len(table)} currencies")


if __name__ == "__main__":
    main()
