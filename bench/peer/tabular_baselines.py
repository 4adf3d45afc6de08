"""Reference baselines for the tabular attention models, scored on exactly medattn's folds.

Reads a JSON dump of a table as medattn encodes it (bench/tabular.ts writes it: `columns` with their types,
`values` and `missing` as n x F lists, `labels`) and a `folds.json` written by `medattn cv` (fold indices into
the same rows), and prints one JSON object: per model, the AUROC of each validation fold and their mean and
sample standard deviation (ddof=1, as medattn's cv).

  logistic_regression: numeric -> median imputation (training fold) + missing indicators + standardisation;
                       categorical -> one-hot with "missing" as its own level; L2, C=1.
  hist_gradient_boosting: scikit-learn defaults; numbers with NaN for missing (handled natively), categories
                       as native categorical features.

Run with Debian's /usr/bin/python3 (python3-sklearn).
"""
import json
import sys

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score


def lr_features(values, missing, numeric, train):
    cols = []
    for j in range(values.shape[1]):
        v, m = values[:, j], missing[:, j] > 0.5
        if numeric[j]:
            present = train & ~m
            med = np.median(v[present]) if present.any() else 0.0
            x = np.where(m, med, v)
            mu, sd = x[train].mean(), x[train].std()
            cols.append((x - mu) / (sd if sd > 1e-12 else 1.0))
            if m[train].any():
                cols.append(m.astype(float))
        else:
            codes = np.where(m, -1, np.round(v)).astype(int)
            for c in np.unique(codes[train]):
                cols.append((codes == c).astype(float))
    return np.stack(cols, axis=1)


def main():
    data = json.load(open(sys.argv[1]))
    folds = json.load(open(sys.argv[2]))["folds"]
    values = np.asarray(data["values"], dtype=float)
    missing = np.asarray(data["missing"], dtype=float)
    y = np.asarray(data["labels"], dtype=int)
    numeric = [c["type"] == "numeric" for c in data["columns"]]
    positive = y.max()
    out = {}
    for name in ["logistic_regression", "hist_gradient_boosting"]:
        aurocs = []
        for fold in folds:
            tr, va = np.asarray(fold["train"]), np.asarray(fold["val"])
            train = np.zeros(len(y), dtype=bool)
            train[tr] = True
            if name == "logistic_regression":
                x = lr_features(values, missing, numeric, train)
                model = LogisticRegression(C=1.0, max_iter=5000)
            else:
                x = np.where(missing > 0.5, np.nan, values)
                model = HistGradientBoostingClassifier(
                    random_state=0, categorical_features=np.asarray([not n for n in numeric])
                )
            model.fit(x[tr], y[tr])
            p = model.predict_proba(x[va])[:, list(model.classes_).index(positive)]
            aurocs.append(float(roc_auc_score(y[va] == positive, p)))
        out[name] = {
            "auroc": aurocs,
            "mean": float(np.mean(aurocs)),
            "std": float(np.std(aurocs, ddof=1)),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
