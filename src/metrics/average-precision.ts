import { oneVsRest } from './auroc.js';
import { binaryCurve } from './binary-curve.js';
import type { ClassificationOptions } from './classification-input.js';
import { CumulativeClassificationMetric } from './cumulative.js';

/**
 * Average precision of binary scores, sklearn's `average_precision_score`: sum over distinct thresholds
 * (highest first) of (R_i - R_{i-1}) * P_i — a step function, not the trapezoid, which would be optimistic.
 * NaN when there is no positive sample.
 */
export function binaryAveragePrecision(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  const c = binaryCurve(scores, positive);
  if (c.positives === 0) return NaN;
  let ap = 0;
  let prevTp = 0;
  for (let i = 0; i < c.tps.length; i++) {
    ap += ((c.tps[i] - prevTp) / c.positives) * (c.tps[i] / (c.tps[i] + c.fps[i]));
    prevTp = c.tps[i];
  }
  return ap;
}

/**
 * AUPRC as average precision. Binary: of the positive-class probability. Multi-class one-vs-rest with
 * 'macro' (default), 'weighted' or 'micro' averaging, like sklearn on one-hot labels.
 */
export function averagePrecision(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: ClassificationOptions = {},
): number {
  return oneVsRest('averagePrecision', binaryAveragePrecision, probs, labels, options.average);
}

export class AveragePrecisionMetric extends CumulativeClassificationMetric<number> {
  protected computeFrom(probs: Float64Array, labels: Int32Array): number {
    return averagePrecision(probs, labels, this.options);
  }
}
