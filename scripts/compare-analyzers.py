"""Why the classifier counts words + word bigrams (character bigrams for CJK/Thai): measured
against character n-grams (char_wb 2-5), the usual alternative.

Both fit on the shipped model's EMSCAD training rows (its held-out ids excluded) with the
shipped C, and are scored on the held-out rows. Writes bench/results/analyzers.json, which
``scamscreen model-card --analyzers`` puts in the card.

    .venv/bin/python scripts/compare-analyzers.py [--data ../shared/data/emscad_train.csv]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from scamscreen.model import _CONTACT_LIKE, analyze, default_model
from scamscreen.normalize import fold_text
from scamscreen.training import MAX_FEATURES, MIN_DOCUMENT_FREQUENCY, read_labelled

ROOT = Path(__file__).resolve().parent.parent


def _cleaned(text: str) -> str:
    return _CONTACT_LIKE.sub(" ", fold_text(text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/emscad_train.csv")
    parser.add_argument("--output", type=Path, default=ROOT / "bench/results/analyzers.json")
    args = parser.parse_args(argv)
    model = default_model()
    held = set(model.metadata["held_out_ids"][args.data.name])
    rows = read_labelled(args.data)
    train = [r for r in rows if r.id not in held]
    test = [r for r in rows if r.id in held]
    c = float(model.metadata["C"])
    candidates = {
        "words + word bigrams, CJK/Thai char bigrams (shipped)":
            {"analyzer": analyze},
        "char_wb 2-5":
            {"analyzer": "char_wb", "ngram_range": (2, 5), "preprocessor": _cleaned},
    }
    results = []
    for name, options in candidates.items():
        started = time.perf_counter()
        vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=MIN_DOCUMENT_FREQUENCY,
                                     max_features=MAX_FEATURES, **options)
        features = vectorizer.fit_transform([r.text for r in train])
        classifier = LogisticRegression(C=c, solver="liblinear", max_iter=1000)
        classifier.fit(features, [r.label for r in train])
        scores = classifier.decision_function(vectorizer.transform([r.text for r in test]))
        seconds = time.perf_counter() - started
        auc = float(roc_auc_score([r.label for r in test], scores))
        results.append({"analyzer": name, "roc_auc": round(auc, 4), "seconds": round(seconds, 2),
                        "terms": len(vectorizer.vocabulary_)})
        print(f"{name:<55} held-out ROC-AUC {auc:.4f}  {seconds:5.1f} s  "
              f"{len(vectorizer.vocabulary_):,} terms")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"command": "scripts/compare-analyzers.py", "c": c,
                                       "train_rows": len(train), "test_rows": len(test),
                                       "results": results}, indent=2) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
