"""TF-IDF + logistic regression on a text split written by bench/text-baseline.ts (same notes, same split).

Reads {"classNames": [...], "train": {"texts": [...], "labels": [...]}, "val": {...}} from argv[1]; prints one
JSON line with accuracy, macro_f1, f1_per_class and the confusion matrix on the validation part.
Unigrams and bigrams, sublinear tf, min_df 2, lower-cased (as the WordPiece tokenizer), balanced class
weights (as the BiLSTM config's inverse-frequency weights), C = 10; nothing tuned on the validation part.
"""
import json
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

data = json.load(open(sys.argv[1]))
k = len(data["classNames"])
vec = TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True, min_df=2)
x_train = vec.fit_transform(data["train"]["texts"])
x_val = vec.transform(data["val"]["texts"])
clf = LogisticRegression(C=10.0, class_weight="balanced", max_iter=5000)
clf.fit(x_train, data["train"]["labels"])
pred = clf.predict(x_val)
y = data["val"]["labels"]
per_class = f1_score(y, pred, labels=list(range(k)), average=None, zero_division=0)
print(
    json.dumps(
        {
            "n": len(y),
            "accuracy": accuracy_score(y, pred),
            "macro_f1": f1_score(y, pred, labels=list(range(k)), average="macro", zero_division=0),
            "f1_per_class": dict(zip(data["classNames"], per_class.tolist())),
            "confusion_matrix": confusion_matrix(y, pred, labels=list(range(k))).tolist(),
        }
    )
)
