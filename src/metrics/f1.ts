import type { ClassificationOptions } from './classification-input.js';
import { safeRatio, type ClassCounts } from './class-counts.js';
import { confusionScore } from './confusion-score.js';
import { CumulativeClassificationMetric } from './cumulative.js';

/** One class's score from its one-vs-rest counts. */
const score = (c: ClassCounts): number => safeRatio(2 * c.tp, 2 * c.tp + c.fp + c.fn);

/** F1: 2TP / (2TP + FP + FN), the harmonic mean of precision and recall (macro F1 is the mean of per-class F1, like sklearn). Averaged per `options.average` (sklearn semantics, 0/0 counts as 0). */
export function f1Score(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: ClassificationOptions = {},
): number {
  return confusionScore('f1Score', probs, labels, options, score);
}

export class F1Metric extends CumulativeClassificationMetric<number> {
  protected computeFrom(probs: Float64Array, labels: Int32Array): number {
    return f1Score(probs, labels, this.options);
  }
}
