// Small cases computed by hand, accumulating classes, and input errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AccuracyMetric,
  AurocMetric,
  ConfusionMatrixMetric,
  F1Metric,
  MetricInputError,
  accuracy,
  auroc,
  averagePrecision,
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

// sklearn's documented example: roc_auc_score([0,0,1,1], [0.1,0.4,0.35,0.8]) = 0.75, AP = 0.8333...
const probs = [0.1, 0.4, 0.35, 0.8];
const labels = [0, 0, 1, 1];

test('binary hand case: counts at 0.5 are TN=2 FP=0 FN=1 TP=1', () => {
  assert.deepEqual(confusionMatrix(probs, labels), [
    [2, 0],
    [1, 1],
  ]);
  assert.equal(accuracy(probs, labels), 0.75);
  assert.equal(precision(probs, labels), 1);
  assert.equal(recall(probs, labels), 0.5);
  assert.equal(specificity(probs, labels), 1);
  assert.equal(f1Score(probs, labels), 2 / 3);
  // At 0.3 three samples are positive: TP=2, FP=1.
  assert.equal(precision(probs, labels, { threshold: 0.3 }), 2 / 3);
  assert.equal(recall(probs, labels, { threshold: 0.3 }), 1);
});

test('binary hand case: AUROC 0.75, AP 5/6, ROC points', () => {
  assert.equal(auroc(probs, labels), 0.75);
  assert.ok(Math.abs(averagePrecision(probs, labels) - 5 / 6) < 1e-15);
  const roc = rocCurve(probs, labels);
  assert.deepEqual(Array.from(roc.thresholds), [Infinity, 0.8, 0.4, 0.35, 0.1]);
  assert.deepEqual(Array.from(roc.tpr), [0, 0.5, 0.5, 1, 1]);
  assert.deepEqual(Array.from(roc.fpr), [0, 0, 0.5, 0.5, 1]);
  // All scores tied: AUROC is exactly 1/2 (average rank), AP is the prevalence.
  assert.equal(auroc([0.3, 0.3, 0.3, 0.3], labels), 0.5);
  assert.equal(averagePrecision([0.3, 0.3, 0.3, 0.3], [0, 0, 0, 1]), 0.25);
  // One tie across classes: pairs (pos, neg) = 4, one tied pair counts 1/2 -> (3 + 0.5) / 4.
  assert.equal(auroc([0.2, 0.5, 0.5, 0.9], [0, 0, 1, 1]), 0.875);
  // Single class: undefined.
  assert.ok(Number.isNaN(auroc([0.2, 0.4], [1, 1])));
});

test('threshold selection: Youden picks 0.8 (J = 0.5, tie with 0.35), F1 picks 0.35 (F1 = 0.8)', () => {
  // Candidates 0.8 (J=.5, F1=2/3), 0.4 (J=0, F1=.5), 0.35 (J=.5, F1=.8), 0.1 (J=0, F1=2/3).
  // Youden ties between 0.8 and 0.35: the highest threshold wins. Midpoints: (0.8 + 0.4) / 2, (0.35 + 0.1) / 2.
  const youden = { threshold: 0.8, criterion: 'youden', value: 0.5, midpoint: (0.8 + 0.4) / 2 };
  assert.deepEqual(selectThreshold(probs, labels, 'youden'), youden);
  assert.deepEqual(selectThreshold(probs, labels, 'f1'), {
    threshold: 0.35,
    criterion: 'f1',
    value: 0.8,
    midpoint: (0.35 + 0.1) / 2,
  });
  // the lowest score chosen (everything positive): halfway to 0
  assert.equal(selectThreshold([0.2, 0.4], [1, 1], 'f1').midpoint, 0.1);
  assert.throws(() => selectThreshold([0.1, 0.2], [0, 0], 'f1'), /no positive sample/);
});

test('ECE hand case: two bins', () => {
  // Top-label confidences 0.9, 0.9 (bin 13) with one correct; 0.6 (bin 8) correct.
  // ECE = (2/3)|0.5 - 0.9| + (1/3)|1 - 0.6| = 0.2667 + 0.1333 = 0.4
  const ece = expectedCalibrationError([0.9, 0.1, 0.6], [1, 1, 1]);
  assert.ok(Math.abs(ece - 0.4) < 1e-12, String(ece));
  // The bin edge 1/15 belongs to the lower bin (b/B, (b+1)/B]: equal-width bins, not a NaN.
  assert.ok(Math.abs(expectedCalibrationError([1 / 15], [1], { mode: 'positive-class' }) - 14 / 15) < 1e-12);
});

test('multi-class hand case: 3 classes, macro/micro', () => {
  // argmax predictions: 0, 1, 1, 2 for labels 0, 1, 2, 2.
  const p = [0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.5, 0.3, 0.1, 0.1, 0.8];
  const y = [0, 1, 2, 2];
  assert.deepEqual(confusionMatrix(p, y), [
    [1, 0, 0],
    [0, 1, 0],
    [0, 1, 1],
  ]);
  // Per-class precision 1, 1/2, 1 -> macro 5/6; micro precision = accuracy = 3/4.
  assert.ok(Math.abs(precision(p, y) - 5 / 6) < 1e-15);
  assert.equal(precision(p, y, { average: 'micro' }), 0.75);
  // Per-class recall 1, 1, 1/2 -> macro 5/6; weighted (1*1 + 1*1 + 2*0.5) / 4 = 3/4.
  assert.ok(Math.abs(recall(p, y) - 5 / 6) < 1e-15);
  assert.equal(recall(p, y, { average: 'weighted' }), 0.75);
  assert.throws(() => precision(p, y, { average: 'binary' }), MetricInputError);
});

test('accumulating classes equal the pure functions over the concatenated batches; reset clears', () => {
  const acc = new AccuracyMetric({ threshold: 0.5 });
  const au = new AurocMetric();
  const cm = new ConfusionMatrixMetric();
  const f1 = new F1Metric();
  for (const m of [acc, au, cm, f1])
    m.update(probs.slice(0, 2), labels.slice(0, 2)).update(probs.slice(2), labels.slice(2));
  assert.equal(acc.compute(), 0.75);
  assert.equal(au.compute(), 0.75);
  assert.deepEqual(cm.compute(), [
    [2, 0],
    [1, 1],
  ]);
  assert.equal(f1.compute(), 2 / 3);
  au.reset();
  assert.ok(Number.isNaN(au.compute()));
  au.update([0.9, 0.1], [1, 0]);
  assert.equal(au.compute(), 1);
  assert.throws(() => au.update([0.2, 0.3, 0.5], [2]), /3 probability columns, earlier batches had 1/);
});

test('input errors are one-line MetricInputErrors naming the function', () => {
  assert.throws(() => accuracy([0.1, 0.2, 0.3], [0, 1]), {
    name: 'MetricInputError',
    message: 'accuracy: probabilities length 3 is not a multiple of the 2 labels (expected N or N*K values)',
  });
  assert.throws(() => auroc([0.1, 0.2], [0, 2]), /auroc: label 2 at index 1 is not an integer class in 0\.\.1/);
  assert.throws(() => classificationReport([0.1, NaN], [0, 1]), /probability at index 1 is NaN/);
});

test('classificationReport on the hand case', () => {
  const r = classificationReport(probs, labels);
  assert.deepEqual(
    {
      n: r.n,
      accuracy: r.accuracy,
      auroc: r.auroc,
      precision: r.precision,
      recall: r.recall,
      specificity: r.specificity,
    },
    { n: 4, accuracy: 0.75, auroc: 0.75, precision: 1, recall: 0.5, specificity: 1 },
  );
  assert.equal(r.balanced_accuracy, 0.75);
  assert.equal(r.f1, 2 / 3);
});
