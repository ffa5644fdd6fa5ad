"""The quality bar of issue 2, measured; prints the figures and writes them as JSON.

1. The shipped model on its held-out 20% of EMSCAD (ids recorded in the model): ROC-AUC >= 0.98.
2. data/samples/ads.jsonl by k-fold cross-validation, because the samples also train the
   classifier: for each fold, a classifier and its calibration are trained on the model's
   EMSCAD training rows plus the other folds (C fixed to the shipped model's), then the fold is
   screened. Bar: every kind == "recruitment" ad scores high, at most 10% of look-alikes do.
3. data/samples/holdout.jsonl, a blind set, with the shipped model: reported, never tuned on.

    .venv/bin/python bench/quality.py [--data ../shared/data/emscad_train.csv] [--output FILE]

Exit status 0 when both bars hold, 1 when one does not.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

from bench_check import machine as describe_machine

from scamscreen.evaluate import (
    cross_validate_samples,
    evaluate_file,
    quality_bar,
    score_rows,
    summarize,
)
from scamscreen.screener import Screener
from scamscreen.training import read_labelled

ROOT = Path(__file__).resolve().parent.parent
AUC_BAR = 0.98


def _flags(evaluation_dict: dict) -> list[dict]:
    return [f for f in evaluation_dict["flags"] if f["fired_positive"] + f["fired_negative"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/emscad_train.csv")
    parser.add_argument("--samples", type=Path, default=ROOT / "data/samples/ads.jsonl")
    parser.add_argument("--holdout", type=Path, default=ROOT / "data/samples/holdout.jsonl")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / "bench/results/quality.json")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    screener = Screener()
    model = screener.model
    assert model is not None
    seed = int(model.metadata.get("seed", 20261125))
    c = float(model.metadata["C"])

    held = evaluate_file(args.data, screener, ids_from_model=True)
    print(f"EMSCAD held-out ({held.rows} ads, {held.positives} scams): ROC-AUC "
          f"{held.roc_auc:.4f} (bar >= {AUC_BAR}), average precision {held.average_precision:.4f}")

    held_ids = set(model.metadata["held_out_ids"][args.data.name])
    base_rows = [r for r in read_labelled(args.data) if r.id not in held_ids]
    samples = read_labelled(args.samples)
    scored = cross_validate_samples(base_rows, samples, c=c, seed=seed, folds=args.folds,
                                    catalogue=screener.catalogue)
    cv_eval = summarize(scored, screener, source=args.samples.name)
    cv_bar = quality_bar(scored)
    print(f"samples, {args.folds}-fold CV ({len(scored)} ads): ROC-AUC {cv_eval.roc_auc:.4f}; "
          f"recruitment high {cv_bar.recruitment_high}/{cv_bar.recruitment}; look-alikes high "
          f"{cv_bar.lookalike_high}/{cv_bar.lookalike} ({cv_bar.lookalike_rate:.0%}); "
          f"{'PASS' if cv_bar.passed else 'FAIL'}")
    if cv_bar.recruitment_missed:
        scores = {r.id: r.score for r in scored}
        print("  recruitment not high: "
              + ", ".join(f"{i} ({scores[i]})" for i in cv_bar.recruitment_missed))
    if cv_bar.lookalike_flagged:
        print("  look-alikes high: " + ", ".join(cv_bar.lookalike_flagged))

    blind_scored, _ = score_rows(screener, read_labelled(args.holdout))
    blind_eval = summarize(blind_scored, screener, source=args.holdout.name)
    blind_bar = quality_bar(blind_scored)
    print(f"blind hold-out ({len(blind_scored)} ads, report only): ROC-AUC "
          f"{blind_eval.roc_auc:.4f}; recruitment high {blind_bar.recruitment_high}/"
          f"{blind_bar.recruitment}; look-alikes high {blind_bar.lookalike_high}/"
          f"{blind_bar.lookalike} ({blind_bar.lookalike_rate:.0%})")

    machine = describe_machine()
    print(f"machine: {machine}; took {time.perf_counter() - started:.0f} s")
    cv_dict, blind_dict = cv_eval.to_dict(), blind_eval.to_dict()
    result = {
        "command": "bench/quality.py",
        "date": date.today().isoformat(),
        "machine": machine,
        "model_sha256": model.checksum,
        "catalogue_sha256": held.catalogue_sha256,
        "emscad_held_out": {"rows": held.rows, "positives": held.positives,
                            "roc_auc": held.roc_auc, "average_precision": held.average_precision,
                            "bar": AUC_BAR, "passed": (held.roc_auc or 0) >= AUC_BAR},
        "samples_cv": {"folds": args.folds, "c": c, "seed": seed, "roc_auc": cv_dict["roc_auc"],
                       "bands": cv_dict["bands"], "flags": _flags(cv_dict),
                       "quality_bar": cv_bar.to_dict(),
                       "scores": {r.id: r.score for r in scored}},
        "holdout": {"roc_auc": blind_dict["roc_auc"], "bands": blind_dict["bands"],
                    "flags": _flags(blind_dict), "quality_bar": blind_bar.to_dict()},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                           encoding="utf-8")
    print(f"wrote {args.output}")
    return 0 if cv_bar.passed and result["emscad_held_out"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
