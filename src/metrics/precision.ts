import type { ClassificationOptions } from './classification-input.js';
import { safeRatio, type ClassCounts } from './class-counts.js';
import { confusionScore } from './confusion-score.js';
import { CumulativeClassificationMetric } from './cumulative.js';

/** One class's score from its one-vs-rest counts. */
const score = (c: ClassCounts): number => safeRatio(c.tp, c.tp + c.fp);

/** Precision (positive predictive value): TP / (TP + FP). Averaged per `options.average` (sklearn semantics, 0/0 counts as 0). */
export function precision(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: ClassificationOptions = {},
): number {
  return confusionScore('precision', probs, labels, options, score);
}

export class PrecisionMetric extends CumulativeClassificationMetric<number> {
  protected computeFrom(probs: Float64Array, labels: Int32Array): number {
    return precision(probs, labels, this.options);
  }
}
