"""Baselines for ICU mortality on PhysioNet 2012 set A, in the folds bench/icu-cv.ts wrote.

    /usr/bin/python3 bench/peer/icu_baselines.py ../shared/data/physionet2012 bench/out/icu/folds.json \
        [--fractions 0.25,0.5,1 --seeds 0,1,2]

Features, parsed here independently of medattn's reader: per time-series variable over the 48 hours the count
of observations, first, last, min, max, mean (missing -> training-fold median + the count says it was missing),
plus Age, Gender, Height, Weight and ICUType one-hot. Models: logistic regression (standardised, C=0.1) and
scikit-learn's HistGradientBoostingClassifier (defaults, max_iter 200, learning_rate 0.05). Prints one JSON
object: per-fold and mean ± std (sample std, ddof 1) AUROC and AUPRC (average precision) per model.

--fractions: a learning curve. Each fold's models are also trained on a stratified random fraction of its
training records (one draw per seed of --seeds) and scored on the same test fold; the JSON gets one entry per
fraction ("learning_curve": fraction -> model -> AUROC mean ± std over folds x seeds).
"""
import json
import os
import sys

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

root, folds_file = sys.argv[1], sys.argv[2]
options = dict(zip(sys.argv[3::2], sys.argv[4::2]))
fractions = [float(f) for f in options.get("--fractions", "").split(",") if f]
seeds = [int(s) for s in options.get("--seeds", "0").split(",")]
folds = json.load(open(folds_file))["folds"]
static = ["Age", "Gender", "Height", "ICUType", "Weight"]
outcomes = {}
for line in open(os.path.join(root, "Outcomes-a.txt")).read().splitlines()[1:]:
    cells = line.split(",")
    outcomes[cells[0]] = int(cells[-1])

series = {}
statics = {}
variables = set()
for name in sorted(os.listdir(os.path.join(root, "set-a"))):
    rid = name[:-4]
    obs = {}
    st = {}
    for line in open(os.path.join(root, "set-a", name)).read().splitlines()[1:]:
        t, p, v = line.split(",")
        v = float(v)
        if p == "RecordID":
            continue
        if t == "00:00" and p in static and p not in st:
            st[p] = np.nan if v == -1 else v
            continue
        if v == -1:
            continue
        obs.setdefault(p, []).append(v)
        variables.add(p)
    series[rid] = obs
    statics[rid] = st

variables = sorted(variables)
ids = sorted(series)
rows = []
for rid in ids:
    f = []
    for p in variables:
        v = series[rid].get(p, [])
        if v:
            a = np.array(v)
            f += [len(a), a[0], a[-1], a.min(), a.max(), a.mean()]
        else:
            f += [0] + [np.nan] * 5
    st = statics[rid]
    icu = st.get("ICUType", np.nan)
    f += [st.get("Age", np.nan), st.get("Gender", np.nan), st.get("Height", np.nan), st.get("Weight", np.nan)]
    f += [float(icu == k) for k in (1, 2, 3, 4)]
    rows.append(f)
X = np.array(rows, dtype=float)
y = np.array([outcomes[r] for r in ids])
index = {r: i for i, r in enumerate(ids)}



def fit_and_score(train, test):
    """AUROC and AUPRC of both models trained on `train`, scored on `test` (index arrays)."""
    med = np.nanmedian(X[train], axis=0)
    med = np.where(np.isnan(med), 0, med)
    Xi = np.where(np.isnan(X), med, X)
    lr = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))
    lr.fit(Xi[train], y[train])
    hgb = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, random_state=0)
    hgb.fit(X[train], y[train])  # HGB handles NaN itself
    scores = {}
    for model, p in (("logistic_regression", lr.predict_proba(Xi[test])[:, 1]), ("hist_gradient_boosting", hgb.predict_proba(X[test])[:, 1])):
        scores[model] = (roc_auc_score(y[test], p), average_precision_score(y[test], p))
    return scores


results = {"logistic_regression": [], "hist_gradient_boosting": []}
curve = {f: {m: [] for m in results} for f in fractions}
for test_ids in folds:
    test = np.array([index[r] for r in test_ids])
    train = np.setdiff1d(np.arange(len(ids)), test)
    for model, score in fit_and_score(train, test).items():
        results[model].append(score)
    for f in fractions:
        for seed in seeds:  # stratified: the same share of each outcome
            rng = np.random.default_rng(seed)
            part = np.sort(np.concatenate([rng.permutation(c)[: round(f * len(c))] for c in (train[y[train] == 0], train[y[train] == 1])]))
            for model, score in fit_and_score(part, test).items():
                curve[f][model].append(score[0])

out = {}
for model, r in results.items():
    a = np.array(r)
    out[model] = {
        "auroc": {"mean": a[:, 0].mean(), "std": a[:, 0].std(ddof=1), "folds": a[:, 0].tolist()},
        "auprc": {"mean": a[:, 1].mean(), "std": a[:, 1].std(ddof=1), "folds": a[:, 1].tolist()},
    }
if fractions:
    out["learning_curve"] = {
        str(f): {m: {"mean": np.mean(a), "std": np.std(a, ddof=1), "n": len(a)} for m, a in by_model.items()}
        for f, by_model in curve.items()
    }
print(json.dumps(out))
