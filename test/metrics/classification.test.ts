// Classification metrics against scikit-learn 1.2 (Debian python3-sklearn) on fixed random and tied data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accuracy,
  auroc,
  averagePrecision,
  balancedAccuracy,
  classificationReport,
  confusionMatrix,
  expectedCalibrationError,
  f1Score,
  precision,
  recall,
  rocCurve,
  selectThreshold,
  specificity,
} from '../../src/metrics/index.js';
import { assertClose, pythonReference, rng } from './python-reference.js';

const rand = rng(20240611);

/** Binary data whose positives tend to score higher; `decimals` rounds the scores to create ties. */
function binaryData(n: number, decimals?: number): { probs: Float32Array; labels: Int32Array } {
  const probs = new Float32Array(n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rand() < 0.35 ? 1 : 0;
    let p = Math.min(1, Math.max(0, 0.3 + 0.3 * labels[i] + 0.45 * (rand() - 0.5)));
    if (decimals !== undefined) p = Math.round(p * 10 ** decimals) / 10 ** decimals;
    probs[i] = p;
  }
  return { probs, labels };
}

/** [N, K] row-major softmax probabilities loosely tied to the labels. */
function multiData(n: number, k: number, decimals?: number): { probs: Float32Array; labels: Int32Array } {
  const probs = new Float32Array(n * k);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(rand() * k);
    const logits = Array.from({ length: k }, (_, c) => 2 * rand() + (c === labels[i] ? 1.2 : 0));
    const z = logits.reduce((s, x) => s + Math.exp(x), 0);
    for (let c = 0; c < k; c++) {
      let p = Math.exp(logits[c]) / z;
      if (decimals !== undefined) p = Math.round(p * 10 ** decimals) / 10 ** decimals;
      probs[i * k + c] = p;
    }
  }
  return { probs, labels };
}

const binarySets = {
  random: binaryData(240),
  tied: binaryData(180, 1),
};
const multiSets = {
  random: multiData(200, 4),
  tied: multiData(150, 3, 1), // argmax ties too: first maximum wins in both numpy and ours
};
const thresholds = [0.5, 0.37];

const script = String.raw`
import json, sys
import numpy as np
from sklearn import metrics as M
from sklearn.calibration import calibration_curve
from sklearn.preprocessing import label_binarize

inp = json.load(sys.stdin)

def ece_top(p, y, bins=15):
    # independent formulation: per-sample bin index via searchsorted on the inner edges
    conf = p.max(axis=1); pred = p.argmax(axis=1); acc = (pred == y).astype(float)
    idx = np.searchsorted(np.linspace(0, 1, bins + 1)[1:-1], conf, side='left')
    return float(sum(abs(acc[idx == b].sum() - conf[idx == b].sum()) for b in range(bins)) / len(y))

out = {'binary': {}, 'multi': {}}
for name, d in inp['binary'].items():
    p = np.array(d['probs']); y = np.array(d['labels'])
    r = {'auroc': M.roc_auc_score(y, p), 'ap': M.average_precision_score(y, p)}
    fpr, tpr, th = M.roc_curve(y, p, drop_intermediate=False)
    r['roc'] = {'fpr': fpr.tolist(), 'tpr': tpr.tolist(), 'thresholds': th[1:].tolist()}
    for t in inp['thresholds']:
        yp = (p >= t).astype(int)
        r[str(t)] = {
            'accuracy': M.accuracy_score(y, yp), 'balanced': M.balanced_accuracy_score(y, yp),
            'precision': M.precision_score(y, yp, zero_division=0), 'recall': M.recall_score(y, yp),
            'specificity': M.recall_score(y, yp, pos_label=0), 'f1': M.f1_score(y, yp),
            'cm': M.confusion_matrix(y, yp, labels=[0, 1]).tolist(),
        }
    r['ece_top'] = ece_top(np.stack([1 - p, p], axis=1), y)
    # positive-class ECE from sklearn's reliability curve (same uniform bins) and bin counts
    prob_true, prob_pred = calibration_curve(y, p, n_bins=15, strategy='uniform')
    ids = np.searchsorted(np.linspace(0, 1, 16)[1:-1], p)
    counts = np.bincount(ids, minlength=15); counts = counts[counts > 0]
    r['ece_pos'] = float(np.sum(np.abs(prob_true - prob_pred) * counts) / len(y))
    # Youden: first argmax over the data thresholds of roc_curve; F1: brute force over the same thresholds
    j = tpr[1:] - fpr[1:]; i = int(np.argmax(j))
    r['youden'] = [float(th[1:][i]), float(j[i])]
    f1s = [M.f1_score(y, (p >= t).astype(int)) for t in th[1:]]; i = int(np.argmax(f1s))
    r['bestf1'] = [float(th[1:][i]), float(f1s[i])]
    out['binary'][name] = r

for name, d in inp['multi'].items():
    k = d['k']; p = np.array(d['probs']).reshape(-1, k); y = np.array(d['labels']); yp = p.argmax(axis=1)
    L = list(range(k)); onehot = label_binarize(y, classes=L)
    r = {'accuracy': M.accuracy_score(y, yp), 'balanced': M.balanced_accuracy_score(y, yp),
         'cm': M.confusion_matrix(y, yp, labels=L).tolist()}
    mcm = M.multilabel_confusion_matrix(y, yp, labels=L)
    tn, fp = mcm[:, 0, 0], mcm[:, 0, 1]; spec = tn / (tn + fp); support = np.bincount(y, minlength=k)
    for avg in ['macro', 'micro', 'weighted']:
        r[avg] = {
            'precision': M.precision_score(y, yp, labels=L, average=avg, zero_division=0),
            'recall': M.recall_score(y, yp, labels=L, average=avg, zero_division=0),
            'f1': M.f1_score(y, yp, labels=L, average=avg, zero_division=0),
            'specificity': {'macro': spec.mean(), 'weighted': (spec * support).sum() / support.sum(),
                            'micro': tn.sum() / (tn.sum() + fp.sum())}[avg],
            # one-hot (multilabel) form: the same one-vs-rest AUROC as multi_class='ovr', and it also
            # accepts rows that do not sum to 1 (the tied set is rounded)
            'auroc': M.roc_auc_score(onehot, p, average=avg),
            'ap': M.average_precision_score(onehot, p, average=avg),
        }
    r['ece_top'] = ece_top(p, y)
    if name == 'random':
        r['ovr_macro'] = M.roc_auc_score(y, p, multi_class='ovr', average='macro')
    out['multi'][name] = r
print(json.dumps(out))
`;

const ref = pythonReference(script, {
  thresholds,
  binary: Object.fromEntries(
    Object.entries(binarySets).map(([k, d]) => [k, { probs: Array.from(d.probs), labels: Array.from(d.labels) }]),
  ),
  multi: Object.fromEntries(
    Object.entries(multiSets).map(([k, d]) => [
      k,
      { probs: Array.from(d.probs), labels: Array.from(d.labels), k: d.probs.length / d.labels.length },
    ]),
  ),
});

for (const [name, { probs, labels }] of Object.entries(binarySets)) {
  const r = ref.binary[name];
  test(`binary ${name}: thresholded metrics match sklearn`, () => {
    for (const t of thresholds) {
      const e = r[String(t)];
      const o = { threshold: t };
      assertClose(accuracy(probs, labels, o), e.accuracy, 1e-12, 'accuracy');
      assertClose(balancedAccuracy(probs, labels, o), e.balanced, 1e-12, 'balanced accuracy');
      assertClose(precision(probs, labels, o), e.precision, 1e-12, 'precision');
      assertClose(recall(probs, labels, o), e.recall, 1e-12, 'recall');
      assertClose(specificity(probs, labels, o), e.specificity, 1e-12, 'specificity');
      assertClose(f1Score(probs, labels, o), e.f1, 1e-12, 'f1');
      assert.deepEqual(confusionMatrix(probs, labels, o), e.cm);
    }
  });
  test(`binary ${name}: AUROC, ROC curve and average precision match sklearn`, () => {
    assertClose(auroc(probs, labels), r.auroc, 1e-12, 'auroc');
    assertClose(averagePrecision(probs, labels), r.ap, 1e-12, 'ap');
    const roc = rocCurve(probs, labels);
    assertClose(roc.fpr, r.roc.fpr, 1e-12, 'fpr');
    assertClose(roc.tpr, r.roc.tpr, 1e-12, 'tpr');
    assert.equal(roc.thresholds[0], Infinity);
    assertClose(roc.thresholds.subarray(1), r.roc.thresholds, 0, 'thresholds');
  });
  test(`binary ${name}: ECE (top-label and positive-class) and threshold selection`, () => {
    assertClose(expectedCalibrationError(probs, labels), r.ece_top, 1e-12, 'ece top-label');
    assertClose(expectedCalibrationError(probs, labels, { mode: 'positive-class' }), r.ece_pos, 1e-12, 'ece positive');
    const y = selectThreshold(probs, labels, 'youden');
    assertClose([y.threshold, y.value], r.youden, 1e-12, 'youden');
    const f = selectThreshold(probs, labels, 'f1');
    assertClose([f.threshold, f.value], r.bestf1, 1e-12, 'best f1');
  });
}

for (const [name, { probs, labels }] of Object.entries(multiSets)) {
  const r = ref.multi[name];
  test(`multi-class ${name}: every metric and averaging matches sklearn`, () => {
    assertClose(accuracy(probs, labels), r.accuracy, 1e-12, 'accuracy');
    assertClose(balancedAccuracy(probs, labels), r.balanced, 1e-12, 'balanced');
    assert.deepEqual(confusionMatrix(probs, labels), r.cm);
    assertClose(expectedCalibrationError(probs, labels), r.ece_top, 1e-12, 'ece');
    if (name === 'random') assertClose(auroc(probs, labels), r.ovr_macro, 1e-12, 'ovr macro auroc');
    for (const average of ['macro', 'micro', 'weighted'] as const) {
      const e = r[average];
      const o = { average };
      assertClose(precision(probs, labels, o), e.precision, 1e-12, `${average} precision`);
      assertClose(recall(probs, labels, o), e.recall, 1e-12, `${average} recall`);
      assertClose(f1Score(probs, labels, o), e.f1, 1e-12, `${average} f1`);
      assertClose(specificity(probs, labels, o), e.specificity, 1e-12, `${average} specificity`);
      assertClose(auroc(probs, labels, o), e.auroc, 1e-12, `${average} auroc`);
      assertClose(averagePrecision(probs, labels, o), e.ap, 1e-12, `${average} ap`);
    }
  });
}

test('classificationReport gathers the same values (binary with a chosen threshold, multi-class macro)', () => {
  const { probs, labels } = binarySets.random;
  const rb = classificationReport(probs, labels, { threshold: 0.37 });
  const e = ref.binary.random;
  assert.equal(rb.n, 240);
  assertClose(
    [rb.accuracy, rb.balanced_accuracy, rb.precision, rb.recall, rb.specificity, rb.f1, rb.auroc, rb.auprc, rb.ece],
    [
      e['0.37'].accuracy,
      e['0.37'].balanced,
      e['0.37'].precision,
      e['0.37'].recall,
      e['0.37'].specificity,
      e['0.37'].f1,
      e.auroc,
      e.ap,
      e.ece_top,
    ],
    1e-12,
    'binary report',
  );
  assert.deepEqual(rb.confusion_matrix, e['0.37'].cm);
  assert.equal(rb.threshold, 0.37);
  const m = multiSets.random;
  const rm = classificationReport(m.probs, m.labels);
  const em = ref.multi.random;
  assert.equal(rm.average, 'macro');
  assertClose(
    [rm.accuracy, rm.f1, rm.auroc, rm.auprc],
    [em.accuracy, em.macro.f1, em.macro.auroc, em.macro.ap],
    1e-12,
    'multi report',
  );
  const json = JSON.parse(JSON.stringify(rm));
  for (const key of ['n', 'accuracy', 'auroc', 'precision', 'recall', 'specificity', 'f1']) assert.ok(key in json, key);
});
