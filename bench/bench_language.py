"""How often the advert's detected language is the one its label gives, per set and language;
beside lingua (lingua-language-detector), where it is installed, on the same texts.

    .venv/bin/python bench/bench_language.py [--lingua]

Sets: the project's labelled samples (data/samples/*.jsonl with a ``lang``) and, where present,
../shared/data/real_ads_study.jsonl (real posts; its ``en-NG``-style codes count as ``en``, and
``ms`` as ``id``, the catalogue's code for Malay and Indonesian). Also prints the time per
advert of each detector.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

from scamscreen.catalogue import default_catalogue
from scamscreen.language import detect
from scamscreen.normalize import fold

ROOT = Path(__file__).resolve().parent.parent
SETS = [*sorted((ROOT / "data/samples").glob("*.jsonl")),
        ROOT.parent / "shared/data/real_ads_study.jsonl"]
_LINGUA_CODES = {"CHINESE": "zh", "MALAY": "id", "INDONESIAN": "id", "TAGALOG": "tl"}


def label_code(lang: str) -> str:
    base = lang.split("-")[0] if not lang.startswith("zh") else lang
    return {"ms": "id"}.get(base, base)


def lingua_detector():  # type: ignore[no-untyped-def]
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_all_languages().build()


def lingua_code(detector, text: str) -> str:  # type: ignore[no-untyped-def]
    found = detector.detect_language_of(text)
    if found is None:
        return "und"
    name = found.name
    if name in _LINGUA_CODES:
        return _LINGUA_CODES[name]
    return found.iso_code_639_1.name.lower()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lingua", action="store_true", help="compare with lingua")
    args = parser.parse_args()
    finder = default_catalogue().concept_finder
    detector = lingua_detector() if args.lingua else None
    for path in SETS:
        if not path.exists():
            continue
        rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
        rows = [row for row in rows if row.get("lang")]
        if not rows:
            continue
        right: dict[str, Counter[str]] = defaultdict(Counter)
        ours_seconds = lingua_seconds = 0.0
        for row in rows:
            want = label_code(row["lang"])
            started = time.perf_counter()
            folded = fold(row["text"])
            got = detect(folded.source, finder.find(folded)).language
            ours_seconds += time.perf_counter() - started
            right[want]["rows"] += 1
            right[want]["ours"] += got == want or (want == "zh" and got.startswith("zh"))
            if detector is not None:
                started = time.perf_counter()
                theirs = lingua_code(detector, row["text"])
                lingua_seconds += time.perf_counter() - started
                right[want]["lingua"] += theirs == want.split("-")[0]
        total = Counter[str]()
        for counts in right.values():
            total.update(counts)
        rows_total = total["rows"]
        line = (f"{path.name}: {total['ours']}/{rows_total} right "
                f"({total['ours'] / rows_total:.0%}), {ours_seconds / len(rows) * 1e6:.0f} us/ad")
        if detector is not None:
            line += (f"; lingua {total['lingua']}/{rows_total} "
                     f"({total['lingua'] / rows_total:.0%}), "
                     f"{lingua_seconds / len(rows) * 1e6:.0f} us/ad")
        print(line)
        for lang, counts in sorted(right.items()):
            if counts["ours"] < counts["rows"] or (detector and counts["lingua"] < counts["rows"]):
                extra = f", lingua {counts['lingua']}" if detector is not None else ""
                print(f"  {lang:8} {counts['ours']}/{counts['rows']}{extra}")


if __name__ == "__main__":
    main()
