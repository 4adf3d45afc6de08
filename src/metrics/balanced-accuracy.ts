import { classificationShape, type ClassificationOptions } from './classification-input.js';
import { classCounts } from './class-counts.js';
import { confusionMatrixOf } from './confusion-matrix.js';
import { CumulativeClassificationMetric } from './cumulative.js';

/**
 * Mean recall over the classes present in the labels (sklearn's `balanced_accuracy_score`: classes with no
 * true sample are left out rather than counted as 0). NaN when empty.
 */
export function balancedAccuracy(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: ClassificationOptions = {},
): number {
  const shape = classificationShape(probs, labels, 'balancedAccuracy');
  if (shape.n === 0) return NaN;
  const present = classCounts(confusionMatrixOf(probs, labels, shape, options.threshold)).filter((c) => c.support > 0);
  return present.reduce((s, c) => s + c.tp / c.support, 0) / present.length;
}

export class BalancedAccuracyMetric extends CumulativeClassificationMetric<number> {
  protected computeFrom(probs: Float64Array, labels: Int32Array): number {
    return balancedAccuracy(probs, labels, this.options);
  }
}
