"""Quick, approximate comparison of training recipes for issue 13 (used to choose between them;
the figures that count come from bench/quality.py, which refits everything).

Approximate because the TF-IDF vocabulary and idf are fitted once on every row (the EMSCAD
hold-out and legit_modern.csv included) and only the logistic regression and calibration are
refitted per fold; rule points are computed once (cached in /tmp/exp/cache.pkl, delete it
after a catalogue change). About 2-7 minutes per variant on a loaded 2-core machine.

    .venv/bin/python bench/explore_recipe.py '[{"C":32,"offsets":"legit","topical":true,
        "calib":"zero","noint":true}]' cv,auc,loso

Variant keys: modern (train on legit_modern.csv, default true), C, offsets ("none", "all",
"legit": only languages/files without scams), topical (drop topical terms), noint (no
intercept), calib ("plain": log-odds minus logit of all rows' prevalence; "ref": minus that
of the rows without offsets; "zero": the terms alone), weights ({file: row weight}),
loso_only ([source_repo, ...]) to hold out only some sources.
"""

import json
import os
import pickle
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from scamscreen.scoring import DEFAULT_PRIOR, bound_classifier_points
from scamscreen.screener import Screener
from scamscreen.training import (
    fit_scales,
    language_of,
    logit,
    make_pipeline,
    read_labelled,
    rule_points,
    topical_terms,
)

os.chdir(Path(__file__).resolve().parent.parent)
os.makedirs("/tmp/exp", exist_ok=True)
SEED = 20261125
cache = Path("/tmp/exp/cache.pkl")
if cache.exists():
    D = pickle.load(open(cache, "rb"))
else:
    s = Screener()
    m = s.model
    held = set(m.metadata["held_out_ids"]["emscad_train.csv"])
    em = read_labelled(Path("../shared/data/emscad_train.csv"))
    tr = [r for r in em if r.id not in held]
    ho = [r for r in em if r.id in held]
    sa = read_labelled(Path("data/samples/ads.jsonl"))
    mo = read_labelled(Path("../shared/data/legit_modern.csv"))
    rows = tr + sa + mo + ho
    p = make_pipeline(8.0)
    X = p.named_steps["tfidf"].fit_transform([r.text for r in rows]).tocsr()
    vocab = p.named_steps["tfidf"].vocabulary_
    pts = np.array(rule_points([r.text for r in rows], s.catalogue))
    D = {"rows": rows, "X": X, "vocab": vocab, "pts": pts,
         "n": (len(tr), len(sa), len(mo), len(ho))}
    pickle.dump(D, open(cache, "wb"))
rows, X, vocab, pts = D["rows"], D["X"], D["vocab"], D["pts"]
ntr, nsa, nmo, nho = D["n"]
TR = list(range(ntr))
SA = list(range(ntr, ntr + nsa))
MO = list(range(ntr + nsa, ntr + nsa + nmo))
HO = list(range(ntr + nsa + nmo, len(rows)))
y = np.array([r.label for r in rows])
nnz = np.diff(X.indptr)
topical = topical_terms([rows[i] for i in TR], ("location", "industry", "function", "department"))
topmask = np.ones(X.shape[1])
for t, j in vocab.items():
    if t in topical or any(w in topical for w in t.split(" ")):
        topmask[j] = 0
OFF = 10.0


def strata(idx, v):
    """offset names per row"""
    mode = v.get("offsets", "none")
    if mode == "none":
        return [() for _ in idx]
    langs = defaultdict(int)
    srcs = defaultdict(int)
    for i in idx:
        langs[language_of(rows[i])] += y[i]
        srcs[rows[i].origin] += y[i]
    ref_src = Counter(rows[i].origin for i in idx if y[i]).most_common(1)[0][0]
    out = []
    for i in idx:
        r = rows[i]
        names = []
        L = language_of(r)
        if L != "en" and (mode == "all" or langs[L] == 0) and v.get("lang_off", True):
            names.append("lang:" + L)
        if (
            r.origin != ref_src
            and (mode == "all" or srcs[r.origin] == 0)
            and v.get("src_off", True)
        ):
            names.append("src:" + r.origin)
        out.append(tuple(names))
    return out


def fit(idx, v):
    Xt = X[idx]
    if v.get("topical"):
        Xt = Xt.multiply(topmask).tocsr()
    st = strata(idx, v)
    names = sorted({n for s in st for n in s})
    if names:
        col = {n: k for k, n in enumerate(names)}
        cells = [(a, col[n]) for a, s in enumerate(st) for n in s]
        offsets = csr_matrix(
            ([OFF] * len(cells), ([a for a, _ in cells], [k for _, k in cells])),
            shape=(len(idx), len(names)),
        )
        Xt = hstack([Xt, offsets], format="csr")
    w = None
    if v.get("weights"):
        w = np.array([v["weights"].get(rows[i].origin, 1.0) for i in idx])
    lr = LogisticRegression(
        C=v.get("C", 8.0), solver="liblinear", max_iter=1000, fit_intercept=not v.get("noint")
    )
    lr.fit(Xt, y[idx], sample_weight=w)
    coef = lr.coef_[0][: X.shape[1]] * (topmask if v.get("topical") else 1)
    return coef, float(lr.intercept_[0]) if not v.get("noint") else 0.0, st, idx


def ref_prev(idx, st):
    lab = [y[i] for i, s in zip(idx, st, strict=True) if not s]
    if len(set(lab)) < 2:
        lab = [y[i] for i in idx]
    return sum(lab) / len(lab)


def evid(model, idx, v):
    coef, b, st, tidx = model
    terms = X[idx] @ coef
    if v.get("calib", "plain") == "plain":
        prev = y[tidx].mean()
        return terms + b - logit(prev)
    if v.get("calib") == "ref":
        return terms + b - logit(ref_prev(tidx, st))
    if v.get("calib") == "zero":
        return terms + b
    return terms


def folds(idx, k, seed=SEED):
    st = [f"{y[i]}:{language_of(rows[i])}" for i in idx]
    c = Counter(st)
    st = [s if c[s] >= k else s.split(":")[0] for s in st]
    return [
        ([idx[a] for a in tr], [idx[a] for a in te])
        for tr, te in StratifiedKFold(k, shuffle=True, random_state=seed).split(idx, st)
    ]


def build(idx, v):
    model = fit(idx, v)
    oof = np.zeros(len(y))
    for a, b in folds(idx, v.get("cfolds", 5)):
        oof[b] = evid(fit(a, v), b, v)
    st = model[2]
    prev = ref_prev(idx, st) if v.get("calib", "plain") != "plain" else y[idx].mean()
    strat = st if (any(st) and v.get("cal_strata", True)) else None
    _, scale, icpt = fit_scales(pts[idx], oof[idx], y[idx], strat)
    scale *= v.get("scale_mult", 1.0)
    return model, scale, icpt - logit(prev)


def score(built, idx, v):
    model, scale, offset = built
    e = evid(model, idx, v)
    raw = e * scale
    lw = np.minimum(1.0, nnz[idx] / 30)
    cp = np.array([bound_classifier_points(r) for r in raw]) * lw
    total = logit(DEFAULT_PRIOR) + offset + pts[idx] + cp
    sc = np.round(100 / (1 + np.exp(-total)))
    return cp, sc, e


def samples_cv(base, v, k=5):
    kinds = [f"{y[i]}:{rows[i].extra.get('kind', '')}" for i in SA]
    out = {}
    for a, b in StratifiedKFold(k, shuffle=True, random_state=SEED).split(SA, kinds):
        te = [SA[j] for j in b]
        bl = build(base + [SA[j] for j in a], v)
        cp, sc, _ = score(bl, te, v)
        for i, c_, s_ in zip(te, cp, sc, strict=True):
            out[i] = (c_, s_)
    rec = defaultdict(list)
    lk = []
    recs = []
    for i, (c_, s_) in out.items():
        k_ = rows[i].extra.get("kind")
        if k_ == "recruitment":
            rec[rows[i].extra["lang"]].append(c_)
            recs.append(s_ >= 70)
        if k_ == "lookalike":
            lk.append(s_ >= 70)
    return {
        L: round(float(np.mean(c)), 2) for L, c in sorted(rec.items())
    }, f"rec high {sum(recs)}/{len(recs)} lk high {sum(lk)}/{len(lk)}"


def loso(v, base):
    groups = defaultdict(list)
    for i in MO:
        groups[rows[i].extra["source_repo"]].append(i)
    res = {}
    bylang = defaultdict(list)
    for g, members in sorted(groups.items()):
        if v.get("loso_only") and g not in v["loso_only"]:
            continue
        tr_ = base + [i for i in MO if rows[i].extra["source_repo"] != g]
        bl = build(tr_, {**v, "cfolds": v.get("loso_cfolds", 3)})
        cp, sc, _ = score(bl, members, v)
        res[g[:28]] = (
            len(members),
            round(float(np.mean(sc >= 35)), 3),
            round(float(np.mean(sc >= 70)), 3),
            round(float(np.mean(cp)), 2),
        )
        for i, s_ in zip(members, sc, strict=True):
            bylang[language_of(rows[i])].append(s_)
    return res, {
        L: (
            round(float(np.mean(np.array(s) >= 35)), 3),
            round(float(np.mean(np.array(s) >= 70)), 3),
        )
        for L, s in bylang.items()
    }


def emscad(v, base):
    bl = build(base, v)
    cp, sc, e = score(bl, HO, v)
    model, scale, offset = bl
    total = offset + pts[HO] + cp
    return (
        round(roc_auc_score(y[HO], total), 4),
        round(roc_auc_score(y[HO], e), 4),
        round(scale, 3),
        round(offset, 3),
    )


if __name__ == "__main__":
    variants = json.loads(sys.argv[1])
    what = sys.argv[2].split(",") if len(sys.argv) > 2 else ["cv"]
    for v in variants:
        t = time.time()
        modern = v.get("modern", True)
        base = TR + (MO if modern else [])
        print("VARIANT", json.dumps(v), flush=True)
        if "cv" in what:
            print("  cv", samples_cv(base, v), flush=True)
        if "auc" in what:
            print(
                "  emscad auc(total, evidence), scale, offset",
                emscad(v, TR + SA + (MO if modern else [])),
                flush=True,
            )
        if "loso" in what:
            r, bl = loso(v, TR + SA)
            print("  loso by lang", bl)
            [print("   ", k, x) for k, x in r.items()]
        print("  took", round(time.time() - t), flush=True)
