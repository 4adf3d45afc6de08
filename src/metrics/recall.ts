import type { ClassificationOptions } from './classification-input.js';
import { safeRatio, type ClassCounts } from './class-counts.js';
import { confusionScore } from './confusion-score.js';
import { CumulativeClassificationMetric } from './cumulative.js';

/** One class's score from its one-vs-rest counts. */
const score = (c: ClassCounts): number => safeRatio(c.tp, c.tp + c.fn);

/** Recall (sensitivity, true positive rate): TP / (TP + FN). Averaged per `options.average` (sklearn semantics, 0/0 counts as 0). */
export function recall(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: ClassificationOptions = {},
): number {
  return confusionScore('recall', probs, labels, options, score);
}

export class RecallMetric extends CumulativeClassificationMetric<number> {
  protected computeFrom(probs: Float64Array, labels: Int32Array): number {
    return recall(probs, labels, this.options);
  }
}
