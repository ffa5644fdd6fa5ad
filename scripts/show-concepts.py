"""Print the concepts the lexicons find in a text, with their modifiers: for writing lexicons.

    python scripts/show-concepts.py "No experience, high salary, work in Cambodia"
    python scripts/show-concepts.py --file ad.txt
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scamscreen.catalogue import default_catalogue
from scamscreen.concepts import HYPOTHETICAL, NEGATED, WARNING
from scamscreen.normalize import fold
from scamscreen.rules import concept_hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("text", nargs="?")
    parser.add_argument("--file", type=Path)
    args = parser.parse_args()
    text = args.file.read_text(encoding="utf-8") if args.file else args.text
    catalogue = default_catalogue()
    folded = fold(text)
    index = catalogue.concept_finder.find(folded)
    names = {NEGATED: "negated", HYPOTHETICAL: "hypothetical", WARNING: "warning"}
    for concept, occurrences in sorted(index.occurrences.items()):
        shown = []
        for o in occurrences:
            start, end = folded.source_span(o.start, o.end)
            marks = [name for bit, name in names.items() if o.modifiers & bit]
            shown.append(repr(text[start:end]) + (f" [{','.join(marks)}]" if marks else ""))
        print(f"{concept:18} {o.language:8} " + "  ".join(shown))
    for hit in concept_hits(catalogue, folded):
        print(f"FLAG {hit.flag.id}: " + " | ".join(e.text for e in hit.evidence))


if __name__ == "__main__":
    main()
