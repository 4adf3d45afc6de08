import type { ClassificationOptions } from './classification-input.js';
import { safeRatio, type ClassCounts } from './class-counts.js';
import { confusionScore } from './confusion-score.js';
import { CumulativeClassificationMetric } from './cumulative.js';

/** One class's score from its one-vs-rest counts. */
const score = (c: ClassCounts): number => safeRatio(c.tn, c.tn + c.fp);

/** Specificity (true negative rate): TN / (TN + FP). Averaged per `options.average` (sklearn semantics, 0/0 counts as 0). */
export function specificity(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: ClassificationOptions = {},
): number {
  return confusionScore('specificity', probs, labels, options, score);
}

export class SpecificityMetric extends CumulativeClassificationMetric<number> {
  protected computeFrom(probs: Float64Array, labels: Int32Array): number {
    return specificity(probs, labels, this.options);
  }
}
