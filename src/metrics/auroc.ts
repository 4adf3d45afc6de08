import { binaryCurve } from './binary-curve.js';
import { classificationShape, classScores, type Average, type ClassificationOptions } from './classification-input.js';
import { CumulativeClassificationMetric } from './cumulative.js';
import { MetricInputError } from './metric-input-error.js';

/**
 * Area under the ROC curve of binary scores, exact: trapezoids over the distinct thresholds, so tied scores
 * count one half (equal to the Mann-Whitney U statistic with average ranks, and to sklearn's
 * `roc_auc_score`). NaN when only one class is present (sklearn raises instead).
 */
export function binaryAuroc(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  const c = binaryCurve(scores, positive);
  if (c.positives === 0 || c.negatives === 0) return NaN;
  let area = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let i = 0; i < c.tps.length; i++) {
    area += (c.fps[i] - prevFp) * (c.tps[i] + prevTp);
    prevTp = c.tps[i];
    prevFp = c.fps[i];
  }
  return area / (2 * c.positives * c.negatives);
}

/**
 * AUROC of probabilities. Binary (`average` 'binary', the default): AUROC of the positive-class probability.
 * Multi-class, one-vs-rest: 'macro' (default) is the mean of the per-class AUROCs (NaN if a class has no
 * sample or every sample is of it), 'weighted' weights them by class prevalence, 'micro' is the AUROC of all
 * N*K (probability, is-this-the-class) pairs pooled — sklearn's `roc_auc_score(multi_class='ovr')` for
 * macro/weighted and `roc_auc_score(one_hot(y), probs, average='micro')` for micro.
 */
export function auroc(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: ClassificationOptions = {},
): number {
  return oneVsRest('auroc', binaryAuroc, probs, labels, options.average);
}

/** Internal: applies a binary ranking score to binary or one-vs-rest multi-class input. */
export function oneVsRest(
  where: string,
  binary: (scores: ArrayLike<number>, positive: ArrayLike<boolean | number>) => number,
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  average: Average | undefined,
): number {
  const shape = classificationShape(probs, labels, where);
  const { n, k } = shape;
  if (k === 1) {
    if (average !== undefined && average !== 'binary') {
      throw new MetricInputError(where, `average '${average}' needs [N, K] multi-class probabilities`);
    }
    return binary(probs, labels);
  }
  const avg = average ?? 'macro';
  if (avg === 'binary') throw new MetricInputError(where, `average 'binary' needs binary input, got ${k} classes`);
  if (avg === 'micro') {
    const onehot = new Uint8Array(n * k);
    for (let i = 0; i < n; i++) onehot[i * k + labels[i]] = 1;
    return binary(probs, onehot);
  }
  let total = 0;
  let weightSum = 0;
  for (let c = 0; c < k; c++) {
    const positive = new Uint8Array(n);
    let support = 0;
    for (let i = 0; i < n; i++) {
      if (labels[i] !== c) continue;
      positive[i] = 1;
      support++;
    }
    const w = avg === 'weighted' ? support : 1;
    total += w === 0 ? 0 : w * binary(classScores(probs, shape, c), positive);
    weightSum += w;
  }
  return total / weightSum;
}

export class AurocMetric extends CumulativeClassificationMetric<number> {
  protected computeFrom(probs: Float64Array, labels: Int32Array): number {
    return auroc(probs, labels, this.options);
  }
}
