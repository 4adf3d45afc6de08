import { binaryCurve } from './binary-curve.js';
import { MetricInputError } from './metric-input-error.js';

export interface RocCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  /** Decreasing; thresholds[0] is +Infinity (the "predict nothing positive" point). */
  thresholds: Float64Array;
}

/**
 * ROC curve of binary scores like sklearn's `roc_curve(y, score, drop_intermediate=False)`: one point per
 * distinct score (decreasing threshold, positive when score >= threshold) plus the leading (0, 0) point.
 * Differences from sklearn: collinear points are never dropped, and the leading threshold is +Infinity
 * (sklearn >= 1.3; older sklearn used max(score) + 1). fpr (tpr) is NaN when there is no negative
 * (positive) sample.
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocCurve {
  if (scores.length !== labels.length) {
    throw new MetricInputError('rocCurve', `${scores.length} scores but ${labels.length} labels`);
  }
  const positive = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) {
      throw new MetricInputError('rocCurve', `label ${labels[i]} at index ${i} is not 0 or 1`);
    }
    positive[i] = labels[i];
  }
  const curve = binaryCurve(scores, positive);
  const m = curve.thresholds.length + 1;
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const thresholds = new Float64Array(m);
  thresholds[0] = Infinity;
  fpr[0] = curve.negatives === 0 ? NaN : 0;
  tpr[0] = curve.positives === 0 ? NaN : 0;
  for (let i = 1; i < m; i++) {
    thresholds[i] = curve.thresholds[i - 1];
    fpr[i] = curve.fps[i - 1] / curve.negatives;
    tpr[i] = curve.tps[i - 1] / curve.positives;
  }
  return { fpr, tpr, thresholds };
}
